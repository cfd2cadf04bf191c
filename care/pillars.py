"""The registry through which a pillar app plugs into the check-in and the risk engine.

`care` imports no pillar app: each pillar registers itself from its AppConfig.ready(), so adding a
fifth pillar touches one folder."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Pillar:
    key: str
    label: str
    order: int
    # Instrument keys that make up this pillar's section of the client's check-in, in order.
    instruments: tuple[str, ...]
    # Risk rules: pure functions from an episode's facts to findings (see risk.engine).
    rules: tuple[Callable[..., Any], ...] = field(default=())
    # Extra template context for the clinician's client page (the pillar's own forms), given the page.
    client_page: Callable[[Any], dict[str, Any]] | None = None


_pillars: dict[str, Pillar] = {}


def register(pillar: Pillar) -> None:
    _pillars[pillar.key] = pillar


def all_pillars() -> list[Pillar]:
    return sorted(_pillars.values(), key=lambda p: p.order)


def get_pillar(key: str) -> Pillar:
    return _pillars[key]


def client_page_context(page: Any) -> dict[str, Any]:
    """What every pillar adds to the clinician's client page."""
    context: dict[str, Any] = {}
    for pillar in all_pillars():
        if pillar.client_page is not None:
            context.update(pillar.client_page(page))
    return context
