"""Writes of a clinic's own instrument definitions (licensed scales, FHIR imports). Never edited in place:
a new version is a new row."""

import re

from django.db import transaction

from care.audit import audit_record
from care.models import AuditEvent
from care.text import TextError, clean_text
from instruments import fhir
from instruments.library import (
    DefinitionError,
    builtin_instruments,
    builtin_versions,
    instrument_from_data,
    parse_definition_text,
    with_safety,
)
from instruments.models import InstrumentDefinition
from instruments.schemas import Instrument

# One limit for every way a definition comes in (admin page, manage.py load_instrument): the longest
# shipped definition is a few kB, so a file a thousand times that is a mistake, not an instrument.
MAX_DEFINITION_BYTES = 1_000_000
# The key and version typed on the upload form (templates/instruments/list.html shows them).
MAX_KEY = 64
MAX_VERSION = 32
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def definition_text(content: bytes) -> str:
    """A definition file's bytes → its text, or DefinitionError: too large, not UTF-8, control characters.
    Callers read at most MAX_DEFINITION_BYTES + 1 bytes, so an oversize file is never read whole."""
    if len(content) > MAX_DEFINITION_BYTES:
        raise DefinitionError(
            [
                f"The file is larger than {MAX_DEFINITION_BYTES // 1_000_000} MB; no instrument needs that much."
            ]
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DefinitionError(["The file is not UTF-8 text."]) from error
    if _CONTROL.search(text):
        raise DefinitionError(["The file contains control characters (such as NUL); save it as plain text."])
    return text


def instrument_definition_upload(
    *,
    actor,
    clinic,
    content: bytes,
    filename: str,
    key: str | None = None,
    version: str | None = None,
    activate: bool = True,
):
    """The one way a clinic's file is loaded, from the admin page or the command: read with the one limit,
    checked, then stored in one transaction (nothing half-stored). Returns (row, warnings)."""
    key, version = _typed(key, MAX_KEY), _typed(version, MAX_VERSION)
    text = definition_text(content)
    instrument, warnings = instrument_definition_from_upload(
        text=text, filename=filename, key=key, version=version
    )
    row = instrument_definition_load(
        actor=actor, clinic=clinic, instrument=instrument, activate=activate, source=filename
    )
    return row, warnings


def _typed(value: str | None, limit: int) -> str | None:
    """A key or version typed on the upload form: control characters and over-long values refused with
    a message (the form shows the limits); empty means "what the file says"."""
    if value is None:
        return None
    try:
        return clean_text(value, max_length=limit) or None
    except TextError as problem:
        raise DefinitionError([str(problem)]) from None


def _check_fits_builtin(instrument: Instrument) -> None:
    """A clinic's file under a shipped measure's key must keep that measure's scored items: other code
    relies on them (PHQ-9 item9 raises the safety flag; reports read phq9.total)."""
    builtin = builtin_instruments().get(instrument.key)
    if builtin is None or builtin.is_shell:
        return
    keys = {i.key for i in instrument.items}
    missing = [k for scale in builtin.scales for k in scale.items if k not in keys]
    scales = {s.key for s in instrument.scales}
    missing_scales = [s.key for s in builtin.scales if s.key not in scales]
    if missing or missing_scales:
        raise DefinitionError(
            [
                f"A definition loaded as {instrument.key!r} must keep the items {', '.join(missing) or '–'} "
                f"and scales {', '.join(missing_scales) or '–'} of the shipped {builtin.title['en']}."
            ]
        )


def instrument_definition_from_upload(
    *, text: str, filename: str, key: str | None = None, version: str | None = None
) -> tuple[Instrument, list[str]]:
    """An uploaded file's text → (Instrument, warnings). Accepts an Attune definition (JSON or YAML) or a
    FHIR Questionnaire (JSON). `key` and `version` override what the file says."""
    data = parse_definition_text(text, filename=filename)
    if isinstance(data, dict) and data.get("resourceType") == "Questionnaire":
        result = fhir.questionnaire_import(data, key=key, version=version)
        return result.instrument, result.warnings
    if isinstance(data, dict) and data.get("resourceType"):
        raise DefinitionError([f"A FHIR {data['resourceType']} is not an instrument; load a Questionnaire."])
    if isinstance(data, dict):
        data = {**data, **({"key": key} if key else {}), **({"version": version} if version else {})}
    return instrument_from_data(data), []


def instrument_definition_load(
    *, actor, clinic, instrument: Instrument, activate: bool = True, source: str = ""
):
    """Store `instrument` as a new InstrumentDefinition row of `clinic` (audited). A version already
    loaded is refused: a new version is a new row, so old check-ins keep their meaning."""
    if instrument.is_shell:
        raise DefinitionError(
            [f"{instrument.key} is a licence shell without questions; load your licensed definition file."]
        )
    _check_fits_builtin(instrument)
    shipped = builtin_versions().get((instrument.key, instrument.version))
    if shipped is not None:
        # Same key and version as a shipped definition: storing it would make two meanings of one pin.
        raise DefinitionError(
            [
                f"Version {instrument.version} of {instrument.key} is the shipped {shipped.title['en']}; a "
                "clinic's file never replaces it. Give your file its own version (for example "
                f'"clinic-{instrument.version}") and load it again.'
            ]
        )
    instrument = with_safety(instrument)
    with transaction.atomic():
        rows = InstrumentDefinition.objects.select_for_update().filter(clinic=clinic, key=instrument.key)
        if rows.filter(version=instrument.version).exists():
            raise DefinitionError(
                [
                    f"Version {instrument.version} of {instrument.key} is already loaded. Loaded definitions "
                    "are never changed: give the file a new version."
                ]
            )
        if activate:
            rows.filter(active=True).update(active=False)
        row = InstrumentDefinition.objects.create(
            clinic=clinic,
            key=instrument.key,
            version=instrument.version,
            definition=instrument.model_dump(mode="json", exclude_none=True),
            active=activate,
            loaded_by=actor if actor is not None and actor.is_authenticated else None,
        )
        _audit(actor, "create", row, {"key": row.key, "version": row.version, "source": source[:200]})
    return row


def instrument_definition_set_active(*, actor, clinic, definition_id: int, active: bool):
    """Switch a loaded definition on or off. At most one version of a key is active in a clinic."""
    with transaction.atomic():
        row = InstrumentDefinition.objects.select_for_update().get(clinic=clinic, pk=definition_id)
        if active:
            InstrumentDefinition.objects.filter(clinic=clinic, key=row.key, active=True).exclude(
                pk=row.pk
            ).update(active=False)
        row.active = active
        row.save(update_fields=["active"])
        _audit(actor, "update", row, {"key": row.key, "version": row.version, "active": active})
    return row


def _audit(actor, action: str, row, detail: dict) -> None:
    if actor is not None and actor.is_authenticated:
        audit_record(actor=actor, action=action, obj=row, detail=detail)
    else:
        # The management command has no signed-in user; say so rather than borrow a label.
        AuditEvent.objects.create(
            actor=None,
            actor_label="manage.py load_instrument",
            action=action,
            object_type=row._meta.label,
            object_id=str(row.pk),
            detail=detail,
        )
