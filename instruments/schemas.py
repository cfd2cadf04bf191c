"""Pydantic contracts for instrument definitions and their scores."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Text shown to people, by language code: {"en": "...", "es": "..."}. English is required.
LocalText = dict[str, str]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Option(Strict):
    value: int
    label: LocalText
    code: str | None = None  # e.g. a LOINC answer code (LA6568-5)
    system: str | None = None
    display: str | None = None  # the code's own display, where it differs from the label people read


class Item(Strict):
    key: Annotated[str, Field(pattern=r"^[a-z0-9_]+$", max_length=64)]
    text: LocalText
    type: Literal["scale", "choice", "yesno", "text"]
    required: bool = True
    safety: bool = False  # always asked and required, whatever a loaded file says (PHQ-9 item 9)
    min: int = 0
    max: int = 10
    anchors: dict[str, LocalText] = Field(default_factory=dict)  # {"min": {...}, "max": {...}} for scales
    options: tuple[Option, ...] = ()
    reverse: bool = False
    code: str | None = None  # LOINC item code where one exists
    help: LocalText | None = None
    max_length: int = 2000  # free text
    show_if: dict[str, int] | None = None  # {"item": value}: shown only when that answer matches
    link_id: str | None = None  # the FHIR linkId it was imported from, kept so exports match the source

    @model_validator(mode="after")
    def _check_shape(self) -> "Item":
        if "en" not in self.text:
            raise ValueError(f"item {self.key}: English text is required")
        if self.type == "choice" and not self.options:
            raise ValueError(f"item {self.key}: a choice item needs options")
        values = [o.value for o in self.options]
        if len(values) != len(set(values)):
            raise ValueError(f"item {self.key}: two options share the value {values}")
        if any("en" not in o.label for o in self.options):
            raise ValueError(f"item {self.key}: every option needs an English label")
        if self.type == "scale" and self.min >= self.max:
            raise ValueError(f"item {self.key}: min must be below max")
        return self

    @property
    def scored(self) -> bool:
        return self.type != "text"

    def value_range(self) -> tuple[int, int]:
        if self.type == "choice":
            values = [o.value for o in self.options]
            return min(values), max(values)
        if self.type == "yesno":
            return 0, 1
        return self.min, self.max


class Band(Strict):
    min: float
    max: float
    label: LocalText

    @model_validator(mode="after")
    def _check_order(self) -> "Band":
        if self.min > self.max or "en" not in self.label:
            raise ValueError("a band needs min <= max and an English label")
        return self


class Scale(Strict):
    """A score computed from items: the total or a subscale."""

    key: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    label: LocalText
    items: tuple[str, ...]
    method: Literal["sum", "mean"] = "sum"
    bands: tuple[Band, ...] = ()
    code: str | None = None  # LOINC code for the score observation (PHQ-9 total: 44261-6)
    min_answered: float = 1.0  # fraction of items that must be answered to score it


class Instrument(Strict):
    key: Annotated[str, Field(pattern=r"^[a-z0-9_]+$", max_length=64)]
    version: Annotated[str, Field(max_length=32)]
    title: LocalText
    kind: Literal["pillar", "outcome", "clinician", "wellbeing"]
    pillar: str | None = None
    validated: bool = False  # our own pillar items are not a validated instrument
    licence: str = ""
    attribution: str = ""
    code: str | None = None  # LOINC panel code (PHQ-9: 44249-1)
    url: str | None = None  # canonical URL when imported from FHIR
    intro: LocalText | None = None
    items: tuple[Item, ...] = ()
    scales: tuple[Scale, ...] = ()
    requires_licence_file: bool = False  # a text-less shell until a licensed definition is loaded

    @model_validator(mode="after")
    def _check_references(self) -> "Instrument":
        if "en" not in self.title:
            raise ValueError(f"{self.key}: an English title is required")
        if self.requires_licence_file and (self.items or self.scales):
            # A shell must never carry licensed wording: the clinic's own file supplies items and scoring.
            raise ValueError(f"{self.key}: a licence shell carries no items or scales")
        keys = [i.key for i in self.items]
        if len(keys) != len(set(keys)):
            raise ValueError(f"{self.key}: item keys must be unique")
        for item in self.items:
            for other in item.show_if or {}:
                if other not in keys or other == item.key:
                    raise ValueError(f"{self.key}.{item.key}: show_if names an unknown item {other!r}")
        for scale in self.scales:
            missing = set(scale.items) - set(keys)
            if missing:
                raise ValueError(f"{self.key}.{scale.key}: unknown items {sorted(missing)}")
            unscored = [k for k in scale.items if not self.item(k).scored]
            if unscored:
                raise ValueError(f"{self.key}.{scale.key}: free-text items cannot be scored {unscored}")
        scale_keys = [s.key for s in self.scales]
        if len(scale_keys) != len(set(scale_keys)):
            raise ValueError(f"{self.key}: scale keys must be unique")
        return self

    @property
    def is_shell(self) -> bool:
        return self.requires_licence_file

    def item(self, key: str) -> Item:
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)


class ScoreResult(Strict):
    instrument: str
    version: str
    scale: str
    value: float
    minimum: float
    maximum: float
    band: str = ""
