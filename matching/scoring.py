"""Pure scoring functions (no database): a participant's skills against occupations.

Notation: ``x_s`` is the participant's strength on skill ``s`` (see
:class:`matching.features.SkillFeature`: ``level · evidence_weight · (0.5 + 0.5·confidence)``),
``P`` the related-skill credit matrix, ``W_ess``/``W_opt``/``A`` the occupation×skill weights
of :mod:`matching.model`.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from foundation.cache import caches
from matching.features import RankingFeatures
from matching.model import MatchingModel


def skill_vector(model: MatchingModel, features: RankingFeatures) -> np.ndarray:
    """Dense ``x`` over the model's skills; unknown skill URIs are ignored."""
    x = np.zeros(len(model.skill_uris), dtype=np.float32)
    for s in features.skills:
        i = model.skill_index.get(s.uri)
        if i is not None:
            x[i] = max(x[i], s.strength)
    return x


def credited(model: MatchingModel, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Skill strengths with partial credit for related skills, and where the credit came from.

        x̃_s = max(x_s, max_t P[s, t] · x_t)

    Returns ``(x̃, via)`` with ``via[s]`` the skill ``t`` that gave the credit (−1: direct or none).
    """
    idx = np.flatnonzero(x)
    via = np.full(x.shape[0], -1, dtype=np.int64)
    if idx.size == 0:
        return x.copy(), via
    sub = model.P_csc[:, idx] @ sp.diags(x[idx])          # S × k: credit from each own skill
    sub = sp.csr_matrix(sub)
    best = np.asarray(sub.max(axis=1).todense()).ravel()
    arg = np.asarray(sub.argmax(axis=1)).ravel()
    out = np.maximum(x, best).astype(np.float32)
    gets = best > x
    via[gets] = idx[arg[gets]]
    return out, via


def credited_for(model: MatchingModel, x: np.ndarray, skills: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`credited`, computed only for ``skills`` (other entries keep ``x`` and ``via = −1``)."""
    out = x.astype(np.float32, copy=True)
    via = np.full(x.shape[0], -1, dtype=np.int64)
    P = model.P
    for s in np.unique(np.asarray(skills, dtype=np.int64)):
        lo, hi = P.indptr[s], P.indptr[s + 1]
        if lo == hi:
            continue
        vals = P.data[lo:hi] * x[P.indices[lo:hi]]
        j = int(np.argmax(vals))
        if vals[j] > out[s]:
            out[s] = vals[j]
            via[s] = int(P.indices[lo + j])
    return out, via


def coverage(W: sp.csr_matrix, x_tilde: np.ndarray) -> np.ndarray:
    """``cov_o = Σ_s W[o, s] · x̃_s``: idf-weighted share of the occupation's skills covered."""
    return W @ x_tilde


def skill_use(A: sp.csr_matrix, idf: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``use_o = Σ_{s ∈ o} idf_s · x_s / Σ_s idf_s · x_s``: share of the participant's skills the occupation uses."""
    total = float(idf @ x)
    if total <= 0:
        return np.zeros(A.shape[0], dtype=np.float32)
    return (A @ x) / total


def experience_fit(model: MatchingModel, features: RankingFeatures) -> np.ndarray:
    """``exp_o = max_e min(1, years_e / Y) · sim(o, occ_e)``; sim = 1 same occupation,
    0.5 same ISCO unit group (4 digits), 0.25 same minor group (3 digits)."""
    out = np.zeros(len(model.occ_uris), dtype=np.float32)
    for uri, years in features.experience:
        o = model.occ_index.get(uri)
        if o is None:
            continue
        f = min(1.0, years / model.config.experience_years_full)
        code = model.occ_isco[o]
        if code:
            out = np.maximum(out, 0.25 * f * (model.isco3_arr == code[:3]))
            out = np.maximum(out, 0.5 * f * (model.isco_arr == code))
        out[o] = max(out[o], f)
    return out


def preference_fit(model: MatchingModel, features: RankingFeatures) -> np.ndarray:
    """``pref_o`` = 1 for a preferred occupation, 0.5 for its ISCO unit group or a preferred
    sector (an ISCO code prefix such as ``"93"``), else 0."""
    out = np.zeros(len(model.occ_uris), dtype=np.float32)
    isco = model.isco_arr
    for code in features.preferred_sectors:
        code = str(code).strip().rsplit("/C", 1)[-1]  # accepts "93" or an ESCO ISCO URI
        if code.isdigit():
            out = np.maximum(out, 0.5 * np.char.startswith(isco, code))
    for uri in features.preferred_occupations:
        o = model.occ_index.get(uri)
        if o is None:
            continue
        if model.occ_isco[o]:
            out = np.maximum(out, 0.5 * (isco == model.occ_isco[o]))
        out[o] = 1.0
    return out


def combine(parts: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """``score = Σ_part weight_part · value_part`` (weights sum to 1)."""
    total = None
    for name, w in weights.items():
        term = w * parts[name]
        total = term if total is None else total + term
    return total


def profile_matrix(model: MatchingModel, features: list[RankingFeatures]) -> sp.csr_matrix:
    """``X``: participants × skills, ``X[p, s] = x_s`` of participant ``p``."""
    rows, cols, vals = [], [], []
    for p, f in enumerate(features):
        seen: dict[int, float] = {}
        for s in f.skills:
            i = model.skill_index.get(s.uri)
            if i is not None:
                seen[i] = max(seen.get(i, 0.0), s.strength)
        rows.extend([p] * len(seen))
        cols.extend(seen.keys())
        vals.extend(seen.values())
    X = sp.csr_matrix((np.array(vals, np.float32), (np.array(rows, np.int64), np.array(cols, np.int64))),
                      shape=(len(features), len(model.skill_uris)), dtype=np.float32)
    X.sum_duplicates()
    return X


def credited_matrix(model: MatchingModel, X: sp.csr_matrix) -> sp.csr_matrix:
    """Row-wise ``x̃_s = max(x_s, max_t P[s, t] · x_t)`` for every participant in ``X``."""
    X = sp.csr_matrix(X)
    n, S = X.shape
    if X.nnz == 0:
        return X.copy()
    owner = np.repeat(np.arange(n, dtype=np.int64), np.diff(X.indptr))
    cols = model.P_csc[:, X.indices]                       # S × nnz
    cols = sp.csc_matrix(cols @ sp.diags(X.data))
    counts = np.diff(cols.indptr)
    b = np.concatenate([owner, np.repeat(owner, counts)])
    s = np.concatenate([X.indices.astype(np.int64), cols.indices.astype(np.int64)])
    v = np.concatenate([X.data, cols.data.astype(np.float32)])
    key = b * S + s
    order = np.argsort(key, kind="stable")
    key, v = key[order], v[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    best = np.maximum.reduceat(v, starts)
    k = key[starts]
    return sp.csr_matrix((best, (k // S, k % S)), shape=(n, S), dtype=np.float32)


def experience_matrix(model: MatchingModel, features: list[RankingFeatures]) -> np.ndarray:
    """Batch :func:`experience_fit`: participants × occupations."""
    return np.stack([experience_fit(model, f) for f in features]) if features else np.zeros((0, len(model.occ_uris)))


def preference_matrix(model: MatchingModel, features: list[RankingFeatures]) -> np.ndarray:
    """Batch :func:`preference_fit`: participants × occupations."""
    return np.stack([preference_fit(model, f) for f in features]) if features else np.zeros((0, len(model.occ_uris)))


def requirement_groups(required: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct requirement rows and each occupation's row index (cached by content)."""
    def build() -> tuple[np.ndarray, np.ndarray]:
        distinct, inverse = np.unique(required, axis=0, return_inverse=True)
        return distinct, inverse.ravel()

    return caches.memo("scoring.requirement_groups", required.tobytes(), build)


def score_occupations(
    model: MatchingModel, features: list[RankingFeatures], *, required: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Total score and unweighted parts, participants × occupations::

        essential_o  = Σ_s W_ess[o, s] · x̃_s
        optional_o   = Σ_s W_opt[o, s] · x̃_s
        use_o        = Σ_{s ∈ o} idf_s · x_s / Σ_s idf_s · x_s
        experience_o = experience_fit, preference_o = preference_fit
        language_o   = language_fit(dutch, required_o)
        score_o      = Σ_part weight_part · part_o

    ``required`` is the ``(occupations, 4)`` Dutch requirement matrix.
    """
    from matching.language import language_fit, participant_values

    X = profile_matrix(model, features)
    Xt = credited_matrix(model, X)
    Xd, Xtd = X.toarray().T, Xt.toarray().T                  # skills × participants
    parts = {
        "essential": (model.W_ess @ Xtd).T,
        "optional": (model.W_opt @ Xtd).T,
    }
    own = model.idf @ Xd
    own[own == 0] = 1.0
    parts["use"] = (model.A @ Xd).T / own[:, None]
    parts["experience"] = experience_matrix(model, features)
    parts["preference"] = preference_matrix(model, features)
    dutch = np.stack([participant_values(f.dutch) for f in features])
    distinct, inverse = requirement_groups(required)   # a few dozen distinct requirements
    parts["language"] = language_fit(dutch[:, None, :], distinct[None, :, :])[:, inverse]
    total = combine(parts, model.config.weights.model_dump())
    return total.astype(np.float32), parts
