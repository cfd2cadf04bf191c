"""What the API says about each object: plain dicts, and the ETag of each (a hash of exactly what is
shown, so any change a caller could see changes the tag)."""

import hashlib
import json
from typing import Any

from care.models import Client, Episode, Score, Session
from risk.models import Flag


def etag_of(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, default=str, separators=(",", ":"))
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def client_body(client: Client) -> dict[str, Any]:
    return {
        "id": client.pk,
        "external_id": client.external_id,
        "reference": client.reference,
        "given_name": client.given_name,
        "family_name": client.family_name,
        "email": client.email,
        "phone": client.phone,
        "preferred_language": client.preferred_language,
        "date_of_birth": _iso(client.date_of_birth),
    }


def episode_body(episode: Episode) -> dict[str, Any]:
    return {
        "id": episode.pk,
        "external_id": episode.external_id,
        "client_id": episode.client_id,
        "clinician_id": episode.clinician_id,
        "program_id": episode.program_id,
        "payer": episode.payer,
        "referred_on": _iso(episode.referred_on),
        "intake_on": _iso(episode.intake_on),
        "opened_on": _iso(episode.opened_on),
        "closed_on": _iso(episode.closed_on),
        "end_reason": episode.end_reason or None,
    }


def appointment_body(session: Session, checkin_status: str | None = None) -> dict[str, Any]:
    return {
        "id": session.pk,
        "external_id": session.external_id,
        "episode_id": session.episode_id,
        "number": session.number,
        "scheduled_start": _iso(session.scheduled_start),
        "scheduled_end": _iso(session.scheduled_end),
        "attendance": session.attendance,
        "late_minutes": session.late_minutes,
        "next_session_booked": session.next_session_booked,
        "checkin_status": checkin_status,
    }


def flag_body(flag: Flag) -> dict[str, Any]:
    """Ids, levels and the plain-language reasons; no client names (the EHR has them by id)."""
    return {
        "id": flag.pk,
        "episode_id": flag.episode_id,
        "episode_external_id": flag.episode.external_id,
        "client_id": flag.episode.client_id,
        "client_external_id": flag.episode.client.external_id,
        "appointment_id": flag.session_id,
        "pillar": flag.pillar,
        "rule": flag.rule,
        "level": flag.level,
        "status": flag.status,
        "reasons": [r.get("text", "") for r in flag.reasons if isinstance(r, dict)],
        "suggested_action": flag.suggested_action,
        "opened_at": _iso(flag.opened_at),
        "acknowledged_at": _iso(flag.acknowledged_at),
        "resolved_at": _iso(flag.resolved_at),
        "changed_at": _iso(getattr(flag, "changed_at", flag.updated_at)),
    }


def score_body(score: Score) -> dict[str, Any]:
    session = score.checkin.session
    return {
        "id": score.pk,
        "checkin_id": score.checkin_id,
        "appointment_id": session.pk,
        "episode_id": session.episode_id,
        "client_id": session.episode.client_id,
        "client_external_id": session.episode.client.external_id,
        "instrument": score.instrument,
        "version": score.version,
        "scale": score.scale,
        "value": score.value,
        "minimum": score.minimum,
        "maximum": score.maximum,
        "band": score.band,
        "submitted_at": _iso(score.checkin.submitted_at),
    }
