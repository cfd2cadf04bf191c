from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Staff sign-in: the second factor, session lifetime and sign-in limits."""

    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import signals  # noqa: F401  (connects the sign-in receivers)
