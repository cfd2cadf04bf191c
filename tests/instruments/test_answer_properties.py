"""Property tests: anything out of range, of the wrong type or missing is refused, with a message."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from instruments.library import builtin_instruments
from instruments.scoring import AnswerError, score, validate_answers

INSTRUMENTS = [i for i in builtin_instruments().values() if not i.is_shell]
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def valid_answers(instrument):
    answers = {}
    for item in instrument.items:
        if item.type == "text":
            answers[item.key] = "fine"
        elif item.type == "choice":
            answers[item.key] = item.options[0].value
        else:
            answers[item.key] = item.value_range()[0]
    return answers


instrument_st = st.sampled_from(INSTRUMENTS)
wrong_types = st.one_of(
    st.text(min_size=1, max_size=5),
    st.floats(allow_nan=True),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@FAST
@given(instrument=instrument_st, data=st.data())
def test_out_of_range_numbers_are_refused(instrument, data):
    scored = [i for i in instrument.items if i.type != "text"]
    if not scored:
        return
    item = data.draw(st.sampled_from(scored))
    allowed = {o.value for o in item.options} if item.type == "choice" else None
    low, high = item.value_range()
    bad = data.draw(
        st.integers(min_value=-(10**6), max_value=10**6).filter(
            lambda v: (v not in allowed) if allowed is not None else not low <= v <= high
        )
    )
    answers = {**valid_answers(instrument), item.key: bad}
    with pytest.raises(AnswerError) as caught:
        validate_answers(instrument, answers)
    assert caught.value.errors[item.key]


@FAST
@given(instrument=instrument_st, data=st.data(), bad=wrong_types)
def test_wrong_types_are_refused(instrument, data, bad):
    item = data.draw(st.sampled_from(instrument.items))
    if item.type == "text" and isinstance(bad, str):
        return  # words are the right type for a free-text item
    answers = {**valid_answers(instrument), item.key: bad}
    with pytest.raises(AnswerError) as caught:
        validate_answers(instrument, answers)
    assert caught.value.errors[item.key]


@FAST
@given(instrument=instrument_st, data=st.data())
def test_missing_required_answers_are_refused(instrument, data):
    required = [i for i in instrument.items if i.required and not i.show_if]
    if not required:
        return
    item = data.draw(st.sampled_from(required))
    answers = valid_answers(instrument)
    del answers[item.key]
    with pytest.raises(AnswerError) as caught:
        validate_answers(instrument, answers)
    assert caught.value.errors[item.key] == "Please answer this question."


@FAST
@given(
    instrument=instrument_st,
    extra=st.text(min_size=1, max_size=80).filter(lambda k: k not in {"item1", "note"}),
)
def test_unknown_questions_are_refused(instrument, extra):
    if extra in {i.key for i in instrument.items}:
        return
    with pytest.raises(AnswerError) as caught:
        validate_answers(instrument, {**valid_answers(instrument), extra: 1})
    assert caught.value.errors


@FAST
@given(raw=st.one_of(st.none(), st.integers(), st.text(), st.lists(st.integers())))
def test_answers_that_are_not_an_object_are_refused(raw):
    with pytest.raises(AnswerError) as caught:
        validate_answers(builtin_instruments()["phq9"], raw)
    assert "__all__" in caught.value.errors


@FAST
@given(values=st.lists(st.integers(min_value=0, max_value=3), min_size=9, max_size=9))
def test_valid_phq9_answers_always_score_within_range(values):
    phq9 = builtin_instruments()["phq9"]
    answers = validate_answers(phq9, {f"item{n}": v for n, v in enumerate(values, start=1)})
    (result,) = score(phq9, answers)
    assert result.value == sum(values) and result.band
