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

Related credit (:func:`related_credit`) only fills gaps: a skill ``t`` the participant shows but
the target does not list gives ``P[s, t] · x_t`` to the one missing target skill ``s`` it helps
most; each gap takes its best such skill. So a related skill is counted once, never beside
direct evidence for the same skill, and never above it (``P < 1``)::

    recall_o    = (Σ_{s ∈ o ∩ p} a_os x_s + Σ_gaps a_os · credit_s) / Σ_{s ∈ o} a_os
    precision_o = (Σ_{t ∈ p ∩ o} idf_t x_t + Σ_{t gives credit} idf_t · credit) / Σ_{t ∈ p} idf_t x_t
    skills_o    = (1 + β²) · precision · recall / (β² · precision + recall),  β = 0.5
    score_o     = w_skills · skills + w_exp · experience + w_pref · preference + w_lang · language

The F-measure balances "how much of the job the participant shows" against "how much of what
the participant shows the job uses": essential coverage alone lets small occupations that
share a few confuser skills win; set overlap (Jaccard) ignores idf and evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from foundation.cache import caches
from matching.features import RankingFeatures
from matching.model import MatchingModel

BETA = 0.5
DENSE_SHOWN = 50_000_000      # participants × listed skills up to which "shown" is a boolean matrix


def presence(strength: float) -> float:
    """``x = ½ + ½ · strength``: the weight of a shown skill in the score."""
    return 0.5 + 0.5 * float(strength)


def profile_matrix(model: MatchingModel, features: list[RankingFeatures]) -> sp.csr_matrix:
    """``X``: participants × skills, ``X[p, t] = x_t`` (0: not shown; language skills dropped)."""
    rows, cols, vals = [], [], []
    for p, f in enumerate(features):
        seen: dict[int, float] = {}
        for s in f.skills:
            i = model.skill_index.get(s.uri)
            if i is not None and not model.skill_is_language[i]:
                seen[i] = max(seen.get(i, 0.0), presence(s.strength))
        rows.extend([p] * len(seen))
        cols.extend(seen.keys())
        vals.extend(seen.values())
    X = sp.csr_matrix((np.array(vals, np.float32), (np.array(rows, np.int64), np.array(cols, np.int64))),
                      shape=(len(features), len(model.skill_uris)), dtype=np.float32)
    X.sum_duplicates()
    return X


class SkillLookup:
    """What :func:`related_credit` and :func:`skill_fit` read of ``X`` (participants × skills), built on
    first use: kept with :class:`Participants`, so a cached participant matrix builds them once."""

    BY_SKILL = 2048            # from this many participants on, giving skills are read by column

    def __init__(self, X: sp.csr_matrix) -> None:
        X = sp.csr_matrix(X)
        X.sort_indices()
        self.X = X

    @cached_property
    def rows(self) -> np.ndarray:
        """The participant of each stored entry."""
        return np.repeat(np.arange(self.X.shape[0], dtype=np.int64), np.diff(self.X.indptr))

    @cached_property
    def held(self) -> np.ndarray:
        """Sorted keys ``p · S + t`` of the skills each participant shows."""
        return self.rows * self.X.shape[1] + self.X.indices

    @cached_property
    def by_skill(self) -> sp.csc_matrix:
        return self.X.tocsc()

    def weighted(self, idf: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
        """``X`` with ``idf_t · x_t`` and its row sums ``Σ_t idf_t x_t`` (kept for the last ``idf``)."""
        got = getattr(self, "_weighted", None)
        if got is None or got[0] is not idf:
            Xi = self.X.copy()
            Xi.data = Xi.data * idf[Xi.indices]
            got = self._weighted = (idf, Xi, np.asarray(Xi.sum(axis=1)).ravel())
        return got[1], got[2]

    def shown(self, skills: np.ndarray) -> np.ndarray:
        """``shown[p, j]``: participant ``p`` shows ``skills[j]`` (participants × skills, boolean)."""
        out = np.zeros((self.X.shape[0], skills.size), bool)
        if self.X.shape[0] < self.BY_SKILL:
            slot = np.full(self.X.shape[1], -1, np.int64)
            slot[skills] = np.arange(skills.size)
            j = slot[self.X.indices]
            out[self.rows[j >= 0], j[j >= 0]] = True
        else:
            pos, which = _entries(self.by_skill.indptr, skills)
            out[self.by_skill.indices[pos], which] = True
        return out

    def dot(self, M: sp.csr_matrix, *, scale: np.ndarray | None = None) -> np.ndarray:
        """``(x_pt · scale_t) @ M`` as a dense participants × columns array, each sum taken over the
        participant's skills in skill order. Many participants against a few columns: only the
        entries of ``M``'s skills are read (by column)."""
        many, m = self.X.shape[0] >= self.BY_SKILL, M.shape[1]
        if not (many and m <= 16):
            X = self.X if scale is None else self.weighted(scale)[0]
            return (X @ M).toarray() if m > 16 else X @ M.toarray()
        C, dense = self.by_skill, M.toarray()
        skills = np.flatnonzero(np.diff(M.indptr))
        pos, which = _entries(C.indptr, skills)
        t, rows, x = skills[which], C.indices[pos], C.data[pos]
        if scale is not None:
            x = x * scale[t]
        out = np.zeros((self.X.shape[0], m), np.float32)
        for j in range(m):
            np.add.at(out[:, j], rows, x * dense[t, j])
        return out

    def givers(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(participant, skill, x)`` of the shown skills ``t`` with ``mask[t]``."""
        X = self.X
        if X.shape[0] < self.BY_SKILL:
            can = mask[X.indices]
            return self.rows[can], X.indices[can].astype(np.int64), X.data[can]
        C = self.by_skill
        cols = np.flatnonzero(mask)
        pos, which = _entries(C.indptr, cols)
        return C.indices[pos].astype(np.int64), cols[which].astype(np.int64), C.data[pos]


@dataclass(frozen=True)
class Credit:
    """Related-skill credits, one row per (participant, target, gap ``s``): best giver ``t``."""

    participant: np.ndarray
    target: np.ndarray
    skill: np.ndarray       # the target's missing skill that gets credit
    via: np.ndarray         # the participant's skill that gives it
    credit: np.ndarray      # P[s, t] · x_t
    weight: np.ndarray      # a_os of the gap


@dataclass(frozen=True)
class Targets:
    """Target weights ``A`` with what scoring derives from them (built once for the occupations)."""

    A: sp.csr_matrix
    At: sp.csr_matrix          # skills × targets: a_os
    Bt: sp.csr_matrix          # skills × targets: 1 where listed
    keys: np.ndarray           # sorted ``o · S + s`` of the listed pairs
    size: np.ndarray           # Σ_s a_os per target
    givers: np.ndarray         # skills that can give related credit to some listed skill
    credit: sp.csc_matrix      # P restricted to the listed skills (rows): column t → the skills t helps
    listed: np.ndarray         # the skills some target lists, sorted
    slot: np.ndarray           # skill → its position in ``listed`` (-1: not listed)


def targets(model: MatchingModel, A: sp.csr_matrix) -> Targets:
    """Prepare ``A`` (targets × skills) for :func:`related_credit` and :func:`skill_fit`."""
    A = sp.csr_matrix(A, dtype=np.float32)
    A.sort_indices()
    keys = np.repeat(np.arange(A.shape[0], dtype=np.int64), np.diff(A.indptr)) * A.shape[1] + A.indices
    At = sp.csr_matrix(A.T)
    Bt = At.copy()
    Bt.data[:] = 1.0
    listed = np.unique(A.indices)
    helped = model.P[listed].tocoo()
    credit = sp.csc_matrix((helped.data, (listed[helped.row], helped.col)), shape=model.P.shape, dtype=np.float32)
    slot = np.full(A.shape[1], -1, np.int64)
    slot[listed] = np.arange(listed.size)
    return Targets(A=A, At=At, Bt=Bt, keys=keys, size=np.asarray(A.sum(axis=1)).ravel(),
                   givers=np.diff(credit.indptr) > 0, credit=credit, listed=listed, slot=slot)


def _prepared(model: MatchingModel, A: sp.csr_matrix | Targets) -> Targets:
    if isinstance(A, Targets):
        return A
    if A is model.A:
        got = getattr(model, "_occupation_targets", None)
        if got is None:
            got = targets(model, A)
            model._occupation_targets = got
        return got
    return targets(model, A)


def _member(sorted_keys: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``q ∈ sorted_keys``, elementwise (binary search)."""
    if sorted_keys.size == 0:
        return np.zeros(q.shape, bool)
    i = np.minimum(np.searchsorted(sorted_keys, q), sorted_keys.size - 1)
    return sorted_keys[i] == q


def _entries(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the stored entries of ``rows`` (CSR rows or CSC columns) and, for each, its index in ``rows``."""
    start = indptr[rows]
    count = indptr[rows + 1] - start
    which = np.repeat(np.arange(rows.size), count)
    return np.arange(which.size) + np.repeat(start - (np.cumsum(count) - count), count), which


def _best_of_groups(group: np.ndarray, value: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """For each distinct ``group``, in increasing order: the index of its largest ``value`` (ties: lowest ``tie``)."""
    order = np.argsort(group)
    g = group[order]
    start = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    count = np.diff(np.r_[start, g.size])
    v, t = value[order], tie[order]
    top = v == np.repeat(np.maximum.reduceat(v, start), count)
    t = np.where(top, t, np.iinfo(np.int64).max)
    return order[t == np.repeat(np.minimum.reduceat(t, start), count)]


def _lookup(X: sp.csr_matrix | SkillLookup | Participants) -> SkillLookup:
    if isinstance(X, SkillLookup):
        return X
    return X.lookup if isinstance(X, Participants) else SkillLookup(X)


def related_credit(model: MatchingModel, X: sp.csr_matrix | SkillLookup | Participants, A: sp.csr_matrix | Targets
                   ) -> Credit:
    """Gap credit of every participant (rows of ``X``) for every target (rows of ``A``).

    Candidates are ``(p, o, s, t)`` with ``t`` shown by ``p`` and not listed by ``o``, ``s``
    listed by ``o`` and not shown by ``p``, ``P[s, t] > 0``. Each ``t`` keeps the gap with the
    largest ``a_os · P[s, t]`` (ties: lower ``s``); each gap keeps its largest credit (ties: lower ``t``).
    Rows come sorted by participant, target and gap. ``X`` may be :class:`Participants`, whose
    skill look-ups are built once.
    """
    empty = np.zeros(0, np.int64)
    none = Credit(empty, empty, empty, empty, np.zeros(0, np.float32), np.zeros(0, np.float32))
    T = _prepared(model, A)
    look = _lookup(X)
    if look.X.nnz == 0 or T.A.nnz == 0:
        return none
    S, m = look.X.shape[1], T.A.shape[0]
    p_of, t_of, x_of = look.givers(T.givers)                   # shown skills that can help a listed one
    pos, k = _entries(T.credit.indptr, t_of)
    s_k = T.credit.indices[pos].astype(np.int64)
    p_k, t_k, w_k = p_of[k], t_of[k], T.credit.data[pos] * x_of[k]   # (p, t, s) with credit P·x
    if look.X.shape[0] * T.listed.size <= DENSE_SHOWN:
        gap = ~look.shown(T.listed)[p_k, T.slot[s_k]]
    else:
        gap = ~_member(look.held, p_k * S + s_k)
    p_k, t_k, s_k, w_k = p_k[gap], t_k[gap], s_k[gap], w_k[gap]
    pos, j = _entries(T.At.indptr, s_k)                        # the targets listing s
    o_j, a_j = T.At.indices[pos].astype(np.int64), T.At.data[pos]
    p_j, t_j, s_j, w_j = p_k[j], t_k[j], s_k[j], w_k[j]
    keep = ~_member(T.keys, o_j * S + t_j)                     # t must be unused by the target
    if not keep.any():
        return none
    p_j, o_j, s_j, t_j, w_j, a_j = p_j[keep], o_j[keep], s_j[keep], t_j[keep], w_j[keep], a_j[keep]
    pair = p_j * m + o_j
    best = _best_of_groups(pair * S + t_j, a_j * w_j, s_j)    # each giver t: its best gap in the target
    pair, s_j, t_j, w_j, a_j = pair[best], s_j[best], t_j[best], w_j[best], a_j[best]
    best = _best_of_groups(pair * S + s_j, w_j, t_j)          # each gap s: its best giver
    pair = pair[best]
    return Credit(pair // m, pair % m, s_j[best], t_j[best], w_j[best].astype(np.float32),
                  a_j[best].astype(np.float32))


def skill_fit(model: MatchingModel, X: sp.csr_matrix | SkillLookup | Participants, A: sp.csr_matrix | Targets
              ) -> dict[str, np.ndarray]:
    """``recall``, ``use`` (precision) and ``skills`` (F_β), participants × targets (formula: module docstring)."""
    return _skill_fit(model, X, A)[0]


def _skill_fit(model: MatchingModel, X: sp.csr_matrix | SkillLookup | Participants, A: sp.csr_matrix | Targets
               ) -> tuple[dict[str, np.ndarray], Credit]:
    T = _prepared(model, A)
    look = _lookup(X)
    n, m = look.X.shape[0], T.A.shape[0]
    c = related_credit(model, look, T)
    gain = np.zeros((n, m), np.float32)
    used = np.zeros((n, m), np.float32)
    np.add.at(gain, (c.participant, c.target), c.weight * c.credit)
    np.add.at(used, (c.participant, c.target), model.idf[c.via] * c.credit)
    own = look.weighted(model.idf)[1]
    recall = (look.dot(T.At) + gain) / np.where(T.size > 0, T.size, 1.0)[None, :]
    precision = (look.dot(T.Bt, scale=model.idf) + used) / np.where(own > 0, own, 1.0)[:, None]
    b2 = BETA * BETA
    denom = b2 * precision + recall
    skills = np.divide((1 + b2) * precision * recall, denom, out=np.zeros_like(denom), where=denom > 0)
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
    parts, credit = _skill_fit(model, pa, T)
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
