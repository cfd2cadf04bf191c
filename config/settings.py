"""Attune settings: one module, configured from the environment (see .env.example)."""

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """Read NAME, or the contents of the file named by NAME_FILE (for container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = env(name, "")
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = env(name, "")
    return int(value) if value else default


DEBUG = envbool("DEBUG", False)
# Demo mode (DEBUG or DEMO=1): the demo mailbox and `manage.py demo_links`; never on by default.
DEMO = DEBUG or envbool("DEMO", False)
SECRET_KEY = env("SECRET_KEY")
# Without a key, management commands (makemigrations, check) still run on a throwaway random key; serving
# refuses to start (config/wsgi.py, config/asgi.py) and `check --deploy` reports it (care.checks).
SECRET_KEY_MISSING = not SECRET_KEY and not DEBUG
if not SECRET_KEY:
    SECRET_KEY = "insecure-development-key-change-me" if DEBUG else "unset-" + secrets.token_urlsafe(48)
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS").split(",") if o.strip()]
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    # Bottom layer first: the spine, then the engines, the pillars, and the pages on top.
    "care",
    "accounts",
    "clinicians",
    "instruments",
    "risk",
    "alliance",
    "readiness",
    "regimen",
    "reliability",
    "checkin",
    "dashboards",
    "supervision",
    "reports",
    "clinic_settings",
    "api",
    "demo",
]

MIDDLEWARE = [
    "care.request_id.RequestIdMiddleware",  # outermost: every log line of a request carries its id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "care.middleware.NoStoreForHealthDataMiddleware",
    "axes.middleware.AxesMiddleware",
    "care.errors.FriendlyErrorsMiddleware",  # innermost: sees a view's bare 405/410/429 first
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "care.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "demo.context.demo_mode",  # the menu's link to the demo mailbox, in demo mode only
            ],
        },
    },
]

# SQLite file by default so a first run needs nothing installed; PostgreSQL via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'attune.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The SQLite demo: a write transaction takes the lock when it begins and waits for it (up to 20 s)
    # instead of failing with "database is locked" when two requests write at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
# Report reads from a read replica (docs/reports.md, "A read replica"): only the report tables go there.
if env("REPORTS_DATABASE_URL"):
    DATABASES["reports"] = dj_database_url.parse(env("REPORTS_DATABASE_URL"), conn_max_age=60)
    DATABASES["reports"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["reports.router.ReportsReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sessions live in the database so the web keeps working when Redis is down.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = envint("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout: every request pushes expiry forward
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Throttle and lockout state in the database cache, for the same reason.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "attune_cache",
        # Django's default of 300 entries would cull lockout and refusal counters on a busy day.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}

AUTHENTICATION_BACKENDS = [
    "accounts.backends.SignInLimitBackend",  # axes' lockout check plus the per-address limit
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in limits (docs/security.md, "Sign-in, sessions and lockouts"): five wrong passwords for one account
# from one address lock that pair, not the account everywhere; any address with SIGNIN_ADDRESS_LIMIT
# failures over all accounts waits too (accounts.limits). Both cool off after AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours; axes' default is a permanent lock
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "accounts.limits.lockout_response"
SIGNIN_ADDRESS_LIMIT = envint("SIGNIN_ADDRESS_LIMIT", 30)
# Signed in for at most this long, however active (the idle timeout is SESSION_COOKIE_AGE above).
SESSION_ABSOLUTE_SECONDS = envint("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
# Second factor (accounts/): TOTP and recovery codes through django-otp, passkeys through
# django-otp-webauthn, as a second factor only. Staff of a clinic with Clinic.require_two_factor need one;
# staff without a clinic (operators) need one unless OPERATOR_TWO_FACTOR=false (default: outside demo mode).
OPERATOR_TWO_FACTOR = env("OPERATOR_TWO_FACTOR")
OTP_TOTP_ISSUER = "Attune"
OTP_WEBAUTHN_RP_NAME = "Attune"
OTP_WEBAUTHN_RP_ID_CALLABLE = "accounts.passkeys.relying_party_id"
OTP_WEBAUTHN_HELPER_CLASS = "accounts.passkeys.PasskeyHelper"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# Passkeys work only over https (or on localhost): the origins they may be used from, comma-separated.
PASSKEY_ORIGINS = env(
    "PASSKEY_ORIGINS", SITE_URL if SITE_URL.startswith("https://") else "http://localhost:8000"
)
OTP_WEBAUTHN_ALLOWED_ORIGINS = [o.strip() for o in PASSKEY_ORIGINS.split(",") if o.strip()]
# Reverse proxies in front of the app (nginx in compose: 1). Limits then count the client's own address
# from X-Forwarded-For rather than the proxy's (care/client_ip.py); 0 trusts no header.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "care.client_ip.client_ip"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Filled by `collectstatic` (the Dockerfile at build, scripts/serve.sh at start); WhiteNoise serves it,
# hashed names with a year-long immutable Cache-Control.
STATIC_ROOT = Path(env("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Demo mode keeps outgoing email in the demo mailbox (/demo/mailbox/) rather than the server's log.
EMAIL_BACKEND_PATH = env(
    "EMAIL_BACKEND",
    "demo.mail.MailboxBackend" if DEMO else "django.core.mail.backends.console.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": (
            {
                "host": env("EMAIL_HOST", "localhost"),
                "port": envint("EMAIL_PORT", 25),
                "username": env("EMAIL_HOST_USER"),
                "password": env("EMAIL_HOST_PASSWORD"),
                "use_tls": envbool("EMAIL_USE_TLS", False),
            }
            if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Attune <no-reply@attune.example>")

# Celery. Without REDIS_URL tasks run in-process (after commit), so the demo needs nothing installed.
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Bound every broker call: a hung Redis must not hang a client's submit.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    # A message whose whole worker died comes back after this; the risk sweep bounds the wait anyway.
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 15 * 60),
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BEAT_SCHEDULE: dict = {
    # Risk engine: stale flags, lost or never-run evaluations, time-based rules (risk.engine.episodes_due).
    "risk-sweep": {"task": "risk.sweep", "schedule": 300.0},
    # Clinicians' email digest of new or changed flags, each morning (clinic time zone = TIME_ZONE).
    "flag-digests": {
        "task": "risk.send_flag_digests",
        "schedule": crontab(hour=envint("FLAG_DIGEST_HOUR", 7), minute=0),
    },
    # Check-in reminders (after Clinic.checkin_reminder_after_hours) and marking expired check-ins.
    "checkin-reminders": {"task": "checkin.send_reminders", "schedule": 3600.0},
    # Integration API: idempotency records past 24 h and the webhook delivery log past 30 days.
    "api-purge": {"task": "api.purge", "schedule": 86400.0},
    # Report tables (reports.facts): rebuild what changed, so the report page reads fresh aggregates.
    "report-tables": {"task": "reports.refresh_report_tables", "schedule": 900.0},
    # Report exports: delete downloads past their expiry; make and email each clinic's monthly report.
    "report-exports-expire": {"task": "reports.expire_exports", "schedule": 3600.0},
    "report-monthly": {
        "task": "reports.send_monthly_reports",
        "schedule": crontab(day_of_month="1", hour=6, minute=0),
    },
}
# The export tasks live beside the report tasks; the worker loads them by name (reports.export_tasks).
CELERY_IMPORTS = ("reports.export_tasks",)

# Report exports (docs/reports-exports.md): files written by the worker and served to the clinic's admins
# until they expire; the directory must be shared by web and worker. Pseudonymous ids in exports are an
# HMAC keyed with REPORTS_PSEUDONYM_KEY (by default derived from SECRET_KEY): keep it to keep ids stable.
REPORTS_EXPORT_DIR = Path(env("REPORTS_EXPORT_DIR") or Path(tempfile.gettempdir()) / "attune-exports")
REPORTS_EXPORT_TTL_HOURS = envint("REPORTS_EXPORT_TTL_HOURS", 24)
REPORTS_PSEUDONYM_KEY = env("REPORTS_PSEUDONYM_KEY")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "care.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Attune API",
    "DESCRIPTION": "The integration API for a clinic's EHR (docs/api.md): clients, episodes and "
    "appointments in; flags, scores and FHIR R4 out; every call with a clinic API key "
    '(`Authorization: Bearer atk_…`). Errors are one catalogue: `{"errors": [{"code", "message", '
    '"field"}]}`.',
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The FHIR URLs answer a key or a staff session; the schema documents the key's operation once.
    "PREPROCESSING_HOOKS": ["api.docs_schema.drop_shadowed"],
    "COMPONENT_SPLIT_REQUEST": True,
}

# Security headers. HTTPS-only settings switch on when DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
# The container health check asks over plain HTTP from inside; a redirect to https would never pass.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_PROXY", False) else None

# Every line carries the request's id (care/request_id.py); no line carries what was posted: error
# reports star every posted field (DEFAULT_EXCEPTION_REPORTER_FILTER) and nothing logs a body or answers.
DEFAULT_EXCEPTION_REPORTER_FILTER = "care.request_id.NoBodyExceptionReporterFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "care.request_id.RequestIdFilter"}},
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s [request %(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "line"}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own default handlers would print every django.* line a second time, without the id.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "axes": {"level": "WARNING"},  # one INFO line per sign-in is noise; lockouts are warnings
    },
}
