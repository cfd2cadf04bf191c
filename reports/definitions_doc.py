"""docs/reports.md's measure definitions, written from the registry (`manage.py report_definitions`).

A test fails when the file and the registry disagree, so the written definitions cannot drift."""

from pathlib import Path

from django.conf import settings
from django.utils import translation

from reports.measures import GROUPS, MEASURES

START, END = "<!-- measures:start -->", "<!-- measures:end -->"


def doc_path() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "reports.md"


def definitions_markdown() -> str:
    """One section per measure: numerator, denominator, window, exclusions and source."""
    lines = [
        START,
        "<!-- Written by `manage.py report_definitions` from reports/measures.py: edit there. -->",
        "",
    ]
    with translation.override("en"):
        for group, title in GROUPS.items():
            measures = [m for m in MEASURES if m.group == group]
            if not measures:
                continue
            lines += [f"### {title}", ""]
            for m in measures:
                own = " (Attune's own)" if m.attune_own else ""
                unit = "a percentage" if m.unit == "percent" else "a mean, in days"
                lines += [
                    f"#### {m.title}{own}",
                    "",
                    f"- **Key:** `{m.key}` — {unit}; {'higher' if m.higher_is_better else 'lower'} is better",
                    f"- **Numerator:** {m.numerator}",
                    f"- **Denominator:** {m.denominator}",
                    f"- **Window:** {m.window}",
                    f"- **Exclusions:** {m.exclusions}",
                    f"- **Source:** {m.source}",
                    f"- **Counted from:** `{m.table.__name__}`, placed in time by `{m.anchor}`",
                    "",
                ]
    lines.append(END)
    return "\n".join(lines)


def with_definitions(document: str) -> str:
    """`document` with its block between the markers replaced by the registry's definitions."""
    before, _, rest = document.partition(START)
    _, _, after = rest.partition(END)
    return before + definitions_markdown() + after
