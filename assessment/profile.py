"""The competence profile: what ``matching`` knows about a participant.

A profile is the documented JSON exchange format between assessment and matching
(``format = "werkbrug.profile/1"``). It holds only what ranking may use: ESCO skills with
level, confidence and evidence, Dutch CEFR levels per sub-skill, work experience as ESCO
occupations, preferences, availability and mobility. It never holds a name, contact
details, nationality, country of origin, religion, gender or age.

The JSON schema is published with :func:`profile_json_schema`.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from assessment import cefr
from foundation.errors import InputError

PROFILE_FORMAT = "werkbrug.profile/1"

def _check_cefr(value: str) -> str:
    try:
        return cefr.parse(value)
    except InputError as exc:
        raise ValueError(exc.message) from None


Cefr = Annotated[str, AfterValidator(_check_cefr)]


class EvidenceKind(StrEnum):
    """How we know a skill, from strongest to weakest."""

    assessed = "assessed"            # a technical test scored by an assessor
    observed = "observed"            # a behaviour-anchored observation grid
    experience = "experience"        # derived from declared work experience (ESCO occupation)
    self_declared = "self_declared"  # the participant says so


#: The shifts of a working day: a participant's availability and a vacancy's hours.
Shift = Literal["day", "early", "late", "night"]
SHIFTS: tuple[str, ...] = get_args(Shift)


class TransportMode(StrEnum):
    walk = "walk"
    bike = "bike"
    ebike_moped = "ebike_moped"
    public_transport = "public_transport"
    car = "car"


class Evidence(BaseModel):
    """One piece of stored evidence behind a skill level."""

    model_config = ConfigDict(frozen=True)

    kind: EvidenceKind
    record_id: str | None = Field(None, description="Assessment record (version) id.")
    instrument_id: str | None = None
    instrument_version: str | None = None
    items: list[str] = Field(default_factory=list, description="Instrument item ids used.")
    assessed_on: date | None = None
    level: float = Field(ge=0, le=1, description="Level this evidence alone supports.")
    confidence: float | None = Field(None, ge=0, le=1, description="Confidence of this evidence alone.")
    occupation_uri: str | None = Field(None, description="For experience evidence: the declared occupation.")
    note: str | None = None


class SkillLevel(BaseModel):
    """A participant's level on one ESCO skill."""

    uri: str
    label: str | None = None
    level: float = Field(ge=0, le=1)
    confidence: float = Field(ge=0, le=1)
    evidence_kind: EvidenceKind = Field(description="Strongest kind of evidence present.")
    evidence: list[Evidence] = Field(default_factory=list)


class DutchLevels(BaseModel):
    """Dutch CEFR level per sub-skill; ``None`` means not assessed."""

    listening: Cefr | None = None
    reading: Cefr | None = None
    speaking: Cefr | None = None
    writing: Cefr | None = None
    record_id: str | None = None
    assessed_on: date | None = None


class ExperienceItem(BaseModel):
    occupation_uri: str
    label: str | None = None
    years: float = Field(ge=0, le=60)
    description: str | None = None


def _four_digits(value: str) -> str:
    if not (len(value) == 4 and value.isascii() and value.isdigit()):
        raise PydanticCustomError("postcode.format", "A Belgian postcode has 4 digits, e.g. 8000 (not '{value}')",
                                  {"value": value})
    return value


#: The one format rule for a Belgian postcode: 4 digits (code ``postcode.format``).
PostcodeFormat = Annotated[str, AfterValidator(_four_digits)]


class Availability(BaseModel):
    hours_per_week: int = Field(38, ge=0, le=60)
    shifts: list[Shift] = Field(default_factory=lambda: ["day"])
    weekends: bool = False


class Mobility(BaseModel):
    postcode: PostcodeFormat | None = None
    transport_modes: list[TransportMode] = Field(default_factory=list)
    max_commute_minutes: int = Field(45, ge=0, le=240)


class CompetenceProfile(BaseModel):
    """Everything ranking may know about one participant, with its evidence."""

    format: Literal["werkbrug.profile/1"] = PROFILE_FORMAT
    participant_id: str = Field(description="Pseudonymous participant id.")
    generated_at: datetime | None = None
    skills: list[SkillLevel] = Field(default_factory=list)
    dutch: DutchLevels = Field(default_factory=DutchLevels)
    experience: list[ExperienceItem] = Field(default_factory=list)
    preferred_occupations: list[str] = Field(default_factory=list)
    preferred_sectors: list[str] = Field(default_factory=list)
    availability: Availability = Field(default_factory=Availability)
    mobility: Mobility = Field(default_factory=Mobility)
    education_level: str | None = None
    diploma_recognised: bool | None = None
    diploma_recognition: str | None = Field(
        None, description="not_applicable / not_requested / pending / partial / recognised / refused."
    )
    agreed_targets: list[str] = Field(
        default_factory=list, description="ESCO occupations agreed with the coach as job targets."
    )


def profile_json_schema() -> dict:
    """The published JSON schema of the competence-profile format."""
    return CompetenceProfile.model_json_schema()
