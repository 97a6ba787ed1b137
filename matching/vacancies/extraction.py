"""Vacancy text → proposed skills, sentence by sentence, on this database's ESCO import.

The text is segmented (:func:`~matching.vacancies.text.segment`); boilerplate sentences are
skipped, and so are clauses that state a structured requirement (Dutch level, driving
licence, hours, contract: :func:`~matching.vacancies.requirements.is_requirement`). Each
remaining sentence and each of its clauses is a query of the hybrid
:class:`~matching.vacancies.skills.SkillIndex`; a sentence's score for a skill is its best
query's. The proposed occupation's essential (and, half as much, optional) skills get a
prior boost. Per sentence the best :data:`PER_SENTENCE` skills above :data:`MIN_SCORE` are
kept, each skill once (its best sentence), at most ``top`` overall.

Skill label vectors are only *read* from the cache; they are built ahead of time by
:func:`build_skill_vectors` (``werkbrug vacancy index-skills``). Without them the index is
lexical and the proposal says so (``Proposal.note``).
"""

from __future__ import annotations

from dataclasses import replace

import duckdb
import numpy as np

from foundation.cache import IMPORT, INDEX, cached, invalidate
from matching.vacancies.requirements import is_requirement
from matching.vacancies.skills import (
    RetrievalWeights,
    SkillIndex,
    fused_scores,
    language_skills,
    occupation_uses,
    skill_labels,
)
from matching.vacancies.text import Segment
from taxonomy.encoders import get_encoder
from taxonomy.index import cached_vectors, text_vectors

#: Encoders of the dense parts and which labels each embeds (all: preferred + alternative).
SKILL_ENCODERS: dict[str, str] = {"use-multilingual": "all"}
#: Picked with benchmarks/skill_extraction.py on all 136 dev sentences (popularity got weight 0);
#: the prior is a judgement call (the dev set has no occupations): a boost of one standard deviation.
WEIGHTS = RetrievalWeights(lexical=0.1, spans=0.5, dense={"use-multilingual": 1.0}, popularity=0.0, prior=1.0)
PER_SENTENCE = 4
MIN_SCORE = 4.0
MAX_SENTENCES = 60


def _label_rows(index: SkillIndex, which: str) -> np.ndarray:
    if which == "preferred":
        return np.flatnonzero((index.labels["kind"] == "preferred").to_numpy())
    return np.arange(len(index.labels))


def skill_index(con: duckdb.DuckDBPyConnection, *, dense: bool = True) -> SkillIndex:
    """The skill index of this ESCO import; with ``dense``, every dense part whose label vectors are cached."""
    base = cached(con, "vacancies.skill_index", lambda: SkillIndex.build(
        skill_labels(con), excluded=language_skills(con), uses=occupation_uses(con)), on=(IMPORT,), shared=True,
        maxsize=2)
    if not dense:
        return base
    parts = cached(con, "vacancies.skill_vectors", lambda: _cached_parts(con, base), on=(IMPORT, INDEX), maxsize=4)
    return replace(base, encoders={n: e for n, (e, _, _) in parts.items()},
                   vectors={n: (rows, m) for n, (_, rows, m) in parts.items()})


def _cached_parts(con: duckdb.DuckDBPyConnection, index: SkillIndex) -> dict:
    out = {}
    for name, which in SKILL_ENCODERS.items():
        if not WEIGHTS.dense.get(name):
            continue
        enc = get_encoder(name)
        rows = _label_rows(index, which)
        matrix, _ = cached_vectors(con, index.labels["label"].iloc[rows].tolist(), encoder=enc)
        if matrix is not None:
            out[name] = (enc, rows, matrix)
    return out


def warm(con: duckdb.DuckDBPyConnection) -> None:
    """Build the in-memory skill index ahead of the first vacancy (e.g. in a thread at start-up)."""
    skill_index(con)


def build_skill_vectors(con: duckdb.DuckDBPyConnection, *, progress: bool = True) -> dict[str, int]:
    """Embed the skill labels every dense part needs (ahead of time); labels embedded per encoder."""
    index = SkillIndex.build(skill_labels(con))
    done = {}
    for name, which in SKILL_ENCODERS.items():
        if not WEIGHTS.dense.get(name):
            continue
        texts = index.labels["label"].iloc[_label_rows(index, which)].tolist()
        _, done[name] = text_vectors(con, texts, encoder=get_encoder(name), progress=progress,
                                     desc="Embedding skill labels")
    invalidate(con, INDEX)
    return done


def missing_parts(index: SkillIndex) -> list[str]:
    """Dense parts the weights want but whose label vectors are not cached."""
    return [n for n, w in WEIGHTS.dense.items() if w and n not in index.vectors]


def segment_queries(seg: Segment) -> list[str]:
    """The queries of one sentence: its clauses that are no requirement, and those together.

    Empty when every clause states a requirement ("rijbewijs B, basiskennis Nederlands").
    """
    kept = [c for c in seg.clauses if not is_requirement(c)]
    return list(dict.fromkeys((", ".join(kept), *kept))) if kept else []


def best_per_owner(scores: np.ndarray, owner: list[int] | np.ndarray) -> np.ndarray:
    """Row-wise max of ``scores`` over the queries of each owner (owners ``0 … n-1``, in order)."""
    owner = np.asarray(owner)
    out = np.full((int(owner.max()) + 1, scores.shape[1]), -np.inf, np.float32)
    for o in np.unique(owner):
        out[o] = scores[owner == o].max(axis=0)
    return out


def sentence_skills(
    index: SkillIndex, segments: list[Segment], *, prior: dict[str, float] | None = None,
    lexical_only: bool = False, top: int = 20,
) -> list[tuple[str, float, int]]:
    """``(skill uri, score, sentence index)`` proposals, best first, ties by URI."""
    segs = [s for s in segments if not s.boilerplate][:MAX_SENTENCES]
    if not segs:
        return []
    queries, owner = [], []
    for s in segs:
        got = segment_queries(s)
        queries += got
        owner += [s.index] * len(got)
    if not queries:
        return []
    parts = index.parts(queries, dense=[] if lexical_only else None)
    pvec = None
    if prior:
        pos = {u: i for i, u in enumerate(index.uris)}
        pvec = np.zeros(len(index.uris), np.float32)
        for u, w in prior.items():
            if u in pos:
                pvec[pos[u]] = w
    per_sentence = best_per_owner(fused_scores(parts, WEIGHTS, excluded=index.excluded, prior=pvec), owner)
    best: dict[str, tuple[float, int]] = {}
    for sid in dict.fromkeys(owner):
        row = per_sentence[sid]
        k = min(PER_SENTENCE, len(row) - 1)
        for c in np.argpartition(-row, k)[:k]:
            s = float(row[c])
            uri = index.uris[int(c)]
            if s >= MIN_SCORE and (uri not in best or s > best[uri][0]):
                best[uri] = (s, sid)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))[:top]
    return [(u, round(s, 3), sid) for u, (s, sid) in ranked]
