"""Job targets (jobdoelwitten) for a coach: every ESCO occupation ranked for one participant.

Score: :func:`matching.scoring.score` against the occupations (the formula is in that module
and in ``docs/matching.md``)::

    skills_o = the evidence of the participant's skills for o against chance, per shown skill
               (:mod:`matching.fit`; related skills only filling gaps)
    score_o  = 0.75·skills + 0.10·experience + 0.05·preference + 0.10·language

Each target carries its parts, the skill counts ("7 van 9 vereiste vaardigheden aangetoond"),
the supporting skills with evidence, the five most specific missing essential skills, the Dutch
check per sub-skill, the number of open vacancies within the participant's commute and next
steps. Every ranking breaks ties by occupation URI. Every request is logged (:mod:`matching.log`).
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import numpy as np
from pydantic import BaseModel

from assessment import cefr
from assessment.profile import CompetenceProfile
from foundation.cache import IMPORT, REQUIREMENTS, cached, caches
from foundation.errors import InputError
from matching.config import MatchingConfig
from matching.credit import Credit
from matching.explain import (
    MAX_GAPS,
    MissingSkill,
    NextStep,
    ScoreParts,
    SkillCounts,
    SupportingSkill,
    explain_pairs,
    language_steps,
    next_steps,
    occupation_listed,
    score_parts,
    trusted,
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
from matching.scoring import Participants, participants, score, score_with_credit, trade_group_skills

MAX_TOP = 200


class JobTarget(BaseModel):
    rank: int
    occupation_uri: str
    label: str
    isco_group: str
    score: float
    parts: ScoreParts
    skill_counts: SkillCounts
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
        raise InputError(f"top: must be between 1 and {MAX_TOP}, not {top}", code="matching.top_range",
                         params={"top": top, "max": MAX_TOP})
    return int(top)


def rank(total: np.ndarray, top: int) -> np.ndarray:
    """Indices of the ``top`` highest scores, best first (ties: lower index = lower URI first); only the
    scores at or above the ``top``-th highest are sorted."""
    n = total.shape[-1]
    candidates = np.flatnonzero(total >= np.partition(total, n - top)[n - top]) if top < n else np.arange(n)
    return candidates[np.lexsort((candidates, -total[candidates]))][:top]


def job_targets(
    con: duckdb.DuckDBPyConnection, *, profile: CompetenceProfile | dict, top: int = 10,
    requested_by: str = "system", log: bool = True, lang: str = "nl", config: MatchingConfig | None = None,
) -> JobTargetsResult:
    """Rank every occupation for one participant and explain the ``top`` best."""
    top = _check_top(top)
    features = ranking_features(profile)
    model = get_model(con, config=config)
    required, sources = requirements(con, model)
    pa = participants(model, [features])
    total, parts, credit = score_with_credit(model, pa, A=model.A, occupations=None, required=required)
    total = total[0]
    best = rank(total, top)
    targets = explain_targets(con, model, pa, best=best, total=total, parts=parts, credit=credit,
                              required=required, sources=sources, lang=lang)
    log_id = None
    if log:
        log_id = write_log(
            con, kind="job_targets", requested_by=requested_by, input_ids=[features.participant_id],
            model=model.name, taxonomy_version=model.taxonomy_version,
            outputs=[(t.occupation_uri, t.score, t.rank) for t in targets],
        )
    return JobTargetsResult(participant_id=features.participant_id, model=model.name,
                            taxonomy_version=model.taxonomy_version, log_id=log_id, targets=targets)


def explain_targets(
    con: duckdb.DuckDBPyConnection, model: MatchingModel, pa: Participants, *, best: np.ndarray,
    total: np.ndarray, parts: dict[str, np.ndarray], credit: Credit, required: np.ndarray, sources: list[str],
    lang: str,
) -> list[JobTarget]:
    """The explained :class:`JobTarget` for each occupation in ``best`` (one participant; ``credit``
    against every occupation, from :func:`matching.scoring.score_with_credit`)."""
    from matching.vacancies import open_vacancy_counts

    features = pa.features[0]
    slot = np.full(len(model.occ_uris), -1, np.int64)
    slot[best] = np.arange(best.size)
    keep = slot[credit.target] >= 0
    c = Credit(credit.participant[keep], slot[credit.target[keep]], credit.skill[keep], credit.via[keep],
               credit.credit[keep], credit.weight[keep])
    occ = [model.occ_uris[o] for o in best]
    labels = model.label_table(con, lang=lang)
    explained = explain_pairs(model, features=[features], X=pa.X, credit=c, pairs=[(0, j) for j in range(len(best))],
                              listed=occupation_listed(model, best.tolist()), labels=labels,
                              trade=trade_group_skills(model, targets=best))
    counts = open_vacancy_counts(con, occupation_uris=occ, postcode=features.postcode,
                                 transport_modes=features.transport_modes,
                                 max_commute_minutes=features.max_commute_minutes)
    weights = model.config.weights.model_dump()
    dutch = tuple(sorted(features.dutch.items()))
    out = []
    for r, (o, e) in enumerate(zip(best.tolist(), explained, strict=True), start=1):
        values = {k: float(parts[k][0, o]) for k in ("skills", "recall", "use", *weights)}
        values["essential"] = e.coverage
        check, dutch_steps = checked_language(dutch, required[o], sources[o])
        uri = model.occ_uris[o]
        out.append(trusted(JobTarget, {
            "rank": r, "occupation_uri": uri, "label": labels.get(uri, uri), "isco_group": str(model.occ_isco[o]),
            "score": round(float(total[o]), 6), "parts": trusted(ScoreParts, score_parts(values, weights)),
            "skill_counts": e.counts, "supporting_skills": e.supporting, "missing_essential": e.missing[:MAX_GAPS],
            "language": check, "open_vacancies": int(counts.get(uri, 0)),
            "next_steps": next_steps(e.missing, check, essential_coverage=e.coverage, dutch_steps=dutch_steps),
        }))
    return out


def _levels(values: np.ndarray) -> list[str]:
    return [cefr.name_of(float(v)) for v in values]


def checked_language(dutch: tuple[tuple[str, str | None], ...], required: np.ndarray, source: str
                     ) -> tuple[LanguageCheck, list[NextStep]]:
    """:func:`matching.language.check_language` of the participant's ``dutch`` levels (sorted items) against one
    requirement row, and its :func:`matching.explain.language_steps`. Targets and requests share a few
    requirements, so each pair is checked once (memo; the models are shared, never changed)."""
    def check() -> tuple[LanguageCheck, list[NextStep]]:
        req = LanguageRequirement(**dict(zip(SUB_SKILLS, _levels(required), strict=True)), source=source)
        checked = check_language(dict(dutch), req)
        return checked, language_steps(checked)

    return caches.memo("matching.language_check", (dutch, required.tobytes(), source), check, maxsize=256)


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
    progress: Callable[[int], None] | None = None,
) -> list[list[tuple[str, float]]]:
    """Bulk job targets: the ``top`` ``(occupation URI, score)`` per profile, one log row each.

    ``progress(n)`` is called with the number of profiles ranked so far after each batch."""
    top = _check_top(top)
    features: list[RankingFeatures] = [ranking_features(p) for p in profiles]
    model = get_model(con, config=config)
    required, _ = requirements(con, model)
    out: list[list[tuple[str, float]]] = []
    for start in range(0, len(features), batch):
        pa = participants(model, features[start:start + batch])
        total, _ = score(model, pa, A=model.A, occupations=None, required=required)
        for row in total:
            out.append([(model.occ_uris[o], round(float(row[o]), 6)) for o in rank(row, top)])
        if progress is not None:
            progress(len(out))
    if log and out:
        write_logs(
            con, kind="job_targets", requested_by=requested_by, model=model.name,
            taxonomy_version=model.taxonomy_version,
            requests=[([f.participant_id], [(u, s, r) for r, (u, s) in enumerate(res, start=1)])
                      for f, res in zip(features, out, strict=True)],
        )
    return out
