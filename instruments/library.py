"""The instrument library: shipped and clinic-loaded definitions, found by key and version.

Definitions are data (instruments.schemas.Instrument). Built-in ones live as YAML/JSON files in each app's
`definitions/` folder; a clinic can load more (licensed scales, FHIR imports) as InstrumentDefinition rows.
Scoring lives in instruments.scoring; loading a clinic's file in instruments.services."""

import hashlib
import json
import logging
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps
from django.db.models import Q
from pydantic import ValidationError

from care.pillars import all_pillars
from instruments.models import InstrumentDefinition, ProgramMeasure
from instruments.schemas import Instrument

logger = logging.getLogger("attune.instruments")


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


def content_hash(instrument: Instrument) -> str:
    """A digest of everything the definition says: a check-in pins it, so a definition that changed after
    the check-in was opened is noticed instead of silently re-read."""
    canonical = json.dumps(
        instrument.model_dump(mode="json", exclude_none=True), sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@cache
def builtin_hashes() -> dict[tuple[str, str], str]:
    return {ident: content_hash(instrument) for ident, instrument in builtin_versions().items()}


@cache
def safety_items(key: str) -> frozenset[str]:
    """Item keys any shipped version of `key` marks as safety items (PHQ-9 item9)."""
    return frozenset(
        item.key
        for (k, _), instrument in builtin_versions().items()
        if k == key
        for item in instrument.items
        if item.safety
    )


def with_safety(instrument: Instrument) -> Instrument:
    """`instrument` with the shipped measure's safety items always asked and required, whatever a loaded
    file says (no `required: false`, no condition that could hide them)."""
    keys = safety_items(instrument.key)
    if not any(i.key in keys and not (i.safety and i.required and not i.show_if) for i in instrument.items):
        return instrument
    items = tuple(
        item.model_copy(update={"safety": True, "required": True, "show_if": None})
        if item.key in keys
        else item
        for item in instrument.items
    )
    return instrument.model_copy(update={"items": items})


def row_instrument(row: InstrumentDefinition) -> Instrument:
    return with_safety(Instrument.model_validate(row.definition, strict=False))


def _pick(candidates: list[Instrument], digest: str | None) -> Instrument | None:
    """The candidate a pin names: the one with that content hash, or (an old check-in opened before
    hashes were kept) the first, which is the shipped definition when there is one."""
    if digest is None:
        return candidates[0] if candidates else None
    return next((c for c in candidates if _hash_of(c) == digest), None)


def _hash_of(instrument: Instrument) -> str:
    ident = (instrument.key, instrument.version)
    if builtin_versions().get(ident) is instrument:
        return builtin_hashes()[ident]
    return content_hash(instrument)


def get_instrument(
    key: str, version: str | None = None, *, clinic_id: int | None = None, digest: str | None = None
) -> Instrument:
    """The instrument `key` (at `version` if given).

    Without a version, the clinic's newest active row wins over the shipped one. With a version, the
    exact definition: a shipped version is never shadowed by a clinic's row, and with `digest` (a check-in's
    pin) only the definition with that content hash is returned — an old check-in must stay readable, and
    readable only as it was asked."""
    if version is not None:
        return pinned_instruments([(key, version, digest)], clinic_id=clinic_id)[0]
    if clinic_id is not None:
        row = InstrumentDefinition.objects.filter(clinic_id=clinic_id, key=key, active=True).first()
        if row is not None:
            return row_instrument(row)
    instrument = builtin_instruments().get(key)
    if instrument is None:
        raise LookupError(f"instrument {key} is not available")
    return instrument


# A pin with its content hash names one definition for good (shipped files are never edited; clinic rows
# are immutable, see InstrumentDefinition.save), so what it resolves to is kept for the process's life.
_PINNED: dict[tuple[int | None, str, str, str], Instrument] = {}
_PINNED_MAX = 4096


def pinned_instruments(
    pins: Iterable[tuple[str, str, str | None]], *, clinic_id: int | None
) -> list[Instrument]:
    """Each (key, version, content hash or None) pin resolved as `get_instrument(key, version, digest=…)`
    would, in order: one query for all the pins not already known, none once they are."""
    wanted = list(pins)
    resolved: dict[tuple[str, str, str | None], Instrument] = {}
    for key, version, digest in wanted:
        shipped = builtin_versions().get((key, version))
        # A shipped definition wins whenever the pin allows it (see _pick): no query needed.
        if shipped is not None and (digest is None or builtin_hashes()[(key, version)] == digest):
            resolved[(key, version, digest)] = shipped
    missing = [
        (k, v, d)
        for k, v, d in wanted
        if (k, v, d) not in resolved and (d is None or (clinic_id, k, v, d) not in _PINNED)
    ]
    rows: dict[tuple[str, str], InstrumentDefinition] = {}
    if missing and clinic_id is not None:
        which = Q(pk__in=[])
        for key, version, _digest in missing:
            which |= Q(key=key, version=version)
        # order_by(): the model's default ordering would join the clinic table for nothing.
        for row in InstrumentDefinition.objects.filter(which, clinic_id=clinic_id).order_by():
            rows[(row.key, row.version)] = row
    for key, version, digest in missing:
        candidates = [i for i in [builtin_versions().get((key, version))] if i is not None]
        if (loaded := rows.get((key, version))) is not None:
            candidates.append(row_instrument(loaded))
        instrument = _pick(candidates, digest)
        if instrument is None:
            raise LookupError(f"instrument {key} v{version} is not available as pinned")
        resolved[(key, version, digest)] = instrument
        if digest is not None:
            if len(_PINNED) >= _PINNED_MAX:
                _PINNED.clear()
            _PINNED[(clinic_id, key, version, digest)] = instrument
    return [resolved.get((k, v, d)) or _PINNED[(clinic_id, k, v, d or "")] for k, v, d in wanted]


def instruments_for_session(
    *, clinic, session_number: int, program_id: int | None = None
) -> list[Instrument]:
    """The instruments that make up a client's check-in after session `session_number`, in order:
    each pillar's section (in pillar order), the outcome measures the clinic's schedule asks for this
    time, then the closing question.

    `clinic.measure_schedule` maps instrument key → every how many sessions it is asked, counting
    session 1 (e.g. {"phq9": 4} asks at sessions 1, 5, 9, …). Instruments asked periodically inside a
    pillar (the stage of change) follow the same schedule; unscheduled periodic ones default to 4.
    A program that switched measures on (ProgramMeasure, Settings › Measures) asks those alone, at the
    schedule's frequency (every 4 sessions when the schedule does not name one)."""
    schedule = {**DEFAULT_SCHEDULE, **(clinic.measure_schedule or {})}
    if program_id is not None:
        switched_on = set(ProgramMeasure.objects.filter(program_id=program_id).values_list("key", flat=True))
        if switched_on:
            schedule = {
                **{k: v for k, v in schedule.items() if k in PERIODIC_PILLAR_ITEMS},
                **{key: schedule.get(key, PROGRAM_MEASURE_EVERY) for key in sorted(switched_on)},
            }

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
PROGRAM_MEASURE_EVERY = 4  # a measure a program switched on that the clinic's schedule does not name


class InstrumentResolver:
    """Finds instruments at the versions stored check-ins used, for one clinic, with at most one query.

    A page that shows many check-ins asks for the same few (instrument, version) pairs again and again;
    the clinic's loaded definitions are read once, on first need, and built-ins need no query at all."""

    def __init__(self, clinic_id: int):
        self.clinic_id = clinic_id
        self._loaded: dict[tuple[str, str], Instrument] | None = None
        self._found: dict[tuple[str, str | None, str | None], Instrument | None] = {}

    def _clinic_definitions(self) -> dict[tuple[str, str], Instrument]:
        if self._loaded is None:
            self._loaded = {
                (row.key, row.version): row_instrument(row)
                for row in InstrumentDefinition.objects.filter(clinic_id=self.clinic_id).order_by("loaded_at")
            }
        return self._loaded

    def get(self, key: str, version: str | None, digest: str | None = None) -> Instrument | None:
        """The instrument, or None when neither the clinic nor the built-ins have that version (or none
        has the pinned content hash)."""
        if (key, version, digest) not in self._found:
            if version is None:
                loaded = self._clinic_definitions()
                instrument = next((i for (k, _), i in reversed(loaded.items()) if k == key), None)
                instrument = instrument or builtin_instruments().get(key)
            else:
                shipped = builtin_versions().get((key, version))
                candidates = [shipped] if shipped is not None else []
                # A pin that matches the shipped definition needs no query.
                if shipped is None or (digest is not None and _hash_of(shipped) != digest):
                    clinic = self._clinic_definitions().get((key, version))
                    candidates += [clinic] if clinic is not None else []
                instrument = _pick(candidates, digest)
            self._found[key, version, digest] = instrument
        return self._found[key, version, digest]
