from django.apps import AppConfig


class ClinicSettingsConfig(AppConfig):
    name = "clinic_settings"
