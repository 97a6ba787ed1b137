"""Vacancy text → proposed skills, sentence by sentence, on this database's ESCO import.

The text is segmented (:func:`~matching.vacancies.text.segment`); boilerplate sentences are
skipped, and so are clauses that state a structured requirement (Dutch level, driving
licence, hours, contract: :func:`~matching.vacancies.requirements.is_requirement`). Each
remaining clause (and the kept clauses together) is a query of the hybrid
:class:`~matching.vacancies.skills.SkillIndex`, and the whole sentence adds its own part scores
to each of its clauses' (context: "Sterke kennis van HTML en CSS (LESS, SCSS)"); a sentence's
score for a skill is its best clause's. The proposed occupation's essential (and, half as much, optional) skills get a
prior boost. Per sentence the best :data:`PER_SENTENCE` skills above :data:`MIN_SCORE` are
kept, each skill once (its best sentence), at most ``top`` overall.

Skill label vectors and the Dutch → English word table (:mod:`~matching.vacancies.translation`)
are only *read*; they are built ahead of time by :func:`build_skill_vectors` and
:func:`build_translations` (``werkbrug taxonomy index --skills`` or ``werkbrug vacancy
index-skills``). The fusion uses the dense parts whose vectors are complete, with the weights
chosen for that set of parts (:data:`WEIGHTS`); without any the index is lexical, and the
proposal says which parts are missing (``Proposal.note``).
"""

from __future__ import annotations

from dataclasses import replace

import duckdb
import numpy as np

from foundation.cache import IMPORT, INDEX, cached, invalidate
from matching.vacancies import translation
from matching.vacancies.requirements import is_requirement
from matching.vacancies.skills import (
    EN,
    RetrievalWeights,
    SkillIndex,
    fused_scores,
    language_skills,
    occupation_uses,
    skill_labels,
)
from matching.vacancies.text import Segment
from matching.vacancies.translation import Translator
from taxonomy.encoders import get_encoder, identity
from taxonomy.index import cached_vectors, ensure_vectors, vector_counts
from taxonomy.search import SEARCH_ENCODERS
from taxonomy.store import ensure_schema

#: Encoders of the dense parts and which labels each embeds (all: preferred + alternative).
#: e5-small embeds about 20 short labels a second on the shared 2-core machine, so it takes the
#: ~20k preferred labels (7–15 minutes), not all ~105k; it is two parts: the labels embedded
#: as queries (symmetric) and as passages (``e5-small-passage``, the model card's retrieval use),
#: the sentence as a query for both (embedded once).
SKILL_ENCODERS: dict[str, str] = {"use-multilingual": "all", "e5-small": "preferred", "e5-small-passage": "preferred"}
#: Weights per set of dense parts whose vectors are cached, picked with
#: benchmarks/skill_extraction.py on all 136 dev sentences (its 2-fold row is the honest score);
#: the prior is a judgement call (the dev set has no occupations): a boost of one standard deviation.
#: A set of parts without weights of its own uses those of the largest set inside it (:func:`weights_for`).
WEIGHTS: dict[tuple[str, ...], RetrievalWeights] = {
    ("e5-small", "e5-small-passage", "translation", "use-multilingual"): RetrievalWeights(
        lexical=0.0, spans=0.0, dense={"use-multilingual": 0.1, "e5-small": 0.0, "e5-small-passage": 1.0},
        popularity=0.0, prior=1.0, english={"e5-small": 0.75, "e5-small-passage": 0.25},
        sentence={"lexical": 0.5, "spans": 0.5, "use-multilingual": 0.5, "e5-small": 0.75, "e5-small-passage": 0.5,
                  "e5-small@en": 0.1, "e5-small-passage@en": 0.5}),
    ("e5-small", "e5-small-passage", "use-multilingual"): RetrievalWeights(
        lexical=0.0, spans=0.75, dense={"use-multilingual": 0.5, "e5-small": 0.5, "e5-small-passage": 0.5},
        popularity=0.25, prior=1.0,
        sentence={"lexical": 0.5, "spans": 0.5, "use-multilingual": 0.5, "e5-small": 0.75, "e5-small-passage": 0.5}),
    ("e5-small", "use-multilingual"): RetrievalWeights(
        lexical=0.0, spans=0.25, dense={"use-multilingual": 0.5, "e5-small": 1.0}, popularity=0.0, prior=1.0,
        sentence={"lexical": 0.5, "spans": 0.75, "use-multilingual": 0.5, "e5-small": 0.5}),
    ("use-multilingual",): RetrievalWeights(
        lexical=0.0, spans=0.25, dense={"use-multilingual": 0.75}, popularity=0.1, prior=1.0,
        sentence={"lexical": 0.25, "spans": 0.5, "use-multilingual": 0.5}),
    # not tuned (USE's vectors are built first): the lexical + USE + e5 weights without USE
    ("e5-small",): RetrievalWeights(
        lexical=0.0, spans=0.25, dense={"e5-small": 1.0}, popularity=0.0, prior=1.0,
        sentence={"lexical": 0.5, "spans": 0.75, "e5-small": 0.5}),
    # no vectors built yet: spelling only, the whole sentence too (2-fold RP@5 0.40 nl, 0.39 en; 0.39 / 0.34 before)
    (): RetrievalWeights(lexical=0.25, spans=0.5, dense={}, popularity=0.1, prior=1.0,
                         sentence={"lexical": 0.5, "spans": 0.5}),
}
#: The Dutch → English word table's name in :data:`WEIGHTS` keys and in the missing parts.
TRANSLATION = "translation"
#: The parts scored again on a query's English words when the word table is built (``name + EN``).
ENGLISH_PARTS = ("e5-small", "e5-small-passage")
#: Every encoder whose skill label vectors a search needs: skill search's and the vacancy reader's.
SKILL_VECTOR_ENCODERS: tuple[str, ...] = tuple(dict.fromkeys([*SEARCH_ENCODERS, *SKILL_ENCODERS]))
PER_SENTENCE = 4
MIN_SCORE = 4.0
MAX_SENTENCES = 60


def _label_rows(index: SkillIndex, which: str) -> np.ndarray:
    if which == "preferred":
        return np.flatnonzero((index.labels["kind"] == "preferred").to_numpy())
    return np.arange(len(index.labels))


def skill_label_kinds(encoder: str) -> list[str] | None:
    """The kinds of skill label ``encoder`` must embed for the vacancy reader (``None``: every label)."""
    return ["preferred"] if SKILL_ENCODERS.get(encoder) == "preferred" else None


def skill_index(con: duckdb.DuckDBPyConnection, *, dense: bool = True) -> SkillIndex:
    """The skill index of this ESCO import; with ``dense``, every dense part whose label vectors are cached."""
    base = cached(con, "vacancies.skill_index", lambda: SkillIndex.build(
        skill_labels(con), excluded=language_skills(con), uses=occupation_uses(con)), on=(IMPORT,), shared=True,
        maxsize=2)
    if not dense:
        return base
    parts = cached(con, "vacancies.skill_vectors", lambda: cached_parts(con, base), on=(IMPORT, INDEX), maxsize=4)
    translator = cached(con, "vacancies.translator", lambda: _translator(con, base), on=(IMPORT, INDEX), maxsize=4)
    return replace(base, encoders={n: e for n, (e, _, _) in parts.items()},
                   vectors={n: (rows, m) for n, (_, rows, m) in parts.items()}, translator=translator)


def _translator(con: duckdb.DuckDBPyConnection, base: SkillIndex) -> Translator | None:
    """The stored word table as a :class:`Translator` (``None`` before it is built)."""
    table = translation.load(con)
    return Translator(table, base.splitter.expand_normal) if len(table) else None


def cached_parts(con: duckdb.DuckDBPyConnection, index: SkillIndex) -> dict:
    """The dense parts whose label vectors are all cached; an encoder without vectors is not even loaded."""
    out, counts = {}, vector_counts(con)
    for name, which in SKILL_ENCODERS.items():
        rows = _label_rows(index, which)
        if counts.get(identity(name), 0) < len(set(index.labels["label"].iloc[rows])):
            continue
        enc = get_encoder(name)
        matrix, _ = cached_vectors(con, index.labels["label"].iloc[rows].tolist(), encoder=enc)
        if matrix is not None:
            out[name] = (enc, rows, matrix)
    return out


def warm(con: duckdb.DuckDBPyConnection) -> None:
    """Build the in-memory skill index ahead of the first vacancy (e.g. in a thread at start-up)."""
    skill_index(con)


def build_skill_vectors(con: duckdb.DuckDBPyConnection, *, progress: bool = True) -> dict[str, int]:
    """Embed the skill labels every dense part and skill search need (ahead of time), then learn the word
    table; labels embedded per encoder (only labels not cached yet)."""
    done = {name: ensure_vectors(con, concept_type="skill", encoder=get_encoder(name), progress=progress,
                                 kinds=skill_label_kinds(name))
            for name in SKILL_VECTOR_ENCODERS}
    done[TRANSLATION] = build_translations(con)  # invalidates the index caches, vectors included
    return done


def build_translations(con: duckdb.DuckDBPyConnection) -> int:
    """Learn the Dutch → English word table (:mod:`~matching.vacancies.translation`) of this ESCO import."""
    ensure_schema(con)
    n = translation.build(con, skill_index(con, dense=False).splitter.expand_normal)
    invalidate(con, INDEX)
    return n


def missing_parts(index: SkillIndex) -> list[str]:
    """Dense parts whose label vectors are not (all) cached: the fusion goes without them."""
    return [n for n in SKILL_ENCODERS if n not in index.vectors] + ([] if index.translator else [TRANSLATION])


def index_parts(index: SkillIndex) -> list[str]:
    """The optional parts this index has: its dense parts, and :data:`TRANSLATION` when it has the word table."""
    return [*index.vectors, *([TRANSLATION] if index.translator else [])]


def weights_for(parts: list[str] | tuple[str, ...]) -> RetrievalWeights:
    """The weights chosen for this set of dense parts (lexical ones only when none is given).

    A set without weights of its own (e.g. passage vectors of e5 but not its query ones) gets
    those of the largest set inside it; its other parts are not used.
    """
    key = tuple(sorted(parts))
    if key not in WEIGHTS:
        key = max((k for k in WEIGHTS if set(k) <= set(key)), key=lambda k: (len(k), k))
    return WEIGHTS[key]


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
    queries, owner, whole = [], [], []
    for s in segs:
        got = segment_queries(s)
        queries += got
        owner += [s.index] * len(got)
        whole += [s.text] if got else []
    if not queries:
        return []
    weights = weights_for([] if lexical_only else index_parts(index))
    dense = [n for n in index.vectors if n in weights.dense or n in weights.sentence]
    english = [n.removesuffix(EN) for n in weights.sentence if n.endswith(EN)]
    sentences = whole if weights.sentence else []
    translated = index.translator is not None
    encoded = index.encode_queries(  # every query vector in one batch per encoder
        (queries, dense), (sentences, dense),
        (index.english(queries) if translated and weights.english else [], list(weights.english)),
        (index.english(sentences) if translated and english else [], english))
    parts = index.parts(queries, dense=dense, english=list(weights.english), encoded=encoded)
    sentence_parts = sentence_of = None
    if weights.sentence:
        sentence_parts = {n: v for n, v in index.parts(whole, dense=dense, english=english,
                                                       encoded=encoded).items() if n in weights.sentence}
        sentence_of = np.unique(owner, return_inverse=True)[1]
    pvec = None
    if prior:
        pos = {u: i for i, u in enumerate(index.uris)}
        pvec = np.zeros(len(index.uris), np.float32)
        for u, w in prior.items():
            if u in pos:
                pvec[pos[u]] = w
    per_sentence = best_per_owner(fused_scores(parts, weights, excluded=index.excluded, prior=pvec,
                                               sentence_parts=sentence_parts, sentence_of=sentence_of), owner)
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
