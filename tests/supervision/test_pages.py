"""The supervision pages: who sees whose indicators, the pulse's privacy, notes, constant query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from care.models import AuditEvent
from supervision import pulse
from supervision.models import SupervisionNote
from tests.care.factories import EpisodeFactory, SessionFactory
from tests.clinicians.factories import ClinicianFactory, SupervisionFactory
from tests.supervision.factories import PulseFactory

pytestmark = pytest.mark.django_db


def _login(client, who):
    client.force_login(getattr(who, "user", who))


def test_a_clinician_sees_their_own_week(client, personas):
    SessionFactory(episode=personas["owner_episode"], number=1)
    _login(client, personas["owner"])
    page = client.get(reverse("my-week"))
    assert page.status_code == 200
    body = page.content.decode()
    for words in (
        "Caseload vs target",
        "Sessions per week",
        "After-hours sessions",
        "Clinician cancellations",
        "Late starts",
        "Days between sessions",
        "Flags waiting",
        "Time to acknowledge",
        "Caseload alliance",
        "Early dropout",
        "What it is not:",
    ):
        assert words in body
    assert (
        page["Cache-Control"].startswith("max-age=0")
        or "no-store" in page["Cache-Control"]
        or "no-cache" in page["Cache-Control"]
    )


@pytest.mark.parametrize("viewer", ["colleague", "outsider", "admin"])
def test_nobody_else_sees_a_clinicians_indicators(client, personas, viewer):
    _login(client, personas[viewer])
    url = reverse("supervision-clinician", args=[personas["owner"].pk])
    assert client.get(url).status_code == 404


def test_the_supervisor_sees_a_current_supervisee_and_an_ended_supervision_is_a_404(client, personas):
    _login(client, personas["supervisor"])
    url = reverse("supervision-clinician", args=[personas["owner"].pk])
    assert client.get(url).status_code == 200
    personas["supervisor"].supervisions_given.update(ended_on=timezone.localdate() - dt.timedelta(days=1))
    assert client.get(url).status_code == 404
    home = client.get(reverse("supervision")).content.decode()
    assert str(personas["owner"]) not in home


def test_only_supervisors_have_a_supervision_home_and_funnels(client, personas):
    for who in ("owner", "admin"):
        _login(client, personas[who])
        assert client.get(reverse("supervision")).status_code == 404
        assert client.get(reverse("supervision-funnels")).status_code == 404
    _login(client, personas["supervisor"])
    home = client.get(reverse("supervision"))
    assert home.status_code == 200 and str(personas["owner"]) in home.content.decode()
    assert str(personas["colleague"]) not in home.content.decode()
    funnels = client.get(reverse("supervision-funnels")).content.decode()
    assert "What a funnel plot shows, and what it does not" in funnels


def test_supervisees_needing_attention_come_first(client, personas):
    calm = personas["owner"]
    busy = ClinicianFactory(user__clinic=personas["clinic"], caseload_target=1, user__last_name="Zed")
    SupervisionFactory(supervisor=personas["supervisor"], supervisee=busy)
    for _ in range(3):
        EpisodeFactory(clinician=busy, opened_on=timezone.localdate() - dt.timedelta(days=60))
    _login(client, personas["supervisor"])
    body = client.get(reverse("supervision")).content.decode()
    assert body.index(str(busy)) < body.index(str(calm))
    assert "Needs attention" in body
    assert "rank" not in body.replace("not for ranking", "").replace("does not rank", "")


# --- The pulse is private unless shared --------------------------------------------------------------


def test_the_pulse_stays_private_unless_shared(client, personas):
    owner = personas["owner"]
    PulseFactory(
        clinician=owner,
        week_start=timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday()),
        burnout=4,
    )
    marker = "burnout 4 of 5"
    pages = (
        reverse("supervision"),
        reverse("supervision-clinician", args=[owner.pk]),
        reverse("supervision-funnels"),
    )
    _login(client, personas["supervisor"])
    for url in pages:
        page = client.get(url).content.decode()
        assert marker not in page and "Shared pulse" not in page, url
    _login(client, owner)
    assert marker in client.get(reverse("my-week")).content.decode()
    client.post(reverse("pulse-sharing"), {"shared": "1"})
    owner.refresh_from_db()
    assert owner.pulse_shared
    _login(client, personas["supervisor"])
    for url in (reverse("supervision"), reverse("supervision-clinician", args=[owner.pk])):
        assert marker in client.get(url).content.decode(), url
    _login(client, personas["colleague"])
    assert marker not in client.get(reverse("my-week")).content.decode()


@pytest.mark.parametrize(("respondents", "shown"), [(4, False), (5, True), (6, True)])
def test_team_pulse_only_from_five_respondents(client, personas, respondents, shown):
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    supervisees = [personas["owner"]] + [
        SupervisionFactory(supervisor=personas["supervisor"]).supervisee for _ in range(5)
    ]
    for clinician in supervisees[:respondents]:
        PulseFactory(clinician=clinician, week_start=monday, burnout=3)
    _login(client, personas["supervisor"])
    body = client.get(reverse("supervision")).content.decode()
    assert (f"{respondents} people answered" in body) is shown
    assert ("needs at least 5 people" in body) is not shown


def test_answering_the_pulse(client, personas):
    _login(client, personas["owner"])
    form = client.get(reverse("pulse"))
    assert "Not a validated instrument" in form.content.decode()
    assert "Kristensen" in form.content.decode()  # the work scale's attribution, monthly
    answers = {
        "pulse.burnout": "3",
        "pulse.readiness": "7",
        "pulse.regimen": "6",
        "pulse.reliability": "5",
        "pulse.relationship": "8",
    }
    cbi = {
        f"cbi_work.{k}": "50"
        for k in (
            "worn_out",
            "morning",
            "every_hour",
            "leisure_energy",
            "emotionally",
            "frustrate",
            "burnt_out",
        )
    }
    assert client.post(reverse("pulse"), answers | cbi).status_code == 302
    pulse = personas["owner"].pulses.get()
    assert (
        pulse.burnout == 3 and pulse.scores["cbi_work.total"] == 50.0 and pulse.scores["pulse.readiness"] == 7
    )


@pytest.mark.parametrize(
    ("last_monthly", "this_week", "due"),
    [
        (None, dt.date(2026, 11, 23), True),
        (dt.date(2026, 11, 2), dt.date(2026, 11, 23), False),  # answered earlier this month
        (dt.date(2026, 10, 26), dt.date(2026, 11, 2), True),  # a new month
        (dt.date(2025, 11, 3), dt.date(2026, 11, 2), True),  # same month, another year
    ],
)
def test_the_work_scale_is_asked_once_a_month(last_monthly, this_week, due):
    assert pulse.monthly_due(last_monthly, this_week) is due


@pytest.mark.parametrize("bad", ["٣", "3\x00", "3.0", "9", "-1", "x" * 5000, ""])
def test_the_pulse_refuses_bad_answers_with_a_message(client, personas, bad):
    _login(client, personas["owner"])
    answers = {
        "pulse.burnout": bad,
        "pulse.readiness": "7",
        "pulse.regimen": "6",
        "pulse.reliability": "5",
        "pulse.relationship": "8",
    }
    response = client.post(reverse("pulse"), answers)
    assert response.status_code == 400
    assert not personas["owner"].pulses.exists()


# --- Supervision notes ------------------------------------------------------------------------------


def test_a_supervisor_records_a_note_with_the_indicators_attached(client, personas):
    owner = personas["owner"]
    _login(client, personas["supervisor"])
    url = reverse("supervision-note-create", args=[owner.pk])
    response = client.post(url, {"met_on": timezone.localdate().isoformat(), "text": "Talked about pacing."})
    assert response.status_code == 302
    note = SupervisionNote.objects.get()
    assert {i["key"] for i in note.indicators} >= {"caseload", "cancellations", "dropout"}
    assert AuditEvent.objects.filter(object_type="supervision.SupervisionNote", action="create").exists()
    page = client.get(reverse("supervision-clinician", args=[owner.pk])).content.decode()
    assert "Talked about pacing." in page
    assert AuditEvent.objects.filter(action="read", detail__notes=[note.pk]).exists()
    _login(client, owner)
    assert "Talked about pacing." in client.get(reverse("my-week")).content.decode()
    for other in ("colleague", "admin"):
        _login(client, personas[other])
        assert client.post(url, {"met_on": "2026-01-01", "text": "x"}).status_code == 404
    _login(client, owner)  # a clinician writes no note about themself
    assert client.post(url, {"met_on": "2026-01-01", "text": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("met_on", "text"),
    [
        ("2026-01-01", "bad\x00byte"),
        ("2026-01-01", "x" * 5001),
        ("2026-01-01", "   "),
        ("٢٠٢٦-01-01", "ok"),
        ("2026-02-30", "ok"),
        ("2999-01-01", "ok"),
    ],
)
def test_a_bad_note_is_refused_with_a_message(client, personas, met_on, text):
    _login(client, personas["supervisor"])
    response = client.post(
        reverse("supervision-note-create", args=[personas["owner"].pk]),
        {"met_on": met_on, "text": text},
        follow=True,
    )
    assert response.status_code == 200
    assert not SupervisionNote.objects.exists()


# --- Constant query counts --------------------------------------------------------------------------


def _team(personas, size):
    for _ in range(size - 1):
        clinician = SupervisionFactory(supervisor=personas["supervisor"]).supervisee
        for _ in range(2):
            episode = EpisodeFactory(clinician=clinician)
            for n in range(1, 4):
                SessionFactory(episode=episode, number=n, days_ago=n * 7)


@pytest.mark.parametrize("page", ["supervision", "supervision-funnels"])
def test_query_counts_do_not_grow_with_the_team(client, personas, page):
    _login(client, personas["supervisor"])
    counts = []
    for size in (3, 12):
        _team(personas, size - (0 if not counts else 3))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(page)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
