"""The demo clinic generator (demo and development only)."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"

    def ready(self) -> None:
        from demo import checks  # noqa: F401 — registers the deployment check
