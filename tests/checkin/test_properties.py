"""Property tests: any out-of-range, wrong-type or missing answer is refused with a message, and
nothing is stored."""

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from care.links import link_find
from care.models import AccessLink, CheckIn, Score
from checkin.services import CheckInInvalid, checkin_submit, checkin_validate, instruments_of
from instruments.forms import parse_answers
from risk.models import Flag
from tests.checkin.factories import good_answers

pytestmark = pytest.mark.django_db

SCALES = [("relationship", "heard"), ("readiness", "confidence"), ("reliability", "present")]
CHOICES = [
    ("regimen", "frequency"),
    ("regimen", "plan_agreed"),
    ("stage", "stage"),
    ("reliability", "on_time"),
]
REQUIRED = SCALES + CHOICES + [("relationship", "misunderstood")]

wrong_types = st.one_of(
    st.text(max_size=5),
    st.floats(allow_nan=True),
    st.booleans(),
    st.lists(st.integers(0, 10), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@st.composite
def broken_answers(draw):
    """Good answers with exactly one thing wrong; returns (answers, section that must be named)."""
    answers = good_answers()
    kind = draw(st.sampled_from(["out_of_range", "wrong_type", "missing", "unknown_item", "not_a_dict"]))
    if kind == "out_of_range":
        section, item = draw(st.sampled_from(SCALES + CHOICES))
        allowed = set(range(0, 11)) if (section, item) in SCALES else {0, 1, 2, 3, 4, 5}
        value = draw(st.integers(-(10**9), 10**9).filter(lambda v: v not in allowed))
        if (section, item) in CHOICES:
            value = draw(st.integers(6, 10**9) | st.integers(-(10**9), -1))
        answers[section][item] = value
    elif kind == "wrong_type":
        section, item = draw(st.sampled_from(REQUIRED))
        answers[section][item] = draw(wrong_types)
    elif kind == "missing":
        section, item = draw(st.sampled_from(REQUIRED))
        if draw(st.booleans()):
            del answers[section][item]
        else:
            answers[section][item] = None
    elif kind == "unknown_item":
        section = draw(st.sampled_from(["relationship", "regimen", "closing"]))
        answers[section][draw(st.from_regex(r"zz[a-z]{1,8}", fullmatch=True))] = 1
    else:
        section = draw(st.sampled_from(["relationship", "readiness", "regimen"]))
        answers[section] = draw(st.one_of(st.lists(st.integers(), max_size=3), st.text(max_size=5)))
    return answers, section


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=broken_answers())
def test_any_broken_answer_is_refused_with_a_message_and_nothing_is_stored(opened, case):
    answers, section = case
    session, token = opened
    link = link_find(purpose=AccessLink.Purpose.CHECKIN, token=token)
    with pytest.raises(CheckInInvalid) as refused:
        checkin_submit(link=link, answers=answers)
    messages = refused.value.errors[section]
    assert messages and all(isinstance(m, str) and m for m in messages.values())
    checkin = CheckIn.objects.get(session=session)
    assert checkin.status != CheckIn.Status.SUBMITTED and checkin.answers == {}
    assert not Score.objects.exists() and not Flag.objects.exists()
    assert link_find(purpose=AccessLink.Purpose.CHECKIN, token=token) is not None, "link not spent"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=st.text(max_size=8))
def test_whatever_is_typed_into_a_form_field_only_plain_numbers_in_range_get_through(opened, typed):
    """The HTML edge: a posted value becomes an answer only if it is plain ASCII digits in range."""
    session, _token = opened
    instruments = instruments_of(CheckIn.objects.get(session=session), session.episode.client.clinic_id)
    form = QueryDict(mutable=True)
    for section, items in good_answers().items():
        for item, value in items.items():
            form[f"{section}.{item}"] = str(value)
    form["relationship.heard"] = typed
    try:
        clean = checkin_validate(instruments, parse_answers(instruments, form))
    except CheckInInvalid as refused:
        assert refused.errors["relationship"]["heard"]
    else:
        assert typed.isascii() and typed.isdigit() and 0 <= int(typed) <= 10
        assert clean["relationship"]["heard"] == int(typed)
