"""LOINC answer lists our shipped measures use, so a Questionnaire that names one by reference
(`answerValueSet: "http://loinc.org/vs/LL358-3"`, or just "LL358-3") loads without the list inside it.

Codes, displays and scores as published on loinc.org/LL358-3 and loinc.org/LL359-1 (the difficulty list
carries no scores there, so none here: its answers count from 0 in list order)."""

from instruments.fhir.common import EXT_ORDINAL, LOINC


def _list(answers: list[tuple[str, str, int | None]]) -> list[dict]:
    return [
        {
            "system": LOINC,
            "code": code,
            "display": display,
            "extension": [] if score is None else [{"url": EXT_ORDINAL, "valueDecimal": score}],
        }
        for code, display, score in answers
    ]


ANSWER_LISTS: dict[str, list[dict]] = {
    # PHQ frequency: every PHQ-9 item and GAD-7 items other than 68509-9.
    "LL358-3": _list(
        [
            ("LA6568-5", "Not at all", 0),
            ("LA6569-3", "Several days", 1),
            ("LA6570-1", "More than half the days", 2),
            ("LA6571-9", "Nearly every day", 3),
        ]
    ),
    # PHQ perceived difficulty (69722-7).
    "LL359-1": _list(
        [
            ("LA6572-7", "Not difficult at all", None),
            ("LA6573-5", "Somewhat difficult", None),
            ("LA6575-0", "Very difficult", None),
            ("LA6574-3", "Extremely difficult", None),
        ]
    ),
}


def answer_list(reference: str) -> list[dict] | None:
    """The answers of a shipped LOINC list named by canonical URL (optionally |version) or list id."""
    canonical = reference.split("|", 1)[0].strip()
    for prefix in ("http://loinc.org/vs/", "https://loinc.org/vs/", "http://loinc.org/"):
        if canonical.startswith(prefix):
            canonical = canonical[len(prefix) :]
            break
    return ANSWER_LISTS.get(canonical)
