"""Test overrides. The suite runs on whatever DATABASE_URL names (PostgreSQL in CI)."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("REDIS_URL", "")

from config.settings import *  # noqa: E402,F403
from config.settings import BASE_DIR, DATABASES  # noqa: E402

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# live_server serves /static/ through finders, which don't know the manifest's hashed names.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; production uses Argon2
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Demo mode: the demo mailbox's URLs exist and the URL matrix covers them; tests switch it off to see
# production.
DEMO = True
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
DATABASES["default"]["CONN_MAX_AGE"] = 0
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT = BASE_DIR / "staticfiles"
