from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "care"

    def ready(self) -> None:
        from care import checks  # noqa: F401 — registers the system checks
