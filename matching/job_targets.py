"""Job targets (jobdoelwitten) for a coach: every ESCO occupation ranked for one participant.

Score (all parts in [0, 1], default weights in :class:`matching.config.Weights`)::

    x_s   = level_s · evidence_weight(kind_s) · (0.5 + 0.5 · confidence_s)
            evidence_weight: assessed 1.0, observed 0.9, experience 0.75, self-declared 0.5
    x̃_s   = max(x_s, max_t P[s, t] · x_t)              partial credit from related skills
            P: 0.6 · cosine for the 10 nearest skills (MiniLM, cosine ≥ 0.70), 0.3 broader/narrower
            skill, 0.2 sibling in a skill group of ≤ 25, 0.3 ESCO skill-skill relation
    essential_o  = Σ_{s ∈ ess(o)} idf_s · x̃_s / Σ_{s ∈ ess(o)} idf_s,   idf_s = ln(1 + N_occ / df_s)
    optional_o   = the same over the optional skills
    use_o        = Σ_{s ∈ o} idf_s · x_s / Σ_s idf_s · x_s      share of the participant's skills used
    experience_o = max_e min(1, years_e / 2) · (1 same occupation | 0.5 same ISCO-4 | 0.25 same ISCO-3)
    preference_o = 1 preferred occupation | 0.5 its ISCO-4 group or a preferred sector (ISCO prefix)
    language_o   = max(0, 1 − Σ_k max(0, req_ok − dutch_k) / 8)   (k: listening, reading, speaking, writing;
                   never above 1, so Dutch beyond the requirement earns nothing)
    score_o = 0.45·essential + 0.10·optional + 0.20·use + 0.10·experience + 0.05·preference + 0.10·language

Each target carries its parts, the supporting skills with evidence, the missing essential
skills, the Dutch check per sub-skill, the number of open vacancies within the participant's
commute and next steps. Every request is logged (:mod:`matching.log`).
"""

from __future__ import annotations

import duckdb
import numpy as np
from pydantic import BaseModel

from assessment.profile import CompetenceProfile
from foundation.cache import IMPORT, REQUIREMENTS, cached
from foundation.errors import InputError
from matching.config import MatchingConfig
from matching.explain import (
    MissingSkill,
    NextStep,
    ScoreParts,
    SupportingSkill,
    explain_skills,
    next_steps,
    score_parts,
)
from matching.features import RankingFeatures, ranking_features
from matching.language import (
    SUB_SKILLS,
    LanguageCheck,
    LanguageRequirement,
    check_language,
    requirement_matrix,
)
from matching.log import write_log, write_logs
from matching.model import MatchingModel, get_model
from matching.scoring import credited_for, score_occupations, skill_vector

MAX_TOP = 200


class JobTarget(BaseModel):
    rank: int
    occupation_uri: str
    label: str
    isco_group: str
    score: float
    parts: ScoreParts
    supporting_skills: list[SupportingSkill]
    missing_essential: list[MissingSkill]
    language: LanguageCheck
    open_vacancies: int
    next_steps: list[NextStep]


class JobTargetsResult(BaseModel):
    participant_id: str
    model: str
    taxonomy_version: str
    log_id: int | None
    targets: list[JobTarget]


def requirements(con: duckdb.DuckDBPyConnection, model: MatchingModel) -> tuple[np.ndarray, list[str]]:
    """The ``(occupations, 4)`` Dutch requirement matrix and row sources (cached until edited)."""
    return cached(con, "matching.requirements",
                  lambda: requirement_matrix(con, occupation_uris=model.occ_uris, isco_groups=model.occ_isco),
                  on=(IMPORT, REQUIREMENTS))


def _check_top(top: int) -> int:
    if not 1 <= int(top) <= MAX_TOP:
        raise InputError(f"top: must be between 1 and {MAX_TOP}, not {top}")
    return int(top)


def rank(total: np.ndarray, top: int) -> np.ndarray:
    """Indices of the ``top`` highest scores, best first (ties: lower index first)."""
    top = min(top, total.shape[-1])
    part = np.argpartition(-total, top - 1)[:top]
    return part[np.lexsort((part, -total[part]))]


def job_targets(
    con: duckdb.DuckDBPyConnection, *, profile: CompetenceProfile | dict, top: int = 10,
    requested_by: str = "system", log: bool = True, lang: str = "nl", config: MatchingConfig | None = None,
) -> JobTargetsResult:
    """Rank every occupation for one participant and explain the ``top`` best."""
    from matching.vacancies import open_vacancy_counts

    top = _check_top(top)
    features = ranking_features(profile)
    model = get_model(con, config=config)
    required, sources = requirements(con, model)
    total, parts = score_occupations(model, [features], required=required)
    total = total[0]
    best = rank(total, top)
    x = skill_vector(model, features)
    occ = [model.occ_uris[o] for o in best]
    skill_ids: set[int] = set()
    for o in best:
        skill_ids.update(model.essential_of(o).tolist())
        skill_ids.update(model.optional_of(o).tolist())
    x_tilde, via = credited_for(model, x, np.fromiter(skill_ids, dtype=np.int64))
    skill_ids.update(int(v) for v in via[list(skill_ids)] if v >= 0)
    labels = model.labels(con, occ + [model.skill_uris[i] for i in skill_ids], lang=lang)
    counts = open_vacancy_counts(con, occupation_uris=occ, postcode=features.postcode,
                                 transport_modes=features.transport_modes,
                                 max_commute_minutes=features.max_commute_minutes)
    weights = model.config.weights.model_dump()
    targets = []
    for r, o in enumerate(best, start=1):
        values = {k: float(parts[k][0, o]) for k in weights}
        supporting, missing = explain_skills(
            model, features, essential=model.essential_of(o), optional=model.optional_of(o),
            x=x, x_tilde=x_tilde, via=via, labels=labels,
        )
        req = LanguageRequirement(**dict(zip(SUB_SKILLS, _levels(required[o]), strict=True)), source=sources[o])
        check = check_language(features.dutch, req)
        targets.append(JobTarget(
            rank=r, occupation_uri=model.occ_uris[o], label=labels.get(model.occ_uris[o], model.occ_uris[o]),
            isco_group=model.occ_isco[o], score=round(float(total[o]), 6), parts=score_parts(values, weights),
            supporting_skills=supporting, missing_essential=missing, language=check,
            open_vacancies=counts.get(model.occ_uris[o], 0),
            next_steps=next_steps(missing, check, essential_coverage=values["essential"]),
        ))
    log_id = None
    if log:
        log_id = write_log(
            con, kind="job_targets", requested_by=requested_by, input_ids=[features.participant_id],
            model=model.name, taxonomy_version=model.taxonomy_version,
            outputs=[(t.occupation_uri, t.score, t.rank) for t in targets],
        )
    return JobTargetsResult(participant_id=features.participant_id, model=model.name,
                            taxonomy_version=model.taxonomy_version, log_id=log_id, targets=targets)


def _levels(values: np.ndarray) -> list[str]:
    from matching.language import LEVELS

    out = []
    for v in values:
        base = int(np.ceil(v))
        out.append(LEVELS[base] + (".1" if base - v >= 0.5 else ""))
    return out


def job_targets_for_participant(
    con: duckdb.DuckDBPyConnection, *, participant_id: str, top: int = 10, requested_by: str = "system",
    log: bool = True, lang: str = "nl", config: MatchingConfig | None = None,
) -> JobTargetsResult:
    """:func:`job_targets` for a stored participant (profile from :mod:`assessment.profiles`)."""
    from assessment.profiles import build_profile

    profile = build_profile(con, participant_id=participant_id)
    return job_targets(con, profile=profile, top=top, requested_by=requested_by, log=log, lang=lang, config=config)


def rank_profiles(
    con: duckdb.DuckDBPyConnection, *, profiles: list[CompetenceProfile | dict], top: int = 10,
    requested_by: str = "system", log: bool = True, batch: int = 256, config: MatchingConfig | None = None,
) -> list[list[tuple[str, float]]]:
    """Bulk job targets: the ``top`` ``(occupation URI, score)`` per profile, one log row each."""
    top = _check_top(top)
    features: list[RankingFeatures] = [ranking_features(p) for p in profiles]
    model = get_model(con, config=config)
    required, _ = requirements(con, model)
    out: list[list[tuple[str, float]]] = []
    for start in range(0, len(features), batch):
        total, _ = score_occupations(model, features[start:start + batch], required=required)
        for row in total:
            out.append([(model.occ_uris[o], round(float(row[o]), 6)) for o in rank(row, top)])
    if log and out:
        write_logs(
            con, kind="job_targets", requested_by=requested_by, model=model.name,
            taxonomy_version=model.taxonomy_version,
            requests=[([f.participant_id], [(u, s, r) for r, (u, s) in enumerate(res, start=1)])
                      for f, res in zip(features, out, strict=True)],
        )
    return out
