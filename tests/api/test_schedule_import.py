"""Schedule import: template, dry-run preview, per-row errors with line numbers, idempotent commit."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.models import ImportedAppointment
from care.models import AuditEvent, Client, Session

pytestmark = pytest.mark.django_db


def _csv(clinic_setup, *rows: str) -> bytes:
    clinician = clinic_setup["clinician"].user.username
    program = clinic_setup["episode"].program.name
    header = "client_id,given_name,family_name,email,clinician,program,start,end\n"
    return (header + "".join(r.format(c=clinician, p=program) + "\n" for r in rows)).encode()


GOOD = [
    "MRN-500,Ana,Ruiz,ana@example.org,{c},{p},2026-12-07 10:00,2026-12-07 10:50",
    "MRN-500,Ana,Ruiz,ana@example.org,{c},{p},2026-12-14 10:00,2026-12-14 10:50",
    "MRN-501,Ben,Okafor,,{c},{p},2026-12-08 09:00,2026-12-08 09:50",
]


def _post(client, content: bytes, action: str = "preview"):
    if action == "preview":
        return client.post(
            "/api/import/", {"action": "preview", "file": SimpleUploadedFile("s.csv", content)}
        )
    return client.post("/api/import/", {"action": "commit", "content": content.decode()})


def test_the_template_downloads_with_every_column(client, clinic_setup):
    client.force_login(clinic_setup["admin"])
    response = client.get("/api/import/template.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert (
        response.content.decode().splitlines()[0]
        == "client_id,given_name,family_name,email,clinician,program,start,end"
    )


def test_dry_run_previews_and_writes_nothing(client, clinic_setup):
    client.force_login(clinic_setup["admin"])
    sessions_before = Session.objects.count()
    response = _post(client, _csv(clinic_setup, *GOOD))
    assert response.status_code == 200
    assert "3 new appointments" in response.content.decode()
    assert Session.objects.count() == sessions_before
    assert not Client.objects.filter(external_id="MRN-500").exists()


def test_commit_then_the_same_file_again_changes_nothing(client, clinic_setup):
    client.force_login(clinic_setup["admin"])
    content = _csv(clinic_setup, *GOOD)
    sessions_before = Session.objects.count()
    done = _post(client, content, "commit")
    assert "Imported 3 appointments." in done.content.decode()
    assert Session.objects.count() == sessions_before + 3
    ana = Client.objects.get(clinic=clinic_setup["clinic"], external_id="MRN-500")
    assert [s.number for s in Session.objects.filter(episode__client=ana).order_by("number")] == [1, 2]
    assert AuditEvent.objects.filter(detail__schedule_import=3).exists()
    preview = _post(client, content).content.decode()
    assert "0 new appointments" in preview and "already imported" in preview
    again = _post(client, content, "commit")
    assert "Imported 0 appointments." in again.content.decode()
    assert Session.objects.count() == sessions_before + 3
    assert ImportedAppointment.objects.count() == 3


def test_errors_name_their_line_and_column_and_nothing_is_imported(client, clinic_setup):
    client.force_login(clinic_setup["admin"])
    content = _csv(
        clinic_setup,
        GOOD[0],
        "MRN-502,Cy,Lee,,nobody,{p},2026-12-07 10:00,2026-12-07 10:50",
        "MRN-503,Di,Ng,,{c},{p},07/12/2026 10:00,2026-12-07 10:50",
        "MRN-504,Ed,Po,,{c},{p},9999-12-31 10:00,9999-12-31 10:50",
    )
    response = _post(client, content, "commit")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Line 3 · <code>clinician</code>" in page
    assert "Line 4 · <code>start</code>" in page
    assert "Line 5 · <code>start</code>" in page
    assert not Client.objects.filter(external_id="MRN-500").exists()


@pytest.mark.parametrize("content", [b"\xff\xfe\x00garbage", b"a,b\n1,2\n", b"", b'client_id\n"unterminated'])
def test_unreadable_files_are_a_message_not_a_crash(client, clinic_setup, content):
    client.force_login(clinic_setup["admin"])
    response = _post(client, content)
    assert response.status_code == 400
    assert "Line 1" in response.content.decode() or "Line 2" in response.content.decode()


def test_only_the_clinics_admin_reaches_the_import(client, clinic_setup):
    client.force_login(clinic_setup["clinician"].user)
    assert client.get("/api/import/").status_code == 404
    assert client.get("/api/import/template.csv").status_code == 404
