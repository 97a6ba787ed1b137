"""Explanations a person can check: score parts, supporting skills with their evidence, the
gap (missing essential skills), the Dutch language check and next steps.

The same explanation is used for a coach's job target and a liaison's shortlist candidate.
Next steps follow fixed rules:

* a missing essential *knowledge* item → ``training`` (opleiding);
* a missing essential *skill/competence* → ``internship`` (stage) when the participant already
  has a related skill (partial credit) or covers at least half of the occupation, else ``training``;
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


class ScoreParts(BaseModel):
    """Weighted contributions; ``total = Σ parts``. ``values`` holds the unweighted parts in [0, 1]."""

    essential: float
    optional: float
    use: float
    experience: float
    preference: float
    language: float
    values: dict[str, float]


class SupportingSkill(BaseModel):
    uri: str
    label: str
    relation: str                    # essential / optional
    credit: float                    # x̃_s
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
    partial_credit: float = 0.0
    via_uri: str | None = None
    via_label: str | None = None


class NextStep(BaseModel):
    """A suggested step; ``code`` + ``params`` are rendered in the reader's language, ``text`` is the fallback."""

    kind: str                        # training / internship / language_course / assessment
    closes: list[str]                # skill URIs or Dutch sub-skills
    text: str
    code: str | None = None          # e.g. "explain.step.training"
    params: dict = {}


class Explanation(BaseModel):
    score: float
    parts: ScoreParts
    supporting_skills: list[SupportingSkill]
    missing_essential: list[MissingSkill]
    language: LanguageCheck
    next_steps: list[NextStep]


def score_parts(values: dict[str, float], weights: dict[str, float]) -> ScoreParts:
    return ScoreParts(**{k: round(weights[k] * float(values[k]), 6) for k in weights},
                      values={k: round(float(v), 6) for k, v in values.items()})


def explain_skills(
    model: MatchingModel, features: RankingFeatures, *, essential: np.ndarray, optional: np.ndarray,
    x: np.ndarray, x_tilde: np.ndarray, via: np.ndarray, labels: dict[str, str],
) -> tuple[list[SupportingSkill], list[MissingSkill]]:
    """Supporting skills (credit > 0, strongest first) and missing essential skills."""
    own = {s.uri: s for s in features.skills}
    uris = model.skill_uris
    supporting, missing = [], []
    for relation, idx in (("essential", essential), ("optional", optional)):
        for s in idx:
            if x_tilde[s] <= 0:
                continue
            f = own.get(uris[s])
            v = int(via[s])
            supporting.append(SupportingSkill.model_construct(
                uri=uris[s], label=labels.get(uris[s], uris[s]), relation=relation, credit=round(float(x_tilde[s]), 4),
                direct=bool(x[s] > 0 and v < 0), level=f.level if f else None,
                evidence_kind=f.evidence_kind if f else None, evidence_count=f.evidence_count if f else 0,
                via_uri=uris[v] if v >= 0 else None, via_label=labels.get(uris[v]) if v >= 0 else None,
            ))
    supporting.sort(key=lambda s: (s.relation != "essential", -s.credit))
    for s in essential:
        if x[s] > 0:
            continue
        v = int(via[s])
        missing.append(MissingSkill.model_construct(
            uri=uris[s], label=labels.get(uris[s], uris[s]),
            skill_type="knowledge" if model.skill_is_knowledge[s] else "skill",
            partial_credit=round(float(x_tilde[s]), 4),
            via_uri=uris[v] if v >= 0 else None, via_label=labels.get(uris[v]) if v >= 0 else None,
        ))
    missing.sort(key=lambda m: (-m.partial_credit, m.label))
    return supporting, missing


def next_steps(missing: list[MissingSkill], language: LanguageCheck, *, essential_coverage: float) -> list[NextStep]:
    """Which gaps a training, an internship, a language course or an assessment would close."""
    steps = []
    knowledge = [m for m in missing if m.skill_type == "knowledge"]
    practical = [m for m in missing if m.skill_type != "knowledge"]
    internship = [m for m in practical if m.partial_credit > 0 or essential_coverage >= 0.5]
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
