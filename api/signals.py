"""Flag and check-in events for webhooks, heard through Django's post_save signals.

risk and checkin sit below api in the layers and must not import it, so api listens instead (connected
in ApiConfig.ready). The deliveries are written in the event's own transaction (api.webhooks)."""

from typing import Any

from api.outbox import record_event
from care.models import CheckIn
from risk.models import Flag


def on_flag_saved(
    sender: type[Flag], instance: Flag, created: bool, update_fields: Any = None, **_: Any
) -> None:
    if created:
        event = "flag.raised"
    elif instance.status == Flag.Status.RESOLVED and (update_fields is None or "status" in update_fields):
        event = "flag.resolved"
    else:
        return
    data = {
        "flag_id": instance.pk,
        "episode_id": instance.episode_id,
        "appointment_id": instance.session_id,
        "pillar": instance.pillar,
        "level": instance.level,
        "status": instance.status,
    }
    record_event(episode_id=instance.episode_id, event=event, data=data)


def on_checkin_saved(
    sender: type[CheckIn], instance: CheckIn, created: bool, update_fields: Any = None, **_: Any
) -> None:
    if instance.status != CheckIn.Status.SUBMITTED or (
        update_fields is not None and "status" not in update_fields
    ):
        return
    session = instance.session
    data = {"checkin_id": instance.pk, "appointment_id": session.pk, "episode_id": session.episode_id}
    record_event(episode_id=session.episode_id, event="checkin.completed", data=data)
