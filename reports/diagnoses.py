"""The ICD-10-CM codes the outcome measures read from the treatment plan (regimen.PlanRevision).

Denominator: major depression or dysthymia (CMS159 value sets "Major Depression Including Remission"
and "Dysthymia"). Exclusions: bipolar disorder, personality disorder, psychotic disorders and pervasive
developmental disorder (NQF 0710/0711, HEDIS DRR-E). Codes are matched by prefix on the dotted form."""

DEPRESSION_PREFIXES = ("F32.0", "F32.1", "F32.2", "F32.3", "F32.4", "F32.5", "F32.9", "F32.A", "F33", "F34.1")

EXCLUSION_PREFIXES: dict[str, tuple[str, ...]] = {
    "bipolar disorder": ("F30", "F31"),
    "personality disorder": ("F60",),
    "psychotic disorder": ("F20", "F21", "F22", "F23", "F24", "F25", "F28", "F29"),
    "pervasive developmental disorder": ("F84",),
}


def _dotted(code: str) -> str:
    code = code.strip().upper().replace(" ", "")
    return code if "." in code or len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def is_depression(code: str) -> bool:
    return _dotted(code).startswith(DEPRESSION_PREFIXES)


def exclusion_for(code: str) -> str:
    """The exclusion this diagnosis brings ("" for none)."""
    dotted = _dotted(code)
    for reason, prefixes in EXCLUSION_PREFIXES.items():
        if dotted.startswith(prefixes):
            return reason
    return ""
