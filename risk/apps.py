"""The early-alliance risk engine: facts, rules, the outbox and sweep, flags."""

from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "risk"
