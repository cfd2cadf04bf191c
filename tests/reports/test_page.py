"""The report page: who reaches it, what odd input does, that the definitions document cannot drift
from the registry, and that its query count does not grow with the clinic."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from care.models import User
from reports import facts
from reports.definitions_doc import doc_path, with_definitions
from reports.models import EpisodeFact
from reports.router import ReportsReplicaRouter
from tests.care.factories import ClinicFactory, UserFactory
from tests.clinicians.factories import ClinicianFactory
from tests.reports.factories import course

pytestmark = pytest.mark.django_db

URLS = [("get", "reports"), ("get", "reports-definitions"), ("post", "reports-refresh")]


@pytest.mark.parametrize("who", ["owner", "colleague", "supervisor", "outsider"])
@pytest.mark.parametrize(("method", "name"), URLS)
def test_only_clinic_admins_reach_reports(client, personas, who, method, name):
    person = personas[who]
    client.force_login(getattr(person, "user", person))
    assert getattr(client, method)(reverse(name)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("reports"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_admin_sees_only_their_clinic(client, personas):
    other = ClinicFactory(name="Elsewhere Counselling")
    client.force_login(personas["admin"])
    page = client.get(reverse("reports"), {"clinic": other.pk}).content.decode()
    assert personas["clinic"].name in page and other.name not in page


def test_superuser_picks_a_clinic(client, db):
    first, second = ClinicFactory(name="First Clinic"), ClinicFactory(name="Second Clinic")
    root = UserFactory(clinic=None, is_superuser=True, is_staff=True, role=User.Role.ADMIN)
    client.force_login(root)
    assert "Second Clinic" in client.get(reverse("reports"), {"clinic": second.pk}).content.decode()
    assert client.get(reverse("reports"), {"clinic": "nope"}).status_code == 404
    assert first.name in client.get(reverse("reports")).content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-13"}, "Enter a month as YYYY-MM"),
        ({"start": "'; drop table"}, "Enter a month as YYYY-MM"),
        ({"start": "2026-05", "end": "2026-01"}, "must end after it starts"),
        ({"end": "2999-01"}, "cannot end after this month"),
        ({"start": "1900-01", "end": "2026-01"}, "at most ten years"),
        ({"program": "99999"}, "Select a valid choice"),
        ({"clinician": "x"}, "Select a valid choice"),
        ({"instrument": "<script>"}, "Select a valid choice"),
    ],
)
def test_odd_filters_get_a_clear_message_and_the_default_report(client, personas, query, message):
    client.force_login(personas["admin"])
    response = client.get(reverse("reports"), query)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "<script>" not in page.split("<main", 1)[1].split("</main>")[0]


def test_filters_narrow_the_figures(client, personas):
    clinician = personas["owner"]
    today = timezone.localdate()
    for payer in ("Medicaid", "Aetna", "Aetna"):
        course(
            clinician,
            opened=today - dt.timedelta(days=60),
            attended=[today - dt.timedelta(days=50)],
            payer=payer,
        )
    facts.refresh(personas["clinic"])
    client.force_login(personas["admin"])
    everyone = client.get(reverse("reports")).context["report"]
    aetna = client.get(reverse("reports"), {"payer": "Aetna"}).context["report"]

    def dropout_denominator(report):
        return next(f.denominator for f in report.figures if f.measure.key == "early_dropout")

    # The owner's and colleague's own episodes (opened 60 days ago, no payer) count too: 3 + 2.
    assert (dropout_denominator(everyone), dropout_denominator(aetna)) == (5, 2)


def test_page_queries_do_not_grow_with_the_clinic(client, personas):
    clinic, clinician = personas["clinic"], personas["owner"]
    today = timezone.localdate()
    client.force_login(personas["admin"])

    def add_courses(n):
        for i in range(n):
            start = today - dt.timedelta(days=300 + i)
            course(
                ClinicianFactory(user__clinic=clinic) if i % 3 == 0 else clinician,
                opened=start,
                phq9=[(start, 15), (start + dt.timedelta(days=150), 4)],
                gad7=[(start, 12), (start + dt.timedelta(days=150), 3)],
                closed=start + dt.timedelta(days=160),
                end_reason="mutual",
            )
        facts.refresh(clinic)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reports")).status_code == 200
        return len(queries)

    add_courses(3)
    few = count()
    add_courses(30)
    assert EpisodeFact.objects.filter(clinic=clinic).count() > 30
    assert count() == few


def test_docs_match_the_registry():
    document = doc_path().read_text(encoding="utf-8")
    assert with_definitions(document) == document, "run manage.py report_definitions"


def test_report_tables_are_read_from_the_replica_when_one_is_configured(settings):
    router = ReportsReplicaRouter()
    assert router.db_for_read(EpisodeFact) == "default"
    with override_settings(DATABASES={**settings.DATABASES, "reports": settings.DATABASES["default"]}):
        assert router.db_for_read(EpisodeFact) == "reports"
        assert router.db_for_read(User) is None  # everything else stays on the primary
        assert router.db_for_write(EpisodeFact) is None
        assert router.allow_migrate("reports", "reports") is False


def test_the_admins_menu_leads_to_reports_and_no_one_elses_does(client, personas):
    client.force_login(personas["admin"])
    assert f'href="{reverse("reports")}"' in client.get(reverse("clinic-overview")).content.decode()
    client.force_login(personas["owner"].user)
    assert f'href="{reverse("reports")}"' not in client.get(reverse("caseload")).content.decode()
