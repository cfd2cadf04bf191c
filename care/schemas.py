"""Pydantic contracts: instrument definitions, check-in answers, flag reasons."""

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


class Item(Strict):
    key: Annotated[str, Field(pattern=r"^[a-z0-9_]+$", max_length=64)]
    text: LocalText
    type: Literal["scale", "choice", "yesno", "text"]
    required: bool = True
    min: int = 0
    max: int = 10
    anchors: dict[str, LocalText] = Field(default_factory=dict)  # {"min": {...}, "max": {...}} for scales
    options: tuple[Option, ...] = ()
    reverse: bool = False
    code: str | None = None  # LOINC item code where one exists
    help: LocalText | None = None
    max_length: int = 2000  # free text
    show_if: dict[str, int] | None = None  # {"item": value}: shown only when that answer matches

    @model_validator(mode="after")
    def _check_shape(self) -> "Item":
        if "en" not in self.text:
            raise ValueError(f"item {self.key}: English text is required")
        if self.type == "choice" and not self.options:
            raise ValueError(f"item {self.key}: a choice item needs options")
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
        keys = [i.key for i in self.items]
        if len(keys) != len(set(keys)):
            raise ValueError(f"{self.key}: item keys must be unique")
        for scale in self.scales:
            missing = set(scale.items) - set(keys)
            if missing:
                raise ValueError(f"{self.key}.{scale.key}: unknown items {sorted(missing)}")
        return self

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


class FlagReason(BaseModel):
    """One plain-language reason for a flag, with the evidence behind it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    evidence: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
