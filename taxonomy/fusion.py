"""Fusion of ranker scores: z-scored parts mixed with weights learned per query language.

A part is a ``(queries × concepts)`` score matrix (the lexical ranker, one per sentence
encoder). Each row is standardised, then mixed:

    fused[q, c] = Σ_k w_k(lang_q) · z_k[q, c],   z_k[q, ·] = (s_k[q, ·] − mean) / std,  Σ_k w_k = 1

The weights come from :func:`learn_weights` (a grid over the simplex, best MRR@10 on held-out
ESCO labels) run by ``benchmarks/title_normalisation.py --tune``; :data:`LEARNED` holds its
result per set of encoders and query language.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

LEXICAL = "lexical"
LANGS = ("nl", "en", "other")

#: Learned weights: dense encoders present → query language → part → weight, by
#: ``benchmarks/title_normalisation.py --tune`` (2026-12-01, on the tuning half of the occupations:
#: 600 held-out Dutch alternative labels, the same typed noisily, the held-out VDAB titles, 600 noisy
#: English alternative labels, 600 English preferred labels against the Dutch ones; "other" = nl).
LEARNED: dict[tuple[str, ...], dict[str, dict[str, float]]] = {
    ("use-multilingual",): {
        "nl": {"lexical": 0.3, "use-multilingual": 0.7},
        "en": {"lexical": 0.1, "use-multilingual": 0.9},
        "other": {"lexical": 0.3, "use-multilingual": 0.7},
    },
    ("e5-small",): {
        "nl": {"lexical": 0.2, "e5-small": 0.8},
        "en": {"lexical": 0.0, "e5-small": 1.0},
        "other": {"lexical": 0.2, "e5-small": 0.8},
    },
    ("e5-small", "use-multilingual"): {
        "nl": {"lexical": 0.2, "e5-small": 0.4, "use-multilingual": 0.4},
        "en": {"lexical": 0.0, "e5-small": 0.45, "use-multilingual": 0.55},
        "other": {"lexical": 0.2, "e5-small": 0.4, "use-multilingual": 0.4},
    },
}
#: Lexical share for encoder sets nobody tuned (the dense parts share the rest equally).
UNTUNED_LEXICAL = {"nl": 0.3, "en": 0.1, "other": 0.2}


def weights_for(encoders: Sequence[str]) -> dict[str, dict[str, float]]:
    """Weights per query language for the lexical part plus ``encoders``."""
    key = tuple(sorted(encoders))
    if not key:
        return {lang: {LEXICAL: 1.0} for lang in LANGS}
    if key in LEARNED:
        return LEARNED[key]
    return {lang: {LEXICAL: lex, **dict.fromkeys(key, (1 - lex) / len(key))}
            for lang, lex in UNTUNED_LEXICAL.items()}


def standardise(x: np.ndarray) -> np.ndarray:
    """Per-row z-scores (a constant row becomes zeros)."""
    mean = x.mean(axis=1, keepdims=True)
    std = x.std(axis=1, keepdims=True)
    std[std == 0] = 1.0
    return (x - mean) / std


def fuse(lexical: np.ndarray, dense: np.ndarray, weight: np.ndarray | float) -> np.ndarray:
    """Two parts: ``weight`` · z(lexical) + (1 − weight) · z(dense), per query row."""
    w = np.asarray(weight, np.float32)
    if w.ndim == 1:
        w = w[:, None]
    return w * standardise(lexical) + (1 - w) * standardise(dense)


def fuse_parts(parts: dict[str, np.ndarray], weights: dict[str, np.ndarray]) -> np.ndarray:
    """Σ_k weights[k][:, None] · z(parts[k]); ``weights[k]`` holds one weight per query row."""
    out = None
    for name, scores in parts.items():
        w = np.asarray(weights[name], np.float32)[:, None]
        term = w * standardise(scores)
        out = term if out is None else out + term
    return out


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Column ids of the ``k`` best scores per row, best first, ties by column id (= URI order).

    Scores are compared at 1e-3: float32 sums (a query embedded alone or in a batch) differ in
    the last digits, and such noise must not decide between tied concepts.
    """
    scores = np.round(np.asarray(scores, dtype=np.float64), 3)
    k = min(k, scores.shape[1])
    kth = -np.partition(-scores, k - 1, axis=1)[:, k - 1:k]
    rows = []
    for row, bound in zip(scores, kth[:, 0], strict=True):
        cand = np.flatnonzero(row >= bound)
        rows.append(cand[np.argsort(-row[cand], kind="stable")][:k])
    return np.array(rows, dtype=np.int64).reshape(len(scores), k)


def mrr_at_10(scores: np.ndarray, gold: Sequence[set[int]]) -> float:
    """Mean over queries of 1 / rank of the best correct column if within the top 10, else 0.

    rank = 1 + #columns scoring higher + #columns scoring the same with a smaller id.
    """
    mask = np.zeros(scores.shape, dtype=bool)
    for i, g in enumerate(gold):
        mask[i, list(g)] = True
    masked = np.where(mask, scores, -np.inf)
    gidx = masked.argmax(axis=1)
    gscore = masked[np.arange(len(scores)), gidx][:, None]
    before = (scores > gscore).sum(axis=1) + (
        (scores == gscore) & (np.arange(scores.shape[1]) < gidx[:, None])).sum(axis=1)
    rr = np.where((before < 10) & mask.any(axis=1), 1.0 / (before + 1), 0.0)
    return float(rr.mean()) if len(rr) else 0.0


def learn_weights(groups: Sequence[tuple[dict[str, np.ndarray], Sequence[set[int]]]], *,
                  step: float = 0.05) -> tuple[dict[str, float], float]:
    """The weights on the simplex grid (``step``) with the best MRR@10, and that MRR@10.

    ``groups``: per query set, the raw score matrices of its parts (same names in every
    group) and the correct columns per query; the MRR@10 is over all their queries.
    """
    names = list(groups[0][0])
    zs = [({n: standardise(parts[n]) for n in names}, gold) for parts, gold in groups]
    total = sum(len(gold) for _, gold in zs)
    n_steps = round(1 / step)
    best, best_score = None, -1.0
    for combo in itertools.product(range(n_steps + 1), repeat=len(names) - 1):
        if sum(combo) > n_steps:
            continue
        w = [c / n_steps for c in combo] + [(n_steps - sum(combo)) / n_steps]
        score = sum(len(gold) * mrr_at_10(sum(wi * z[n] for wi, n in zip(w, names, strict=True)), gold)
                    for z, gold in zs) / total
        if score > best_score + 1e-9:
            best, best_score = dict(zip(names, (round(x, 4) for x in w), strict=True)), score
    return best, best_score
