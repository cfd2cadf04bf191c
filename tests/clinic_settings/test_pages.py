"""Every settings page renders for the clinic's admin, and its forms save, refuse bad input with a clear
message (nothing saved), and write an audit event."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from care.models import AuditEvent, Clinic, Program, User
from care.text import TextError
from clinic_settings.services import clinic_update, program_add
from clinicians.models import Supervision
from instruments.models import ProgramMeasure
from tests.care.factories import ProgramFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "clinic-settings",
    "clinic-settings-people",
    "clinic-settings-supervision",
    "clinic-settings-programs",
    "clinic-settings-clinic",
    "clinic-settings-instruments",
    "clinic-settings-thresholds",
]


@pytest.mark.parametrize("name", PAGES)
def test_the_admin_sees_each_settings_page(client, admin_user, name):
    client.force_login(admin_user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert b"Clinic settings" in response.content


def test_the_admin_nav_links_to_the_settings(client, admin_user):
    client.force_login(admin_user)
    assert reverse("clinic-settings").encode() in client.get(reverse("clinic-overview")).content


def _audited(actor, object_type) -> int:
    return AuditEvent.objects.filter(actor=actor, object_type=object_type).count()


def test_clinic_settings_save_and_are_audited(client, admin_user, personas):
    client.force_login(admin_user)
    response = client.post(
        reverse("clinic-settings-clinic"),
        {
            "crisis_instructions": "Call 988 now.",
            "crisis_instructions_es": "Llame al 988 ahora.",
            "crisis_phone": "988",
            "languages": ["es"],
            "checkin_link_ttl_hours": "72",
            "checkin_reminder_after_hours": "24",
            "flag_stale_after_hours": "36",
        },
    )
    assert response.status_code == 302
    clinic = Clinic.objects.get(pk=personas["clinic"].pk)
    assert clinic.crisis_instructions_es == "Llame al 988 ahora." and clinic.crisis_phone == "988"
    assert clinic.languages == ["en", "es"]  # English always offered
    assert (clinic.checkin_link_ttl_hours, clinic.checkin_reminder_after_hours) == (72, 24)
    assert _audited(admin_user, "care.Clinic") == 1


@pytest.mark.parametrize(
    ("ttl", "remind", "message"),
    [
        ("2", "1", b"Ensure this value is greater than or equal to 12."),
        ("9999", "1", b"Ensure this value is less than or equal to 336."),
        ("48", "48", b"The reminder must come before the link stops working (48 hours)."),
        ("soon", "1", b"Enter a whole number."),
    ],
)
def test_bad_link_timing_is_refused_with_a_clear_message(client, admin_user, personas, ttl, remind, message):
    client.force_login(admin_user)
    response = client.post(
        reverse("clinic-settings-clinic"),
        {
            "crisis_instructions": "Changed text that must not be saved",
            "checkin_link_ttl_hours": ttl,
            "checkin_reminder_after_hours": remind,
            "flag_stale_after_hours": "48",
        },
    )
    assert response.status_code == 400
    assert message in response.content
    assert b"Changed text that must not be saved" in response.content  # nothing typed is lost
    clinic = Clinic.objects.get(pk=personas["clinic"].pk)
    assert clinic.crisis_instructions != "Changed text that must not be saved"
    assert _audited(admin_user, "care.Clinic") == 0


def test_overlong_crisis_text_is_refused(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("clinic-settings-clinic"),
        {
            "crisis_instructions": "x" * 2001,
            "checkin_link_ttl_hours": "96",
            "checkin_reminder_after_hours": "48",
            "flag_stale_after_hours": "48",
        },
    )
    assert response.status_code == 400
    assert b"Ensure this value has at most 2000 characters" in response.content


def test_programs_are_added_and_renamed_once_per_name(client, admin_user, personas):
    client.force_login(admin_user)
    assert (
        client.post(reverse("clinic-settings-programs"), {"name": "  Couples   therapy "}).status_code == 302
    )
    program = Program.objects.get(clinic=personas["clinic"], name="Couples therapy")
    # the same name again is refused
    again = client.post(reverse("clinic-settings-programs"), {"name": "couples therapy"})
    assert again.status_code == 400 and b"already has a program of this name" in again.content
    renamed = client.post(
        reverse("clinic-settings-program", args=[program.pk]), {"name": "Couples and family"}
    )
    assert renamed.status_code == 302
    program.refresh_from_db()
    assert program.name == "Couples and family"
    assert _audited(admin_user, "care.Program") == 2


def test_a_clinicians_caseload_and_hours_are_edited(client, admin_user, personas):
    owner = personas["owner"]
    program = ProgramFactory(clinic=personas["clinic"], name="Adults")
    client.force_login(admin_user)
    response = client.post(
        reverse("clinic-settings-person", args=[owner.user.pk]),
        {
            "caseload_target": "18",
            "fte": "0.8",
            "workday_start": "08:30",
            "workday_end": "16:30",
            "work_days": ["1", "2", "4"],
            "programs": [str(program.pk)],
        },
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.caseload_target == 18 and owner.fte == Decimal("0.80")
    assert (owner.workday_start, owner.workday_end, owner.work_days) == (
        dt.time(8, 30),
        dt.time(16, 30),
        "124",
    )
    assert list(owner.programs.all()) == [program]
    event = AuditEvent.objects.get(actor=admin_user, object_type="clinicians.Clinician")
    assert event.detail["changed"]["caseload_target"] == ["25", "18"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("caseload_target", "0", b"greater than or equal to 1"),
        ("fte", "1.5", b"less than or equal to 1.00"),
        ("workday_end", "07:00", b"The working day must end after it starts."),
    ],
)
def test_bad_caseload_settings_are_refused(client, admin_user, personas, field, value, message):
    owner = personas["owner"]
    data = {
        "caseload_target": "20",
        "fte": "1",
        "workday_start": "09:00",
        "workday_end": "17:00",
        "work_days": ["1"],
    }
    data[field] = value
    client.force_login(admin_user)
    response = client.post(reverse("clinic-settings-person", args=[owner.user.pk]), data)
    assert response.status_code == 400 and message in response.content
    owner.refresh_from_db()
    assert owner.caseload_target == 25


def test_another_clinics_program_cannot_be_given_to_a_clinician(client, admin_user, personas):
    elsewhere = ProgramFactory(clinic=personas["outsider"].clinic)
    client.force_login(admin_user)
    response = client.post(
        reverse("clinic-settings-person", args=[personas["owner"].user.pk]),
        {
            "caseload_target": "20",
            "fte": "1",
            "workday_start": "09:00",
            "workday_end": "17:00",
            "work_days": ["1"],
            "programs": [str(elsewhere.pk)],
        },
    )
    assert response.status_code == 400
    assert not personas["owner"].programs.exists()


def test_deactivate_and_reactivate(client, admin_user, personas):
    colleague = personas["colleague"].user
    client.force_login(admin_user)
    client.post(reverse("clinic-settings-person-active", args=[colleague.pk]), {"active": "0"})
    colleague.refresh_from_db()
    assert not colleague.is_active
    client.post(reverse("clinic-settings-person-active", args=[colleague.pk]), {"active": "1"})
    colleague.refresh_from_db()
    assert colleague.is_active
    assert _audited(admin_user, "care.User") == 2


def test_an_admin_cannot_deactivate_themselves(client, admin_user):
    client.force_login(admin_user)
    client.post(reverse("clinic-settings-person-active", args=[admin_user.pk]), {"active": "0"})
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_supervision_pairs_start_and_end_with_dates(client, admin_user, personas):
    supervisor, colleague = personas["supervisor"], personas["colleague"]
    client.force_login(admin_user)
    response = client.post(
        reverse("clinic-settings-supervision"),
        {"supervisor": supervisor.pk, "supervisee": colleague.pk, "started_on": "2026-11-01"},
    )
    assert response.status_code == 302
    pair = Supervision.objects.get(supervisor=supervisor, supervisee=colleague)
    assert pair.started_on == dt.date(2026, 11, 1) and pair.ended_on is None
    # the same current pair twice is refused
    again = client.post(
        reverse("clinic-settings-supervision"),
        {"supervisor": supervisor.pk, "supervisee": colleague.pk, "started_on": "2026-11-02"},
    )
    assert again.status_code == 400 and b"already current" in again.content
    # an end before the start is refused, then a good one is kept
    client.post(reverse("clinic-settings-supervision-end", args=[pair.pk]), {"ended_on": "2026-10-01"})
    pair.refresh_from_db()
    assert pair.ended_on is None
    client.post(reverse("clinic-settings-supervision-end", args=[pair.pk]), {"ended_on": "2026-12-01"})
    pair.refresh_from_db()
    assert pair.ended_on == dt.date(2026, 12, 1)
    assert _audited(admin_user, "clinicians.Supervision") == 2


def test_a_clinician_cannot_be_made_a_supervisor(client, admin_user, personas):
    client.force_login(admin_user)
    response = client.post(
        reverse("clinic-settings-supervision"),
        {
            "supervisor": personas["colleague"].pk,
            "supervisee": personas["owner"].pk,
            "started_on": "2026-11-01",
        },
    )
    assert response.status_code == 400
    assert not Supervision.objects.filter(supervisor=personas["colleague"]).exists()


def test_measures_per_program_are_stored(client, admin_user, personas):
    adults = ProgramFactory(clinic=personas["clinic"], name="Adults")
    youth = ProgramFactory(clinic=personas["clinic"], name="Youth")
    client.force_login(admin_user)
    client.post(
        reverse("clinic-settings-instruments"),
        {f"program-{adults.pk}": ["phq9", "gad7", "not-a-measure"], f"program-{youth.pk}": ["phq9"]},
    )
    stored = set(ProgramMeasure.objects.values_list("program__name", "key"))
    assert stored == {("Adults", "gad7"), ("Adults", "phq9"), ("Youth", "phq9")}
    page = client.get(reverse("clinic-settings-instruments")).content.decode()
    assert f'name="program-{adults.pk}" value="phq9" checked' in page
    assert AuditEvent.objects.filter(actor=admin_user, object_type="care.Clinic").count() == 1


def test_django_admin_is_for_superusers_only(client, admin_user, personas):
    User.objects.filter(pk=admin_user.pk).update(is_staff=True)
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 302  # to the admin's own sign-in: not for clinic admins
    root = User.objects.create_superuser("root", "root@example.org", "a long root password 123")
    client.force_login(root)
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("clinic-settings-programs", {"name": "Adults\x00"}),
        (
            "clinic-settings-clinic",
            {
                "crisis_instructions": "Call\x07 988",
                "checkin_link_ttl_hours": "96",
                "checkin_reminder_after_hours": "48",
                "flag_stale_after_hours": "48",
            },
        ),
    ],
)
def test_control_characters_are_refused_with_a_message(client, admin_user, personas, url, data):
    client.force_login(admin_user)
    response = client.post(reverse(url), data)
    assert response.status_code == 400
    assert b"characters that can&#x27;t be saved" in response.content
    assert not Program.objects.filter(name__startswith="Adults").exists()
    assert "\x07" not in Clinic.objects.get(pk=personas["clinic"].pk).crisis_instructions
    assert not AuditEvent.objects.filter(actor=admin_user).exists()


def test_crisis_text_keeps_its_line_breaks(client, admin_user, personas):
    client.force_login(admin_user)
    client.post(
        reverse("clinic-settings-clinic"),
        {
            "crisis_instructions": "Call 988.\r\nOr go to the nearest emergency room.",
            "checkin_link_ttl_hours": "96",
            "checkin_reminder_after_hours": "48",
            "flag_stale_after_hours": "48",
        },
    )
    clinic = Clinic.objects.get(pk=personas["clinic"].pk)
    assert clinic.crisis_instructions == "Call 988.\nOr go to the nearest emergency room."


def test_the_services_check_typed_words_themselves(admin_user):
    with pytest.raises(TextError):
        program_add(actor=admin_user, name="Bad\x00name")
    with pytest.raises(TextError):
        program_add(actor=admin_user, name="   ")
    with pytest.raises(TextError):
        clinic_update(actor=admin_user, values={"crisis_phone": "9" * 65})
