"""The access chokepoint: every role × own / colleague's / other clinic's object.

Given the personas (owner clinician, colleague in the same clinic, supervisor of the owner, clinic admin,
outsider clinician in another clinic), each holding one episode, when each asks for each object through
the scoped querysets and loaders, then only what is theirs (or their supervisee's) comes back, and
everything else is the same 404 as an id that does not exist."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from care import access
from care.models import User
from risk import selectors as flag_access
from tests.care.factories import CheckInFactory, SessionFactory
from tests.risk.factories import FlagFactory

pytestmark = pytest.mark.django_db

# Which episodes each persona may see.
EXPECTED = {
    "owner": {"owner_episode"},
    "colleague": {"colleague_episode"},
    "supervisor": {"owner_episode"},
    "outsider": {"outsider_episode"},
    "admin": set(),
}
EPISODES = ("owner_episode", "colleague_episode", "outsider_episode")


def user_of(personas, name: str) -> User:
    persona = personas[name]
    return persona if isinstance(persona, User) else persona.user


@pytest.fixture
def world(personas):
    """Each episode gets a session with a check-in and a flag, so every kind of object exists."""
    for key in EPISODES:
        episode = personas[key]
        session = SessionFactory(episode=episode, number=1)
        CheckInFactory(session=session)
        FlagFactory(episode=episode, session=session)
    return personas


@pytest.mark.parametrize("viewer", sorted(EXPECTED))
def test_scoped_querysets_return_only_what_the_viewer_may_see(world, viewer):
    user = user_of(world, viewer)
    expected = {world[key].pk for key in EXPECTED[viewer]}

    assert set(access.episodes_visible_to(user).values_list("pk", flat=True)) == expected
    assert set(access.clients_visible_to(user).values_list("pk", flat=True)) == {
        world[key].client_id for key in EXPECTED[viewer]
    }
    assert set(access.sessions_visible_to(user).values_list("episode_id", flat=True)) == expected
    assert set(access.checkins_visible_to(user).values_list("session__episode_id", flat=True)) == expected
    assert set(flag_access.flags_visible_to(user).values_list("episode_id", flat=True)) == expected


@pytest.mark.parametrize("viewer", sorted(EXPECTED))
@pytest.mark.parametrize("target", EPISODES)
def test_loaders_give_the_same_404_for_not_yours_and_missing(world, viewer, target):
    user = user_of(world, viewer)
    episode = world[target]
    session = episode.sessions.get()
    flag = episode.flags.get()
    loads = [
        (access.access_episode, episode.pk),
        (access.access_client, episode.client_id),
        (access.access_session, session.pk),
        (flag_access.access_flag, flag.pk),
    ]
    for loader, pk in loads:
        if target in EXPECTED[viewer]:
            assert loader(user, pk).pk == pk
        else:
            with pytest.raises(Http404) as not_yours:
                loader(user, pk)
            with pytest.raises(Http404) as missing:
                loader(user, 10**9)
            assert str(not_yours.value) == str(missing.value)


def test_loaders_refuse_ids_that_are_not_numbers(world):
    user = user_of(world, "owner")
    for junk in ("1 OR 1=1", "", None, "١"):
        with pytest.raises(Http404):
            access.access_client(user, junk)


def test_an_ended_supervision_ends_access(world):
    supervision = world["supervisor"].supervisions_given.get()
    supervision.ended_on = timezone.localdate() - dt.timedelta(days=1)
    supervision.save(update_fields=["ended_on"])

    assert not access.episodes_visible_to(world["supervisor"].user).exists()


def test_a_deactivated_clinician_sees_nothing(world):
    user = world["owner"].user
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert not access.episodes_visible_to(user).exists()


def test_a_clinician_moved_to_another_clinic_loses_the_old_clinics_clients(world):
    user = world["owner"].user
    user.clinic = world["outsider"].clinic
    user.save(update_fields=["clinic"])

    assert not access.clients_visible_to(user).filter(pk=world["owner_episode"].client_id).exists()
