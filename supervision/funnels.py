"""The team's funnel plots: early dropout, and the share of sessions below the relationship cutoff."""

from dataclasses import dataclass

from django.http import Http404

from care.models import User
from supervision import charts
from supervision.indicators import TeamIndicators, team_indicators
from supervision.selectors import own_clinician, supervisees_of

MIN_N_BELOW = 20  # scored check-ins before a clinician's point is drawn


@dataclass(frozen=True)
class Funnel:
    key: str
    title: str
    rate: float | None
    min_n: int
    figure: dict | None
    too_few: tuple[str, ...]  # clinicians under the minimum n, named so the page can say why


@dataclass(frozen=True)
class FunnelPage:
    team: TeamIndicators
    funnels: tuple[Funnel, ...]


def _funnel(
    key: str, title: str, pairs: dict[str, tuple[int, int]], clinic: tuple[int, int], min_n: int
) -> Funnel:
    rate = clinic[1] / clinic[0] if clinic[0] else None
    points = [charts.FunnelPoint(label, events, n) for label, (n, events) in pairs.items()]
    too_few = tuple(pt.label for pt in points if pt.n < min_n)
    figure = charts.funnel_figure(title, points, p=rate, min_n=min_n) if rate is not None else None
    return Funnel(key, title, rate, min_n, figure, too_few)


def funnel_page_read(user: User) -> FunnelPage:
    if user.role != User.Role.SUPERVISOR:
        raise Http404("Not found")
    me = own_clinician(user)
    team = team_indicators(list(supervisees_of(user)), me.clinic)
    min_dropout = int(team.thresholds["dropout"]["min_n"])
    funnels = [
        _funnel(
            "dropout",
            "Early dropout, episodes opened in the last 90 days",
            {str(r.clinician): r.dropout for r in team.rows},
            team.clinic_dropout,
            min_dropout,
        )
    ]
    if team.cutoff is not None:
        funnels.append(
            _funnel(
                "below",
                "Check-ins below the relationship cutoff, last 90 days",
                {str(r.clinician): r.below_cutoff for r in team.rows},
                team.clinic_below,
                MIN_N_BELOW,
            )
        )
    return FunnelPage(team, tuple(funnels))
