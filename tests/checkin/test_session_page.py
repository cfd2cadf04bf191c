"""The clinician's session page: who may see it, attendance, a new link or tablet code, and the cards
pillars add to it (the clinician's own rating is tested with the relationship pillar, tests/alliance)."""

import pytest
from django.core import mail
from django.urls import reverse

from care.models import AuditEvent, CheckIn, Session
from care.pillars import Pillar, SessionWidget, register, unregister
from tests.alliance.factories import RATING
from tests.care.factories import CheckInFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions(personas):
    return {
        who: SessionFactory(episode=personas[f"{who}_episode"], number=1)
        for who in ["owner", "colleague", "outsider"]
    }


@pytest.mark.parametrize(
    ("viewer", "whose", "status"),
    [
        ("owner", "owner", 200),
        ("supervisor", "owner", 200),
        ("colleague", "owner", 404),
        ("outsider", "owner", 404),
        ("admin", "owner", 404),
        ("owner", "colleague", 404),
        ("owner", "outsider", 404),
    ],
)
def test_only_the_clinician_and_their_supervisor_see_the_session(
    client, personas, sessions, viewer, whose, status
):
    user = personas[viewer] if viewer == "admin" else personas[viewer].user
    client.force_login(user)
    assert client.get(reverse("session-detail", args=[sessions[whose].pk])).status_code == status


def test_a_missing_session_is_404(client, personas):
    client.force_login(personas["owner"].user)
    assert client.get(reverse("session-detail", args=[999999])).status_code == 404


def test_viewing_the_session_is_audited(client, personas, sessions):
    client.force_login(personas["owner"].user)
    client.get(reverse("session-detail", args=[sessions["owner"].pk]))
    event = AuditEvent.objects.filter(object_type="care.Session").latest("at")
    assert (event.actor, event.action, event.client_id) == (
        personas["owner"].user,
        "read",
        sessions["owner"].episode.client_id,
    )


def test_recording_attendance_opens_the_checkin_and_emails_the_link(
    client, personas, django_capture_on_commit_callbacks
):
    session = SessionFactory(
        episode=personas["owner_episode"], number=1, attendance=Session.Attendance.SCHEDULED
    )
    client.force_login(personas["owner"].user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("session-attendance", args=[session.pk]),
            {"attendance": "attended", "next_session_booked": "on"},
        )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.attendance == "attended" and session.next_session_booked
    assert CheckIn.objects.filter(session=session).exists()
    assert "/c/" in mail.outbox[-1].body


def test_a_late_start_without_minutes_is_explained(client, personas, sessions):
    client.force_login(personas["owner"].user)
    response = client.post(
        reverse("session-attendance", args=[sessions["owner"].pk]), {"attendance": "late_start"}
    )
    assert response.status_code == 400
    assert b"minutes late" in response.content


def test_a_supervisor_can_look_but_not_record(client, personas, sessions):
    client.force_login(personas["supervisor"].user)
    url = reverse("session-attendance", args=[sessions["owner"].pk])
    assert client.post(url, {"attendance": "no_show"}).status_code == 403
    assert client.post(reverse("session-rating", args=[sessions["owner"].pk]), RATING).status_code == 403


def test_colleagues_cannot_post_to_someone_elses_session(client, personas, sessions):
    client.force_login(personas["colleague"].user)
    for name in ["session-attendance", "session-checkin-link", "session-rating"]:
        assert client.post(reverse(name, args=[sessions["owner"].pk]), RATING).status_code == 404


def test_a_tablet_code_is_shown_once_and_opens_the_form(client, personas, sessions):
    session = sessions["owner"]
    CheckInFactory(session=session)
    client.force_login(personas["owner"].user)
    response = client.post(reverse("session-checkin-link", args=[session.pk]), {"how": "tablet"})
    html = response.content.decode()
    assert response.status_code == 200 and 'class="code"' in html
    code = html.split('class="code" aria-label="')[1].split('"')[0]
    # Shown once: reloading the page does not show it again.
    assert code not in client.get(reverse("session-detail", args=[session.pk])).content.decode()
    client.logout()
    opened = client.post("/c/", {"code": code})
    assert opened.status_code == 302
    assert client.get(opened["Location"]).status_code == 200


TOY_TEMPLATE = "toy/_session_card.html"


def _toy_widgets(user, session):
    return [SessionWidget(template=TOY_TEMPLATE, context={"note": f"Toy card for session {session.number}"})]


@pytest.fixture
def toy_pillar(settings):
    """A fifth pillar, defined only here, whose card is a template the app tree does not have."""
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "APP_DIRS": False,
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {TOY_TEMPLATE: '<section class="card toy"><p>{{ widget.note }}</p></section>'},
                    ),
                    "django.template.loaders.filesystem.Loader",
                    "django.template.loaders.app_directories.Loader",
                ],
            },
        }
    ]
    register(Pillar(key="toy", label="Toy", order=99, instruments=(), session_widgets=_toy_widgets))
    yield
    unregister("toy")


def test_a_pillar_adds_its_card_to_the_session_page_through_the_registry(
    client, personas, sessions, toy_pillar
):
    client.force_login(personas["supervisor"].user)
    html = client.get(reverse("session-detail", args=[sessions["owner"].pk])).content.decode()
    assert '<section class="card toy"><p>Toy card for session 1</p></section>' in html
    # The relationship pillar's card is still there, read-only for the supervisor, before the toy's.
    assert html.index("rating of the session") < html.index("Toy card")
    assert 'action="/sessions/' not in html.split("rating of the session")[1].split("Toy card")[0]
