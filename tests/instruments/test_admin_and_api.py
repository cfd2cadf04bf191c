"""The admin's instrument pages, the load_instrument command and the FHIR API, with the personas."""

import json
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from care.models import AuditEvent, CheckIn
from instruments.library import get_instrument, instruments_for_session
from instruments.models import InstrumentDefinition
from tests.care.factories import CheckInFactory, SessionFactory, UserFactory

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fhir"
LICENSED_SRS = {
    "key": "srs",
    "version": "2026",
    "kind": "pillar",
    "validated": True,
    "title": {"en": "Session Rating Scale"},
    "licence": "Licensed to Riverside.",
    "items": [{"key": f"s{n}", "type": "scale", "text": {"en": f"Licensed item {n}"}} for n in range(1, 5)],
    "scales": [{"key": "total", "label": {"en": "Total"}, "items": ["s1", "s2", "s3", "s4"]}],
}


def upload(client, content: bytes | str, name: str = "def.yaml", **fields):
    if isinstance(content, str):
        content = content.encode()
    data = {"file": SimpleUploadedFile(name, content), "activate": "1", **fields}
    return client.post(reverse("instrument-upload"), data)


STAFF = ["owner", "colleague", "supervisor", "outsider"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", STAFF)
def test_only_the_clinic_admin_reaches_the_instrument_pages(client, personas, who):
    user = personas[who] if who == "admin" else personas[who].user
    client.force_login(user)
    row = InstrumentDefinition.objects.create(
        clinic=personas["clinic"], key="srs", version="1", definition=LICENSED_SRS
    )
    assert client.get(reverse("instrument-list")).status_code == 404
    assert upload(client, yaml.safe_dump(LICENSED_SRS)).status_code == 404
    assert client.post(reverse("instrument-set-active", args=[row.pk]), {"active": "0"}).status_code == 404
    assert client.get(reverse("instrument-download", args=[row.pk])).status_code == 404
    assert InstrumentDefinition.objects.count() == 1


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("instrument-list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_another_clinics_admin_gets_404_for_our_rows(client, personas):
    row = InstrumentDefinition.objects.create(
        clinic=personas["clinic"], key="srs", version="1", definition=LICENSED_SRS
    )
    other_admin = UserFactory(clinic=personas["outsider"].clinic, role="admin")
    client.force_login(other_admin)
    assert client.get(reverse("instrument-download", args=[row.pk])).status_code == 404
    assert client.post(reverse("instrument-set-active", args=[row.pk]), {"active": "0"}).status_code == 404
    assert InstrumentDefinition.objects.get().active is True


@pytest.mark.django_db
def test_admin_loads_a_licensed_srs_and_it_joins_the_check_in(client, personas):
    clinic = personas["clinic"]
    clinic.measure_schedule = {"srs": 1}
    clinic.save()
    # Given the shell alone, the SRS never reaches a client
    assert "srs" not in [i.key for i in instruments_for_session(clinic=clinic, session_number=1)]
    client.force_login(personas["admin"])
    # When the admin loads the clinic's licensed file
    response = upload(client, yaml.safe_dump(LICENSED_SRS), "srs.yaml")
    assert response.status_code == 302
    # Then it is stored, audited and part of the next check-in
    row = InstrumentDefinition.objects.get(clinic=clinic, key="srs")
    assert (row.version, row.active, row.loaded_by) == ("2026", True, personas["admin"])
    assert (
        AuditEvent.objects.filter(object_type="instruments.InstrumentDefinition", action="create").count()
        == 1
    )
    assert "srs" in [i.key for i in instruments_for_session(clinic=clinic, session_number=1)]
    page = client.get(reverse("instrument-list"))
    assert b"Session Rating Scale" in page.content and b"Needs your licensed file" in page.content


@pytest.mark.django_db
def test_a_new_version_is_a_new_row_and_old_check_ins_keep_theirs(client, personas):
    client.force_login(personas["admin"])
    clinic_id = personas["clinic"].pk
    upload(client, yaml.safe_dump(LICENSED_SRS))
    newer = {**LICENSED_SRS, "version": "2027", "title": {"en": "SRS 2027"}}
    upload(client, yaml.safe_dump(newer))
    # The same version again is refused, not overwritten
    again = upload(client, yaml.safe_dump({**LICENSED_SRS, "title": {"en": "Changed"}}))
    assert again.status_code == 400 and b"already loaded" in again.content
    assert get_instrument("srs", clinic_id=clinic_id).version == "2027"
    assert get_instrument("srs", "2026", clinic_id=clinic_id).title == {"en": "Session Rating Scale"}
    # Switching the old one back on leaves exactly one active
    old = InstrumentDefinition.objects.get(version="2026")
    client.post(reverse("instrument-set-active", args=[old.pk]), {"active": "1"})
    assert list(InstrumentDefinition.objects.filter(active=True).values_list("version", flat=True)) == [
        "2026"
    ]
    assert AuditEvent.objects.filter(action="update", object_id=str(old.pk)).exists()


@pytest.mark.django_db
def test_admin_imports_a_fhir_questionnaire(client, personas):
    client.force_login(personas["admin"])
    text = (FIXTURES / "researchkitonfhir-gad7-questionnaire.json").read_text()
    response = upload(client, text, "gad7.json", key="gad7", version="rk1")
    assert response.status_code == 302
    gad7 = get_instrument("gad7", clinic_id=personas["clinic"].pk)
    assert gad7.version == "rk1" and gad7.item("item7").link_id


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "fields", "message"),
    [
        (b"{not json", "x.json", {}, b"not valid JSON or YAML"),
        (b"\xff\xfe\x00bad", "x.yaml", {}, b"not UTF-8"),
        (b"- a\n- list\n", "x.yaml", {}, b"one instrument definition"),
        (b'{"resourceType": "Patient"}', "x.json", {}, b"not an instrument"),
        (b"key: x\nversion: '1'\nkind: outcome\ntitle: {en: X}\nitems: [{key: a, type: choice, text: {en: A}}]\n", "x.yaml", {}, b"needs options"),
        (yaml.safe_dump({**LICENSED_SRS, "key": "phq9"}).encode(), "x.yaml", {}, b"must keep the items"),
        (yaml.safe_dump({**LICENSED_SRS, "items": [], "scales": [], "requires_licence_file": True}).encode(), "x.yaml", {}, b"licence shell"),
        (b'{"resourceType": "Questionnaire", "status": "draft", "item": [{"linkId": "a", "type": "choice", "answerValueSet": "http://x/vs"}]}', "q.json", {}, b"not inside this file"),
        (b"[" * 10000 + b"]" * 10000, "deep.json", {}, b"nested too deeply"),
    ],
)  # fmt: skip
def test_bad_files_get_a_clear_400_never_a_500(client, personas, content, name, fields, message):
    client.force_login(personas["admin"])
    response = upload(client, content, name, **fields)
    assert response.status_code == 400
    assert message in response.content
    assert not InstrumentDefinition.objects.exists()


@pytest.mark.django_db
def test_upload_without_a_file_is_a_400(client, personas):
    client.force_login(personas["admin"])
    response = client.post(reverse("instrument-upload"), {"activate": "1"})
    assert response.status_code == 400 and b"Choose a definition file" in response.content


@pytest.mark.django_db
def test_downloads_are_valid_questionnaires(client, personas):
    client.force_login(personas["admin"])
    response = client.get(reverse("instrument-builtin-download", args=["phq9"]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["code"][0]["code"] == "44249-1"
    assert client.get(reverse("instrument-builtin-download", args=["nope"])).status_code == 404


@pytest.mark.django_db
def test_load_instrument_command(tmp_path, personas):
    path = tmp_path / "srs.yaml"
    path.write_text(yaml.safe_dump(LICENSED_SRS))
    out = StringIO()
    call_command("load_instrument", str(path), "--clinic", str(personas["clinic"].pk), stdout=out)
    assert "Loaded srs v2026" in out.getvalue()
    assert AuditEvent.objects.get(action="create").actor_label == "manage.py load_instrument"
    with pytest.raises(CommandError, match="already loaded"):
        call_command("load_instrument", str(path), "--clinic", str(personas["clinic"].pk))
    with pytest.raises(CommandError, match="No clinic"):
        call_command("load_instrument", str(path), "--clinic", "999999")


# --- API --------------------------------------------------------------------------------------------


def submitted_checkin(episode) -> CheckIn:
    session = SessionFactory(episode=episode, number=1)
    return CheckInFactory(
        session=session,
        status=CheckIn.Status.SUBMITTED,
        submitted_at=session.scheduled_end,
        instrument_versions={"phq9": "1"},
        answers={"phq9": {f"item{n}": 1 for n in range(1, 10)}},
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("supervisor", 200), ("colleague", 404), ("outsider", 404), ("admin", 404)],
)
def test_checkin_bundle_only_for_those_who_may_see_it(client, personas, who, status):
    checkin = submitted_checkin(personas["owner_episode"])
    user = personas[who] if who == "admin" else personas[who].user
    client.force_login(user)
    response = client.get(reverse("api-checkin-fhir", args=[checkin.pk]))
    assert response.status_code == status
    reads = AuditEvent.objects.filter(object_type="care.CheckIn", object_id=str(checkin.pk))
    if status == 200:
        assert response["Cache-Control"] == "no-store"
        observation = [
            e["resource"] for e in response.json()["entry"] if e["resource"]["resourceType"] == "Observation"
        ][0]
        assert (
            observation["code"]["coding"][0]["code"] == "44261-6"
            and observation["valueQuantity"]["value"] == 9
        )
        assert reads.get().client_id == personas["owner_episode"].client_id
    else:
        assert not reads.exists()


@pytest.mark.django_db
def test_missing_checkin_and_anonymous_are_refused(client, personas):
    assert client.get(reverse("api-checkin-fhir", args=[1])).status_code in {401, 403}
    client.force_login(personas["owner"].user)
    assert client.get(reverse("api-checkin-fhir", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_instrument_questionnaire_api_uses_the_clinics_version(client, personas):
    InstrumentDefinition.objects.create(
        clinic=personas["clinic"], key="srs", version="2026", definition=LICENSED_SRS
    )
    client.force_login(personas["owner"].user)
    response = client.get(reverse("api-instrument-questionnaire", args=["srs"]))
    assert response.status_code == 200 and response.json()["version"] == "2026"
    assert client.get(reverse("api-instrument-questionnaire", args=["phq9"]) + "?version=1").json()["code"]
    assert (
        client.get(reverse("api-instrument-questionnaire", args=["phq9"]) + "?version=9").status_code == 404
    )
    # Another clinic sees only the shipped shell of the SRS, never Riverside's licensed text
    client.force_login(personas["outsider"].user)
    outsider = client.get(reverse("api-instrument-questionnaire", args=["srs"])).json()
    assert outsider["version"] == "shell" and "Licensed item" not in json.dumps(outsider)
