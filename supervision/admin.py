"""A clinic's own signal thresholds for the supervision indicators, checked before they are saved. The
pulse and the supervision notes have no admin page: they are private to the people they concern."""

from django import forms
from django.contrib import admin

from supervision import signals as sig
from supervision.models import SignalSettings


class SignalSettingsForm(forms.ModelForm):
    class Meta:
        model = SignalSettings
        fields = ["clinic", "overrides"]
        help_texts = {
            "overrides": 'Overrides of the defaults, by indicator, e.g. {"caseload": {"red": 1.2}, '
            '"cancellations": {"amber": 0.15}} (see docs/supervision.md).',
        }

    def clean_overrides(self):
        overrides = self.cleaned_data.get("overrides") or {}
        try:
            sig.thresholds(overrides)
        except sig.SignalSettingsError as problem:
            raise forms.ValidationError(str(problem)) from problem
        return overrides


@admin.register(SignalSettings)
class SignalSettingsAdmin(admin.ModelAdmin):
    form = SignalSettingsForm
    list_display = ["clinic"]
