"""Attendance, check-in links and reminders, the client's form, the clinician's session page."""

from django.apps import AppConfig


class CheckinConfig(AppConfig):
    name = "checkin"
