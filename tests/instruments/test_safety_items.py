"""Safety items (PHQ-9 item 9, or any item a definition marks `safety: true`) are always asked and
required, whatever a loaded file says."""

import pytest

from instruments.library import get_instrument, safety_items, with_safety
from instruments.scoring import AnswerError, validate_answers

ANSWERS_WITHOUT_ITEM9 = {**{f"item{i}": 0 for i in range(1, 9)}, "difficulty": 0}


def weakened(**item9_changes):
    """The shipped PHQ-9 as a careless file might say it."""
    phq9 = get_instrument("phq9", "1")
    items = tuple(
        i.model_copy(update={"safety": False, **item9_changes}) if i.key == "item9" else i for i in phq9.items
    )
    return phq9.model_copy(update={"items": items})


def test_the_shipped_phq9_marks_item9_as_its_safety_item():
    assert safety_items("phq9") == {"item9"}
    assert get_instrument("phq9", "1").item("item9").safety


@pytest.mark.parametrize(
    "changes",
    [
        {"required": False},  # a file that marks nothing required
        {"show_if": {"item1": 3}},  # a file that hides it behind a condition
        {"required": False, "show_if": {"item1": 3}},
    ],
)
def test_a_loaded_phq9_cannot_make_item9_skippable(changes):
    with pytest.raises(AnswerError) as refused:
        validate_answers(with_safety(weakened(**changes)), ANSWERS_WITHOUT_ITEM9)
    assert set(refused.value.errors) == {"item9"}


def test_any_item_a_definition_marks_as_safety_is_required_even_when_optional():
    closing = get_instrument("closing")
    item = closing.items[0].model_copy(update={"type": "yesno", "required": False, "safety": True})
    instrument = closing.model_copy(update={"items": (item,)})
    with pytest.raises(AnswerError):
        validate_answers(instrument, {})
    assert validate_answers(instrument, {item.key: 0}) == {item.key: 0}
