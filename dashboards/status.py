"""Each pillar's status on an episode, from its active flags: the chips on the caseload and client page."""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from care.pillars import all_pillars
from risk.models import Flag


@dataclass(frozen=True)
class PillarStatus:
    key: str
    label: str
    level: str  # "red", "amber" or "green"
    why: str
    level_label: str  # the level in words ("Act now", "Watch", "On track"): colour is never the only signal

    @property
    def short(self) -> str:
        return self.label.split()[0]  # "Regimen attunement" fits a chip as "Regimen"


@dataclass(frozen=True)
class PillarWords:
    """Translated once per page, not once per chip: gettext is costly at hundreds of calls."""

    pillars: list[tuple[str, str]]  # [(key, label)]
    levels: dict[str, str]
    no_flags: str
    open_flag: str

    @classmethod
    def current(cls) -> "PillarWords":
        return cls(
            pillars=[(p.key, str(p.label)) for p in all_pillars()],
            levels={"red": _("Act now"), "amber": _("Watch"), "green": _("On track")},
            no_flags=_("No open flags."),
            open_flag=_("Open flag."),
        )


def pillar_statuses(active_flags: list[Flag], words: PillarWords | None = None) -> list[PillarStatus]:
    """One status per pillar from the episode's active flags: red if any red flag, amber if any amber,
    else green; `why` is the flags' reasons in plain words."""
    words = words or PillarWords.current()
    by_pillar: dict[str, list[Flag]] = defaultdict(list)
    for flag in active_flags:
        by_pillar[flag.pillar].append(flag)
    statuses = []
    for key, label in words.pillars:
        flags = by_pillar.get(key, [])
        if not flags:
            statuses.append(PillarStatus(key, label, "green", words.no_flags, words.levels["green"]))
            continue
        level = "red" if any(f.level == Flag.Level.RED for f in flags) else "amber"
        why = " ".join(reason.get("text", "") for f in flags for reason in f.reasons if reason.get("text"))
        statuses.append(PillarStatus(key, label, level, why or words.open_flag, words.levels[level]))
    return statuses
