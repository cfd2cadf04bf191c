"""A deployment check: demo mode keeps every email in the demo mailbox and sends none."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def demo_mode_is_off(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if getattr(settings, "DEMO", False) and not settings.DEBUG:
        return [
            checks.Warning(
                "DEMO=1: outgoing email is kept in the demo mailbox and never sent, and /demo/mailbox/ is served.",
                hint="Unset DEMO for a real clinic.",
                id="attune.W101",
            )
        ]
    return []
