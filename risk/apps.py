"""The early-alliance risk engine: facts, rules, the outbox and sweep, flags."""

from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "risk"

    def ready(self) -> None:
        # Register the Celery tasks in every process (web included): the engine queues them by name.
        from risk import tasks  # noqa: F401
