"""The 12 weeks the indicators cover: Monday to Monday in the clinic's time zone. Pure."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

WEEKS = 12


@dataclass(frozen=True)
class Weeks:
    bounds: tuple[dt.datetime, ...]  # WEEKS + 1 aware datetimes: each week's start, then the last one's end
    now: dt.datetime
    tz: ZoneInfo

    @property
    def start(self) -> dt.datetime:
        return self.bounds[0]

    @property
    def end(self) -> dt.datetime:
        return self.bounds[-1]

    def last_days(self, date: dt.date) -> list[dt.date]:
        """The last local day of each week, this week's being `date` (today)."""
        ends = [(b - dt.timedelta(days=1)).date() for b in self.bounds[1:]]
        return ends[:-1] + [date]

    def labels(self) -> list[str]:
        return [b.date().isoformat() for b in self.bounds[:-1]]


def weeks_ending(now: dt.datetime, time_zone: str, count: int = WEEKS) -> Weeks:
    """`count` weeks, the last being the week that holds `now`. Boundaries are local midnights, so a
    change of clock falls inside a week, never across its edge."""
    tz = ZoneInfo(time_zone)
    today = now.astimezone(tz).date()
    monday = today - dt.timedelta(days=today.weekday())
    first = monday - dt.timedelta(weeks=count - 1)
    bounds = tuple(
        dt.datetime.combine(first + dt.timedelta(weeks=i), dt.time(), tzinfo=tz) for i in range(count + 1)
    )
    return Weeks(bounds=bounds, now=now, tz=tz)
