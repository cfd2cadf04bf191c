"""Report exports in a real browser: the admin filters the report, starts an export, watches its progress
bar reach 100% and downloads it; axe finds nothing serious or critical. With ATTUNE_SCREENSHOTS=1 the
pages are saved at 390 and 1280 px."""

import csv
import io
from pathlib import Path

import pytest

from reports import jobs
from reports.models import ReportJob
from tests.browser.conftest import (
    SCREENSHOTS,
    screenshot,
    screenshots_wanted,
    serious_accessibility_violations,
    sign_in,
)
from tests.reports.factories import export_clinic

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    settings.REPORTS_EXPORT_DIR = tmp_path / "exports"
    return settings.REPORTS_EXPORT_DIR


def test_the_admin_filters_exports_watches_the_progress_and_downloads(page, live_server):
    # Given a clinic with fourteen clients, and its admin signed in on the report page
    seeded = export_clinic()
    sign_in(page, live_server, "exports-admin")
    page.goto(f"{live_server.url}/reports/")

    # When they choose a period and a payer, and show it
    page.get_by_label("From").fill("2026-01")
    page.get_by_label("To").fill("2026-11")
    page.get_by_label("Payer").select_option("Aetna")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/reports/?*payer=Aetna*")

    # And start a record-level export (de-identified, CSV)
    exports = page.locator("#exports")
    exports.get_by_label("What", exact=True).select_option("records")
    exports.get_by_label("Format", exact=True).select_option("csv")
    exports.get_by_role("button", name="Start export").click()

    # Then the export's page shows its progress bar at 100% and the rows done, and a download
    page.wait_for_url("**/reports/exports/*/")
    bar = page.locator("[data-job-bar]")
    page.wait_for_function("document.querySelector('[data-job-bar]').value === 100")
    assert "56 of 56 rows" in page.locator(".export-job").inner_text()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "reports-export-job", widths=(390, 1280))

    with page.expect_download() as download:
        page.locator("[data-job-download]").click()
    text = Path(download.value.path()).read_text(encoding="utf-8").lstrip("\ufeff")
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == 56 and {r["payer"] for r in table} == {"Aetna"}
    assert not [s for s in seeded["secrets"] if s in text]
    assert bar.get_attribute("max") == "100"

    # When a larger export is still running as they come back to the report
    running = ReportJob.objects.create(
        clinic=seeded["clinic"],
        requested_by=seeded["admin"],
        kind="records",
        format="xlsx",
        params=ReportJob.objects.get().params,
        status=ReportJob.Status.RUNNING,
        rows_done=14,
        rows_total=56,
    )
    page.goto(f"{live_server.url}/reports/#exports")
    row = page.locator(f"[data-job-status$='/{running.pk}/status/']")
    assert row.locator("[data-job-percent]").inner_text() == "25"
    assert row.locator("[data-job-cancel]").is_visible()
    screenshot(page, "reports-exports-running", widths=(390, 1280))
    if screenshots_wanted():  # the panel alone, readable at a glance
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.locator("#exports").screenshot(path=str(SCREENSHOTS / f"reports-exports-panel-{width}.png"))

    # Then the bar follows it to 100% as the worker finishes, without a reload, and offers the file
    ReportJob.objects.filter(pk=running.pk).update(status=ReportJob.Status.QUEUED)
    assert jobs.job_run(running.pk) == "done"
    row.locator("[data-job-download]").wait_for()
    assert row.locator("[data-job-bar]").get_attribute("value") == "100"
    assert row.locator("[data-job-percent]").inner_text() == "100"
    assert serious_accessibility_violations(page) == []
