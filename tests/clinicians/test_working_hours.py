"""Declared working hours: a day that ends after it starts, weekdays as ISO digits, FTE within 0.1–1."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from tests.clinicians.factories import ClinicianFactory

pytestmark = pytest.mark.django_db


def test_the_defaults_are_monday_to_friday_nine_to_five_full_time_with_the_pulse_private():
    c = ClinicianFactory()
    assert (c.workday_start, c.workday_end, c.work_days, c.fte, c.pulse_shared) == (
        dt.time(9),
        dt.time(17),
        "12345",
        Decimal("1.00"),
        False,
    )


def test_a_working_day_must_end_after_it_starts():
    with pytest.raises(IntegrityError):
        ClinicianFactory(workday_start=dt.time(17), workday_end=dt.time(9))


@pytest.mark.parametrize(
    ("field", "value", "valid"),
    [
        ("work_days", "12345", True),
        ("work_days", "67", True),
        ("work_days", "0", False),
        ("work_days", "8", False),
        ("work_days", "١٢٣", False),  # non-ASCII digits
        ("work_days", "", False),
        ("fte", Decimal("0.5"), True),
        ("fte", Decimal("0.05"), False),
        ("fte", Decimal("1.5"), False),
    ],
)
def test_working_days_and_fte_are_checked(field, value, valid):
    c = ClinicianFactory.build(**{field: value})
    errors = []
    try:
        c.full_clean(exclude=["user", "clinic"])
    except ValidationError as problem:
        errors = list(problem.message_dict)
    assert (field not in errors) is valid
