"""Request contracts (strict: unknown fields refused, no coercion) and response shapes (for the schema)."""

from typing import Any

from django.core.validators import RegexValidator
from rest_framework import serializers

from api.errors import CATALOGUE
from api.fields import (
    AppointmentTimeField,
    BoundedDateField,
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictEmailField,
    StrictIntegerField,
    clean_text,
)
from care.models import Client, Episode, Session

EXTERNAL_ID = r"^[A-Za-z0-9._:\-]{1,64}$"


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know: a typo in a field name is an error, not a silent no-op."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {str(k)[:64]: ["This field is not part of the request."] for k in unknown}
                )
        return super().to_internal_value(data)


def _text(max_length: int, **kwargs: Any) -> StrictCharField:
    return StrictCharField(max_length=max_length, validators=[clean_text], **kwargs)


class ClientIn(StrictSerializer):
    given_name = _text(100, required=False)
    family_name = _text(100, required=False)
    reference = _text(32, required=False)
    email = StrictEmailField(max_length=254, required=False, allow_blank=True)
    phone = _text(32, required=False, allow_blank=True)
    preferred_language = StrictChoiceField(choices=Client.Language.choices, required=False)
    date_of_birth = BoundedDateField(required=False, allow_null=True)


class ClientOut(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    reference = serializers.CharField()
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    preferred_language = serializers.ChoiceField(choices=Client.Language.choices)
    date_of_birth = serializers.DateField(allow_null=True)


class EpisodeOpenIn(StrictSerializer):
    client_external_id = StrictCharField(max_length=64, validators=[RegexValidator(EXTERNAL_ID)])
    clinician_id = StrictIntegerField(min_value=1, max_value=2**31 - 1)
    program_id = StrictIntegerField(min_value=1, max_value=2**31 - 1)
    opened_on = BoundedDateField()
    external_id = StrictCharField(max_length=64, required=False, allow_blank=True)
    payer = _text(100, required=False, allow_blank=True)
    referred_on = BoundedDateField(required=False, allow_null=True)
    intake_on = BoundedDateField(required=False, allow_null=True)


class EpisodeUpdateIn(StrictSerializer):
    clinician_id = StrictIntegerField(min_value=1, max_value=2**31 - 1, required=False)
    program_id = StrictIntegerField(min_value=1, max_value=2**31 - 1, required=False)
    external_id = StrictCharField(max_length=64, required=False, allow_blank=True)
    payer = _text(100, required=False, allow_blank=True)
    referred_on = BoundedDateField(required=False, allow_null=True)
    intake_on = BoundedDateField(required=False, allow_null=True)


class EpisodeCloseIn(StrictSerializer):
    closed_on = BoundedDateField()
    end_reason = StrictChoiceField(choices=Episode.EndReason.choices)


class EpisodeOut(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    client_id = serializers.IntegerField()
    clinician_id = serializers.IntegerField()
    program_id = serializers.IntegerField()
    payer = serializers.CharField()
    referred_on = serializers.DateField(allow_null=True)
    intake_on = serializers.DateField(allow_null=True)
    opened_on = serializers.DateField()
    closed_on = serializers.DateField(allow_null=True)
    end_reason = serializers.ChoiceField(choices=Episode.EndReason.choices, allow_null=True)


class AppointmentIn(StrictSerializer):
    episode_id = StrictIntegerField(min_value=1, max_value=2**31 - 1)
    scheduled_start = AppointmentTimeField()
    scheduled_end = AppointmentTimeField()
    external_id = StrictCharField(max_length=64, required=False, allow_blank=True)


class RescheduleIn(StrictSerializer):
    scheduled_start = AppointmentTimeField()
    scheduled_end = AppointmentTimeField()


class CancelIn(StrictSerializer):
    cancelled_by = StrictChoiceField(choices=[("client", "client"), ("clinician", "clinician")])


ATTENDANCE_CHOICES = [
    (Session.Attendance.ATTENDED.value, "attended"),
    (Session.Attendance.LATE_START.value, "late_start"),
    (Session.Attendance.NO_SHOW.value, "no_show"),
]


class AttendanceIn(StrictSerializer):
    attendance = StrictChoiceField(choices=ATTENDANCE_CHOICES)
    late_minutes = StrictIntegerField(min_value=0, max_value=240, required=False, default=0)
    next_session_booked = StrictBooleanField(required=False, allow_null=True, default=None)


class AppointmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    episode_id = serializers.IntegerField()
    number = serializers.IntegerField()
    scheduled_start = serializers.DateTimeField()
    scheduled_end = serializers.DateTimeField()
    attendance = serializers.ChoiceField(choices=Session.Attendance.choices)
    late_minutes = serializers.IntegerField()
    next_session_booked = serializers.BooleanField()
    checkin_status = serializers.CharField(allow_null=True)


class CheckInLinkOut(serializers.Serializer):
    appointment_id = serializers.IntegerField()
    checkin_id = serializers.IntegerField()
    url = serializers.URLField()
    tablet_code = serializers.CharField()
    expires_at = serializers.DateTimeField()


class FlagOut(serializers.Serializer):
    id = serializers.IntegerField()
    episode_id = serializers.IntegerField()
    episode_external_id = serializers.CharField()
    client_id = serializers.IntegerField()
    client_external_id = serializers.CharField()
    appointment_id = serializers.IntegerField(allow_null=True)
    pillar = serializers.CharField()
    rule = serializers.CharField()
    level = serializers.ChoiceField(choices=["red", "amber"])
    status = serializers.ChoiceField(choices=["open", "acknowledged", "repair_recorded", "resolved"])
    reasons = serializers.ListField(child=serializers.CharField())
    suggested_action = serializers.CharField()
    opened_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    changed_at = serializers.DateTimeField()


class ScoreOut(serializers.Serializer):
    id = serializers.IntegerField()
    checkin_id = serializers.IntegerField()
    appointment_id = serializers.IntegerField()
    episode_id = serializers.IntegerField()
    client_id = serializers.IntegerField()
    client_external_id = serializers.CharField()
    instrument = serializers.CharField()
    version = serializers.CharField()
    scale = serializers.CharField()
    value = serializers.FloatField()
    minimum = serializers.FloatField()
    maximum = serializers.FloatField()
    band = serializers.CharField()
    submitted_at = serializers.DateTimeField()


class FlagPage(serializers.Serializer):
    results = FlagOut(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    has_more = serializers.BooleanField()


class ScorePage(serializers.Serializer):
    results = ScoreOut(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    has_more = serializers.BooleanField()


class DirectoryEntry(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ErrorEntry(serializers.Serializer):
    code = serializers.ChoiceField(choices=sorted(CATALOGUE))
    message = serializers.CharField()
    field = serializers.CharField(allow_null=True)


class ErrorOut(serializers.Serializer):
    errors = ErrorEntry(many=True)  # type: ignore[assignment]
