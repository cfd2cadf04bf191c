"""Strict JSON fields: a value of the wrong JSON type is refused, never coerced ("20" is not 20, 1 is not
true, 20 is not "20"), and dates stay within bounds a clinic's schedule can have."""

import datetime as dt
from typing import Any

from django.utils import timezone
from rest_framework import serializers

EARLIEST_DATE = dt.date(1900, 1, 1)
# Far enough for any referral, intake or end date; 9999-12-31 is a placeholder, not a date.
LATEST_DATE = dt.date(2100, 12, 31)
# Appointments: from ten years back (history imports) to two years ahead.
APPOINTMENT_PAST = dt.timedelta(days=3660)
APPOINTMENT_FUTURE = dt.timedelta(days=731)


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictEmailField(serializers.EmailField):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictChoiceField(serializers.ChoiceField):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid_choice", input=str(data)[:50])
        return super().to_internal_value(data)


class BoundedDateField(serializers.DateField):
    """An ISO date (YYYY-MM-DD, a string) between 1900-01-01 and 2100-12-31."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("input_formats", ["iso-8601"])
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> dt.date:
        if not isinstance(value, str) or len(value) != 10:
            raise serializers.ValidationError("Give a date as YYYY-MM-DD.")
        date = super().to_internal_value(value)
        if not EARLIEST_DATE <= date <= LATEST_DATE:
            raise serializers.ValidationError("Give a date between 1900-01-01 and 2100-12-31.")
        return date


class AppointmentTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time with its UTC offset, from ten years back to two years ahead."""

    def to_internal_value(self, value: Any) -> dt.datetime:
        if not isinstance(value, str) or len(value) > 40:
            raise serializers.ValidationError("Give a date-time as ISO 8601 with its offset.")
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise serializers.ValidationError("Give a date-time as ISO 8601 with its offset.") from None
        if parsed.tzinfo is None:
            raise serializers.ValidationError("Give the time's UTC offset, e.g. 2026-12-01T09:00:00-05:00.")
        now = timezone.now()
        try:
            in_range = now - APPOINTMENT_PAST <= parsed <= now + APPOINTMENT_FUTURE
        except OverflowError:
            in_range = False
        if not in_range:
            raise serializers.ValidationError("Give a time within ten years back and two years ahead.")
        return parsed


def clean_text(value: str) -> None:
    """Refuse control characters (a NUL is refused already by DRF's own validator)."""
    if any(0 < ord(ch) < 32 and ch != "\t" for ch in value):
        raise serializers.ValidationError("Control characters are not allowed.")
