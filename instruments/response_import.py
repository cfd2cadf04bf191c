"""Importing QuestionnaireResponses (historical data, or an EHR sending them) into an episode: each
group of responses authored together becomes an attended session with a submitted check-in, pinned to
the definitions it is read against, validated strictly and scored like any check-in (so it appears in
the client's trends; the risk sweep evaluates it as a never-evaluated check-in).

Anything that does not match is refused with the list of what did not, and nothing is stored."""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.dateparse import parse_datetime

from care.models import AuditEvent, CheckIn, Episode, Score, Session
from instruments import fhir
from instruments.fhir.common import canonical
from instruments.library import (
    DefinitionError,
    builtin_versions,
    content_hash,
    get_instrument,
    row_instrument,
)
from instruments.models import InstrumentDefinition
from instruments.schemas import Instrument
from instruments.scoring import AnswerError, score_answers, validate_answers


def responses_of(data: Any) -> list[dict]:
    """A QuestionnaireResponse, or a Bundle holding some, → the responses."""
    if isinstance(data, dict) and data.get("resourceType") == "QuestionnaireResponse":
        return [data]
    if isinstance(data, dict) and data.get("resourceType") == "Bundle":
        resources = [e.get("resource") for e in data.get("entry") or [] if isinstance(e, dict)]
        found = [
            r for r in resources if isinstance(r, dict) and r.get("resourceType") == "QuestionnaireResponse"
        ]
        if found:
            return found
    raise DefinitionError(["The file holds no QuestionnaireResponse (alone or in a Bundle)."])


def _instrument_for(reference: str, clinic_id: int, source: Instrument | None) -> Instrument:
    """The definition a response is read against: with `source` (the questionnaire the responses were
    written against) the clinic's definition of the same measure; else the one its `questionnaire`
    (canonical URL|version) names, shipped or the clinic's."""
    if source is not None:
        try:
            return get_instrument(source.key, clinic_id=clinic_id)
        except LookupError as missing:
            raise DefinitionError([f"No questionnaire {source.key!r} is known here."]) from missing
    url, _, version = str(reference or "").partition("|")
    rows = InstrumentDefinition.objects.filter(clinic_id=clinic_id)
    known = [*builtin_versions().values(), *(row_instrument(r) for r in rows)]
    matching = [i for i in known if canonical(i) == url and (not version or i.version == version)]
    if not matching:
        raise DefinitionError([f"No questionnaire known here answers to {str(reference)[:200]!r}."])
    return matching[-1]


def _read(responses: list[dict], clinic_id: int, source: Instrument | None) -> dict[str, list]:
    """Responses grouped by when they were authored: {authored: [(instrument, clean answers)]}."""
    groups: dict[str, list] = defaultdict(list)
    problems: list[str] = []
    for position, response in enumerate(responses, start=1):
        try:
            instrument = _instrument_for(response.get("questionnaire", ""), clinic_id, source)
            raw, _warnings = fhir.questionnaire_response_to_answers(
                instrument, response, source=source, strict=True
            )
            clean = validate_answers(instrument, raw)
        except DefinitionError as error:
            problems += [f"Response {position}: {p}" for p in error.problems]
            continue
        except AnswerError as error:
            problems += [f"Response {position}: {k}: {v}" for k, v in error.errors.items()]
            continue
        if not clean:
            problems.append(f"Response {position}: no answers.")
            continue
        groups[str(response.get("authored") or "")].append((instrument, clean))
    if problems:
        raise DefinitionError(problems[:20])
    return groups


def responses_import(
    *, episode: Episode, data: Any, source: Instrument | None = None, label: str
) -> list[CheckIn]:
    """Store the responses in `data` as check-ins of `episode` (one transaction, audited under `label`)."""
    groups = _read(responses_of(data), episode.client.clinic_id, source)
    created: list[CheckIn] = []
    with transaction.atomic():
        number = (Session.objects.filter(episode=episode).aggregate(n=Max("number"))["n"] or 0) + 1
        for authored, found in sorted(groups.items()):
            when = parse_datetime(authored) if authored else None
            if when is None:
                raise DefinitionError([f"A response has no usable 'authored' time ({authored!r})."])
            session = Session.objects.create(
                episode=episode,
                number=number,
                scheduled_start=when,
                scheduled_end=when + dt.timedelta(minutes=50),
                attendance=Session.Attendance.ATTENDED,
            )
            number += 1
            instruments = [i for i, _ in found]
            checkin = CheckIn.objects.create(
                session=session,
                status=CheckIn.Status.SUBMITTED,
                sent_at=when,
                submitted_at=when,
                instrument_versions={i.key: i.version for i in instruments},
                instrument_hashes={i.key: content_hash(i) for i in instruments},
                answers={i.key: clean for i, clean in found},
            )
            Score.objects.bulk_create(
                Score(checkin=checkin, **r.model_dump()) for r in score_answers(instruments, checkin.answers)
            )
            created.append(checkin)
        AuditEvent.objects.create(
            actor=None,
            actor_label=label[:100],
            action=AuditEvent.Action.CREATE,
            object_type=Episode._meta.label,
            object_id=str(episode.pk),
            client_id=episode.client_id,
            detail={"imported_checkins": [c.pk for c in created]},
        )
    return created
