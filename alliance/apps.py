from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    name = "alliance"

    def ready(self) -> None:
        # Imported here, not at the top: a pillar's modules use models, which exist only once apps are ready.
        from alliance import client_page, facts
        from alliance.rules import RULES
        from alliance.session_page import session_widgets
        from care.pillars import Pillar, register

        register(
            Pillar(
                key=facts.PILLAR,
                label=_("Relationship"),
                order=1,
                instruments=("relationship",),
                rules=RULES,
                facts=facts.load,
                session_widgets=session_widgets,
                client_page=client_page.client_page,
                caseload_trend=client_page.CASELOAD_TREND,
            )
        )
