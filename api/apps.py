from django.apps import AppConfig
from django.db.models.signals import post_save


class ApiConfig(AppConfig):
    name = "api"

    def ready(self) -> None:
        # Webhooks hear flags and check-ins through post_save: risk and checkin are below api in the
        # layers and may not import it. The schema extension registers the bearer key scheme.
        from api import docs_schema, signals  # noqa: F401, PLC0415
        from care.models import CheckIn  # noqa: PLC0415
        from risk.models import Flag  # noqa: PLC0415

        post_save.connect(signals.on_flag_saved, sender=Flag, dispatch_uid="api.webhooks.flag")
        post_save.connect(signals.on_checkin_saved, sender=CheckIn, dispatch_uid="api.webhooks.checkin")
