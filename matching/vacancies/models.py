"""Vacancy data: what a liaison types in, what werkbrug proposes, what is stored.

Bad input becomes :class:`~foundation.errors.Problem` s with a message code and parameters
(``vacancy.*`` in the catalogues) naming the column and, in an import, the row; the allowed
values are part of the parameters.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assessment import cefr
from assessment.profile import SHIFTS, Shift
from foundation.errors import InputError, Problem
from matching import geo
from matching.language import SUB_SKILLS
from matching.vacancies.requirements import ATTESTS, LICENCES, Contract, Requirements

#: Dutch words for shifts (``dag;laat``) and their stored value.
SHIFT_WORDS = {"dag": "day", "vroeg": "early", "vroege": "early", "laat": "late", "late": "late", "nacht": "night",
               "day": "day", "early": "early", "night": "night"}
CONTRACTS: tuple[str, ...] = get_args(Contract)
STATUSES = ("proposed", "confirmed", "closed")
MIN_HOURS, MAX_HOURS = 1, 60


def _decimal(value):
    """``"37,5"`` and ``"37.5"`` → 37.5 (hours typed the Belgian or the English way)."""
    if isinstance(value, str) and re.fullmatch(r"\s*\d+(?:[.,]\d+)?\s*", value):
        return float(value.replace(",", "."))
    return value


class VacancyTerms(BaseModel):
    """The vacancy's requirements a liaison declares or confirms: hours, shifts, licences, Dutch, …"""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    hours_per_week: float = Field(38, ge=MIN_HOURS, le=MAX_HOURS)
    shifts: list[Shift] = Field(default_factory=lambda: ["day"])
    weekends: bool = False
    licences: list[str] = Field(default_factory=list)
    attests: list[str] = Field(default_factory=list)
    contract: Contract | None = None
    dutch_level: str | None = Field(None, description="One declared level for all four sub-skills.")
    dutch_listening: str | None = None
    dutch_reading: str | None = None
    dutch_speaking: str | None = None
    dutch_writing: str | None = None

    @field_validator("hours_per_week", mode="before")
    @classmethod
    def _hours(cls, value):
        return _decimal(value)

    @field_validator("shifts", mode="before")
    @classmethod
    def _shift_words(cls, value):
        return [SHIFT_WORDS.get(str(x).strip().lower(), x) for x in value] if isinstance(value, list) else value

    @field_validator("licences", mode="before")
    @classmethod
    def _licences(cls, value):
        items = [str(x).strip().upper() for x in value] if isinstance(value, list) else value
        bad = [x for x in items if x not in LICENCES] if isinstance(items, list) else []
        if bad:
            raise ValueError(f"unknown driving licence {bad[0]!r}")
        return list(dict.fromkeys(items)) if isinstance(items, list) else items

    @field_validator("attests")
    @classmethod
    def _attests(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(a.strip() for a in value if a.strip()))

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


class VacancyDetails(BaseModel):
    """The vacancy's own words: title, text, employer, workplace postcode (editable after confirming)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=2, max_length=200)
    description: str = Field(min_length=1, max_length=20000)
    employer: str = Field(min_length=1, max_length=200)
    postcode: geo.BelgianPostcode


class VacancyInput(VacancyTerms, VacancyDetails):
    """What a liaison types in (or one row of an import file)."""

    employer_id: str | None = Field(None, max_length=20, description="The employer (W-…) it belongs to.")


class Proposed(BaseModel):
    """A proposed occupation or skill; ``sentence``: the index of the text sentence it came from."""

    uri: str
    label: str
    score: float
    why: str                         # English fallback of code + params (rendered at the edge)
    code: str | None = None          # e.g. "vacancy.why.title"
    params: dict = {}
    sentence: int | None = None
    source: Literal["title", "text", "occupation"] = "text"


class Sentence(BaseModel):
    index: int
    text: str
    boilerplate: bool


class Proposal(BaseModel):
    method: str
    occupations: list[Proposed]
    skills: list[Proposed]
    sentences: list[Sentence] = Field(default_factory=list)
    requirements: Requirements = Field(default_factory=Requirements)
    note: str | None = None  # e.g. "lexical: no cached skill vectors"
    #: Sentence encoders left out of the skill reading because their label vectors are not built yet.
    missing_encoders: list[str] = Field(default_factory=list)


class Vacancy(BaseModel):
    vacancy_id: str
    owner: str
    title: str
    description: str
    employer: str
    postcode: str
    municipality: str | None
    hours_per_week: float
    shifts: list[str]
    weekends: bool
    licences: list[str] = Field(default_factory=list)
    attests: list[str] = Field(default_factory=list)
    contract: str | None = None
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


_CODES = {  # pydantic error type → message code
    "missing": "vacancy.required", "string_too_short": "vacancy.too_short", "string_too_long": "vacancy.too_long",
    "greater_than_equal": "vacancy.hours_range", "less_than_equal": "vacancy.hours_range",
    "float_parsing": "vacancy.hours_number", "float_type": "vacancy.hours_number",
    "literal_error": "vacancy.not_allowed", "postcode.format": "vacancy.postcode_invalid",
    "extra_forbidden": "vacancy.column_unknown", "bool_parsing": "vacancy.yes_no", "bool_type": "vacancy.yes_no",
}
ALLOWED = {
    "shifts": ", ".join(SHIFTS) + " (dag, vroeg, laat, nacht)", "contract": ", ".join(CONTRACTS),
    "licences": ", ".join(LICENCES),
    "weekends": "ja, nee", "dutch": ", ".join(cefr.REQUIREMENT_CHOICES), "attests": ", ".join(ATTESTS),
}


#: The vacancy's own words left empty (only spaces, too): what to fill in.
_EMPTY = {"title": "vacancy.title_missing", "employer": "vacancy.employer_missing",
          "description": "vacancy.description_missing"}


def _problem(e: dict, where: dict) -> Problem:
    loc = [str(p) for p in e["loc"]]
    column = loc[0] if loc else None
    code = _CODES.get(e["type"], "vacancy.value_invalid")
    value = e.get("input")
    if isinstance(value, list | dict):
        value = None
    if e["type"] == "string_too_short" and column in _EMPTY and not str(value or "").strip():
        code = _EMPTY[column]
    elif column and column.startswith("dutch_"):
        code = "vacancy.dutch_level"
    elif column == "postcode" and e["type"] == "value_error":
        code = "vacancy.postcode_unknown"
    elif column == "licences":
        code = "vacancy.not_allowed"
        value = ", ".join(str(x) for x in e.get("input") or [] if str(x).strip().upper() not in LICENCES)
    params = {"column": column, "value": "" if value is None else str(value), "min": MIN_HOURS, "max": MAX_HOURS,
              "allowed": ALLOWED.get("dutch" if code == "vacancy.dutch_level" else column or "", "")}
    if e["type"] == "string_too_short":
        params["min"] = e.get("ctx", {}).get("min_length", 1)
    if e["type"] == "string_too_long":
        params["max"] = e.get("ctx", {}).get("max_length")
    if code == "vacancy.value_invalid" and e["type"] == "value_error":
        params["reason"] = str(e.get("ctx", {}).get("error", e["msg"]))
    return Problem(e["msg"], column=column, code=code, params=params, **where)


def parse_input(data: BaseModel | dict, *, model: type[BaseModel] = VacancyInput, **where) -> BaseModel:
    """Validate a vacancy (or its terms); each problem has a code, its column (and ``where``: file, row)."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(e, where) for e in exc.errors()]
        raise InputError("Invalid vacancy", problems, code="vacancy.invalid",
                         params={"n": len(problems)}) from None
