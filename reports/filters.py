"""The report's period and filters, shared by the page, the comparison and the background exports."""

import datetime as dt
from dataclasses import asdict, dataclass

from django.db.models import Q

from reports.facts import add_months
from reports.models import EpisodeFact, EpisodeMonth


@dataclass(frozen=True)
class ReportFilters:
    """What the admin picked: whole months from `start` to `end` (inclusive) and optional filters."""

    start: dt.date
    end: dt.date
    program_id: int | None = None
    payer: str = ""
    clinician_id: int | None = None
    instrument: str = ""  # "", "phq9" or "gad7"
    age: str = ""  # "", "adult" (18 and over) or "adolescent" (12 to 17)

    def as_params(self) -> dict:
        """JSON-safe, for a background job to rebuild the same report."""
        params = asdict(self)
        params["start"], params["end"] = self.start.isoformat(), self.end.isoformat()
        return params

    @classmethod
    def from_params(cls, params: dict) -> "ReportFilters":
        values = dict(params)
        values["start"] = dt.date.fromisoformat(values["start"])
        values["end"] = dt.date.fromisoformat(values["end"])
        return cls(**values)

    @classmethod
    def last_twelve_months(cls, today: dt.date) -> "ReportFilters":
        end = _month_end(today)
        start = add_months(today.replace(day=1), -11)
        return cls(start=start, end=end)

    def months(self) -> list[dt.date]:
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = add_months(month, 1)
        return months

    def where(self, table: type[EpisodeFact] | type[EpisodeMonth]) -> Q:
        where = Q()
        if self.program_id:
            where &= Q(program_id=self.program_id)
        if self.payer:
            where &= Q(payer=self.payer)
        if self.clinician_id:
            where &= Q(clinician_id=self.clinician_id)
        if self.age:
            ages = (
                Q(age_at_start__gte=18)
                if self.age == "adult"
                else Q(age_at_start__gte=12, age_at_start__lt=18)
            )
            where &= ages
        return where


def _month_end(day: dt.date) -> dt.date:
    return add_months(day.replace(day=1), 1) - dt.timedelta(days=1)
