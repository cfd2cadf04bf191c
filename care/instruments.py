"""The instrument engine: load definitions, validate answers strictly, score them.

Definitions are data (care.schemas.Instrument). Built-in ones live as YAML/JSON files in each app's
`definitions/` folder; a clinic can load more (licensed scales, FHIR imports) as InstrumentDefinition rows.
Scoring is pure: answers in, ScoreResults out."""

import json
import logging
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps
from pydantic import ValidationError

from care.schemas import Instrument, Item, Scale, ScoreResult

logger = logging.getLogger("attune.instruments")


class AnswerError(ValueError):
    """Answers that don't fit the instrument. `errors` maps item key → message for the person."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class DefinitionError(ValueError):
    """A definition file that cannot become an instrument. `problems` are plain sentences for the admin."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_definition_text(text: str, *, filename: str = "") -> Any:
    """JSON or YAML text → plain data. YAML is a superset of JSON, but JSON errors read better."""
    try:
        if filename.endswith(".json") or text.lstrip().startswith("{"):
            return json.loads(text)
        return yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise DefinitionError([f"The file is not valid JSON or YAML: {str(error)[:300]}"]) from error
    except RecursionError as error:
        raise DefinitionError(["The file is nested too deeply."]) from error


def instrument_from_data(data: Any) -> Instrument:
    """Plain data → Instrument, with every problem listed in words (never a traceback)."""
    if not isinstance(data, dict):
        raise DefinitionError(["The file must hold one instrument definition (an object/mapping)."])
    try:
        return Instrument.model_validate(data, strict=False)
    except ValidationError as error:
        problems = []
        for e in error.errors()[:10]:
            where = ".".join(str(part) for part in e["loc"]) or "definition"
            problems.append(f"{where}: {e['msg']}")
        raise DefinitionError(problems) from error


def load_file(path: Path) -> Instrument:
    return instrument_from_data(parse_definition_text(path.read_text(encoding="utf-8"), filename=path.name))


def _version_order(version: str) -> tuple:
    # "10" sorts after "9"; non-numeric parts sort as text after numbers.
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in version.split("."))


@cache
def builtin_versions() -> dict[tuple[str, str], Instrument]:
    """Every shipped instrument version, by (key, version). Old versions stay so old check-ins keep
    their meaning: a new version is a new file (phq9.v2.yaml), never an edit of the old one."""
    found: dict[tuple[str, str], Instrument] = {}
    for config in apps.get_app_configs():
        folder = Path(config.path) / "definitions"
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix in {".yaml", ".yml", ".json"}:
                instrument = load_file(path)
                ident = (instrument.key, instrument.version)
                if ident in found:
                    raise ValueError(f"instrument {instrument.key} v{instrument.version} is defined twice")
                found[ident] = instrument
    return found


@cache
def builtin_instruments() -> dict[str, Instrument]:
    """The newest shipped version of every instrument, by key (licence shells included)."""
    newest: dict[str, Instrument] = {}
    for (key, version), instrument in builtin_versions().items():
        if key not in newest or _version_order(version) > _version_order(newest[key].version):
            newest[key] = instrument
    return dict(sorted(newest.items()))


def get_instrument(key: str, version: str | None = None, *, clinic_id: int | None = None) -> Instrument:
    """The instrument `key` (at `version` if given): a clinic's loaded definition wins over a built-in.

    Without a version, the clinic's newest active row wins; with one, the exact version is found
    whether or not it is still active (an old check-in must stay readable)."""
    if clinic_id is not None:
        from care.models import InstrumentDefinition

        rows = InstrumentDefinition.objects.filter(clinic_id=clinic_id, key=key)
        row = rows.filter(version=version).first() if version else rows.filter(active=True).first()
        if row is not None:
            return Instrument.model_validate(row.definition, strict=False)
    instrument = builtin_instruments().get(key) if version is None else builtin_versions().get((key, version))
    if instrument is None:
        raise LookupError(f"instrument {key} v{version or '?'} is not available")
    return instrument


def _visible(item: Item, answers: dict[str, Any]) -> bool:
    if not item.show_if:
        return True
    return all(answers.get(k) == v for k, v in item.show_if.items())


def validate_answers(instrument: Instrument, raw: Any) -> dict[str, Any]:
    """Return clean answers for `instrument`, or raise AnswerError naming every problem.

    Strict on purpose: "20", 20.0 and True are not the integer 20."""
    if not isinstance(raw, dict):
        raise AnswerError({"__all__": "Answers must be an object of item keys to values."})
    errors: dict[str, str] = {}
    known = {item.key for item in instrument.items}
    for key in raw:
        if key not in known:
            errors[str(key)[:64]] = "This question is not part of the form."
    clean: dict[str, Any] = {}
    for item in instrument.items:
        value = raw.get(item.key)
        if value is None or value == "":
            if item.required and _visible(item, raw):
                errors[item.key] = "Please answer this question."
            continue
        if item.type == "text":
            if not isinstance(value, str):
                errors[item.key] = "Expected words."
            elif len(value) > item.max_length:
                errors[item.key] = f"Please keep this under {item.max_length} characters."
            else:
                clean[item.key] = value
            continue
        if type(value) is not int:  # bool is an int subclass; floats and strings are refused
            errors[item.key] = "Choose one of the answers offered."
            continue
        if item.type == "choice":
            if value not in {o.value for o in item.options}:
                errors[item.key] = "Choose one of the answers offered."
                continue
        else:
            low, high = item.value_range()
            if not low <= value <= high:
                errors[item.key] = f"Choose a number from {low} to {high}."
                continue
        clean[item.key] = value
    if errors:
        raise AnswerError(errors)
    return clean


def _item_score(item: Item, value: int) -> int:
    if not item.reverse:
        return value
    low, high = item.value_range()
    return low + high - value


def _scale_range(instrument: Instrument, scale: Scale) -> tuple[float, float]:
    ranges = [instrument.item(k).value_range() for k in scale.items]
    if scale.method == "mean":
        return min(r[0] for r in ranges), max(r[1] for r in ranges)
    return float(sum(r[0] for r in ranges)), float(sum(r[1] for r in ranges))


def band_for(scale: Scale, value: float, language: str = "en") -> str:
    for band in scale.bands:
        if band.min <= value <= band.max:
            return band.label.get(language) or band.label["en"]
    return ""


def score(instrument: Instrument, answers: dict[str, Any]) -> list[ScoreResult]:
    """Score clean answers. A scale with too few answered items is left out rather than guessed."""
    results = []
    for scale in instrument.scales:
        values = [
            _item_score(instrument.item(k), answers[k])
            for k in scale.items
            if isinstance(answers.get(k), int)
        ]
        if not values or len(values) < scale.min_answered * len(scale.items):
            continue
        if scale.method == "mean":
            value = round(sum(values) / len(values), 2)
        else:
            # Prorate a sum with a few items missing, as the PHQ-9 manual allows.
            value = (
                float(sum(values))
                if len(values) == len(scale.items)
                else round(sum(values) * len(scale.items) / len(values))
            )
        low, high = _scale_range(instrument, scale)
        results.append(
            ScoreResult(
                instrument=instrument.key,
                version=instrument.version,
                scale=scale.key,
                value=float(value),
                minimum=low,
                maximum=high,
                band=band_for(scale, value),
            )
        )
    return results


def instruments_for_session(*, clinic, session_number: int) -> list[Instrument]:
    """The instruments that make up a client's check-in after session `session_number`, in order:
    each pillar's section (in pillar order), the outcome measures the clinic's schedule asks for this
    time, then the closing question.

    `clinic.measure_schedule` maps instrument key → every how many sessions it is asked, counting
    session 1 (e.g. {"phq9": 4} asks at sessions 1, 5, 9, …). Instruments asked periodically inside a
    pillar (the stage of change) follow the same schedule; unscheduled periodic ones default to 4."""
    from care.pillars import all_pillars

    schedule = {**DEFAULT_SCHEDULE, **(clinic.measure_schedule or {})}

    def due(key: str) -> bool:
        every = schedule.get(key)
        if every is None:
            return True
        # The schedule is admin-edited JSON: anything but a positive whole number means "not asked".
        return type(every) is int and every > 0 and (session_number - 1) % every == 0

    def usable(key: str) -> Instrument | None:
        # A licence shell never reaches a client; neither does a key nobody defined (logged, not fatal:
        # one bad schedule entry must not stop every check-in in the clinic).
        try:
            instrument = get_instrument(key, clinic_id=clinic.pk)
        except LookupError:
            logger.warning("clinic %s schedules unknown instrument %r", clinic.pk, key)
            return None
        return None if instrument.is_shell else instrument

    chosen: list[Instrument] = []
    for pillar in all_pillars():
        chosen += [i for k in pillar.instruments if due(k) and (i := usable(k)) is not None]
    taken = {i.key for i in chosen}
    for key, every in schedule.items():
        if key not in PERIODIC_PILLAR_ITEMS and key not in taken and every and due(key):
            instrument = usable(key)
            if instrument is not None:
                chosen.append(instrument)
                taken.add(key)
    closing = usable("closing")
    if closing is not None and "closing" not in taken:
        chosen.append(closing)
    return chosen


# Asked every N sessions unless the clinic says otherwise. Outcome measures are opt-in per clinic.
PERIODIC_PILLAR_ITEMS = {"stage"}
DEFAULT_SCHEDULE: dict[str, int] = {"stage": 4}


def score_answers(instruments: list[Instrument], answers: dict[str, dict[str, Any]]) -> list[ScoreResult]:
    """Score a whole check-in: `answers` is {instrument key: {item key: value}} (already validated)."""
    results: list[ScoreResult] = []
    for instrument in instruments:
        results += score(instrument, answers.get(instrument.key, {}))
    return results


# --- Writes: a clinic's own definitions (licensed scales, FHIR imports). Never edited in place. ---


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
    from care import fhir

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
    from django.db import transaction

    from care.models import InstrumentDefinition

    if instrument.is_shell:
        raise DefinitionError(
            [f"{instrument.key} is a licence shell without questions; load your licensed definition file."]
        )
    _check_fits_builtin(instrument)
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
    from django.db import transaction

    from care.models import InstrumentDefinition

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
    from care.audit import audit_record
    from care.models import AuditEvent

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


class InstrumentResolver:
    """Finds instruments at the versions stored check-ins used, for one clinic, with at most one query.

    A page that shows many check-ins asks for the same few (instrument, version) pairs again and again;
    the clinic's loaded definitions are read once, on first need, and built-ins need no query at all."""

    def __init__(self, clinic_id: int):
        self.clinic_id = clinic_id
        self._loaded: dict[tuple[str, str], Instrument] | None = None
        self._found: dict[tuple[str, str | None], Instrument | None] = {}

    def _clinic_definitions(self) -> dict[tuple[str, str], Instrument]:
        if self._loaded is None:
            from care.models import InstrumentDefinition

            self._loaded = {
                (row.key, row.version): Instrument.model_validate(row.definition, strict=False)
                for row in InstrumentDefinition.objects.filter(clinic_id=self.clinic_id).order_by("loaded_at")
            }
        return self._loaded

    def get(self, key: str, version: str | None) -> Instrument | None:
        """The instrument, or None when neither the clinic nor the built-ins have that version."""
        if (key, version) not in self._found:
            instrument = builtin_versions().get((key, version)) if version else None
            if instrument is None:
                loaded = self._clinic_definitions()
                if version is not None:
                    instrument = loaded.get((key, version))
                else:
                    instrument = next((i for (k, _), i in reversed(loaded.items()) if k == key), None)
                    instrument = instrument or builtin_instruments().get(key)
            self._found[key, version] = instrument
        return self._found[key, version]
