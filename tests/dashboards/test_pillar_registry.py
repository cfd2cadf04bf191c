"""A fifth pillar plugs into the client page and the caseload through the registry alone.

The toy pillar is defined only here: the read side names none of it, yet its card, its chart, its
summary line and its note on a session all reach the clinician's page (and its words the client's own)."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from care.pillars import (
    CaseloadTrend,
    ClientPageContribution,
    ClientPageInput,
    Figure,
    Pillar,
    Section,
    SessionNote,
    register,
    unregister,
)
from dashboards.portal import portal_link_issue
from tests.dashboards.factories import seed_caseload

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent / "templates"


def toy_client_page(view: ClientPageInput) -> ClientPageContribution:
    first = view.sessions[0].session.pk if view.sessions else None
    if view.for_client:
        return ClientPageContribution(working=("The toy pillar tells you all is calm.",))
    return ClientPageContribution(
        sections=(
            Section(
                key="toy",
                title="Toy pillar's card",
                template="toy/_section.html",
                context={"sessions": len(view.sessions), "may_write": view.may_write},
            ),
        ),
        figures=(
            Figure(
                key="toy",
                figure={
                    "data": [{"type": "bar", "x": [1, 2], "y": [3, 4], "name": "Toy bars"}],
                    "layout": {"title": {"text": "Toy chart by session"}},
                },
            ),
        ),
        not_working=("The toy pillar noticed something to talk about.",),
        session_notes={first: (SessionNote(chip="Toy 7/7", title="Toy notes", rows=(("Calm", "yes"),)),)}
        if first
        else {},
    )


@pytest.fixture
def toy_pillar(settings):
    # The toy's template lives next to this test, not in the project's templates.
    settings.TEMPLATES = [
        {**django_settings.TEMPLATES[0], "DIRS": [*django_settings.TEMPLATES[0]["DIRS"], TEMPLATES]}
    ]
    register(Pillar(key="toy", label="Toy", order=5, instruments=(), client_page=toy_client_page))
    yield
    unregister("toy")


def test_a_toy_pillar_adds_its_card_chart_summary_line_and_session_note(client, personas, toy_pillar):
    # Given a client with sessions, and a fifth pillar registered only in this test
    episode = seed_caseload(personas["owner"], clients=1, sessions=3, prefix="T")[0]
    client.force_login(personas["owner"].user)
    # When their clinician opens the client page
    response = client.get(reverse("client-detail", args=[episode.client_id]))
    body = response.content.decode()
    page = response.context["page"]
    # Then the toy's card is there, from its own template and context, under its own heading and anchor
    assert '<h2 id="toy-heading">Toy pillar&#x27;s card</h2>' in body
    assert "4 sessions seen by the toy pillar, and a form for the clinician." in body  # 3 past + 1 booked
    # And its chart is handed to the page's chart script like every other
    assert 'id="figure-toy" type="application/json"' in body and "Toy chart by session" in body
    assert "toy" in page.figures
    # And its summary line is under "What isn't", its note on the first session in the list
    not_working = body[body.index('class="card not-working"') :]
    assert (
        "<li>The toy pillar noticed something to talk about.</li>"
        in not_working[: not_working.index("</div>")]
    )
    assert '<span class="s-score">Toy 7/7</span>' in body and "<dt>Calm</dt><dd>yes</dd>" in body
    # And the pillar's chip shows beside the others
    assert [p.key for p in page.pillars][-1] == "toy"


def test_a_supervisor_sees_the_toy_card_without_its_form(client, personas, toy_pillar):
    episode = seed_caseload(personas["owner"], clients=1, sessions=2, prefix="T")[0]
    client.force_login(personas["supervisor"].user)
    body = client.get(reverse("client-detail", args=[episode.client_id])).content.decode()
    assert "3 sessions seen by the toy pillar." in body


def test_the_toy_pillar_speaks_to_the_client_on_their_own_page(client, personas, toy_pillar):
    episode = seed_caseload(personas["owner"], clients=1, sessions=2, prefix="T")[0]
    body = client.get(reverse("portal", args=[portal_link_issue(client=episode.client)])).content.decode()
    assert "The toy pillar tells you all is calm." in body
    assert "Toy pillar&#x27;s card" not in body


def test_a_pillar_registered_first_with_a_trend_owns_the_caseload_column(client, personas, toy_pillar):
    # Given a pillar ahead of the others that follows the PHQ-9 total on the caseload
    register(
        Pillar(
            key="toy_trend",
            label="Mood",
            order=0,
            instruments=(),
            caseload_trend=CaseloadTrend(
                instrument="phq9",
                scale="total",
                label="Toy mood",
                values_label="Mood, oldest first:",
                low=0,
                high=27,
            ),
        )
    )
    try:
        seed_caseload(personas["owner"], clients=1, sessions=5, prefix="T")
        client.force_login(personas["owner"].user)
        body = client.get(reverse("caseload") + "?sort=trend").content.decode()
    finally:
        unregister("toy_trend")
    # Then the column is theirs: its heading, its scale's top, its words for screen readers
    assert ">Toy mood" in body and 'data-label="Toy mood"' in body
    assert '<span class="muted">/27</span>' in body and "Mood, oldest first:" in body
    assert "Relationship totals, oldest first:" not in body
