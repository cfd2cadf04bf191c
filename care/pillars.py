"""The registry through which a pillar app plugs into the check-in, the risk engine and the pages.

Nothing below a pillar imports one: each pillar registers itself from its AppConfig.ready(), and the
check-in, the risk engine, the client page and the session page ask this registry what each pillar
brings. Adding a fifth pillar touches one folder (and one line of config/urls.py for its own pages)."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Pillar:
    key: str
    label: str
    order: int
    # Instrument keys that make up this pillar's section of the client's check-in, in order.
    instruments: tuple[str, ...]
    # Risk rules: pure functions from an episode's facts to findings (see risk.facts).
    rules: tuple[Callable[..., Any], ...] = field(default=())
    # The pillar's own facts for the rules: given the episodes' spine facts (risk.facts.EpisodeFacts),
    # returns {episode id: frozen facts}, loaded in a constant number of queries however many episodes.
    facts: Callable[[Sequence[Any]], Mapping[int, Any]] | None = None
    # Extra template context for the clinician's client page (the pillar's own forms), given the page.
    client_page: Callable[[Any], dict[str, Any]] | None = None
    # The pillar's cards on the clinician's session page, given the requesting user and the session
    # (loaded through care.access, so the user may see it): see session_page_widgets.
    session_widgets: Callable[[Any, Any], list["SessionWidget"]] | None = None


@dataclass(frozen=True)
class SessionWidget:
    """One card a pillar adds to the clinician's session page: the page includes `template` with
    `widget` bound to `context`. The pillar decides what the user may do there (care.access)."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


_pillars: dict[str, Pillar] = {}


def register(pillar: Pillar) -> None:
    _pillars[pillar.key] = pillar


def unregister(key: str) -> None:
    """Take a pillar out again (tests that plug in a pillar of their own)."""
    _pillars.pop(key, None)


def all_pillars() -> list[Pillar]:
    return sorted(_pillars.values(), key=lambda p: p.order)


def client_page_context(page: Any) -> dict[str, Any]:
    """What every pillar adds to the clinician's client page."""
    context: dict[str, Any] = {}
    for pillar in all_pillars():
        if pillar.client_page is not None:
            context.update(pillar.client_page(page))
    return context


def session_page_widgets(user: Any, session: Any) -> list[SessionWidget]:
    """Every pillar's cards for the clinician's session page, in pillar order."""
    return [
        widget
        for pillar in all_pillars()
        if pillar.session_widgets is not None
        for widget in pillar.session_widgets(user, session)
    ]
