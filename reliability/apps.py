from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReliabilityConfig(AppConfig):
    name = "reliability"

    def ready(self) -> None:
        # Imported here, not at the top: a pillar's modules use models, which exist only once apps are ready.
        from care.pillars import Pillar, register
        from reliability.rules import RULES

        register(
            Pillar(
                key="reliability", label=_("Reliability"), order=4, instruments=("reliability",), rules=RULES
            )
        )
