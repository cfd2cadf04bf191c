"""Pydantic contracts of the risk engine."""

from pydantic import BaseModel, ConfigDict, Field


class FlagReason(BaseModel):
    """One plain-language reason for a flag, with the evidence behind it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    evidence: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
