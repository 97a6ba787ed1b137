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

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel

from matching.credit import Credit
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
    relation: str                    # essential / optional / trade (not listed: same trade group, counts partly in use)
    credit: float                    # x_s (direct), P[s, t] · x_t (related) or γ · x_s (trade)
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


def score_parts(values: dict[str, float], weights: dict[str, float]) -> dict:
    """The :class:`ScoreParts` fields: weighted parts and the unweighted values, rounded."""
    return {**{k: round(weights[k] * float(values[k]), 6) for k in weights},
            "values": {k: round(float(v), 6) for k, v in values.items()}}


class Explained(NamedTuple):
    """One (participant, target) pair explained: the fields of the models above, as plain data."""

    supporting: list[dict]       # SupportingSkill fields
    missing: list[dict]          # MissingSkill fields, every missing essential skill
    counts: dict                 # SkillCounts fields
    coverage: float              # of the essential skills, Σ idf·credit / Σ idf


def _keyed(keys: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(found, position)`` of each query in the sorted ``keys``."""
    if keys.size == 0:
        return np.zeros(q.size, bool), np.zeros(q.size, np.int64)
    i = np.minimum(np.searchsorted(keys, q), keys.size - 1)
    return keys[i] == q, i


def explain_pairs(
    model: MatchingModel, *, features: list[RankingFeatures], X: sp.csr_matrix, credit: Credit,
    pairs: list[tuple[int, int]], essential: list[np.ndarray], optional: list[np.ndarray], labels: dict[str, str],
    trade: list[np.ndarray] | None = None,
) -> list[Explained]:
    """Each target skill of each pair once: shown (direct), related (partial credit, with the skill it
    came from) or missing (essential only). Per pair: supporting skills (essential first, strongest
    first, then label), every missing essential skill (most specific first, then label), the counts
    and the coverage of the essential skills ``Σ idf·credit / Σ idf``.

    ``pairs[q] = (i, j)``: participant row ``i`` of ``X`` (and ``features``) against target ``j``,
    whose skills are ``essential[j]`` / ``optional[j]``; ``credit`` of ``X`` against those targets
    (:func:`matching.scoring.related_credit`, rows in any order). Language skills never count.
    ``trade[j]``: target ``j``'s trade group (:func:`matching.scoring.trade_group_skills`); a shown
    skill in it is listed last as ``relation="trade"`` with credit ``γ · x`` (it counts in ``use``
    only, so never in the counts or the coverage).
    """
    if not pairs:
        return []
    S, m, lang = X.shape[1], len(essential), model.skill_is_language
    ess = [e[~lang[e]] for e in essential]
    opt = []
    for o, e in zip(optional, ess, strict=True):
        listed = set(e.tolist())
        opt.append(np.array([s for s in o[~lang[o]].tolist() if s not in listed], np.int64))
    X = sp.csr_matrix(X)
    X.sort_indices()
    x_keys = np.repeat(np.arange(X.shape[0], dtype=np.int64), np.diff(X.indptr)) * S + X.indices
    c_keys = (credit.participant * m + credit.target) * S + credit.skill
    c_order = np.argsort(c_keys)
    c_keys = c_keys[c_order]
    rows = [(q, j, kind, idx) for q, (_, j) in enumerate(pairs) for kind, idx in ((0, ess[j]), (1, opt[j]))]
    size = [idx.size for *_, idx in rows]
    q_of = np.repeat(np.array([r[0] for r in rows], np.int64), size)
    essential_of = np.repeat(np.array([r[2] == 0 for r in rows], bool), size)
    s_of = np.concatenate([r[3] for r in rows]).astype(np.int64) if rows else np.zeros(0, np.int64)
    i_of = np.array([i for i, _ in pairs], np.int64)[q_of]
    j_of = np.array([j for _, j in pairs], np.int64)[q_of]
    direct, xi = _keyed(x_keys, i_of * S + s_of)
    related, ci = _keyed(c_keys, (i_of * m + j_of) * S + s_of)
    related &= ~direct
    ci = c_order[ci] if c_keys.size else ci
    value = np.where(direct, X.data[xi] if X.nnz else 0.0, credit.credit[ci] if c_keys.size else 0.0)
    value = value.astype(np.float64)
    got = essential_of & (direct | related)
    covered = np.bincount(q_of[got], weights=model.idf[s_of[got]].astype(np.float64) * value[got],
                          minlength=len(pairs))
    met = np.bincount(q_of[essential_of & direct], minlength=len(pairs))
    partly = np.bincount(q_of[essential_of & related], minlength=len(pairs))
    totals = [float(model.idf[e].sum()) if e.size else 0.0 for e in ess]
    out = [Explained([], [], {}, 0.0) for _ in pairs]
    uris, idf, knowledge = model.skill_uris, model.idf, model.skill_is_knowledge
    listed = np.flatnonzero(direct | related | essential_of)    # an optional skill not shown is not listed
    via = credit.via[ci[listed]].tolist() if c_keys.size else [0] * listed.size
    own: list[dict | None] = [None] * len(features)

    def own_of(i: int) -> dict:
        if own[i] is None:
            own[i] = {f.uri: f for f in features[i].skills}
        return own[i]

    for q, s, is_ess, d, r, v, t in zip(q_of[listed].tolist(), s_of[listed].tolist(), essential_of[listed].tolist(),
                                        direct[listed].tolist(), related[listed].tolist(), value[listed].tolist(),
                                        via, strict=True):
        uri = uris[s]
        if d:
            out[q].supporting.append(_shown(uri, labels, "essential" if is_ess else "optional", v,
                                            own_of(pairs[q][0]).get(uri)))
        elif r:
            out[q].supporting.append({
                "uri": uri, "label": labels.get(uri, uri), "relation": "essential" if is_ess else "optional",
                "credit": round(v, 4), "direct": False, "level": None, "evidence_kind": None, "evidence_count": 0,
                "via_uri": uris[t], "via_label": labels.get(uris[t])})
        elif is_ess:
            out[q].missing.append({"uri": uri, "label": labels.get(uri, uri), "weight": round(float(idf[s]), 4),
                                   "skill_type": "knowledge" if knowledge[s] else "skill"})
    if trade is not None:
        _add_trade(model, out, X=X, pairs=pairs, trade=trade, labels=labels, own=own_of)
    rank = {"essential": 0, "optional": 1, "trade": 2}
    for q, e in enumerate(out):
        e.supporting.sort(key=lambda s: (rank[s["relation"]], not s["direct"], -s["credit"], s["label"], s["uri"]))
        e.missing.sort(key=lambda m: (-m["weight"], m["label"], m["uri"]))
        j = pairs[q][1]
        e.counts.update(required=int(ess[j].size), met=int(met[q]), related=int(partly[q]), missing=len(e.missing))
        out[q] = e._replace(coverage=float(covered[q]) / totals[j] if totals[j] else 0.0)
    return out


def _add_trade(model: MatchingModel, out: list[Explained], *, X: sp.csr_matrix, pairs: list[tuple[int, int]],
               trade: list[np.ndarray], labels: dict[str, str], own) -> None:
    """Append each pair's shown skills of the target's trade group (sorted ``trade[j]``) as ``relation="trade"``
    supporting skills, in skill order (``own(i)``: participant ``i``'s profile entries by URI)."""
    S, gamma = X.shape[1], model.config.trade_group_credit
    groups = [trade[j] for _, j in pairs]
    sizes = [g.size for g in groups]
    if not any(sizes):
        return
    keys = np.repeat(np.arange(len(pairs), dtype=np.int64) * S, sizes) + np.concatenate(groups)   # sorted
    rows = np.array([i for i, _ in pairs], np.int64)
    start, count = X.indptr[rows], np.diff(X.indptr)[rows]
    pair = np.repeat(np.arange(len(pairs)), count)                               # each pair's shown skills
    pos = np.arange(pair.size) + np.repeat(start - (np.cumsum(count) - count), count)
    shown = X.indices[pos].astype(np.int64)
    hit = _keyed(keys, pair * S + shown)[0] & ~model.skill_is_language[shown]
    for q, s, v in zip(pair[hit].tolist(), shown[hit].tolist(), X.data[pos[hit]].tolist(), strict=True):
        uri = model.skill_uris[s]
        out[q].supporting.append(_shown(uri, labels, "trade", gamma * v, own(pairs[q][0]).get(uri)))


def _shown(uri: str, labels: dict[str, str], relation: str, credit: float, f) -> dict:
    """A skill the participant shows, as :class:`SupportingSkill` fields (``f``: its profile entry)."""
    return {"uri": uri, "label": labels.get(uri, uri), "relation": relation, "credit": round(credit, 4),
            "direct": True, "level": f.level if f else None, "evidence_kind": str(f.evidence_kind) if f else None,
            "evidence_count": f.evidence_count if f else 0, "via_uri": None, "via_label": None}


def next_steps(missing: list[dict], language: LanguageCheck, *, essential_coverage: float) -> list[dict]:
    """Which gaps (``missing``: :class:`MissingSkill` fields) a training, an internship, a language
    course or an assessment would close, as :class:`NextStep` fields (validated with the target or candidate)."""
    steps = []
    knowledge = [m for m in missing if m["skill_type"] == "knowledge"]
    practical = [m for m in missing if m["skill_type"] != "knowledge"]
    internship = [m for m in practical if essential_coverage >= 0.5]
    chosen = {m["uri"] for m in internship}
    training = knowledge + [m for m in practical if m["uri"] not in chosen]
    if training:
        shown = [m["label"] for m in training[:MAX_LISTED]]
        steps.append(dict(kind="training", closes=[m["uri"] for m in training],
                          text="Training for: " + ", ".join(shown), code="explain.step.training",
                          params={"skills": shown}))
    if internship:
        shown = [m["label"] for m in internship[:MAX_LISTED]]
        steps.append(dict(kind="internship", closes=[m["uri"] for m in internship],
                          text="Internship to practise: " + ", ".join(shown), code="explain.step.internship",
                          params={"skills": shown}))
    gaps = [i for i in language.items if i.status == "gap"]
    if gaps:
        steps.append(dict(
            kind="language_course", closes=[i.sub_skill for i in gaps],
            text="NT2 course: " + ", ".join(f"{i.sub_skill} {i.participant} → {i.required}" for i in gaps),
            code="explain.step.language_course",
            params={"gaps": [{"code": f"explain.gap.{i.sub_skill}", "message": i.sub_skill,
                              "params": {"have": i.participant or "A0", "need": i.required}} for i in gaps]},
        ))
    unknown = [i for i in language.items if i.status == "not_assessed"]
    if unknown:
        steps.append(dict(kind="assessment", closes=[i.sub_skill for i in unknown],
                          text="Dutch not tested yet: " + ", ".join(i.sub_skill for i in unknown),
                          code="explain.step.assessment",
                          params={"sub_skills": [{"code": f"cefr.sub_skill.{i.sub_skill}", "message": i.sub_skill}
                                                 for i in unknown]}))
    return steps
