"""The registry through which a pillar app plugs into the check-in, the risk engine and the pages.

Nothing below a pillar imports one: each pillar registers itself from its AppConfig.ready(), and the
check-in, the risk engine, the client page and the session page ask this registry what each pillar
brings. Adding a fifth pillar touches one folder (and one line of config/urls.py for its own pages)."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the types only: the registry is imported while apps are still loading
    from django.utils.functional import Promise

    from care.models import Client, Clinic, Episode, Score, Session


@dataclass(frozen=True)
class Pillar:
    key: str
    label: "str | Promise"  # a lazily translated label
    order: int
    # Instrument keys that make up this pillar's section of the client's check-in, in order.
    instruments: tuple[str, ...]
    # Risk rules (risk.facts.Rule, typed loosely here: the spine imports no layer above it).
    rules: tuple[Any, ...] = field(default=())
    # The pillar's own facts for the rules: given the episodes' spine facts (risk.facts.EpisodeFacts),
    # returns {episode id: frozen facts}, loaded in a constant number of queries however many episodes.
    facts: Callable[[Sequence[Any]], Mapping[int, Any]] | None = None
    # The pillar's part of the clinician's client page and of the client's own page, for one episode: it
    # loads its own rows (a constant number of queries, never one per session) and returns its cards,
    # charts, summary lines and notes on each session. See client_page_contributions.
    client_page: Callable[["ClientPageInput"], "ClientPageContribution"] | None = None
    # The caseload's trend column, if this pillar's score is the one to follow (see CaseloadTrend).
    caseload_trend: "CaseloadTrend | None" = None
    # The pillar's cards on the clinician's session page, given the requesting user and the session
    # (loaded through care.access, so the user may see it): see session_page_widgets.
    session_widgets: Callable[[Any, Any], list["SessionWidget"]] | None = None


@dataclass(frozen=True)
class SessionWidget:
    """One card a pillar adds to the clinician's session page: the page includes `template` with
    `widget` bound to `context`. The pillar decides what the user may do there (care.access)."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


# --- The client page and the caseload ------------------------------------------------------------
# The read side (dashboards) loads the spine's rows for one episode, hands them to every pillar's
# `client_page` hook as a ClientPageInput, and lays out what comes back. It names no pillar's tables,
# templates or constants: each pillar loads its own rows (a constant number of queries for the episode,
# never one per session) and says what to show.


@dataclass(frozen=True)
class SessionRecord:
    """One session of the episode as the read side loaded it. `answers` ({instrument key: {item key:
    value}}) and `scores` ({"instrument.scale": care.models.Score}) are empty unless the client submitted
    the session's check-in."""

    session: "Session"
    date: str  # the session's local date, ISO (charts label their points with it)
    answers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    scores: Mapping[str, "Score"] = field(default_factory=dict)

    def value(self, key: str) -> float | None:
        """The score "instrument.scale" of this session's check-in, if it has one."""
        score = self.scores.get(key)
        return score.value if score is not None else None


@dataclass(frozen=True)
class ClientPageInput:
    """What every pillar is handed for one episode, already scoped to the reader: a clinician or
    supervisor through care.access, or the client through their own link (`for_client`)."""

    client: "Client"  # with its clinic loaded
    episode: "Episode"
    sessions: Sequence[SessionRecord]  # in session order
    for_client: bool = False  # the client's own page: plain words, nothing only the clinician sees
    may_write: bool = False  # the reader holds the episode (care.access.may_write): show the forms


@dataclass(frozen=True)
class Section:
    """A card of the pillar's own. The page includes `template` with `section` bound to `context`,
    under the heading `title`, anchored at #`key`."""

    key: str
    title: str
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Figure:
    """A chart: a JSON-safe Plotly figure dict, built by a pure function (see instruments.charts)."""

    key: str
    figure: dict[str, Any]
    wide: bool = False  # spans the whole chart grid on a wide screen
    tall: bool = False  # several panels, stacked on a phone: the page reserves their height
    # Place among the page's charts, lowest first: the read side puts the outcome measures at 20 (side by
    # side on a wide screen) and the attendance timeline at 90.
    order: int = 50


@dataclass(frozen=True)
class SessionNote:
    """What a pillar adds to one session in the session-by-session list: a short `chip` on its summary
    line, and a titled list of (label, value) `rows` with an optional (label, text) `remark` in its
    body. Plain text: the list escapes everything."""

    chip: str = ""
    title: str = ""
    rows: tuple[tuple[str, str], ...] = ()
    remark: tuple[str, str] | None = None


@dataclass(frozen=True)
class ClientPageContribution:
    """A pillar's part of the client page: its cards, its charts, its lines under "What's working" and
    "What isn't" (for the client: how it's going, in their words), and notes by session id."""

    sections: tuple[Section, ...] = ()
    figures: tuple[Figure, ...] = ()
    working: tuple[str, ...] = ()
    not_working: tuple[str, ...] = ()
    session_notes: Mapping[int, tuple[SessionNote, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseloadTrend:
    """The score the caseload draws as each client's sparkline, from the last sessions' check-ins.
    The first pillar (in order) that registers one owns the caseload's trend column."""

    instrument: str
    scale: str
    label: "str | Promise"  # the column's heading (lazy: translated per request)
    values_label: "str | Promise"  # what a screen reader hears before the values, oldest first
    low: float  # the sparkline's floor
    high: float  # and its ceiling: the scale's maximum
    cutoff: Callable[["Clinic"], float] | None = None  # the clinic's own line across the sparkline


_pillars: dict[str, Pillar] = {}


def register(pillar: Pillar) -> None:
    _pillars[pillar.key] = pillar


def unregister(key: str) -> None:
    """Take a pillar out again (tests that plug in a pillar of their own)."""
    _pillars.pop(key, None)


def all_pillars() -> list[Pillar]:
    return sorted(_pillars.values(), key=lambda p: p.order)


def client_page_contributions(view: ClientPageInput) -> list[ClientPageContribution]:
    """Every pillar's part of the client page for one episode, in pillar order."""
    return [pillar.client_page(view) for pillar in all_pillars() if pillar.client_page is not None]


def session_page_widgets(user: Any, session: Any) -> list[SessionWidget]:
    """Every pillar's cards for the clinician's session page, in pillar order."""
    return [
        widget
        for pillar in all_pillars()
        if pillar.session_widgets is not None
        for widget in pillar.session_widgets(user, session)
    ]
