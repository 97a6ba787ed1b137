"""Participant records as data: the fields a coach fills in, consent events, contact and protected attributes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assessment.profile import PostcodeFormat, Shift, TransportMode


class EducationLevel(StrEnum):
    """Highest completed education, roughly ISCED."""

    none = "none"
    primary = "primary"
    lower_secondary = "lower_secondary"
    upper_secondary = "upper_secondary"
    post_secondary = "post_secondary"
    higher = "higher"


class DiplomaRecognition(StrEnum):
    """Where the recognition of a foreign diploma (NARIC-Vlaanderen) stands."""

    not_applicable = "not_applicable"
    not_requested = "not_requested"
    pending = "pending"
    partial = "partial"
    recognised = "recognised"
    refused = "refused"


class ExperienceEntry(BaseModel):
    """Declared work experience as one ESCO occupation."""

    model_config = ConfigDict(extra="forbid")

    occupation_uri: str = Field(min_length=1)
    years: float = Field(ge=0, le=60)
    description: str | None = Field(None, max_length=2000)


class Contact(BaseModel):
    """How to reach a participant: never part of a profile."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=50)
    email: str | None = Field(None, max_length=200)
    address: str | None = Field(None, max_length=500)
    referrer: str | None = Field(None, max_length=200, description="Referrer, e.g. OCMW Brugge or VDAB.")


class ProtectedAttributes(BaseModel):
    """Stored only for fairness monitoring; never a ranking feature."""

    model_config = ConfigDict(extra="forbid")

    nationality: str | None = Field(None, max_length=100)
    country_of_origin: str | None = Field(None, max_length=100)
    gender: str | None = Field(None, max_length=50)
    date_of_birth: date | None = None


class ParticipantDetails(BaseModel):
    """Everything about a participant that a coach or assessor may edit (no contact data)."""

    model_config = ConfigDict(extra="forbid")

    coach: str | None = Field(None, max_length=100, description="Username of the coach.")
    postcode: PostcodeFormat | None = None
    transport_modes: list[TransportMode] = Field(default_factory=list)
    max_commute_minutes: int = Field(45, ge=0, le=240)
    hours_per_week: int = Field(38, ge=0, le=60)
    shifts: list[Shift] = Field(default_factory=lambda: ["day"])
    weekends: bool = False
    preferred_sectors: list[str] = Field(default_factory=list)
    preferred_occupations: list[str] = Field(default_factory=list, description="ESCO occupation URIs.")
    experience_text: str | None = Field(None, max_length=5000, description="Free text, any language.")
    experience: list[ExperienceEntry] = Field(default_factory=list)
    education_level: EducationLevel | None = None
    diploma_recognition: DiplomaRecognition | None = None
    languages: list[str] = Field(default_factory=list, description="Languages spoken (ISO 639 codes).")
    declared_skills: list[str] = Field(default_factory=list, description="ESCO skills the participant declares.")

    @field_validator("languages")
    @classmethod
    def _iso_codes(cls, value: list[str]) -> list[str]:
        out = []
        for code in value:
            code = code.strip().lower()
            if not (2 <= len(code) <= 3 and code.isalpha()):
                raise ValueError(f"{code!r} is not an ISO 639 language code (e.g. nl, ar, ti, prs)")
            out.append(code)
        return out

    @field_validator("transport_modes", "shifts", "preferred_sectors", "preferred_occupations", "declared_skills")
    @classmethod
    def _unique(cls, value: list) -> list:
        return list(dict.fromkeys(value))


class Participant(ParticipantDetails):
    """A stored participant, with the current consent state."""

    participant_id: str
    created_at: datetime
    created_by: str
    updated_at: datetime
    consent: bool = False
    consent_changed_at: datetime | None = None


class ConsentEvent(BaseModel):
    given: bool
    at: datetime
    by: str
    note: str | None = None
