"""What must hold before Attune serves a single request."""

from django.conf import settings


def refuse_without_secret_key() -> None:
    if getattr(settings, "SECRET_KEY_MISSING", False):
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off (see .env.example).")
