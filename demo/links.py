"""Ready links into the demo clinic's client side, made fresh each time the demo starts: a live
check-in link, a tablet code for another check-in, and a client's own page.

They go through the same services a clinician's "resend" and the thank-you page use, so the database
keeps only hashes (and an audit event for each check-in link); the raw values exist only in the
returned DemoLinks, printed once by `manage.py demo_links`."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse

from care.models import CheckIn, Client, Clinic, User
from checkin.services import checkin_link_resend
from dashboards.portal import portal_link_issue
from risk.models import Flag

SHOWCASE_CLINICIAN = "clinician1"  # the login the README's walk uses


@dataclass(frozen=True)
class DemoLinks:
    checkin_path: str  # /c/<token>/
    checkin_client: Client
    checkin_clinician: str  # the username who holds the check-in's episode
    tablet_code: str  # typed at /c/
    tablet_client: Client
    portal_path: str  # /me/<token>/
    portal_client: Client


def name_run(usernames: list[str]) -> str:
    """'clinician1–clinician8, jordan': a run of numbered names shortened to its ends."""
    parts: list[str] = []
    run: list[str] = []
    for name in [*usernames, ""]:
        stem = name.rstrip("0123456789")
        previous = run[-1] if run else ""
        numbered = run and stem != name and previous.rstrip("0123456789") == stem
        if numbered and int(name[len(stem) :]) == int(previous[len(stem) :]) + 1:
            run.append(name)
            continue
        if run:
            parts.append(run[0] if len(run) < 3 else f"{run[0]}–{run[-1]}")
            parts.extend(run[1:] if len(run) == 2 else [])
        run = [name]
    return ", ".join(parts)


def staff_by_role(clinic: Clinic) -> dict[str, list[str]]:
    """Usernames by role, in the order the demo made them (supervisor1, supervisor2, …)."""
    users: dict[str, list[str]] = {role: [] for role in User.Role.values}
    for role, username in clinic.staff.filter(is_active=True).order_by("id").values_list("role", "username"):
        users[role].append(username)
    return users


def _open_checkins(clinic: Clinic) -> list[CheckIn]:
    """Two unanswered check-ins of open episodes of different clients, the showcase clinician's
    first, the latest first."""
    unanswered = (
        CheckIn.objects.filter(
            session__episode__client__clinic=clinic,
            session__episode__closed_on__isnull=True,
            status__in=[CheckIn.Status.SENT, CheckIn.Status.OPENED, CheckIn.Status.EXPIRED],
        )
        .select_related("session__episode__client", "session__episode__clinician__user")
        .order_by("-session__scheduled_start", "id")
    )
    showcase = Q(session__episode__clinician__user__username=SHOWCASE_CLINICIAN)
    chosen: list[CheckIn] = []
    for candidates in (unanswered.filter(showcase)[:10], unanswered.exclude(showcase)[:10]):
        for checkin in candidates:
            if len(chosen) < 2 and all(
                c.session.episode.client_id != checkin.session.episode.client_id for c in chosen
            ):
                chosen.append(checkin)
    return chosen


def _portal_client(clinic: Clinic, *, besides: set[int]) -> Client | None:
    """The showcase clinician's client with the most answered check-ins (a trend worth seeing),
    preferring one with an active flag."""
    clients = (
        Client.objects.filter(clinic=clinic, episodes__closed_on__isnull=True)
        .exclude(pk__in=besides)
        .annotate(
            flagged=Count(
                "episodes__flags",
                filter=Q(episodes__flags__status__in=list(Flag.ACTIVE_STATES)),
                distinct=True,
            ),
            answered=Count(
                "episodes__sessions__checkin",
                filter=Q(episodes__sessions__checkin__status=CheckIn.Status.SUBMITTED),
                distinct=True,
            ),
        )
        .order_by("-flagged", "-answered", "id")
    )
    return clients.filter(episodes__clinician__user__username=SHOWCASE_CLINICIAN).first() or clients.first()


def make_demo_links(clinic: Clinic) -> DemoLinks:
    """Issue the three links. LookupError if the clinic has no unanswered check-in to open."""
    checkins = _open_checkins(clinic)
    if len(checkins) < 2:
        raise LookupError("The demo clinic has no two unanswered check-ins to link to.")
    tokens = []
    for checkin in checkins:
        episode = checkin.session.episode
        _link, token, code = checkin_link_resend(
            actor=episode.clinician.user, session=checkin.session, email=False
        )
        tokens.append((token, code, episode.client))
    holder = checkins[0].session.episode.clinician.user.username
    client = _portal_client(clinic, besides={client.pk for _t, _c, client in tokens})
    if client is None:
        raise LookupError("The demo clinic has no client in care.")
    return DemoLinks(
        checkin_path=reverse("checkin", args=[tokens[0][0]]),
        checkin_client=tokens[0][2],
        checkin_clinician=holder,
        tablet_code=tokens[1][1],
        tablet_client=tokens[1][2],
        portal_path=reverse("portal", args=[portal_link_issue(client=client)]),
        portal_client=client,
    )
