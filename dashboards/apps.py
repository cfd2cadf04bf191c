"""The read side: caseload, client page, charts, supervision, the client's own page."""

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
