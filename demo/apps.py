"""The demo clinic generator (demo and development only)."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
