"""The clinic's admin form refuses risk thresholds that do not fit the rules (risk.thresholds), with a
message naming the rule and the key, and saves nothing. It replaces the spine's Clinic admin, which
cannot know the rules (care sits below risk)."""

from django import forms
from django.contrib import admin

from care.admin import ClinicAdmin as SpineClinicAdmin
from care.models import Clinic
from risk.thresholds import ThresholdsError, validate_thresholds


class ClinicForm(forms.ModelForm):
    class Meta:
        model = Clinic
        fields = "__all__"  # noqa: DJ007 — the same fields as the spine's admin, which lists them all
        help_texts = {
            "risk_thresholds": "Overrides of the risk rules' defaults, keyed by rule id, e.g. "
            '{"relationship.low_total": {"fraction": 0.85}, "relationship.drop": {"enabled": false}} '
            "(see README, Risk rules).",
        }

    def clean_risk_thresholds(self):
        try:
            return validate_thresholds(self.cleaned_data.get("risk_thresholds"))
        except ThresholdsError as problem:
            raise forms.ValidationError(problem.messages) from problem


admin.site.unregister(Clinic)


@admin.register(Clinic)
class ClinicAdmin(SpineClinicAdmin):
    form = ClinicForm
