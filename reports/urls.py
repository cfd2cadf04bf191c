from django.urls import path

from reports import export_views, views

urlpatterns = [
    path("", views.report, name="reports"),
    path("refresh/", views.refresh, name="reports-refresh"),
    path("definitions/", views.definitions, name="reports-definitions"),
    # Exports (reports/export_views.py, docs/reports-exports.md).
    path("exports/", export_views.export_start, name="reports-export-start"),
    path("exports/summary.csv", export_views.summary_csv, name="reports-export-summary-csv"),
    path("exports/monthly/", export_views.schedule, name="reports-export-schedule"),
    path("exports/<int:job_id>/", export_views.job_page, name="reports-job"),
    path("exports/<int:job_id>/status/", export_views.job_status, name="reports-job-status"),
    path("exports/<int:job_id>/cancel/", export_views.job_cancel, name="reports-job-cancel"),
    path("exports/<int:job_id>/download/", export_views.job_download, name="reports-job-download"),
]
