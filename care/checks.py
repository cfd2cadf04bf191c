"""System checks of Attune's own settings."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def secret_key_is_set(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if getattr(settings, "SECRET_KEY_MISSING", False):
        return [
            checks.Error(
                "SECRET_KEY is not set: this process is using a throwaway random key.",
                hint="Set SECRET_KEY (or SECRET_KEY_FILE) in the environment; see .env.example.",
                id="attune.E001",
            )
        ]
    return []
