"""Every registered pillar's risk rules, and running them: pure, no database."""

from collections.abc import Mapping
from typing import Any

from care.pillars import all_pillars
from risk.facts import EpisodeFacts, Finding, Rule


def all_rules() -> list[Rule]:
    """Every registered pillar's rules, in pillar order."""
    return [r for pillar in all_pillars() for r in pillar.rules]


def rule_by_id() -> dict[str, Rule]:
    return {r.id: r for r in all_rules()}


def run_rules(facts: EpisodeFacts, overrides: Mapping[str, Any] | None = None) -> dict[str, Finding]:
    """Pure: the findings of every enabled rule for these facts, by rule id."""
    found: dict[str, Finding] = {}
    for r in all_rules():
        params = r.params_for(overrides)
        if not params.get("enabled", True):
            continue
        finding = r.evaluate(facts, params)
        if finding is not None:
            found[r.id] = finding
    return found
