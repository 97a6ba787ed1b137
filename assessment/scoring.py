"""Pure scoring functions: item scores → ESCO skill levels, and how evidence combines.

Nothing here reads the database; :mod:`assessment.profiles` feeds these functions. Every
level and confidence is in [0, 1].

The rule in short (see each function for its formula):

1. An item score ``x`` on a scale ``lo … hi`` becomes ``(x − lo) / (hi − lo)``.
2. A skill's level from one record is the weight-averaged level of the scored items linked
   to it; its confidence is the base confidence of the evidence kind times the evidence
   coverage (the sum of the link weights, capped at 1).
3. Declared work experience gives the ESCO essential skills of the occupation as
   ``experience`` evidence: ``1 − 2^(−years / 2)`` with base confidence 0.5; skills the
   participant declares give ``self_declared`` evidence at level 0.5, confidence 0.3.
4. Several pieces of evidence on one skill combine in tiers: tested evidence (assessed or
   observed) replaces experience, which replaces self-declared evidence. Within the
   strongest tier present, the level is the recency-weighted mean (half-life one year,
   measured from the newest evidence), and the confidence is the noisy-OR of the weights.
5. Dutch CEFR levels: per sub-skill, the most recent assessment wins (levels are never
   averaged).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from assessment.instrument import Instrument
from assessment.profile import Evidence, EvidenceKind

#: Confidence of one fully covered piece of evidence of each kind.
BASE_CONFIDENCE: dict[EvidenceKind, float] = {
    EvidenceKind.assessed: 0.9,
    EvidenceKind.observed: 0.8,
    EvidenceKind.experience: 0.5,
    EvidenceKind.self_declared: 0.3,
}
#: Evidence tiers: a stronger tier replaces weaker ones for the level.
TIER: dict[EvidenceKind, int] = {
    EvidenceKind.assessed: 2,
    EvidenceKind.observed: 2,
    EvidenceKind.experience: 1,
    EvidenceKind.self_declared: 0,
}
#: Order of strength, for the profile's ``evidence_kind``.
STRENGTH = [EvidenceKind.assessed, EvidenceKind.observed, EvidenceKind.experience, EvidenceKind.self_declared]
HALF_LIFE_DAYS = 365.0
EXPERIENCE_HALF_YEARS = 2.0
SELF_DECLARED_LEVEL = 0.5


@dataclass(frozen=True)
class SkillScore:
    """What one record says about one skill."""

    uri: str
    level: float
    coverage: float
    items: tuple[str, ...]


def item_level(score: float, *, low: float, high: float) -> float:
    """Normalise a score on ``low … high`` to [0, 1].

    ``level = (score − low) / (high − low)``
    """
    if high <= low:
        raise ValueError("high must be greater than low")
    if not low <= score <= high:
        raise ValueError(f"score {score} is outside {low}…{high}")
    return (score - low) / (high - low)


def skill_scores(instrument: Instrument, scores: Mapping[str, float | None]) -> list[SkillScore]:
    """Skill levels that one record of a technical or observation instrument supports.

    For skill ``s`` with scored items ``i`` (link weight ``w_is``, normalised level ``x_i``):

    ``level_s = Σ_i w_is · x_i / Σ_i w_is`` and ``coverage_s = Σ_i w_is``.

    Items left blank (``None``) are not assessed and do not count.
    """
    if instrument.scale is None:
        return []
    acc: dict[str, list[float]] = {}
    items: dict[str, list[str]] = {}
    for item in instrument.items:
        value = scores.get(item.id)
        if value is None:
            continue
        x = item_level(float(value), low=instrument.scale.min, high=instrument.scale.max)
        for link in item.skills:
            num_den = acc.setdefault(link.uri, [0.0, 0.0])
            num_den[0] += link.weight * x
            num_den[1] += link.weight
            items.setdefault(link.uri, []).append(item.id)
    return [
        SkillScore(uri=uri, level=num / den, coverage=den, items=tuple(items[uri]))
        for uri, (num, den) in acc.items()
    ]


def evidence_confidence(kind: EvidenceKind, coverage: float = 1.0) -> float:
    """Confidence of one piece of evidence.

    ``confidence = base(kind) · min(1, coverage)`` with base assessed 0.9, observed 0.8,
    experience 0.5, self-declared 0.3.
    """
    return BASE_CONFIDENCE[kind] * min(1.0, max(0.0, coverage))


def experience_level(years: float) -> float:
    """Level that ``years`` of declared experience in an occupation support.

    ``level = 1 − 2^(−years / 2)``: half after two years, 0.75 after four.
    """
    return 1.0 - 2.0 ** (-max(0.0, years) / EXPERIENCE_HALF_YEARS)


def recency_weight(age_days: float, *, half_life_days: float = HALF_LIFE_DAYS) -> float:
    """``2^(−age / half_life)``: evidence a year older than the newest counts half."""
    return 2.0 ** (-max(0.0, age_days) / half_life_days)


def strongest_kind(kinds: Iterable[EvidenceKind]) -> EvidenceKind:
    """The strongest evidence kind present (assessed > observed > experience > self-declared)."""
    present = set(kinds)
    return next(k for k in STRENGTH if k in present)


def combine_evidence(
    evidence: Sequence[Evidence], *, half_life_days: float = HALF_LIFE_DAYS
) -> tuple[float, float, EvidenceKind]:
    """Combine the evidence on one skill into ``(level, confidence, evidence_kind)``.

    Only the strongest tier present counts (tested > experience > self-declared). For
    evidence ``e`` in that tier with level ``l_e``, confidence ``c_e`` and date ``t_e``
    (``t_max`` the newest date in the tier; undated evidence has age 0):

    ``w_e = c_e · 2^(−(t_max − t_e) / H)``, ``H`` = 365 days

    ``level = Σ w_e · l_e / Σ w_e``;  ``confidence = 1 − Π_e (1 − w_e)``.

    A correction does not reach this function: superseded records are dropped before.
    """
    if not evidence:
        raise ValueError("no evidence")
    top = max(TIER[e.kind] for e in evidence)
    used = [e for e in evidence if TIER[e.kind] == top]
    dates = [e.assessed_on for e in used if e.assessed_on is not None]
    newest: date | None = max(dates) if dates else None
    weights = []
    for e in used:
        age = (newest - e.assessed_on).days if (newest and e.assessed_on) else 0
        conf = e.confidence if e.confidence is not None else BASE_CONFIDENCE[e.kind]
        weights.append(conf * recency_weight(age, half_life_days=half_life_days))
    total = sum(weights)
    if total <= 0:
        level = sum(e.level for e in used) / len(used)
    else:
        level = sum(w * e.level for w, e in zip(weights, used, strict=True)) / total
    confidence = 1.0 - math.prod(1.0 - min(1.0, w) for w in weights)
    return min(1.0, max(0.0, level)), min(1.0, confidence), strongest_kind(e.kind for e in evidence)


def latest_cefr(observations: Iterable[tuple[date, str, str]]) -> str | None:
    """The most recent level among ``(assessed_on, tie_breaker, level)`` observations.

    Most recent wins: levels are not averaged, since a newer test reflects progress in a
    language course. ``tie_breaker`` (e.g. the time recorded) orders same-day tests.
    """
    latest = max(observations, default=None, key=lambda o: (o[0], o[1]))
    return latest[2] if latest else None
