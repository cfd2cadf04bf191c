"""Only the clinician who holds the episode changes its flags: the services ask care.access themselves,
so a supervisor who may read a supervisee's flag gets 403 from the service as from the page."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from risk.models import Flag
from risk.selectors import access_flag
from risk.services import flag_acknowledge, flag_record_repair, flag_resolve
from tests.risk.factories import FlagFactory

pytestmark = pytest.mark.django_db

STEPS = {
    "acknowledge": lambda flag, actor: flag_acknowledge(flag=flag, actor=actor),
    "repair": lambda flag, actor: flag_record_repair(flag=flag, actor=actor, note="Talked it through."),
    "resolve": lambda flag, actor: flag_resolve(flag=flag, actor=actor, reason="Feels right again."),
}


@pytest.fixture
def flag(personas):
    return FlagFactory(episode=personas["owner_episode"], rule="relationship.low_total")


@pytest.mark.parametrize("step", STEPS)
def test_a_supervisor_is_refused_by_the_service_itself(personas, flag, step):
    with pytest.raises(PermissionDenied):
        STEPS[step](flag, personas["supervisor"].user)
    flag.refresh_from_db()
    assert flag.status == Flag.Status.OPEN and not flag.events.exists()


@pytest.mark.parametrize("step", STEPS)
def test_the_owner_may_take_every_step(personas, flag, step):
    STEPS[step](flag, personas["owner"].user)
    flag.refresh_from_db()
    assert flag.status != Flag.Status.OPEN


@pytest.mark.parametrize(
    ("step", "url"),
    [("acknowledge", "flag-acknowledge"), ("repair", "flag-repair"), ("resolve", "flag-resolve")],
)
def test_a_supervisor_gets_403_from_every_step_page_and_the_owner_succeeds(client, personas, flag, step, url):
    client.force_login(personas["supervisor"].user)
    assert client.post(reverse(url, args=[flag.pk]), {"note": "x", "reason": "x"}).status_code == 403
    flag.refresh_from_db()
    assert flag.status == Flag.Status.OPEN
    client.force_login(personas["owner"].user)
    assert client.post(reverse(url, args=[flag.pk]), {"note": "x", "reason": "x"}).status_code == 302
    flag.refresh_from_db()
    assert flag.status != Flag.Status.OPEN


def test_the_supervisor_reads_the_flag_but_has_no_buttons(client, personas, flag):
    client.force_login(personas["supervisor"].user)
    body = client.get(reverse("flag-detail", args=[flag.pk])).content.decode()
    assert reverse("flag-acknowledge", args=[flag.pk]) not in body
    client.force_login(personas["owner"].user)
    assert (
        reverse("flag-acknowledge", args=[flag.pk])
        in client.get(reverse("flag-detail", args=[flag.pk])).content.decode()
    )


def test_access_flag_for_write_is_403_for_what_you_may_only_read(personas, flag):
    assert access_flag(personas["supervisor"].user, flag.pk) == flag
    with pytest.raises(PermissionDenied):
        access_flag(personas["supervisor"].user, flag.pk, for_write=True)
    assert access_flag(personas["owner"].user, flag.pk, for_write=True) == flag
