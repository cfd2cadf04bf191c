"""Every known risk rule, and running the engine's ones: pure, no database.

The pillars' rules come from the registry (care.pillars); the risk app adds its own, the PHQ-9 item 9
safety rule, which runs in the check-in request rather than in the engine (risk.safety)."""

from collections.abc import Mapping
from typing import cast

from care.pillars import all_pillars
from risk.facts import EpisodeFacts, Finding, Params, Rule
from risk.safety_rule import SAFETY

OWN_RULES: tuple[Rule, ...] = (SAFETY,)


def all_rules() -> list[Rule]:
    """Every known rule: the registered pillars' rules in pillar order, then the risk app's own."""
    # care.pillars types them loosely (the spine cannot import risk.facts); pillars register Rules.
    return cast("list[Rule]", [r for pillar in all_pillars() for r in pillar.rules]) + list(OWN_RULES)


def rule_by_id() -> dict[str, Rule]:
    return {r.id: r for r in all_rules()}


def engine_rules() -> list[Rule]:
    """The rules the engine runs on every evaluation (not those run where their event happens)."""
    return [r for r in all_rules() if r.runs_in == "engine"]


def run_rules(facts: EpisodeFacts, params: Mapping[str, Params] | None = None) -> dict[str, Finding]:
    """Pure: the findings of every enabled engine rule for these facts, by rule id.

    `params`: each rule's parameters by rule id (risk.thresholds.clinic_params); a rule missing from it
    runs with its defaults."""
    found: dict[str, Finding] = {}
    for r in engine_rules():
        mine = (params or {}).get(r.id) or r.defaults
        if not mine.get("enabled", True):
            continue
        finding = r.evaluate(facts, mine)
        if finding is not None:
            found[r.id] = finding
    return found
