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
    # Risk rules: pure functions from an episode's facts to findings (see care.risk).
    rules: tuple[Callable[..., Any], ...] = field(default=())


_pillars: dict[str, Pillar] = {}


def register(pillar: Pillar) -> None:
    _pillars[pillar.key] = pillar


def all_pillars() -> list[Pillar]:
    return sorted(_pillars.values(), key=lambda p: p.order)


def get_pillar(key: str) -> Pillar:
    return _pillars[key]
