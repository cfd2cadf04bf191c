"""The demo speaks each client's language: what a client wrote (their goal, a note, the words for a
moment they felt misunderstood) is in their preferred language, English or Spanish."""

import pytest

from care.models import CheckIn
from demo import seed as demo
from demo.courses import NOTES, RUPTURE_WORDS
from demo.intake import GOALS
from readiness.models import Goal


def test_the_parallel_lists_mean_the_same_in_both_languages():
    for words in (GOALS, NOTES, RUPTURE_WORDS):
        assert set(words) == {"en", "es"}
        assert len(words["en"]) == len(words["es"])
        assert not set(words["en"]) & (set(words["es"]) - {""})


@pytest.mark.django_db
def test_every_demo_client_writes_in_their_own_language():
    # Given the demo clinic `make run` seeds
    demo.seed_clinic(seed=7, clients=120, evaluate=False)

    # Then every goal is in its client's language
    goals = list(Goal.objects.values_list("text", "episode__client__preferred_language"))
    assert len(goals) >= 120
    assert {language for _text, language in goals} == {"en", "es"}
    assert [(text, lang) for text, lang in goals if text not in GOALS[lang]] == []

    # And so is every note and every "what felt off" in the check-ins
    written = []
    for answers, language in CheckIn.objects.filter(status=CheckIn.Status.SUBMITTED).values_list(
        "answers", "session__episode__client__preferred_language"
    ):
        note = answers.get("closing", {}).get("note")
        words = answers.get("relationship", {}).get("misunderstood_words")
        written += [(note, NOTES[language]), (words, RUPTURE_WORDS[language])]
    assert any(text for text, _ in written)
    assert [text for text, known in written if text and text not in known] == []
