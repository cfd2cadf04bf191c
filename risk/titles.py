"""What every page calls a flag: one title, one level, and its findings in plain words.

The inbox, the flag page, the caseload and the client page all name a flag through `titled`, so the
same flag reads the same everywhere: its leading finding's rule title, with how many more findings the
flag holds, and each finding's own title and reasons (marked when it is new since the clinician
acknowledged the flag)."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from risk.intents import stored_findings
from risk.rules import rule_by_id


@dataclass(frozen=True)
class Part:
    """One finding of a flag, as a page shows it."""

    rule: str
    title: str
    level: str
    reasons: list[dict[str, Any]]
    new: bool


def flag_title(flag: Any, rules: dict | None = None) -> str:
    """The flag's title: its leading finding's rule, and how many more findings it holds."""
    rules = rule_by_id() if rules is None else rules
    known = rules.get(flag.rule)
    title = known.title if known else flag.rule
    more = len(flag.findings or ()) - 1
    if more > 0:
        title += ngettext(" (and %(n)d more finding)", " (and %(n)d more findings)", more) % {"n": more}
    return title


def titled(flags: Iterable[Any]) -> list[Any]:
    """Give each flag its `title` and its `parts` (one per finding, newest-since-acknowledged marked)."""
    rules = rule_by_id()
    out = []
    for flag in flags:
        flag.title = flag_title(flag, rules)
        new = set(flag.new_findings or ()) if flag.status == "open" else set()
        flag.for_client = client_words(flag, rules)
        flag.parts = [
            Part(
                rule=entry["rule"],
                title=rules[entry["rule"]].title if entry["rule"] in rules else entry["rule"],
                level=entry["level"],
                reasons=entry["reasons"],
                new=entry["rule"] in new,
            )
            for entry in stored_findings(flag)
        ]
        out.append(flag)
    return out


CLIENT_FALLBACK = _("Your clinician has something from your answers to talk over with you.")


def client_words(flag: Any, rules: dict) -> list[str]:
    """What the client's own page says of a flag: each finding's sentence to the client, once."""
    words = []
    for entry in stored_findings(flag):
        rule = rules.get(entry["rule"])
        words.append(str(rule.for_client) if rule is not None and rule.for_client else str(CLIENT_FALLBACK))
    return list(dict.fromkeys(words))
