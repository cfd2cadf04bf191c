"""The report page's filters: whole months, the clinic's own programs, payers and clinicians."""

import datetime as dt
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from care.models import Clinic
from clinicians.models import Clinician
from reports.facts import add_months
from reports.filters import ReportFilters
from reports.models import EpisodeFact

MAX_MONTHS = 120  # ten years: the page stays one screen of sparklines


class MonthField(forms.Field):
    """A calendar month typed as YYYY-MM (what <input type="month"> sends)."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-01", "maxlength": 7})

    def to_python(self, value):
        value = str(value or "").strip()
        if not value:
            return None
        if len(value) > 7:
            raise forms.ValidationError(_("Enter a month as YYYY-MM, for example 2026-01."))
        try:
            year, month = (int(part) for part in value.split("-"))
            return dt.date(year, month, 1)
        except (ValueError, TypeError):
            raise forms.ValidationError(_("Enter a month as YYYY-MM, for example 2026-01.")) from None


class ReportFilterForm(forms.Form):
    start = MonthField(label=_("From"), required=False)
    end = MonthField(label=_("To"), required=False)
    program = forms.TypedChoiceField(label=_("Program"), required=False, coerce=int, empty_value=None)
    payer = forms.ChoiceField(label=_("Payer"), required=False)
    clinician = forms.TypedChoiceField(label=_("Clinician"), required=False, coerce=int, empty_value=None)
    instrument = forms.ChoiceField(
        label=_("Instrument"),
        required=False,
        choices=[("", _("PHQ-9 and GAD-7")), ("phq9", "PHQ-9"), ("gad7", "GAD-7")],
    )
    age = forms.ChoiceField(
        label=_("Age at start"),
        required=False,
        choices=[("", _("All ages")), ("adult", _("Adults (18+)")), ("adolescent", _("Adolescents (12–17)"))],
    )

    def __init__(self, clinic: Clinic, today: dt.date, *args, **kwargs):
        default = ReportFilters.last_twelve_months(today)
        kwargs.setdefault("initial", {"start": f"{default.start:%Y-%m}", "end": f"{default.end:%Y-%m}"})
        super().__init__(*args, **kwargs)
        self.today = today
        everyone = [("", _("All"))]
        self._choices("program").choices = everyone + [(p.pk, p.name) for p in clinic.programs.all()]
        payers = (
            EpisodeFact.objects.filter(clinic=clinic)
            .exclude(payer="")
            .values_list("payer", flat=True)
            .distinct()
            .order_by("payer")
        )
        self._choices("payer").choices = everyone + [(p, p) for p in payers]
        self._choices("clinician").choices = everyone + [
            (c.pk, str(c.user)) for c in Clinician.objects.filter(clinic=clinic).select_related("user")
        ]

    def _choices(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])

    def clean(self):
        data = super().clean() or {}
        default = ReportFilters.last_twelve_months(self.today)
        start, end = data.get("start") or default.start, data.get("end") or default.end.replace(day=1)
        if start > end:
            self.add_error("end", _("The period must end after it starts."))
        elif end > self.today.replace(day=1):
            self.add_error("end", _("The period cannot end after this month."))
        elif add_months(start, MAX_MONTHS) <= end:
            self.add_error("start", _("Choose at most ten years."))
        data["start"], data["end"] = start, end
        return data

    def filters(self) -> ReportFilters:
        """The filters asked for, or the last twelve months when the form has errors."""
        if not self.is_valid():
            return ReportFilters.last_twelve_months(self.today)
        data = self.cleaned_data
        return ReportFilters(
            start=data["start"],
            end=add_months(data["end"], 1) - dt.timedelta(days=1),
            program_id=data.get("program"),
            payer=data.get("payer") or "",
            clinician_id=data.get("clinician"),
            instrument=data.get("instrument") or "",
            age=data.get("age") or "",
        )
