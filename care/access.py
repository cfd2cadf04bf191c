"""Who may see what: the one chokepoint for client data.

Every read of client data starts from one of these scoped querysets, built from the requesting
user, never from an id in the request. Loaders raise Http404 for "missing" and "not yours" alike.

- clinician: the episodes they hold;
- supervisor: their own episodes and those of clinicians they currently supervise;
- clinic admin: configuration and aggregates only, no client-level rows;
- clients are not users: they reach their own data only through an AccessLink (care.links).

Writing is narrower than reading: only the clinician who holds an episode changes its client's data (a
supervisor reads a supervisee's caseload, read-only). `may_write` is the one place that says so; every
service that writes asks `require_write`, and loaders take `for_write=True` for pages that change data:
403 for an object you may see but not change, 404 for one you may not see at all. Both are recorded in
the audit trail, summarised (care/denials.py)."""

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet

from care.denials import NotVisible, Refused
from care.models import CheckIn, Client, Episode, Session, User


def _is_staff_member(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.clinic_id)


def episodes_visible_to(user: User) -> QuerySet[Episode]:
    clinic_id = user.clinic_id if _is_staff_member(user) else None
    if clinic_id is None or user.role == User.Role.ADMIN:
        return Episode.objects.none()
    mine = Q(clinician__user=user)
    if user.role == User.Role.SUPERVISOR:
        # By name, as Episode.clinician refers to it: the spine imports no app above it.
        clinician_model = apps.get_model("clinicians", "Clinician")
        supervisee_ids = clinician_model._default_manager.filter(
            supervisions_received__supervisor__user=user, supervisions_received__ended_on__isnull=True
        ).values("id")
        mine |= Q(clinician_id__in=supervisee_ids)
    return Episode.objects.filter(mine, client__clinic_id=clinic_id)


def clients_visible_to(user: User) -> QuerySet[Client]:
    return Client.objects.filter(id__in=episodes_visible_to(user).values("client_id"))


def sessions_visible_to(user: User) -> QuerySet[Session]:
    return Session.objects.filter(episode__in=episodes_visible_to(user))


def checkins_visible_to(user: User) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(session__episode__in=episodes_visible_to(user))


def load_visible[M: Model](queryset: QuerySet[M], pk: object) -> M:
    try:
        return queryset.get(pk=int(str(pk)))
    except (TypeError, ValueError, ObjectDoesNotExist) as missing:
        # An Http404 that names what was asked for, so the refusal is recorded (care.denials).
        raise NotVisible("Not found", object_type=queryset.model._meta.label, object_id=pk) from missing


def may_write(user: User, episode: Episode) -> bool:
    """May this user change this episode's client data? Only the clinician who holds the episode."""
    return bool(
        _is_staff_member(user)
        and user.role != User.Role.ADMIN
        and episode.clinician.user_id == user.pk
        and episode.client.clinic_id == user.clinic_id
    )


def require_write(user: User, episode: Episode) -> None:
    """Every service that writes client data asks this first (views asking too is not enough)."""
    if not may_write(user, episode):
        raise Refused(
            "Only the clinician who holds this episode can change it.",
            object_type="care.Episode",
            object_id=episode.pk,
        )


def access_client(user: User, client_id: object) -> Client:
    return load_visible(clients_visible_to(user).select_related("clinic"), client_id)


def access_episode(user: User, episode_id: object, *, for_write: bool = False) -> Episode:
    episode = load_visible(
        episodes_visible_to(user).select_related("client", "program", "clinician__user"), episode_id
    )
    if for_write:
        require_write(user, episode)
    return episode


def access_session(user: User, session_id: object, *, for_write: bool = False) -> Session:
    session = load_visible(
        sessions_visible_to(user).select_related("episode__client", "episode__clinician__user"), session_id
    )
    if for_write:
        require_write(user, session.episode)
    return session
