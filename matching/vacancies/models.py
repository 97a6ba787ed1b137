"""Vacancy data: what a liaison types in, what werkbrug proposes, what is stored."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assessment import cefr
from foundation.errors import InputError, Problem
from matching import geo
from matching.language import SUB_SKILLS

Shift = Literal["day", "early", "late", "night"]
STATUSES = ("proposed", "confirmed", "closed")


class VacancyInput(BaseModel):
    """What a liaison types in (or one row of an import file)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=2, max_length=200)
    description: str = Field(min_length=1, max_length=20000)
    employer: str = Field(min_length=1, max_length=200)
    postcode: str = Field(pattern=r"^\d{4}$")
    hours_per_week: int = Field(38, ge=1, le=60)
    shifts: list[Shift] = Field(default_factory=lambda: ["day"])
    weekends: bool = False
    dutch_level: str | None = Field(None, description="One declared level for all four sub-skills.")
    dutch_listening: str | None = None
    dutch_reading: str | None = None
    dutch_speaking: str | None = None
    dutch_writing: str | None = None
    employer_id: str | None = Field(None, max_length=20, description="The employer (W-…) it belongs to.")

    @field_validator("postcode")
    @classmethod
    def _known(cls, value: str) -> str:
        if not geo.known_postcode(value):
            raise ValueError(f"{value!r} is not a Belgian postcode with known coordinates")
        return value

    @field_validator("dutch_level", "dutch_listening", "dutch_reading", "dutch_speaking", "dutch_writing")
    @classmethod
    def _cefr(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        try:
            return cefr.parse(value, field="dutch")
        except InputError as exc:
            raise ValueError(exc.problems[0].message) from None

    def declared(self) -> dict[str, str | None]:
        return {k: getattr(self, f"dutch_{k}") or self.dutch_level for k in SUB_SKILLS}


class Proposed(BaseModel):
    uri: str
    label: str
    score: float
    why: str


class Proposal(BaseModel):
    method: str
    occupations: list[Proposed]
    skills: list[Proposed]


class Vacancy(BaseModel):
    vacancy_id: str
    owner: str
    title: str
    description: str
    employer: str
    postcode: str
    municipality: str | None
    hours_per_week: int
    shifts: list[str]
    weekends: bool
    dutch: dict[str, str | None]          # declared per sub-skill (None: occupation default)
    status: str
    proposal: Proposal
    occupation_uris: list[str]
    essential_skills: list[str]
    optional_skills: list[str]
    confirmed_by: str | None
    confirmed_at: datetime | None
    created_at: datetime
    source: str | None


def parse_input(data: VacancyInput | dict, **where) -> VacancyInput:
    if isinstance(data, VacancyInput):
        return data
    try:
        return VacancyInput.model_validate(data)
    except ValidationError as exc:
        problems = [Problem(e["msg"], column=".".join(str(p) for p in e["loc"]) or None, **where)
                    for e in exc.errors()]
        raise InputError("Invalid vacancy", problems) from None
