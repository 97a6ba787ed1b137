"""The skills part of a few participants against the occupations, worked out only where they touch.

For one participant (job targets) about half of the 3,007 occupations list none of the shown skills,
hold none in their trade group and get no related credit. Their ``recall`` and ``use`` are 0 and their
evidence (:mod:`matching.fit`) is one closed form — the empty lists' Beta-binomial terms and the empty
trade-group count — that depends on the participant only through ``n_p``: kept per ``n_p``. The other
occupations' sums come from one gather of the shown skills' rows (the occupations listing each skill,
those whose trade group holds it), added into the touched columns only; each sum gets the same float32
terms in the same order (the participant's skills in skill order) as the sparse products of
:func:`matching.scoring._skill_fit` for many participants, and the rest is the same arithmetic per cell,
so every value is bit for bit the one of that path (``tests/matching/test_score_paths.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.credit import Credit, SkillLookup, Targets, _entries, member
from matching.fit import EVIDENCE_SUMS, evidence, f_measure, recall_and_use, skills_part
from matching.model import MatchingModel

KEPT = 256          # closed-form rows kept per model: one per number of shown skills below this


@dataclass(frozen=True)
class SkillRows:
    """Per skill ``t``, built once per model: the occupations listing it (``listed_ptr``/``listed``, with
    ``a_ot`` and 1.0 where essential) and those whose trade group holds it (``group_ptr``/``group``), and
    ``|G_o|`` per occupation."""

    listed_ptr: np.ndarray
    listed: np.ndarray
    weight: np.ndarray
    essential: np.ndarray
    group_ptr: np.ndarray
    group: np.ndarray
    group_size: np.ndarray


def skill_rows(model: MatchingModel, T: Targets) -> SkillRows:
    """:class:`SkillRows` of the occupations (``T``: their prepared targets), cached on the model."""
    got = getattr(model, "_skill_rows", None)
    if got is None:
        from matching.scoring import occupation_trade_groups

        groups = occupation_trade_groups(model)
        At, m = T.At, T.A.shape[0]
        target = At.indices.astype(np.int64)
        skill = np.repeat(np.arange(At.shape[0], dtype=np.int64), np.diff(At.indptr))
        G = groups.by_skill
        got = model._skill_rows = SkillRows(
            listed_ptr=At.indptr.astype(np.int64), listed=target, weight=At.data,
            essential=member(T.essential, target * T.A.shape[1] + skill).astype(np.float64),
            group_ptr=G.indptr.astype(np.int64), group=G.indices.astype(np.int64),
            group_size=np.diff(groups.start) if m else np.zeros(0, np.int64))
    return got


def occupation_fit(model: MatchingModel, look: SkillLookup, T: Targets, c: Credit) -> dict[str, np.ndarray]:
    """``skills``, ``recall`` and ``use`` (float32, participants × occupations) of a few participants, as
    :func:`matching.scoring.skill_fit` gives them; ``c``: their related credit against the occupations."""
    rows = skill_rows(model, T)
    X, config = look.X, model.config
    n, m = X.shape[0], T.A.shape[0]
    who, skill, x = look.rows, X.indices, X.data
    ln_x = np.log(x)
    pos_l, e_l = _entries(rows.listed_ptr, skill)
    pos_g, e_g = _entries(rows.group_ptr, skill)
    occ_l, occ_g = rows.listed[pos_l], rows.group[pos_g]
    hit = np.zeros(m, bool)
    hit[occ_l] = True
    hit[occ_g] = True
    hit[c.target] = True
    cols = np.flatnonzero(hit)
    k = cols.size
    slot = np.cumsum(hit) - 1
    cell_l, cell_g = who[e_l] * k + slot[occ_l], who[e_g] * k + slot[occ_g]
    idf = model.idf[skill]
    idf_l, idf_g, x_l, x_g = idf[e_l], idf[e_g], x[e_l], x[e_g]
    terms = ((cell_l, x_l * rows.weight[pos_l]), (cell_l, x_l * idf_l), (cell_l, idf_l), (cell_l, ln_x[e_l]),
             (cell_g, x_g * idf_g), (cell_g, idf_g), (cell_g, ln_x[e_g]))
    nk = n * k
    out = np.zeros(len(terms) * nk, np.float32)
    np.add.at(out, np.concatenate([i * nk + cell for i, (cell, _) in enumerate(terms)]),
              np.concatenate([v for _, v in terms]))
    listed_w, shown, listed_idf, listed_log, trade_w, trade_idf, trade_log = out.reshape(len(terms), n, k)

    def count(cell: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(cell, weights=weights, minlength=nk).astype(np.float32).reshape(n, k)

    at = slot[c.target]
    gain = np.zeros((n, k), np.float32)
    used = np.zeros((n, k), np.float32)
    np.add.at(gain, (c.participant, at), c.weight * c.credit)
    np.add.at(used, (c.participant, at), model.idf[c.via] * c.credit)
    own = look.weighted_sums(model.idf)
    recall, precision = recall_and_use(listed_w, shown, trade_w, gain, used, size=T.size[cols], own=own,
                                       gamma=config.trade_group_credit)
    if config.skill_fit == "likelihood":
        sums = {"listed": count(cell_l), "essential": count(cell_l, rows.essential[pos_l]), "listed_idf": listed_idf,
                "trade_idf": trade_idf, "trade": count(cell_g), "listed_log": listed_log, "trade_log": trade_log}
        value = evidence(sums, credit=c, target=T, trade_size=rows.group_size[cols], model=model, cols=cols)
        skills = _untouched(model, T, look.count)
        skills[:, cols] = skills_part(value, look.count, config=config).astype(np.float32)
    else:
        skills = _spread(f_measure(precision, recall), cols, m)
    return {"skills": skills, "recall": _spread(recall, cols, m), "use": _spread(precision, cols, m)}


def _spread(part: np.ndarray, cols: np.ndarray, m: int) -> np.ndarray:
    """A part of the touched columns as participants × occupations (float32, 0 elsewhere)."""
    out = np.zeros((part.shape[0], m), np.float32)
    out[:, cols] = part
    return out


def _untouched(model: MatchingModel, T: Targets, count: np.ndarray) -> np.ndarray:
    """The ``skills`` part of every occupation for participants with ``count`` shown skills who touch none of
    them (float32, participants × occupations): :func:`matching.fit.evidence` of empty sums, kept per count."""
    c = model.config
    key = ("untouched", c.essential_prior, c.optional_prior, c.trade_skills, c.trade_spread, c.fit_scale)
    kept = T.memo.setdefault(key, {})
    out = np.empty((count.size, T.A.shape[0]), np.float32)
    for i, n_p in enumerate(count.tolist()):
        row = kept.get(n_p)
        if row is None:
            row = _closed_form(model, T, n_p)
            if n_p < KEPT:
                kept[n_p] = row
        out[i] = row
    return out


def _closed_form(model: MatchingModel, T: Targets, n_p: float) -> np.ndarray:
    """One row of :func:`_untouched`: the evidence of empty sums, term by term as :func:`matching.fit.evidence`
    adds them (the terms that are 0 add nothing), through :func:`matching.fit.skills_part`."""
    m = T.A.shape[0]
    zero = np.zeros((1, m), np.float32)
    sums = dict.fromkeys(EVIDENCE_SUMS, zero)
    empty = np.zeros(0, np.int64)
    none = Credit(empty, empty, empty, empty, np.zeros(0, np.float32), np.zeros(0, np.float32))
    value = evidence(sums, credit=none, target=T, trade_size=skill_rows(model, T).group_size, model=model)
    return skills_part(value, np.array([n_p], np.float64), config=model.config)[0].astype(np.float32)
