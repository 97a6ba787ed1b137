"""Pure scoring functions (no database): participants' skills against *targets*.

A target is a row of skill weights: an ESCO occupation (job targets) or a vacancy's confirmed
skills as a pseudo-occupation (shortlists). Both rankings call :func:`score` — one score.

Notation (participant ``p``, target ``o``):

* ``x_t = ½ + ½ · strength_t`` for a skill ``t`` the participant shows (strength =
  ``level · evidence_weight · (0.5 + 0.5·confidence)``, :class:`matching.features.SkillFeature`):
  any evidence counts half, level/evidence/confidence the other half; ESCO *language* skills
  ("Nederlands") are never scored — Dutch is compared with the declared level only;
* ``a_os = idf_s`` for the target's skills (essential and optional alike), ``idf_s = ln(1 + N/df_s)``;
* ``P[s, t]`` related-skill credit (:mod:`matching.model`), always < 1.

Related credit (:func:`matching.credit.related_credit`) only fills gaps: a skill ``t`` the participant shows but
the target does not list gives ``P[s, t] · x_t`` to the one missing target skill ``s`` it helps
most; each gap takes its best such skill. So a related skill is counted once, never beside
direct evidence for the same skill, and never above it (``P < 1``)::

    recall_o    = (Σ_{s ∈ o ∩ p} a_os x_s + Σ_gaps a_os · credit_s) / Σ_{s ∈ o} a_os
    precision_o = min(1, (Σ_{t ∈ p ∩ o} idf_t x_t + Σ_{t gives credit} idf_t · credit
                          + γ · Σ_{t ∈ p ∩ G_o} idf_t x_t) / Σ_{t ∈ p} idf_t x_t)
    skills_o    = evidence of p for o against chance, per shown skill (:mod:`matching.fit`)
                  (``skill_fit="f_beta"``, werkbrug-match/3: (1 + β²) · precision · recall / (β² · precision + recall),
                  β = 0.5)
    score_o     = w_skills · skills + w_exp · experience + w_pref · preference + w_lang · language

``G_o`` (the *trade group* of ``o``): the skills some occupation of ``o``'s ISCO unit group
lists as essential and ``o`` does not list (a vacancy: the unit groups of its occupations);
``γ = trade_group_credit`` (0.25). A skill of a neighbouring trade is no evidence *for* ``o``
(recall does not change) but not quite wasted on it either (precision).

``recall`` ("how much of the job the participant shows") and ``use`` ("how much of what the
participant shows the job uses") explain the score; the evidence weighs both in one likelihood.
Essential coverage alone lets small occupations that share a few confuser skills win; set overlap
(Jaccard) ignores idf, evidence and the trades next door.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from foundation.cache import caches
from matching.credit import FEW, Credit, SkillLookup, Targets, lookup_of, related_credit
from matching.credit import prepared as _prepared
from matching.features import RankingFeatures
from matching.fit import EVIDENCE_SUMS, evidence, f_measure, recall_and_use, skills_part
from matching.model import MatchingModel
from matching.touched import occupation_fit


def presence(strength: float) -> float:
    """``x = ½ + ½ · strength``: the weight of a shown skill in the score."""
    return 0.5 + 0.5 * float(strength)


def profile_matrix(model: MatchingModel, features: list[RankingFeatures]) -> sp.csr_matrix:
    """``X``: participants × skills, ``X[p, t] = x_t`` (0: not shown; language skills dropped)."""
    counts, cols, vals = [0], [], []
    for f in features:
        seen: dict[int, float] = {}
        for s in f.skills:
            i = model.skill_index.get(s.uri)
            if i is not None and not model.skill_is_language[i]:
                seen[i] = max(seen.get(i, 0.0), presence(s.strength))
        for i in sorted(seen):
            cols.append(i)
            vals.append(seen[i])
        counts.append(len(seen))
    return sp.csr_matrix((np.array(vals, np.float32), np.array(cols, np.int32), np.cumsum(counts, dtype=np.int32)),
                         shape=(len(features), len(model.skill_uris)))


def _group_skills(model: MatchingModel) -> sp.csr_matrix:
    """ISCO unit groups × skills: 1 where an occupation of the group lists the skill as essential
    (occupations without an ISCO code belong to no group). Built once per model."""
    got = getattr(model, "_group_skills", None)
    if got is None:
        has = np.flatnonzero(model.isco_arr != "")
        member = sp.csr_matrix((np.ones(has.size, np.float32), (model.occ_isco4[has], has)),
                               shape=(len(model.isco4_index), len(model.occ_uris)))
        got = (member @ sp.csr_matrix(model.E, dtype=np.float32)).tocsr()
        got.data[:] = 1.0
        model._group_skills = got
    return got


def trade_groups(model: MatchingModel, T: Targets, occupations: list[np.ndarray] | None) -> sp.csr_matrix:
    """``G``: skills × targets, 1 where ``s ∈ G_o`` — listed as essential by an occupation of the
    target's ISCO unit groups (``occupations[j]``'s; None: target ``j`` is occupation ``j``) and
    not listed by the target. Built once per model for the occupations (:func:`occupation_trade_groups`)."""
    if occupations is None and T is getattr(model, "_occupation_targets", None):
        return occupation_trade_groups(model).by_skill
    return _trade_groups(model, T, occupations)


def _trade_groups(model: MatchingModel, T: Targets, occupations: list[np.ndarray] | None) -> sp.csr_matrix:
    if occupations is None:
        if T.A.shape[0] != len(model.occ_uris):
            raise ValueError("targets that are not the occupations need their occupations")
        occupations = [np.array([j]) for j in range(T.A.shape[0])]
    rows = np.repeat(np.arange(len(occupations)), [len(o) for o in occupations])
    occ = np.concatenate(occupations).astype(np.int64) if rows.size else rows
    keep = model.isco_arr[occ] != ""
    groups = _group_skills(model)
    pick = sp.csr_matrix((np.ones(int(keep.sum()), np.float32), (rows[keep], model.occ_isco4[occ[keep]])),
                         shape=(T.A.shape[0], groups.shape[0]))
    G = (pick @ groups).tocsr()
    G.data[:] = 1.0
    listed = T.A.copy()
    listed.data[:] = 1.0
    G = (G - G.multiply(listed)).tocsr()
    G.eliminate_zeros()
    return sp.csr_matrix(G.T, dtype=np.float32)


@dataclass(frozen=True)
class TradeGroups:
    """The occupations' trade groups, built once per model: ``by_skill`` (skills × occupations, what the
    score multiplies) and, per occupation ``o``, its sorted skills ``skills[start[o]:start[o + 1]]``
    (what the explanation lists)."""

    by_skill: sp.csr_matrix
    start: np.ndarray
    skills: np.ndarray

    def of(self, o: int) -> np.ndarray:
        return self.skills[self.start[o]:self.start[o + 1]]


def occupation_trade_groups(model: MatchingModel) -> TradeGroups:
    """:class:`TradeGroups` of every occupation (cached on the model)."""
    got = getattr(model, "_occupation_trade_groups", None)
    if got is None:
        G = _trade_groups(model, _prepared(model, model.A), None)
        by_target = G.tocsc()
        by_target.sort_indices()
        got = model._occupation_trade_groups = TradeGroups(
            by_skill=G, start=by_target.indptr.astype(np.int64), skills=by_target.indices.astype(np.int64))
    return got


def trade_group_skills(model: MatchingModel, *, targets: np.ndarray, A: sp.csr_matrix | None = None,
                       occupations: list[np.ndarray] | None = None) -> list[np.ndarray]:
    """The sorted skill indices of ``G_o`` for each of ``targets`` (columns of ``A``, default the
    occupations; ``occupations`` as for :func:`trade_groups`), empty when the term is off — what
    the explanation lists as "same trade, counted partly"."""
    if model.config.trade_group_credit <= 0:
        return [np.zeros(0, np.int64) for _ in targets]
    if A is None and occupations is None:
        groups = occupation_trade_groups(model)
        return [groups.of(j) for j in np.asarray(targets).tolist()]
    G = trade_groups(model, _prepared(model, model.A if A is None else A), occupations).tocsc()
    return [np.sort(G.indices[G.indptr[j]:G.indptr[j + 1]]).astype(np.int64) for j in np.asarray(targets).tolist()]


def _occupation_sums(model: MatchingModel) -> sp.csr_matrix:
    """``[a_os | idf_s · 1[s ∈ o] | idf_s · 1[s ∈ G_o]]``: skills × (2 or 3) · occupations, so that one product
    ``X @ M`` gives the three sums of the score (``Σ a_os x_s``, ``Σ idf_t x_t`` over the listed and over the
    trade-group skills) for the occupations, exactly as three products would. Built once per model."""
    got = getattr(model, "_occupation_sums", None)
    if got is None:
        T = _prepared(model, model.A)
        blocks = [T.At, sp.diags(model.idf) @ T.Bt]
        if model.config.trade_group_credit > 0:
            blocks.append(sp.diags(model.idf) @ occupation_trade_groups(model).by_skill)
        got = model._occupation_sums = sp.csr_matrix(sp.hstack(blocks, format="csr"), dtype=np.float32)
        got.sort_indices()
    return got


def _evidence_sums(model: MatchingModel, T: Targets, G: sp.csr_matrix, look: SkillLookup, *,
                   occupations: bool) -> dict[str, np.ndarray]:
    """The sums :func:`matching.fit.evidence` reads (participants × targets): how many listed, essential and
    trade-group skills each participant shows, their idf sums, and the sums of ``ln x_t`` over the listed and
    the trade-group skills. Two products (counts, logs); for the occupations their matrices are kept."""
    cached = getattr(model, "_evidence_matrices", None) if occupations else None
    if cached is None:
        idf = sp.diags(model.idf)
        counts = sp.csr_matrix(sp.hstack([T.Bt, T.Et, idf @ T.Bt, idf @ G, G], format="csr"), dtype=np.float32)
        logs = sp.csr_matrix(sp.hstack([T.Bt, G], format="csr"), dtype=np.float32)
        for M in (counts, logs):
            M.sort_indices()
        cached = (counts, logs)
        if occupations:
            model._evidence_matrices = cached
    m = T.A.shape[0]
    got = [product_rows(X.X, M) if X.X.shape[0] < FEW else X.dot(M) for X, M in zip((look.binary, look.logs), cached,
                                                                                    strict=True)]
    parts = [got[0][:, i * m:(i + 1) * m] for i in range(5)] + [got[1][:, :m], got[1][:, m:]]
    return dict(zip(EVIDENCE_SUMS, parts, strict=True))


def product_rows(X: sp.csr_matrix, M: sp.csr_matrix) -> np.ndarray:
    """``(X @ M).toarray()`` for a few rows of ``X`` (sorted indices): each stored ``x_pk`` times the row ``k``
    of ``M``, added into the output in ``X``'s order with ``np.add.at`` — the same products and the same
    additions in the same order as scipy's sparse product (exactly equal), without building its result."""
    start, count = M.indptr[X.indices], np.diff(M.indptr)[X.indices]
    entry = np.repeat(np.arange(X.nnz), count)
    pos = np.arange(entry.size) + np.repeat(start - (np.cumsum(count) - count), count)
    row = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))[entry]
    out = np.zeros((X.shape[0], M.shape[1]), np.result_type(X.dtype, M.dtype))
    np.add.at(out.reshape(-1), row * M.shape[1] + M.indices[pos], X.data[entry] * M.data[pos])
    return out


def skill_fit(model: MatchingModel, X: sp.csr_matrix | SkillLookup | Participants, A: sp.csr_matrix | Targets,
              *, occupations: list[np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """``recall``, ``use`` (precision) and ``skills`` (F_β), participants × targets (formula: module docstring)."""
    return _skill_fit(model, X, A, occupations)[0]


def _skill_fit(model: MatchingModel, X: sp.csr_matrix | SkillLookup | Participants, A: sp.csr_matrix | Targets,
               occupations: list[np.ndarray] | None = None) -> tuple[dict[str, np.ndarray], Credit]:
    T = _prepared(model, A)
    look = lookup_of(X)
    n, m = look.X.shape[0], T.A.shape[0]
    c = related_credit(model, look, T)
    fast = occupations is None and T is getattr(model, "_occupation_targets", None)
    if fast and n < FEW:
        return occupation_fit(model, look, T, c), c
    gain = np.zeros((n, m), np.float32)
    used = np.zeros((n, m), np.float32)
    np.add.at(gain, (c.participant, c.target), c.weight * c.credit)
    np.add.at(used, (c.participant, c.target), model.idf[c.via] * c.credit)
    own = look.weighted_sums(model.idf)
    gamma = model.config.trade_group_credit
    if fast:
        M = _occupation_sums(model)
        sums = (look.X @ M).toarray()
        listed, shown, trade = sums[:, :m], sums[:, m:2 * m], sums[:, 2 * m:]
    else:
        listed, shown = look.dot(T.At), look.dot(T.Bt, scale=model.idf)
        trade = look.dot(trade_groups(model, T, occupations), scale=model.idf) if gamma > 0 else None
    recall, precision = recall_and_use(listed, shown, trade, gain, used, size=T.size, own=own, gamma=gamma)
    if model.config.skill_fit == "likelihood":
        if fast:
            G, size = occupation_trade_groups(model).by_skill, np.diff(occupation_trade_groups(model).start)
        else:
            G = trade_groups(model, T, occupations)
            size = np.bincount(G.indices, minlength=m)
        value = evidence(_evidence_sums(model, T, G, look, occupations=fast), credit=c, target=T, trade_size=size,
                         model=model)
        skills = skills_part(value, look.count, config=model.config)
    else:
        skills = f_measure(precision, recall)
    return {"skills": skills.astype(np.float32), "recall": recall.astype(np.float32),
            "use": precision.astype(np.float32)}, c


def occupation_similarity(model: MatchingModel, have: np.ndarray, targets: np.ndarray, *,
                          minor: float) -> np.ndarray:
    """``sim[i, j]`` between occupations ``have[i]`` and ``targets[j]``: 1 same occupation,
    0.5 same ISCO unit group (4 digits), ``minor`` same minor group (3 digits), else 0."""
    h4, t4 = model.isco_arr[have][:, None], model.isco_arr[targets][None, :]
    h3, t3 = model.isco3_arr[have][:, None], model.isco3_arr[targets][None, :]
    sim = np.where((h3 == t3) & (h3 != ""), minor, 0.0)
    sim = np.where((h4 == t4) & (h4 != ""), 0.5, sim)
    return np.where(have[:, None] == targets[None, :], 1.0, sim).astype(np.float32)


@dataclass
class Participants:
    """What :func:`score` needs of many participants, as arrays (build once, rank many targets)."""

    features: list[RankingFeatures]
    X: sp.csr_matrix            # participants × skills: x_t
    experience: tuple[np.ndarray, np.ndarray, np.ndarray]   # (participant, occupation, min(1, years / Y))
    preferred: tuple[np.ndarray, np.ndarray]                # (participant, occupation)
    sectors: tuple[np.ndarray, np.ndarray]                  # (participant, ISCO code prefix)
    dutch: np.ndarray           # participants × 4, NaN: not assessed

    @cached_property
    def lookup(self) -> SkillLookup:
        return SkillLookup(self.X)


def participants(model: MatchingModel, features: list[RankingFeatures]) -> Participants:
    """The arrays of :class:`Participants` (only allow-listed features are read)."""
    from matching.language import participant_values

    exp, pref, sect = [], [], []
    for p, f in enumerate(features):
        for uri, years in f.experience:
            if uri in model.occ_index:
                exp.append((p, model.occ_index[uri], min(1.0, years / model.config.experience_years_full)))
        pref.extend((p, model.occ_index[u]) for u in f.preferred_occupations if u in model.occ_index)
        for code in f.preferred_sectors:
            code = str(code).strip().rsplit("/C", 1)[-1]   # "93" or an ESCO ISCO URI
            if code.isdigit():
                sect.append((p, code))
    e = np.array(exp, dtype=np.float64).reshape(-1, 3)
    pr = np.array(pref, dtype=np.int64).reshape(-1, 2)
    return Participants(
        features=features, X=profile_matrix(model, features),
        experience=(e[:, 0].astype(np.int64), e[:, 1].astype(np.int64), e[:, 2].astype(np.float32)),
        preferred=(pr[:, 0], pr[:, 1]),
        sectors=(np.array([p for p, _ in sect], np.int64), np.array([c for _, c in sect], dtype=str)),
        dutch=np.stack([participant_values(f.dutch) for f in features]) if features else np.zeros((0, 4)),
    )


def _spread(model, rows: np.ndarray, occ: np.ndarray, vals: np.ndarray, n: int, targets: np.ndarray,
            minor: float) -> np.ndarray:
    """``out[p, j] = max over (p, occ, val) of val · sim(occ, targets[j])``."""
    out = np.zeros((n, targets.size), np.float32)
    if rows.size == 0 or targets.size == 0:
        return out
    uniq, inv = np.unique(occ, return_inverse=True)
    sim = occupation_similarity(model, uniq, targets, minor=minor)[inv] * vals[:, None]
    np.maximum.at(out, rows, sim)
    return out


def experience_fit(model: MatchingModel, pa: Participants, targets: np.ndarray) -> np.ndarray:
    """``exp_po = max_e min(1, years_e / Y) · sim(o, occ_e)`` (sim 1 / 0.5 / 0.25), participants × targets."""
    rows, occ, vals = pa.experience
    return _spread(model, rows, occ, vals, len(pa.features), targets, 0.25)


def preference_fit(model: MatchingModel, pa: Participants, targets: np.ndarray) -> np.ndarray:
    """``pref_po`` = 1 preferred occupation, 0.5 its ISCO unit group or a preferred sector (an ISCO
    code prefix such as ``"93"``), else 0; participants × targets."""
    rows, occ = pa.preferred
    out = _spread(model, rows, occ, np.ones(rows.size, np.float32), len(pa.features), targets, 0.0)
    srows, codes = pa.sectors
    isco = model.isco_arr[targets]
    for code in np.unique(codes):
        hit = 0.5 * np.char.startswith(isco, code).astype(np.float32)
        who = srows[codes == code]
        out[who] = np.maximum(out[who], hit[None, :])
    return out


def combine(parts: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """``score = Σ_part weight_part · value_part`` (weights sum to 1)."""
    return sum(w * parts[name] for name, w in weights.items()).astype(np.float32)


def score(
    model: MatchingModel, pa: Participants, *, A: sp.csr_matrix | Targets, occupations: list[np.ndarray] | None,
    required: np.ndarray,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Total score and unweighted parts, participants × targets — job targets and shortlists alike
    (:func:`score_with_credit` without the credits)."""
    return score_with_credit(model, pa, A=A, occupations=occupations, required=required)[:2]


def score_with_credit(
    model: MatchingModel, pa: Participants, *, A: sp.csr_matrix | Targets, occupations: list[np.ndarray] | None,
    required: np.ndarray,
) -> tuple[np.ndarray, dict[str, np.ndarray], Credit]:
    """Total score, unweighted parts (participants × targets) and the related-skill credits behind them.

    ``A``: targets × skills weights; ``occupations[j]``: the ESCO occupations target ``j`` stands
    for (experience and preference take the best of them; None: target ``j`` is occupation
    ``j``); ``required``: targets × 4 Dutch requirement. ``language = language_fit(dutch,
    required)`` where a sub-skill that was not assessed counts as meeting (no level, nothing
    to compare; the check shows it and proposes an assessment).
    """
    from matching.language import language_fit

    T = _prepared(model, A)
    parts, credit = _skill_fit(model, pa, T, occupations)
    for name, fn in (("experience", experience_fit), ("preference", preference_fit)):
        if occupations is None:
            parts[name] = fn(model, pa, np.arange(T.A.shape[0]))
            continue
        flat = np.concatenate(occupations) if occupations else np.zeros(0, np.int64)
        per = fn(model, pa, flat.astype(np.int64))
        out = np.zeros((len(pa.features), len(occupations)), np.float32)
        for j, cols in enumerate(np.split(np.arange(flat.size), np.cumsum([len(o) for o in occupations])[:-1])):
            if cols.size:
                out[:, j] = per[:, cols].max(axis=1)
        parts[name] = out
    dutch = np.where(np.isnan(pa.dutch), np.inf, pa.dutch)
    distinct, inverse = requirement_groups(required)
    parts["language"] = language_fit(dutch[:, None, :], distinct[None, :, :])[:, inverse]
    return combine(parts, model.config.weights.model_dump()), parts, credit


def requirement_groups(required: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct requirement rows and each target's row index (cached by content)."""
    def build() -> tuple[np.ndarray, np.ndarray]:
        distinct, inverse = np.unique(required, axis=0, return_inverse=True)
        return distinct, inverse.ravel()

    return caches.memo("scoring.requirement_groups", required.tobytes(), build)


def score_occupations(
    model: MatchingModel, features: list[RankingFeatures], *, required: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """:func:`score` against every ESCO occupation (``A`` = the model's occupation weights)."""
    return score(model, participants(model, features), A=model.A, occupations=None, required=required)
