"""Every write to a client's check-in: open it when a session is attended, take the client's answers,
remind, and re-send a link.

The client is not a user: they act only through an AccessLink (care.links). A check-in link is
consumed in the same transaction that stores the answers, so a double click, a back-button resubmit
or a replayed request stores exactly one check-in."""

import dataclasses
import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from care.access import require_write
from care.audit import audit_record
from care.links import PORTAL_LINK_TTL, link_consume, link_issue
from care.models import AccessLink, AuditEvent, CheckIn, Client, Score, Session, User
from care.pillars import all_pillars
from care.text import control_characters
from checkin.emails import send_to_client
from instruments.library import content_hash, instruments_for_session, pinned_instruments
from instruments.schemas import Instrument
from instruments.scoring import AnswerError, score_answers, validate_answers
from risk import engine as risk
from risk.safety import safety_check

log = logging.getLogger(__name__)

# A code typed on the clinic tablet opens the form through a fresh link this short-lived.
TABLET_LINK_TTL = dt.timedelta(hours=2)


class CheckInInvalid(ValueError):
    """Answers that don't fit the check-in. `errors` is {instrument key: {item key: message}}."""

    def __init__(self, errors: dict[str, dict[str, str]]):
        super().__init__(f"{sum(len(v) for v in errors.values())} answer(s) need attention")
        self.errors = errors


class LinkGone(Exception):
    """The link expired (or was withdrawn) between opening the form and sending it."""


@dataclasses.dataclass(frozen=True)
class SubmitOutcome:
    checkin: CheckIn
    # False when the check-in had already been stored (a replay or a double click): nothing was written.
    stored: bool
    # The client's answers suggest they may be at risk: show the clinic's crisis instructions.
    safety_concern: bool = False
    # A link to the client's own page, issued with this submit only (never on a replay, never on a
    # shared tablet, where the next person could open it).
    portal_token: str = ""
    # Answered on the clinic tablet: offer to email the own-page link instead.
    shared_device: bool = False


def _ttl(client: Client) -> dt.timedelta:
    return dt.timedelta(hours=client.clinic.checkin_link_ttl_hours)


def checkin_url(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('checkin', args=[token])}"


def _email_link(*, client: Client, token: str, reminder: bool) -> None:
    """Queue the link email for after commit, in the client's own language. No health data in it."""
    if not client.email:
        return
    send_to_client(client, "checkin/email", {"url": checkin_url(token), "reminder": reminder})


def _section_order(instrument: Instrument) -> tuple[int, int, str]:
    """Pillar sections in pillar order, then outcome measures, then the closing question."""
    if instrument.key == "closing":
        return (10_000, 0, "")
    for pillar in all_pillars():
        if instrument.key in pillar.instruments:
            return (pillar.order, pillar.instruments.index(instrument.key), "")
    return (1_000, 0, instrument.key)


def instruments_of(checkin: CheckIn, clinic_id: int) -> list[Instrument]:
    """The exact definitions this check-in was opened with (key, version and content hash), in form order
    (a JSON column does not keep key order). A definition that no longer matches its pin raises
    LookupError rather than being read in its changed form."""
    pins = checkin.instrument_hashes or {}
    instruments = pinned_instruments(
        [(key, version, pins.get(key)) for key, version in checkin.instrument_versions.items()],
        clinic_id=clinic_id,
    )
    return sorted(instruments, key=_section_order)


@transaction.atomic
def checkin_open(*, session: Session) -> CheckIn:
    """Create the check-in for an attended session and send its link (email, plus a tablet code)."""
    client = session.episode.client
    instruments = instruments_for_session(
        clinic=client.clinic, session_number=session.number, program_id=session.episode.program_id
    )
    checkin = CheckIn.objects.create(
        session=session,
        sent_at=timezone.now(),
        language=client.preferred_language,
        instrument_versions={i.key: i.version for i in instruments},
        instrument_hashes={i.key: content_hash(i) for i in instruments},
    )
    _link, token, _code = link_issue(
        purpose=AccessLink.Purpose.CHECKIN, client=client, checkin=checkin, ttl=_ttl(client), with_code=True
    )
    _email_link(client=client, token=token, reminder=False)
    return checkin


@transaction.atomic
def checkin_link_resend(*, actor: User, session: Session, email: bool) -> tuple[AccessLink, str, str]:
    """A fresh link and tablet code for a check-in not yet answered (the clinician's "resend").

    Returns (link, token, code); the code is shown once to the clinician and never stored in clear.
    Earlier links stay valid until they expire: the client may still have the first email. Only the
    clinician who holds the episode may resend (PermissionDenied otherwise, nothing written)."""
    checkin = (
        CheckIn.objects.select_for_update(of=("self",))
        .select_related("session__episode__client__clinic", "session__episode__clinician")
        .get(session=session)
    )
    require_write(actor, checkin.session.episode)
    if checkin.status == CheckIn.Status.SUBMITTED:
        raise ValueError("This check-in has already been answered.")
    client = checkin.session.episode.client
    link, token, code = link_issue(
        purpose=AccessLink.Purpose.CHECKIN, client=client, checkin=checkin, ttl=_ttl(client), with_code=True
    )
    if checkin.status == CheckIn.Status.EXPIRED:
        checkin.status = CheckIn.Status.SENT
        checkin.save(update_fields=["status"])
    if email:
        _email_link(client=client, token=token, reminder=False)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=link,
        client=client,
        detail={"checkin": checkin.pk, "emailed": bool(email and client.email)},
    )
    return link, token, code


@transaction.atomic
def checkin_link_from_code(*, link: AccessLink) -> str:
    """A code typed on the clinic tablet: issue a short-lived link for the same check-in and return its
    token, so the form's address works like an emailed one. The code stays valid until the check-in
    is answered (every link of a check-in is closed when it is)."""
    new, token, _ = link_issue(
        purpose=AccessLink.Purpose.CHECKIN,
        client=link.client,
        checkin=link.checkin,
        ttl=min(TABLET_LINK_TTL, link.expires_at - timezone.now()),
    )
    # A shared device: the submit never links to the client's own page (AccessLink.from_tablet).
    AccessLink.objects.filter(pk=new.pk).update(from_tablet=True)
    return token


def checkin_mark_opened(*, checkin: CheckIn) -> None:
    """The client opened the form (first time only; a conditional UPDATE, safe to repeat)."""
    CheckIn.objects.filter(pk=checkin.pk, opened_at__isnull=True, submitted_at__isnull=True).update(
        opened_at=timezone.now(), status=CheckIn.Status.OPENED
    )


def checkin_validate(instruments: list[Instrument], answers: Any) -> dict[str, dict[str, Any]]:
    """Clean answers for every section, or CheckInInvalid naming every problem in every section."""
    if not isinstance(answers, dict):
        raise CheckInInvalid({"__all__": {"__all__": "Answers must be grouped by section."}})
    errors: dict[str, dict[str, str]] = {}
    known = {i.key for i in instruments}
    for key in answers:
        if key not in known:
            errors[str(key)[:64]] = {"__all__": "This section is not part of the form."}
    clean: dict[str, dict[str, Any]] = {}
    for instrument in instruments:
        try:
            clean[instrument.key] = validate_section(instrument, answers.get(instrument.key, {}))
        except AnswerError as problem:
            errors[instrument.key] = problem.errors
    if errors:
        raise CheckInInvalid(errors)
    return clean


def validate_section(instrument: Instrument, raw: Any) -> dict[str, Any]:
    raw = raw if raw is not None else {}
    unsaveable = _control_characters(instrument, raw)
    try:
        clean = validate_answers(instrument, raw)
    except AnswerError as problem:
        raise AnswerError({**problem.errors, **unsaveable}) from None
    if unsaveable:
        raise AnswerError(unsaveable)
    return _without_hidden(instrument, clean)


def _control_characters(instrument: Instrument, raw: Any) -> dict[str, str]:
    """Words with a NUL or another control character (line breaks and tabs aside) are refused with a
    clear message: PostgreSQL cannot store a NUL, and the others are never typed on purpose."""
    if not isinstance(raw, dict):
        return {}
    return {
        item.key: "This answer has characters that can't be saved. Please type it again."
        for item in instrument.items
        if isinstance(value := raw.get(item.key), str) and control_characters(value, multiline=True)
    }


def _without_hidden(instrument: Instrument, clean: dict[str, Any]) -> dict[str, Any]:
    """Drop answers to questions the client's own answers hid (show_if not met): words typed in the
    "what happened" box and then hidden by answering "No" were never meant to be sent. Repeated until
    nothing changes, so a question hidden behind a hidden one goes too."""
    kept = dict(clean)
    while True:
        hidden = [
            item.key
            for item in instrument.items
            if item.key in kept and any(kept.get(k) != v for k, v in (item.show_if or {}).items())
        ]
        if not hidden:
            return kept
        for key in hidden:
            del kept[key]


def checkin_submit(*, link: AccessLink, answers: Any, language: str = "en") -> SubmitOutcome:
    """Store the client's answers: validate every section against the versions the check-in was opened
    with, score, close every link of the check-in, and — in the same transaction — raise a red safety
    flag when the answers call for one. Raises CheckInInvalid (nothing stored) or LinkGone."""
    with transaction.atomic():
        checkin = _lock_for_submit(link)
        shared = link.from_tablet
        if checkin.status == CheckIn.Status.SUBMITTED:
            return SubmitOutcome(checkin=checkin, stored=False, shared_device=shared)
        session = checkin.session
        session.episode.client = link.client  # the same client, already read with the link
        instruments = instruments_of(checkin, link.client.clinic_id)
        clean = checkin_validate(instruments, answers)
        if not link_consume(link=link):  # closes the check-in's other links (tablet code, reminders) too
            raise LinkGone()
        _store_answers(checkin, instruments, clean, language)
        concern = safety_check(episode=session.episode, session=session, checkin=checkin, answers=clean)
        portal_token = _after_submit(
            checkin, link.client, safety_flag=concern is not None, shared_device=shared
        )
    return SubmitOutcome(
        checkin=checkin,
        stored=True,
        safety_concern=concern is not None,
        portal_token=portal_token,
        shared_device=shared,
    )


def _lock_for_submit(link: AccessLink) -> CheckIn:
    """The link's check-in with its row locked: concurrent submits queue here and the loser sees it
    stored. The check-in, session and episode were read with the link; only what another submit can
    change (status, opened) is read again under the lock. Only this row: locking the episode too
    deadlocked with the risk engine."""
    checkin = link.checkin
    if checkin is None:  # a link to the client's own page, not to a check-in
        raise LinkGone()
    checkin.status, checkin.opened_at = (
        CheckIn.objects.select_for_update().filter(pk=checkin.pk).values_list("status", "opened_at").get()
    )
    return checkin


def _store_answers(
    checkin: CheckIn, instruments: list[Instrument], clean: dict[str, dict[str, Any]], language: str
) -> None:
    """Answers, scores and the submitted state (the links were closed by link_consume)."""
    now = timezone.now()
    checkin.answers = clean
    checkin.status = CheckIn.Status.SUBMITTED
    checkin.submitted_at = now
    checkin.opened_at = checkin.opened_at or now
    checkin.language = language if language in dict(settings.LANGUAGES) else checkin.language
    checkin.save(update_fields=["answers", "status", "submitted_at", "opened_at", "language"])
    Score.objects.bulk_create(
        Score(checkin=checkin, **result.model_dump()) for result in score_answers(instruments, clean)
    )


def _after_submit(checkin: CheckIn, client: Client, *, safety_flag: bool, shared_device: bool) -> str:
    """The audit row (no actor: the client acts through the link), a link to the client's own page
    (returned, as its token; none on a shared tablet) and the risk engine's outbox entry."""
    audit_record(
        actor=None,
        action=AuditEvent.Action.CREATE,
        obj=checkin,
        client=client,
        detail={"submitted": True, "safety_flag": safety_flag},
    )
    portal_token = ""
    if not shared_device:
        _portal, portal_token, _ = link_issue(
            purpose=AccessLink.Purpose.PORTAL, client=client, ttl=PORTAL_LINK_TTL
        )
    risk.request_evaluation(checkin.session.episode_id)
    return portal_token


def checkin_send_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind clients who have not answered after the clinic's reminder delay. Once per check-in:
    a conditional UPDATE on `reminded_at` decides, so overlapping runs never send two reminders.
    Also marks check-ins whose every link has expired as expired. Returns how many were reminded."""
    now = now or timezone.now()
    reminded_already = AccessLink.objects.filter(checkin=OuterRef("checkin"), reminded_at__isnull=False)
    candidates = (
        AccessLink.objects.filter(
            purpose=AccessLink.Purpose.CHECKIN,
            used_at__isnull=True,
            expires_at__gt=now,
            checkin__status__in=[CheckIn.Status.SENT, CheckIn.Status.OPENED],
        )
        .exclude(client__email="")
        .exclude(Exists(reminded_already))
        .select_related("client__clinic", "checkin")
        .order_by("checkin_id", "created_at")
    )
    sent = 0
    seen: set[int] = set()
    for link in candidates:
        checkin = link.checkin
        if checkin is None or checkin.pk in seen:  # None never comes: the filter joins the check-in
            continue
        seen.add(checkin.pk)
        due = checkin.sent_at + dt.timedelta(hours=link.client.clinic.checkin_reminder_after_hours)
        if due > now:
            continue
        with transaction.atomic():
            if not AccessLink.objects.filter(pk=link.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            # Tokens are stored hashed, so a reminder carries a fresh link with the same end date.
            _new, token, _ = link_issue(
                purpose=AccessLink.Purpose.CHECKIN,
                client=link.client,
                checkin=checkin,
                ttl=link.expires_at - timezone.now(),
            )
            _email_link(client=link.client, token=token, reminder=True)
        sent += 1
    live = AccessLink.objects.filter(checkin=OuterRef("pk"), used_at__isnull=True, expires_at__gt=now)
    CheckIn.objects.filter(status__in=[CheckIn.Status.SENT, CheckIn.Status.OPENED]).exclude(
        Exists(live)
    ).update(status=CheckIn.Status.EXPIRED)
    return sent
