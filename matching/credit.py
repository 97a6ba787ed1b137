"""Related-skill credit (:func:`related_credit`, formula in :mod:`matching.scoring`) and the look-ups
it needs: the targets' weights prepared once (:class:`Targets`) and a participant matrix's skills
by row and by column (:class:`SkillLookup`, kept with the participants it belongs to).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from matching.model import MatchingModel

DENSE_SHOWN = 50_000_000      # participants × listed skills up to which "shown" is a boolean matrix
FEW = 64                      # below this many participants: "shown" by a binary search of their few skills and
DENSE_LISTED = 4_000_000      # "listed" by a giving skills × targets boolean matrix up to this size


def sorted_csr(X) -> sp.csr_matrix:
    """``X`` as a CSR matrix with sorted indices: ``X`` itself when it is one (a matrix made from ``X``
    shares its arrays, so sorting them sorts ``X``'s too)."""
    if not (type(X) is sp.csr_matrix and X.has_sorted_indices):
        X = sp.csr_matrix(X)
        X.sort_indices()
    return X


class SkillLookup:
    """What :func:`related_credit` and :func:`skill_fit` read of ``X`` (participants × skills), built on
    first use: kept with :class:`Participants`, so a cached participant matrix builds them once."""

    BY_SKILL = 2048            # from this many participants on, giving skills are read by column

    def __init__(self, X: sp.csr_matrix) -> None:
        self.X = sorted_csr(X)

    @cached_property
    def rows(self) -> np.ndarray:
        """The participant of each stored entry."""
        return np.repeat(np.arange(self.X.shape[0], dtype=np.int64), np.diff(self.X.indptr))

    @cached_property
    def held(self) -> np.ndarray:
        """Sorted keys ``p · S + t`` of the skills each participant shows."""
        return self.rows * self.X.shape[1] + self.X.indices

    @cached_property
    def binary(self) -> SkillLookup:
        """The same participants with every shown skill at 1 (what counts skills rather than weighs them)."""
        B = self.X.copy()
        B.data[:] = 1.0
        return SkillLookup(B)

    @cached_property
    def logs(self) -> SkillLookup:
        """The same participants with ``ln x_t`` for every shown skill."""
        L = self.X.copy()
        L.data = np.log(L.data)
        return SkillLookup(L)

    @cached_property
    def count(self) -> np.ndarray:
        """``n_p``: the number of skills each participant shows (float64)."""
        return np.diff(self.X.indptr).astype(np.float64)

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

    def weighted_sums(self, idf: np.ndarray) -> np.ndarray:
        """The row sums of :meth:`weighted`; for few participants without building its matrix: the same
        products summed by the same ``np.add.reduceat`` over each non-empty row as scipy's ``sum(axis=1)``
        (exactly equal). Many participants build the matrix (their sums against few targets read it)."""
        if self.X.shape[0] >= FEW:
            return self.weighted(idf)[1]
        got = getattr(self, "_sums", None)
        if got is None or got[0] is not idf:
            data = self.X.data * idf[self.X.indices]
            sums = np.zeros(self.X.shape[0], data.dtype)
            rows = np.flatnonzero(np.diff(self.X.indptr))
            if rows.size:
                sums[rows] = np.add.reduceat(data, self.X.indptr[rows])
            got = self._sums = (idf, sums)
        return got[1]

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
    Et: sp.csr_matrix          # skills × targets: 1 where the target lists the skill as essential
    essential: np.ndarray      # sorted ``o · S + s`` of the essential pairs
    n_listed: np.ndarray       # listed skills per target (float64)
    n_essential: np.ndarray    # essential skills per target (float64)
    memo: dict = field(default_factory=dict, compare=False)   # the Beta-binomial's value at k = 0, per prior


def targets(model: MatchingModel, A: sp.csr_matrix, *, essential: sp.csr_matrix | None = None) -> Targets:
    """Prepare ``A`` (targets × skills) for :func:`related_credit` and :func:`skill_fit`; ``essential``
    (targets × skills, nonzero where essential) marks which listed skills are essential (None: all)."""
    A = sp.csr_matrix(A, dtype=np.float32)
    A.sort_indices()
    keys = np.repeat(np.arange(A.shape[0], dtype=np.int64), np.diff(A.indptr)) * A.shape[1] + A.indices
    At = sp.csr_matrix(A.T)
    Bt = At.copy()
    Bt.data[:] = 1.0
    Et = Bt if essential is None else sp.csr_matrix(Bt.multiply(sp.csr_matrix(essential, dtype=bool).T))
    Et.data[:] = 1.0
    Et.eliminate_zeros()
    Et.sort_indices()
    E = Et.T.tocoo()
    listed = np.unique(A.indices)
    helped = model.P[listed].tocoo()
    credit = sp.csc_matrix((helped.data, (listed[helped.row], helped.col)), shape=model.P.shape, dtype=np.float32)
    slot = np.full(A.shape[1], -1, np.int64)
    slot[listed] = np.arange(listed.size)
    return Targets(A=A, At=At, Bt=Bt, keys=keys, size=np.asarray(A.sum(axis=1)).ravel(),
                   givers=np.diff(credit.indptr) > 0, credit=credit, listed=listed, slot=slot, Et=Et,
                   essential=np.sort(E.row.astype(np.int64) * A.shape[1] + E.col),
                   n_listed=np.diff(A.indptr).astype(np.float64),
                   n_essential=np.bincount(Et.indices, minlength=A.shape[0]).astype(np.float64))


def prepared(model: MatchingModel, A: sp.csr_matrix | Targets) -> Targets:
    if isinstance(A, Targets):
        return A
    if A is model.A:
        got = getattr(model, "_occupation_targets", None)
        if got is None:
            got = targets(model, A, essential=model.E)
            model._occupation_targets = got
        return got
    return targets(model, A)


def member(sorted_keys: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``q ∈ sorted_keys``, elementwise (binary search)."""
    if sorted_keys.size == 0:
        return np.zeros(q.shape, bool)
    i = np.minimum(np.searchsorted(sorted_keys, q), sorted_keys.size - 1)
    return sorted_keys[i] == q


def _listed(T: Targets, skills: np.ndarray, row: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Target ``targets[i]`` lists skill ``skills[row[i]]``, elementwise: a ``skills`` × targets mask of the few
    skills asked about (``At``'s rows), else a binary search of all listed pairs."""
    m = T.At.shape[1]
    if skills.size * m > DENSE_LISTED:
        return member(T.keys, targets * T.A.shape[1] + skills[row])
    mask = np.zeros((skills.size, m), bool)
    pos, which = _entries(T.At.indptr, skills)
    mask[which, T.At.indices[pos]] = True
    return mask[row, targets]


def _entries(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the stored entries of ``rows`` (CSR rows or CSC columns) and, for each, its index in ``rows``."""
    start = indptr[rows]
    count = indptr[rows + 1] - start
    which = np.repeat(np.arange(rows.size), count)
    return np.arange(which.size) + np.repeat(start - (np.cumsum(count) - count), count), which


_NO_TIE = np.iinfo(np.int64).max


def _best_of_groups(group: np.ndarray, value: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """For each distinct ``group``, in increasing order: the index of its largest ``value`` (ties: lowest ``tie``).
    The order within a group does not matter (one index per group); a stable sort reads the runs the candidates
    come in (several times faster here than the default)."""
    order = np.argsort(group, kind="stable")
    g = group[order]
    start = np.flatnonzero(np.concatenate(([True], g[1:] != g[:-1])))
    count = np.diff(np.append(start, g.size))
    v, t = value[order], tie[order]
    top = v == np.repeat(np.maximum.reduceat(v, start), count)
    t = np.where(top, t, _NO_TIE)
    return order[t == np.repeat(np.minimum.reduceat(t, start), count)]


def _best_in_cells(cell: np.ndarray, size: int, value: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """:func:`_best_of_groups` for groups numbered below ``size`` (each ``tie`` once per group), in index order:
    the largest value of each cell by ``np.maximum.at``, the lowest tie among those by ``np.minimum.at``."""
    top_value = np.full(size, -np.inf, value.dtype)
    np.maximum.at(top_value, cell, value)
    top = value == top_value[cell]
    low = np.full(size, _NO_TIE, np.int64)
    np.minimum.at(low, cell[top], tie[top])
    return np.flatnonzero(top & (tie == low[cell]))


def lookup_of(X) -> SkillLookup:
    """``X``'s :class:`SkillLookup`: ``X`` itself, the one kept by :class:`matching.scoring.Participants`,
    or a new one for a plain matrix."""
    if isinstance(X, SkillLookup):
        return X
    return X.lookup if hasattr(X, "lookup") else SkillLookup(X)


def related_credit(model: MatchingModel, X, A: sp.csr_matrix | Targets
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
    T = prepared(model, A)
    look = lookup_of(X)
    if look.X.nnz == 0 or T.A.nnz == 0:
        return none
    S, m = look.X.shape[1], T.A.shape[0]
    few = look.X.shape[0] < FEW                                 # job targets: one participant, every occupation
    p_of, t_of, x_of = look.givers(T.givers)                   # shown skills that can help a listed one
    pos, k = _entries(T.credit.indptr, t_of)
    s_k = T.credit.indices[pos].astype(np.int64)
    p_k, t_k, w_k = p_of[k], t_of[k], T.credit.data[pos] * x_of[k]   # (p, t, s) with credit P·x
    if few or look.X.shape[0] * T.listed.size > DENSE_SHOWN:
        gap = ~member(look.held, p_k * S + s_k)
    else:
        gap = ~look.shown(T.listed)[p_k, T.slot[s_k]]
    p_k, t_k, s_k, w_k, g_k = p_k[gap], t_k[gap], s_k[gap], w_k[gap], k[gap]
    pos, j = _entries(T.At.indptr, s_k)                        # the targets listing s
    o_j, a_j = T.At.indices[pos].astype(np.int64), T.At.data[pos]
    p_j, t_j, s_j, w_j, g_j = p_k[j], t_k[j], s_k[j], w_k[j], g_k[j]
    keep = ~(_listed(T, t_of, g_j, o_j) if few else member(T.keys, o_j * S + t_j))   # t unused by the target
    if not keep.any():
        return none
    p_j, o_j, s_j, t_j, w_j, a_j, g_j = p_j[keep], o_j[keep], s_j[keep], t_j[keep], w_j[keep], a_j[keep], g_j[keep]
    pair = p_j * m + o_j
    if few and t_of.size * m <= DENSE_LISTED:                 # each giver t: its best gap in the target
        best = _best_in_cells(g_j * m + o_j, t_of.size * m, a_j * w_j, s_j)
    else:
        best = _best_of_groups(pair * S + t_j, a_j * w_j, s_j)
    pair, s_j, t_j, w_j, a_j = pair[best], s_j[best], t_j[best], w_j[best], a_j[best]
    best = _best_of_groups(pair * S + s_j, w_j, t_j)          # each gap s: its best giver
    pair = pair[best]
    return Credit(pair // m, pair % m, s_j[best], t_j[best], w_j[best].astype(np.float32),
                  a_j[best].astype(np.float32))
