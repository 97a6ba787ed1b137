"""Explanations a person can check: score parts, supporting skills with their evidence, the
gap (missing essential skills), the Dutch language check and next steps.

The same explanation is used for a coach's job target and a liaison's shortlist candidate.
Next steps follow fixed rules:

* a missing essential *knowledge* item → ``training`` (opleiding);
* a missing essential *skill/competence* → ``internship`` (stage) when the participant covers
  at least half of the essential skills, else ``training``;
* a Dutch gap → ``language_course`` (NT2) naming the sub-skills and levels;
* Dutch not assessed → ``assessment``.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel

from matching.features import RankingFeatures
from matching.language import LanguageCheck
from matching.model import MatchingModel

MAX_LISTED = 15
MAX_GAPS = 5          # gaps shown per job target or candidate: the most specific first


class ScoreParts(BaseModel):
    """Weighted contributions; ``total = Σ parts``. ``values`` holds the unweighted parts in [0, 1]
    (``skills`` = F-measure of ``recall`` and ``use``; ``essential`` = coverage of the essential
    skills, related skills counting partially)."""

    skills: float = 0.0            # 0 in shortlists stored before the F-measure score
    experience: float
    preference: float
    language: float
    values: dict[str, float]


class SkillCounts(BaseModel):
    """The required (essential) skills: shown, partly shown through a related skill, missing."""

    required: int
    met: int
    related: int
    missing: int


class SupportingSkill(BaseModel):
    uri: str
    label: str
    relation: str                    # essential / optional
    credit: float                    # x_s (direct) or P[s, t] · x_t (related)
    direct: bool                     # the participant has this skill itself
    level: float | None = None
    evidence_kind: str | None = None
    evidence_count: int = 0
    via_uri: str | None = None       # related skill that gave partial credit
    via_label: str | None = None


class MissingSkill(BaseModel):
    uri: str
    label: str
    skill_type: str                  # knowledge / skill
    weight: float = 0.0              # idf: how specific the skill is (gaps that matter most first)


class NextStep(BaseModel):
    """A suggested step; ``code`` + ``params`` are rendered in the reader's language, ``text`` is the fallback."""

    kind: str                        # training / internship / language_course / assessment
    closes: list[str]                # skill URIs or Dutch sub-skills
    text: str
    code: str | None = None          # e.g. "explain.step.training"
    params: dict = {}


def score_parts(values: dict[str, float], weights: dict[str, float]) -> ScoreParts:
    return ScoreParts(**{k: round(weights[k] * float(values[k]), 6) for k in weights},
                      values={k: round(float(v), 6) for k, v in values.items()})


def explain_skills(
    model: MatchingModel, features: RankingFeatures, *, essential: np.ndarray, optional: np.ndarray,
    x: dict[int, float], credit: dict[int, tuple[int, float]], labels: dict[str, str],
) -> tuple[list[SupportingSkill], list[MissingSkill], SkillCounts, float]:
    """Each target skill once: shown (direct), related (partial credit, with the skill it came
    from) or missing (essential only). Returns supporting skills (essential first, strongest
    first, then label), every missing essential skill (most specific first, then label), the
    counts and the coverage of the essential skills ``Σ idf·credit / Σ idf``.

    ``x``: skill index → ``x_s`` the participant shows; ``credit``: gap → (giver, credit) from
    :func:`matching.scoring.related_credit` for this target.
    """
    own = {s.uri: s for s in features.skills}
    uris = model.skill_uris
    supporting, missing = [], []
    met = related = 0
    ess = [int(s) for s in essential if not model.skill_is_language[s]]
    opt = [int(s) for s in optional if not model.skill_is_language[s] and int(s) not in set(ess)]
    got = 0.0
    for relation, idx in (("essential", ess), ("optional", opt)):
        for s in idx:
            uri = uris[s]
            if s in x:
                f = own.get(uri)
                value, direct, v = x[s], True, -1
            elif s in credit:
                f, (v, value), direct = None, credit[s], False
            else:
                if relation == "essential":
                    missing.append(MissingSkill.model_construct(
                        uri=uri, label=labels.get(uri, uri), weight=round(float(model.idf[s]), 4),
                        skill_type="knowledge" if model.skill_is_knowledge[s] else "skill"))
                continue
            if relation == "essential":
                met += direct
                related += not direct
                got += float(model.idf[s]) * value
            supporting.append(SupportingSkill.model_construct(   # fields built here, no validation needed
                uri=uri, label=labels.get(uri, uri), relation=relation, credit=round(float(value), 4), direct=direct,
                level=f.level if f else None, evidence_kind=str(f.evidence_kind) if f else None,
                evidence_count=f.evidence_count if f else 0,
                via_uri=uris[v] if v >= 0 else None, via_label=labels.get(uris[v]) if v >= 0 else None,
            ))
    supporting.sort(key=lambda s: (s.relation != "essential", not s.direct, -s.credit, s.label, s.uri))
    missing.sort(key=lambda m: (-m.weight, m.label, m.uri))
    total = float(model.idf[ess].sum()) if ess else 0.0
    counts = SkillCounts.model_construct(required=len(ess), met=met, related=related, missing=len(missing))
    return supporting, missing, counts, (got / total if total else 0.0)


def next_steps(missing: list[MissingSkill], language: LanguageCheck, *, essential_coverage: float) -> list[NextStep]:
    """Which gaps a training, an internship, a language course or an assessment would close."""
    steps = []
    knowledge = [m for m in missing if m.skill_type == "knowledge"]
    practical = [m for m in missing if m.skill_type != "knowledge"]
    internship = [m for m in practical if essential_coverage >= 0.5]
    chosen = {m.uri for m in internship}
    training = knowledge + [m for m in practical if m.uri not in chosen]
    if training:
        shown = [m.label for m in training[:MAX_LISTED]]
        steps.append(NextStep(kind="training", closes=[m.uri for m in training],
                              text="Training for: " + ", ".join(shown), code="explain.step.training",
                              params={"skills": shown}))
    if internship:
        shown = [m.label for m in internship[:MAX_LISTED]]
        steps.append(NextStep(kind="internship", closes=[m.uri for m in internship],
                              text="Internship to practise: " + ", ".join(shown), code="explain.step.internship",
                              params={"skills": shown}))
    gaps = [i for i in language.items if i.status == "gap"]
    if gaps:
        steps.append(NextStep(
            kind="language_course", closes=[i.sub_skill for i in gaps],
            text="NT2 course: " + ", ".join(f"{i.sub_skill} {i.participant} → {i.required}" for i in gaps),
            code="explain.step.language_course",
            params={"gaps": [{"code": f"explain.gap.{i.sub_skill}", "message": i.sub_skill,
                              "params": {"have": i.participant or "A0", "need": i.required}} for i in gaps]},
        ))
    unknown = [i for i in language.items if i.status == "not_assessed"]
    if unknown:
        steps.append(NextStep(kind="assessment", closes=[i.sub_skill for i in unknown],
                              text="Dutch not tested yet: " + ", ".join(i.sub_skill for i in unknown),
                              code="explain.step.assessment",
                              params={"sub_skills": [{"code": f"cefr.sub_skill.{i.sub_skill}", "message": i.sub_skill}
                                                     for i in unknown]}))
    return steps
