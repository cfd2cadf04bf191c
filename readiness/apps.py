from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReadinessConfig(AppConfig):
    name = "readiness"

    def ready(self) -> None:
        # Imported here, not at the top: a pillar's modules use models, which exist only once apps are ready.
        from care.pillars import Pillar, register
        from readiness import facts
        from readiness.client_page import client_page
        from readiness.rules import RULES

        register(
            Pillar(
                key=facts.PILLAR,
                label=_("Readiness"),
                order=2,
                instruments=("readiness", "stage"),
                rules=RULES,
                facts=facts.load,
                client_page=client_page,
            )
        )
