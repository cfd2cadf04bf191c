"""A fifth pillar plugs in through the registry alone: its section of the check-in, its facts and rule in
the risk engine, its card on the clinician's client page — and none of check-in, risk or dashboards
names it. The toy pillar is defined only in this file; its instrument is a clinic-loaded definition."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse

from care.models import Session
from care.pillars import ClientPageContribution, ClientPageInput, Pillar, Section, register, unregister
from checkin.attendance import session_record_attendance
from instruments.library import instrument_from_data
from instruments.services import instrument_definition_load
from risk import engine
from risk.facts import EpisodeFacts, Finding, Params, reason, rule
from risk.models import Flag
from tests.care import factories

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[1] / "dashboards" / "templates"
LINK = re.compile(r"/c/([A-Za-z0-9_-]+)/")

TOY_INSTRUMENT = instrument_from_data(
    {
        "key": "toy",
        "version": "1",
        "kind": "pillar",
        "pillar": "toy",
        "title": {"en": "Calm in the room"},
        "items": [
            {
                "key": "calm",
                "type": "scale",
                "text": {"en": "How calm did you feel in today's session?"},
                "min": 0,
                "max": 10,
            }
        ],
        "scales": [{"key": "total", "label": {"en": "Calm"}, "items": ["calm"]}],
    }
)


@dataclass(frozen=True)
class ToyFacts:
    """The toy pillar's own facts: what it would read from tables of its own."""

    quiet_room: bool


def load_toy_facts(episodes: Sequence[EpisodeFacts]) -> Mapping[int, ToyFacts]:
    return {e.episode_id: ToyFacts(quiet_room=False) for e in episodes}


@rule(
    id="toy.low_calm",
    version="1",
    pillar="toy",
    title="Calm rated low in a noisy room",
    defaults={"at_most": 3},
    limits={"at_most": (0, 10)},
)
def low_calm(facts: EpisodeFacts, params: Params) -> Finding | None:
    latest = facts.latest_checkin()
    toy = facts.pillar("toy")
    if latest is None or toy is None or toy.quiet_room:
        return None
    calm = latest.answer("toy", "calm")
    if calm is None or calm > params["at_most"]:
        return None
    return Finding(
        level="amber",
        reasons=(reason(f"Calm rated {calm} of 10 after session {latest.number}.", session=latest.number),),
        suggested_action="Ask what would make the room feel calmer.",
        session_id=latest.id,
    )


def toy_client_page(view: ClientPageInput) -> ClientPageContribution:
    calm = [s.value("toy.total") for s in view.sessions if s.value("toy.total") is not None]
    return ClientPageContribution(
        sections=(
            Section(
                key="toy",
                title="Calm in the room",
                template="toy/_section.html",
                context={"sessions": len(calm), "may_write": view.may_write},
            ),
        ),
        not_working=tuple(f"Calm rated {v:g} of 10." for v in calm if v <= 3),
    )


@pytest.fixture
def toy_pillar(settings):
    settings.TEMPLATES = [
        {**django_settings.TEMPLATES[0], "DIRS": [*django_settings.TEMPLATES[0]["DIRS"], TEMPLATES]}
    ]
    register(
        Pillar(
            key="toy",
            label="Calm",
            order=5,
            instruments=("toy",),
            rules=(low_calm,),
            facts=load_toy_facts,
            client_page=toy_client_page,
        )
    )
    yield
    unregister("toy")


def test_a_fifth_pillar_reaches_the_check_in_the_risk_engine_and_the_client_page(
    client, personas, toy_pillar, django_capture_on_commit_callbacks
):
    owner, clinic = personas["owner"], personas["clinic"]
    episode = factories.EpisodeFactory(clinician=owner, client__clinic=clinic, client__email="c@example.org")
    instrument_definition_load(actor=personas["admin"], clinic=clinic, instrument=TOY_INSTRUMENT)
    session = factories.SessionFactory(episode=episode, number=1, attendance=Session.Attendance.SCHEDULED)

    # Given the session is attended, the client's check-in link is emailed
    with django_capture_on_commit_callbacks(execute=True):
        session_record_attendance(actor=owner.user, session=session, attendance=Session.Attendance.ATTENDED)
    token = LINK.search(mail.outbox[-1].body)[1]

    # When the client opens it, the toy pillar's section is part of the form, in pillar order
    form = client.get(f"/c/{token}/").content.decode()
    assert "How calm did you feel in today&#x27;s session?" in form
    assert form.index('name="relationship.heard"') < form.index('name="toy.calm"')
    assert form.index('name="toy.calm"') < form.index('name="closing.note"')

    # And when they answer it with the rest of the form, the toy's answer is stored and scored
    steps = client.get(f"/c/{token}/").context["steps"]
    answers = {f.name: (f.options[-1][0] if f.options else "") for step in steps for f in step.fields}
    answers["toy.calm"] = 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/c/{token}/", {k: str(v) for k, v in answers.items()})
    assert response.status_code == 200, response.content.decode()[:2000]
    session.refresh_from_db()
    assert session.checkin.answers["toy"] == {"calm": 2}
    assert session.checkin.scores.get(instrument="toy", scale="total").value == 2

    # Then the risk engine ran the toy's rule on the toy's own facts and raised its flag
    engine.evaluate_episode(episode.pk)
    flag = Flag.objects.get(episode=episode, rule="toy.low_calm")
    assert (flag.pillar, flag.level) == ("toy", "amber")
    assert flag.reasons[0]["text"] == "Calm rated 2 of 10 after session 1."

    # And the clinician's client page shows the toy's card, its summary line and its chip
    client.force_login(owner.user)
    response = client.get(reverse("client-detail", args=[episode.client_id]))
    body = response.content.decode()
    assert '<h2 id="toy-heading">Calm in the room</h2>' in body
    assert "<li>Calm rated 2 of 10.</li>" in body
    toy_chip = next(p for p in response.context["page"].pillars if p.key == "toy")
    assert toy_chip.level == "amber"


PILLAR_NAMES = re.compile(
    r"clinician_rating|intake_readiness|plan_revisions|ClinicianRating|IntakeReadiness|PlanRevision|\bGoal\b"
    r"|^\s*(from|import) (alliance|readiness|regimen|reliability)\b"
    r"|[\"'](alliance|readiness|regimen|reliability)/",
    re.MULTILINE,
)


def test_the_spine_and_the_read_side_name_no_pillar_table_template_or_module():
    # The registry is the only way in: no pillar's tables, relations, templates or modules by name.
    root = Path(__file__).resolve().parents[2]
    places = ["care", "instruments", "risk", "checkin", "dashboards"]
    places += [f"templates/{t}" for t in ("dashboards", "checkin", "risk", "portal", "instruments")]
    found = [
        f"{path.relative_to(root)}: {match.group(0).strip()}"
        for place in places
        for path in (root / place).rglob("*")
        if path.suffix in {".py", ".html"} and "migrations" not in path.parts
        for match in PILLAR_NAMES.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
