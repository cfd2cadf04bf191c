"""manage.py import_responses: an exported episode imports into another episode with the same scores;
responses with other linkIds match by LOINC code through their questionnaire; anything unmatched is
refused with the list of it and nothing is stored."""

import json

import pytest
from django.core.management import CommandError, call_command

from care.models import AuditEvent, CheckIn, Score
from instruments import fhir
from instruments.library import content_hash, get_instrument
from instruments.scoring import score_answers
from tests.care.factories import ClientFactory, EpisodeFactory
from tests.instruments.test_episode_bundle import submitted

pytestmark = pytest.mark.django_db

LOINC = "http://loinc.org"
PHQ9 = get_instrument("phq9", "1")


def other_episode(personas):
    clinic = personas["clinic"]
    return EpisodeFactory(
        client=ClientFactory(clinic=clinic),
        clinician=personas["owner"],
        program=personas["owner_episode"].program,
    )


def scores_of(episode) -> list[tuple]:
    return sorted(
        Score.objects.filter(checkin__session__episode=episode).values_list(
            "instrument", "version", "scale", "value"
        )
    )


def test_an_exported_episode_imports_with_the_same_scores(tmp_path, personas):
    source = personas["owner_episode"]
    submitted(source, 1)
    submitted(source, 2)
    checkins = list(CheckIn.objects.filter(session__episode=source))
    for checkin in checkins:  # scored as the submit scores them
        instruments = [get_instrument(k, v) for k, v in checkin.instrument_versions.items()]
        Score.objects.bulk_create(
            Score(checkin=checkin, **r.model_dump()) for r in score_answers(instruments, checkin.answers)
        )
    path = tmp_path / "episode.json"
    path.write_text(json.dumps(fhir.episode_to_bundle(source, checkins)))
    target = other_episode(personas)

    call_command("import_responses", str(path), episode=target.pk)

    assert scores_of(target) == scores_of(source) and len(scores_of(target)) == 4
    imported = CheckIn.objects.filter(session__episode=target)
    assert imported.count() == 2 and all(c.status == CheckIn.Status.SUBMITTED for c in imported)
    assert all(c.instrument_hashes["phq9"] == content_hash(PHQ9) for c in imported)
    assert AuditEvent.objects.filter(
        object_id=str(target.pk), actor_label="manage.py import_responses"
    ).exists()


def their_questionnaire(tmp_path):
    items = tuple(i.model_copy(update={"link_id": f"PHQ.{n}"}) for n, i in enumerate(PHQ9.items, start=1))
    path = tmp_path / "their-phq9.json"
    path.write_text(json.dumps(fhir.instrument_to_questionnaire(PHQ9.model_copy(update={"items": items}))))
    return path


def their_response(tmp_path, link_ids):
    items = [
        {"linkId": link_id, "answer": [{"valueCoding": {"system": LOINC, "code": "LA6570-1"}}]}
        for link_id in link_ids
    ]
    response = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": "http://example.org/Questionnaire/phq9",
        "authored": "2026-01-05T10:00:00+00:00",
        "item": items,
    }
    path = tmp_path / "response.json"
    path.write_text(json.dumps(response))
    return path


def test_other_linkids_match_by_loinc_code_through_their_questionnaire(tmp_path, personas):
    target = other_episode(personas)
    response = their_response(tmp_path, [f"PHQ.{n}" for n in range(1, 10)])
    call_command(
        "import_responses", str(response), episode=target.pk, questionnaire=str(their_questionnaire(tmp_path))
    )
    assert ("phq9", "1", "total", 18.0) in scores_of(target)


def test_unmatched_answers_are_refused_with_their_list_and_nothing_is_stored(tmp_path, personas):
    target = other_episode(personas)
    response = their_response(tmp_path, [f"PHQ-9.{n}" for n in range(1, 11)])
    with pytest.raises(CommandError, match="'PHQ-9.1'.*'PHQ-9.10'"):
        call_command(
            "import_responses",
            str(response),
            episode=target.pk,
            questionnaire=str(their_questionnaire(tmp_path)),
        )
    assert not CheckIn.objects.filter(session__episode=target).exists()
