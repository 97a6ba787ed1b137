"""The allow-list: the only view ranking code has of a participant.

Ranking functions take :class:`RankingFeatures`, built by :func:`ranking_features` from a
competence profile (or any mapping) by copying **only** the fields in
:data:`ALLOWED_FEATURES`. Name, contact details, nationality, country of origin, religion,
gender and age are not in the list, so they cannot reach a score even when a caller passes
a record that contains them (fairness by construction, see ``docs/matching.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assessment.profile import CompetenceProfile

#: Profile fields that ranking may read. Everything else is dropped.
ALLOWED_FEATURES: frozenset[str] = frozenset({
    "participant_id",  # pseudonymous key, never a feature value
    "skills",
    "dutch",
    "experience",
    "preferred_occupations",
    "preferred_sectors",
    "availability",
    "mobility",
})

#: Attributes that must never reach ranking (checked by the tests).
PROTECTED_ATTRIBUTES: frozenset[str] = frozenset({
    "name", "first_name", "last_name", "email", "phone", "address", "nationality",
    "country_of_origin", "origin", "religion", "gender", "sex", "age", "birth_date",
    "date_of_birth",
})

#: Weight of each kind of evidence in a skill's strength (strongest first).
EVIDENCE_WEIGHT: dict[str, float] = {
    "assessed": 1.0,
    "observed": 0.9,
    "experience": 0.75,
    "self_declared": 0.5,
}


@dataclass(frozen=True)
class SkillFeature:
    uri: str
    level: float
    confidence: float
    evidence_kind: str
    evidence_count: int

    @property
    def strength(self) -> float:
        """``level · evidence_weight(kind) · (0.5 + 0.5 · confidence)``, in [0, 1]."""
        return self.level * EVIDENCE_WEIGHT.get(self.evidence_kind, 0.5) * (0.5 + 0.5 * self.confidence)


@dataclass(frozen=True)
class RankingFeatures:
    """Allow-listed features of one participant."""

    participant_id: str
    skills: tuple[SkillFeature, ...] = ()
    dutch: dict[str, str | None] = field(default_factory=dict)
    experience: tuple[tuple[str, float], ...] = ()          # (occupation URI, years)
    preferred_occupations: tuple[str, ...] = ()
    preferred_sectors: tuple[str, ...] = ()                  # ISCO codes (prefixes)
    hours_per_week: int = 38
    shifts: tuple[str, ...] = ("day",)
    weekends: bool = False
    postcode: str | None = None
    transport_modes: tuple[str, ...] = ()
    max_commute_minutes: int = 45


def ranking_features(source: CompetenceProfile | Mapping[str, Any]) -> RankingFeatures:
    """Copy the allow-listed fields of ``source`` (a profile or a dict that may hold more)."""
    if isinstance(source, CompetenceProfile):
        profile = source  # validated already; only the allow-listed attributes are read below
    else:
        profile = CompetenceProfile.model_validate({k: v for k, v in dict(source).items() if k in ALLOWED_FEATURES})
    skills = tuple(
        SkillFeature(uri=s.uri, level=s.level, confidence=s.confidence,
                     evidence_kind=str(s.evidence_kind), evidence_count=len(s.evidence))
        for s in profile.skills
    )
    d = profile.dutch
    return RankingFeatures(
        participant_id=profile.participant_id,
        skills=skills,
        dutch={"listening": d.listening, "reading": d.reading, "speaking": d.speaking, "writing": d.writing},
        experience=tuple((e.occupation_uri, e.years) for e in profile.experience),
        preferred_occupations=tuple(profile.preferred_occupations),
        preferred_sectors=tuple(profile.preferred_sectors),
        hours_per_week=profile.availability.hours_per_week,
        shifts=tuple(profile.availability.shifts),
        weekends=profile.availability.weekends,
        postcode=profile.mobility.postcode,
        transport_modes=tuple(str(m) for m in profile.mobility.transport_modes),
        max_commute_minutes=profile.mobility.max_commute_minutes,
    )
