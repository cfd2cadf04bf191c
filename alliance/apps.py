from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    name = "alliance"

    def ready(self) -> None:
        from alliance.rules import RULES
        from alliance.session_page import session_widgets
        from care.pillars import Pillar, register

        register(
            Pillar(
                key="relationship",
                label=_("Relationship"),
                order=1,
                instruments=("relationship",),
                rules=RULES,
                session_widgets=session_widgets,
            )
        )
