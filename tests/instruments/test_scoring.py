"""Scoring tables for every shipped instrument, and what goes into a check-in."""

import pytest

from instruments.library import builtin_instruments, builtin_versions, get_instrument, instruments_for_session
from instruments.schemas import Instrument
from instruments.scoring import AnswerError, score, validate_answers

PHQ9 = [f"item{n}" for n in range(1, 10)]
GAD7 = [f"item{n}" for n in range(1, 8)]


def total(key: str, values: list[int]) -> tuple[float, str]:
    instrument = get_instrument(key)
    items = PHQ9 if key == "phq9" else GAD7
    results = score(instrument, validate_answers(instrument, dict(zip(items, values, strict=True))))
    (result,) = [r for r in results if r.scale == "total"]
    return result.value, result.band


@pytest.mark.parametrize(
    ("values", "expected", "band"),
    [
        ([3, 0, 1, 2, 0, 0, 1, 0, 3], 10, "moderate"),
        ([0] * 9, 0, "minimal"),
        ([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, "minimal"),
        ([1, 1, 1, 1, 1, 0, 0, 0, 0], 5, "mild"),
        ([1] * 9, 9, "mild"),
        ([2, 2, 2, 2, 2, 2, 2, 0, 0], 14, "moderate"),
        ([2, 2, 2, 2, 2, 2, 2, 1, 0], 15, "moderately severe"),
        ([3, 3, 3, 3, 3, 2, 2, 0, 0], 19, "moderately severe"),
        ([3, 3, 3, 3, 3, 3, 2, 0, 0], 20, "severe"),
        ([3] * 9, 27, "severe"),
        # The HL7 example response: its stored total says 13, its answers say 10.
        ([0, 0, 0, 1, 2, 1, 3, 2, 1], 10, "moderate"),
    ],
)
def test_phq9_total_and_band(values, expected, band):
    assert total("phq9", values) == (expected, band)


@pytest.mark.parametrize(
    ("values", "expected", "band"),
    [
        ([3, 0, 1, 2, 0, 0, 1], 7, "mild"),
        ([0] * 7, 0, "minimal"),
        ([1, 1, 1, 1, 0, 0, 0], 4, "minimal"),
        ([1, 1, 1, 1, 1, 0, 0], 5, "mild"),
        ([2, 2, 2, 2, 1, 0, 0], 9, "mild"),
        ([2, 2, 2, 2, 2, 0, 0], 10, "moderate"),
        ([2, 2, 2, 2, 2, 2, 2], 14, "moderate"),
        ([3, 2, 2, 2, 2, 2, 2], 15, "severe"),
        ([3] * 7, 21, "severe"),
    ],
)
def test_gad7_total_and_band(values, expected, band):
    assert total("gad7", values) == (expected, band)


def test_phq9_and_gad7_carry_loinc_codes_and_spanish():
    phq9, gad7 = get_instrument("phq9"), get_instrument("gad7")
    assert (phq9.code, phq9.scales[0].code) == ("44249-1", "44261-6")
    assert (gad7.code, gad7.scales[0].code) == ("69737-5", "70274-6")
    assert phq9.item("item9").code == "44260-8"
    assert [o.code for o in phq9.item("item1").options] == ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
    for instrument in (phq9, gad7):
        assert all("es" in item.text for item in instrument.items)
        assert all("es" in o.label for item in instrument.items for o in item.options)


# Every shipped instrument, lowest and highest answers → each scale's minimum and maximum.
SCORED = [i for i in builtin_instruments().values() if not i.is_shell and i.scales]


def extreme_answers(instrument: Instrument, pick) -> dict:
    answers = {}
    for item in instrument.items:
        if item.type == "text" or item.show_if:
            continue
        answers[item.key] = pick(item.value_range())
    return answers


@pytest.mark.parametrize("instrument", SCORED, ids=[i.key for i in SCORED])
def test_every_scale_spans_its_range(instrument):
    low = {
        r.scale: r for r in score(instrument, validate_answers(instrument, extreme_answers(instrument, min)))
    }
    high = {
        r.scale: r for r in score(instrument, validate_answers(instrument, extreme_answers(instrument, max)))
    }
    assert set(low) == set(high) == {s.key for s in instrument.scales}
    for scale in instrument.scales:
        expected_low = (
            low[scale.key].minimum if not any(instrument.item(k).reverse for k in scale.items) else None
        )
        if expected_low is not None:
            assert low[scale.key].value == low[scale.key].minimum
            assert high[scale.key].value == high[scale.key].maximum


@pytest.mark.parametrize(
    ("key", "answers", "expected"),
    [
        (
            "relationship",
            {"heard": 8, "goals": 6, "approach": 7, "overall": 9, "belief": 5, "misunderstood": 0},
            {"total": 30, "bond": 8, "goals": 6, "tasks": 7},
        ),
        ("readiness", {"importance": 7, "confidence": 3}, {"importance": 7, "confidence": 3}),
        ("stage", {"stage": 4}, {"stage": 4}),
        ("reliability", {"on_time": 1, "present": 10, "safe_to_say": 2}, {"present": 10, "safe_to_say": 2}),
        ("regimen", {"frequency": 1, "format": 1, "plan_understood": 2, "plan_agreed": 0}, {}),
        ("closing", {"note": "Thanks"}, {}),
    ],
)
def test_pillar_scoring_table(key, answers, expected):
    instrument = get_instrument(key)
    results = score(instrument, validate_answers(instrument, answers))
    assert {r.scale: r.value for r in results} == expected


def test_reverse_scored_item_counts_backwards():
    instrument = Instrument.model_validate(
        {
            "key": "demo",
            "version": "1",
            "kind": "outcome",
            "title": {"en": "Demo"},
            "items": [
                {"key": "a", "type": "scale", "min": 0, "max": 4, "text": {"en": "A"}},
                {"key": "b", "type": "scale", "min": 0, "max": 4, "reverse": True, "text": {"en": "B"}},
            ],
            "scales": [{"key": "total", "label": {"en": "Total"}, "items": ["a", "b"]}],
        },
        strict=False,
    )
    (result,) = score(instrument, {"a": 4, "b": 1})
    assert result.value == 4 + 3


def test_licence_shells_carry_no_wording():
    for key in ("srs", "ors", "wai_sr"):
        shell = builtin_instruments()[key]
        assert shell.requires_licence_file and shell.items == () and shell.scales == ()


def test_a_shell_with_item_text_is_refused():
    with pytest.raises(ValueError, match="shell"):
        Instrument.model_validate(
            {
                "key": "srs",
                "version": "x",
                "kind": "pillar",
                "title": {"en": "SRS"},
                "requires_licence_file": True,
                "items": [{"key": "a", "type": "scale", "text": {"en": "Licensed words"}}],
            },
            strict=False,
        )


def test_old_versions_stay_readable():
    # Every shipped (key, version) resolves to itself, so a check-in's recorded version is never rewritten.
    for (key, version), instrument in builtin_versions().items():
        assert get_instrument(key, version) is instrument
    with pytest.raises(LookupError):
        get_instrument("phq9", "999")


@pytest.mark.django_db
def test_check_in_follows_the_clinic_schedule_and_never_includes_a_shell(clinic):
    # Given PHQ-9 every 4th session, GAD-7 every session, and the licensed shells "scheduled"
    clinic.measure_schedule = {
        "phq9": 4,
        "gad7": 1,
        "srs": 1,
        "ors": 1,
        "wai_sr": 1,
        "nonsense": 1,
        "bad": "4",
    }
    clinic.save()

    def keys(number):
        return [i.key for i in instruments_for_session(clinic=clinic, session_number=number)]

    # Then PHQ-9 comes at intake and every 4th session after, and shells never appear
    assert keys(1) == [
        "relationship",
        "readiness",
        "stage",
        "regimen",
        "reliability",
        "phq9",
        "gad7",
        "closing",
    ]
    assert "phq9" not in keys(2) and "phq9" not in keys(4) and "phq9" in keys(5) and "phq9" in keys(9)
    assert "stage" not in keys(2)
    for number in range(1, 10):
        assert not {"srs", "ors", "wai_sr", "nonsense", "bad"} & set(keys(number))


def test_answer_error_names_each_problem():
    phq9 = get_instrument("phq9")
    with pytest.raises(AnswerError) as caught:
        validate_answers(phq9, {"item1": 4, "item2": "1", "extra": 1})
    assert set(caught.value.errors) >= {"item1", "item2", "item3", "extra"}
