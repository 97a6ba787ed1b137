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

from collections.abc import Callable
from typing import NamedTuple, TypeVar

import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel

from matching.credit import Credit, sorted_csr
from matching.features import RankingFeatures
from matching.language import LanguageCheck
from matching.model import MatchingModel

M = TypeVar("M", bound=BaseModel)

MAX_LISTED = 15
MAX_GAPS = 5          # gaps shown per job target or candidate: the most specific first


class ScoreParts(BaseModel):
    """Weighted contributions; ``total = Σ parts``. ``values`` holds the unweighted parts in [0, 1]
    (``skills`` = the evidence of :mod:`matching.fit`, or with ``skill_fit="f_beta"`` the F-measure of
    ``recall`` and ``use``; ``recall``, ``use`` and ``essential`` = coverage of the essential skills
    describe it, related skills counting partially)."""

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
    """One (participant, target) pair explained, as the models above (built by :func:`trusted`)."""

    supporting: list[SupportingSkill]
    missing: list[MissingSkill]  # every missing essential skill
    counts: SkillCounts
    coverage: float              # of the essential skills, Σ idf·credit / Σ idf


_new = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def trusted(cls: type[M], fields: dict) -> M:
    """``cls`` holding ``fields`` without validating them again, for data built here from typed arrays
    and validated models: every field given, in declaration order (the JSON follows it), each value
    already of its field's type. The instance equals ``cls.model_validate(fields)``, same JSON
    (``tests/matching/test_explain_trusted.py`` checks every model built this way)."""
    obj = _new(cls)
    _set_dict(obj, fields)
    _set_fields_set(obj, set(fields))
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


def _keyed(keys: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(found, position)`` of each query in the sorted ``keys``."""
    if keys.size == 0:
        return np.zeros(q.size, bool), np.zeros(q.size, np.int64)
    i = np.minimum(np.searchsorted(keys, q), keys.size - 1)
    return keys[i] == q, i


class _LabelTable(NamedTuple):
    """What the explanations keep with the model per label table: the table, each skill's label (else its URI)
    and place in (label, URI) order, and the missing-skill objects made so far."""

    labels: dict[str, str]
    names: list[str]
    place: np.ndarray
    missing: dict[int, MissingSkill]


def _label_table(model: MatchingModel, labels: dict[str, str]) -> _LabelTable:
    """:class:`_LabelTable` of ``labels``, kept with the model for each of its label tables."""
    kept = model.__dict__.setdefault("_skill_labels", {})
    got = kept.get(id(labels))
    if got is None or got.labels is not labels:
        uris = model.skill_uris
        names = [labels.get(u, u) for u in uris]
        order = sorted(range(len(uris)), key=lambda s: (names[s], uris[s]))
        place = np.empty(len(uris), np.int64)
        place[order] = np.arange(len(uris))
        got = kept[id(labels)] = _LabelTable(labels, names, place, {})
    return got


def skill_labels(model: MatchingModel, labels: dict[str, str]) -> tuple[list[str], np.ndarray]:
    """Each skill's label in ``labels`` (else its URI), by skill index, and each skill's place in
    (label, URI) order; kept with the model for each of its label tables."""
    got = _label_table(model, labels)
    return got.names, got.place


class Listed(NamedTuple):
    """A target's skills as the explanation reads them: its essential skills and the optional ones that are not
    also essential (language skills left out, order kept), and ``Σ idf`` of the essential ones."""

    essential: np.ndarray
    optional: np.ndarray
    total: float


def listed_skills(model: MatchingModel, essential: list[np.ndarray], optional: list[np.ndarray]) -> list[Listed]:
    """:class:`Listed` of each target (``essential[j]``, ``optional[j]``: its skill indices)."""
    lang, out = model.skill_is_language, []
    for e, o in zip(essential, optional, strict=True):
        e = e[~lang[e]]
        listed = set(e.tolist())
        out.append(Listed(e, np.array([s for s in o[~lang[o]].tolist() if s not in listed], np.int64),
                          float(model.idf[e].sum()) if e.size else 0.0))
    return out


def occupation_listed(model: MatchingModel, occupations: list[int]) -> list[Listed]:
    """:func:`listed_skills` of the occupations (indices), kept per occupation with the model."""
    kept = model.__dict__.setdefault("_occupation_listed", {})
    out = []
    for o in occupations:
        got = kept.get(o)
        if got is None:
            got = kept[o] = listed_skills(model, [model.essential_of(o)], [model.optional_of(o)])[0]
        out.append(got)
    return out


def _rounded_idf(model: MatchingModel) -> list[float]:
    """Each skill's idf rounded to 4 places, as a missing skill's ``weight`` shows it (kept with the model)."""
    got = model.__dict__.get("_rounded_idf")
    if got is None:
        got = model._rounded_idf = [round(w, 4) for w in model.idf.tolist()]
    return got


def missing_skills(model: MatchingModel, labels: dict[str, str]) -> Callable[[int], MissingSkill]:
    """Skill ``s`` as a missing skill (its label in ``labels``, its rounded idf as weight): one object per
    skill and label table, kept with the model (a missing skill depends on nothing else; never changed)."""
    table = _label_table(model, labels)
    made, names = table.missing, table.names
    uris, knowledge, rounded = model.skill_uris, model.skill_is_knowledge, _rounded_idf(model)

    def missing(s: int) -> MissingSkill:
        skill = made.get(s)
        if skill is None:
            skill = made[s] = trusted(MissingSkill, {
                "uri": uris[s], "label": names[s], "skill_type": "knowledge" if knowledge[s] else "skill",
                "weight": rounded[s]})
        return skill

    return missing


def _rounded(values: np.ndarray) -> list[float]:
    """``[round(v, 4) for v in values]``, each distinct value rounded once (a profile has few levels)."""
    distinct, which = np.unique(values, return_inverse=True)
    rounded = [round(v, 4) for v in distinct.tolist()]
    return [rounded[i] for i in which.tolist()]


def explain_pairs(
    model: MatchingModel, *, features: list[RankingFeatures], X: sp.csr_matrix, credit: Credit,
    pairs: list[tuple[int, int]], essential: list[np.ndarray] | None = None,
    optional: list[np.ndarray] | None = None, labels: dict[str, str], trade: list[np.ndarray] | None = None,
    listed: list[Listed] | None = None,
) -> list[Explained]:
    """Each target skill of each pair once: shown (direct), related (partial credit, with the skill it
    came from) or missing (essential only). Per pair: supporting skills (essential first, strongest
    first, then label), every missing essential skill (most specific first, then label), the counts
    and the coverage of the essential skills ``Σ idf·credit / Σ idf``.

    ``pairs[q] = (i, j)``: participant row ``i`` of ``X`` (and ``features``) against target ``j``,
    whose skills are ``essential[j]`` / ``optional[j]``; ``credit`` of ``X`` against those targets
    (:func:`matching.scoring.related_credit`, rows in any order); ``listed``: their :func:`listed_skills` if made
    already (then ``essential`` / ``optional`` are not read). Language skills never count.
    ``trade[j]``: target ``j``'s trade group (:func:`matching.scoring.trade_group_skills`); a shown
    skill in it is listed last as ``relation="trade"`` with credit ``γ · x`` (it counts in ``use``
    only, so never in the counts or the coverage). Both orders are taken over all pairs at once.
    """
    if not pairs:
        return []
    if listed is None:
        listed = listed_skills(model, essential, optional)
    S, m = X.shape[1], len(listed)
    ess, opt = [t.essential for t in listed], [t.optional for t in listed]
    X = sorted_csr(X)
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
    totals = [t.total for t in listed]
    names, place = skill_labels(model, labels)
    by_uri: dict[int, dict] = {}

    def own(i: int) -> dict:
        """Participant ``i``'s profile entries by URI (read once)."""
        got = by_uri.get(i)
        if got is None:
            got = by_uri[i] = {f.uri: f for f in features[i].skills}
        return got

    supporting: list[list[SupportingSkill]] = [[] for _ in pairs]
    sup = np.flatnonzero(direct | related)
    via = credit.via[ci[sup]] if c_keys.size else np.zeros(sup.size, np.int64)
    entries = [q_of[sup], s_of[sup], np.where(essential_of[sup], 0, 1), direct[sup], value[sup], via]
    if trade is not None:
        tq, ts, tv = _trade(model, X=X, pairs=pairs, trade=trade)
        gamma = model.config.trade_group_credit
        extra = [tq, ts, np.full(tq.size, 2), np.ones(tq.size, bool), gamma * tv, np.zeros(tq.size, np.int64)]
        entries = [np.concatenate([a, b]) for a, b in zip(entries, extra, strict=True)]
    eq, es, erel, edirect, evalue, evia = entries
    credits = _rounded(evalue)
    order = np.lexsort((place[es], -np.array(credits), ~edirect, erel, eq))
    uris, relation = model.skill_uris, ("essential", "optional", "trade")
    made: dict[tuple, SupportingSkill] = {}      # the same skill, relation, credit and giver: one object
    for k, q, s, r, d, t in zip(order.tolist(), eq[order].tolist(), es[order].tolist(), erel[order].tolist(),
                                edirect[order].tolist(), evia[order].tolist(), strict=True):
        i = pairs[q][0]
        key = (i, s, r, credits[k], -1 if d else t)
        skill = made.get(key)
        if skill is None:
            uri = uris[s]
            if d:
                f = own(i).get(uri)
                skill = trusted(SupportingSkill, {
                    "uri": uri, "label": names[s], "relation": relation[r], "credit": credits[k], "direct": True,
                    "level": f.level if f else None, "evidence_kind": str(f.evidence_kind) if f else None,
                    "evidence_count": f.evidence_count if f else 0, "via_uri": None, "via_label": None})
            else:
                skill = trusted(SupportingSkill, {
                    "uri": uri, "label": names[s], "relation": relation[r], "credit": credits[k], "direct": False,
                    "level": None, "evidence_kind": None, "evidence_count": 0, "via_uri": uris[t],
                    "via_label": labels.get(uris[t])})
            made[key] = skill
        supporting[q].append(skill)
    missing: list[list[MissingSkill]] = [[] for _ in pairs]
    gap = np.flatnonzero(essential_of & ~direct & ~related)
    mq, ms = q_of[gap], s_of[gap]
    rounded = _rounded_idf(model)
    weights = [rounded[s] for s in ms.tolist()]
    gaps = missing_skills(model, labels)
    order = np.lexsort((place[ms], -np.array(weights), mq))
    for q, s in zip(mq[order].tolist(), ms[order].tolist(), strict=True):
        missing[q].append(gaps(s))
    out = []
    for q, (_, j) in enumerate(pairs):
        counts = trusted(SkillCounts, {"required": int(ess[j].size), "met": int(met[q]), "related": int(partly[q]),
                                       "missing": len(missing[q])})
        out.append(Explained(supporting[q], missing[q], counts, float(covered[q]) / totals[j] if totals[j] else 0.0))
    return out


def _trade(model: MatchingModel, *, X: sp.csr_matrix, pairs: list[tuple[int, int]], trade: list[np.ndarray]
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(pair, skill, x)`` of each pair's shown skills in the target's trade group (sorted ``trade[j]``)."""
    S = X.shape[1]
    groups = [trade[j] for _, j in pairs]
    sizes = [g.size for g in groups]
    if not any(sizes):
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64)
    keys = np.repeat(np.arange(len(pairs), dtype=np.int64) * S, sizes) + np.concatenate(groups)   # sorted
    rows = np.array([i for i, _ in pairs], np.int64)
    start, count = X.indptr[rows], np.diff(X.indptr)[rows]
    pair = np.repeat(np.arange(len(pairs)), count)                               # each pair's shown skills
    pos = np.arange(pair.size) + np.repeat(start - (np.cumsum(count) - count), count)
    shown = X.indices[pos].astype(np.int64)
    hit = _keyed(keys, pair * S + shown)[0] & ~model.skill_is_language[shown]
    return pair[hit], shown[hit], X.data[pos[hit]].astype(np.float64)


def next_steps(missing: list[MissingSkill], language: LanguageCheck, *, essential_coverage: float,
               dutch_steps: list[NextStep] | None = None) -> list[NextStep]:
    """Which gaps (``missing``) a training, an internship, a language course or an assessment would close;
    ``dutch_steps``: :func:`language_steps` of ``language`` if already made (they depend on it alone)."""
    steps = []
    knowledge = [m for m in missing if m.skill_type == "knowledge"]
    practical = [m for m in missing if m.skill_type != "knowledge"]
    internship = practical if essential_coverage >= 0.5 else []
    training = knowledge + ([] if internship else practical)
    if training:
        shown = [m.label for m in training[:MAX_LISTED]]
        steps.append(_step("training", [m.uri for m in training], "Training for: " + ", ".join(shown),
                           "explain.step.training", {"skills": shown}))
    if internship:
        shown = [m.label for m in internship[:MAX_LISTED]]
        steps.append(_step("internship", [m.uri for m in internship], "Internship to practise: " + ", ".join(shown),
                           "explain.step.internship", {"skills": shown}))
    return steps + (language_steps(language) if dutch_steps is None else dutch_steps)


def language_steps(language: LanguageCheck) -> list[NextStep]:
    """The steps of a Dutch check: a language course (NT2) for its gaps, an assessment for what was not tested."""
    steps = []
    gaps = [i for i in language.items if i.status == "gap"]
    if gaps:
        steps.append(_step(
            "language_course", [i.sub_skill for i in gaps],
            "NT2 course: " + ", ".join(f"{i.sub_skill} {i.participant} → {i.required}" for i in gaps),
            "explain.step.language_course",
            {"gaps": [{"code": f"explain.gap.{i.sub_skill}", "message": i.sub_skill,
                       "params": {"have": i.participant or "A0", "need": i.required}} for i in gaps]},
        ))
    unknown = [i for i in language.items if i.status == "not_assessed"]
    if unknown:
        steps.append(_step("assessment", [i.sub_skill for i in unknown],
                           "Dutch not tested yet: " + ", ".join(i.sub_skill for i in unknown),
                           "explain.step.assessment",
                           {"sub_skills": [{"code": f"cefr.sub_skill.{i.sub_skill}", "message": i.sub_skill}
                                           for i in unknown]}))
    return steps


def _step(kind: str, closes: list[str], text: str, code: str, params: dict) -> NextStep:
    return trusted(NextStep, {"kind": kind, "closes": closes, "text": text, "code": code, "params": params})
