"""The instrument engine: definitions, scoring, outcome maths, FHIR in and out."""

from django.apps import AppConfig


class InstrumentsConfig(AppConfig):
    name = "instruments"
