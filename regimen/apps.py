from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegimenConfig(AppConfig):
    name = "regimen"

    def ready(self) -> None:
        # Imported here, not at the top: a pillar's modules use models, which exist only once apps are ready.
        from care.pillars import Pillar, register
        from regimen.client_page import client_page
        from regimen.rules import RULES

        register(
            Pillar(
                key="regimen",
                label=_("Regimen attunement"),
                order=3,
                instruments=("regimen",),
                rules=RULES,
                client_page=client_page,
            )
        )
