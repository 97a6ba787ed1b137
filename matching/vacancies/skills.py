"""Sentence → ESCO skills: hybrid retrieval over every Dutch and English skill label.

Per query (a sentence of a vacancy) every skill gets part scores, each the best over the
skill's labels (preferred and alternative, nl and en):

* ``lexical`` — cosine of character 2–4-gram TF-IDF vectors of the sentence and the label,
  both with Dutch compounds split (:class:`~matching.vacancies.text.CompoundSplitter`);
* ``spans`` — the same, but for the best window of 1–4 words of the sentence (a label that
  the sentence contains scores high even in a long sentence);
* one dense part per encoder — cosine of the sentence's vector and the label's cached vector,
  standardised per label language before the best label is taken (:func:`calibrate`); an
  asymmetric encoder (``e5-small-passage``: labels embedded as passages) embeds the sentence
  with its query encoder (:func:`~taxonomy.encoders.query_encoder`), once for every part that shares it;
* ``popularity`` — ``log(1 + occupations that use the skill)``: general skills are asked more often;
* ``name + EN`` (e.g. ``e5-small@en``) — part ``name`` scored again on the query's English words,
  from the Dutch → English word table learned from ESCO's parallel labels
  (:mod:`~matching.vacancies.translation`): most skills have English labels only, and e5 reads
  English far better than it crosses from Dutch.

The parts are standardised over all skills (z-scores per query) and mixed, for a clause
``q`` of sentence ``S`` (the whole sentence is a query too, its parts weighted by ``v_k``)::

    score(q, s) = (Σ_k w_k · z_k(q, s) + Σ_k v_k · z_k(S, s)) / (Σ w + Σ v)
                  + prior · [s ∈ skills of the proposed occupation]

and a sentence's score for a skill is its best clause's.

Language skills of ESCO (e.g. "Nederlands", "Dutch") are never candidates: a language is a
declared requirement of the vacancy (:mod:`matching.vacancies.requirements`), not a skill.
Label vectors are read from the cache (``taxonomy.label_vectors``) and never computed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
import scipy.sparse as sp
from pydantic import BaseModel, ConfigDict
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

from matching.vacancies.text import CompoundSplitter, normalise
from matching.vacancies.translation import Translator
from taxonomy.encoders import Encoder, query_encoder
from taxonomy.fusion import standardise

LANGUAGE_COLLECTION = "language"
SPAN_WORDS = 4
SPAN_CANDIDATES = 3000
EN = "@en"  # suffix of a part scored on the query's English words


class RetrievalWeights(BaseModel):
    """Weights of the standardised part scores (chosen with ``benchmarks/skill_extraction.py``)."""

    model_config = ConfigDict(frozen=True)

    lexical: float = 0.25
    spans: float = 0.25
    dense: dict[str, float] = {"use-multilingual": 0.5}
    popularity: float = 0.0
    #: Weights of the parts scored again on the query's English words (:mod:`~matching.vacancies.translation`),
    #: by part name ("lexical", "spans", encoder names); the parts are named ``name + EN``.
    english: dict[str, float] = {}
    prior: float = 1.0
    #: Weights of the whole sentence's parts (lexical, spans, encoder names), added to each clause's.
    sentence: dict[str, float] = {}


@dataclass
class SkillIndex:
    """Skill labels with their lexical matrix and (optionally) cached vectors per encoder."""

    uris: list[str]
    labels: pd.DataFrame                   # uri, lang, kind, label; sorted by uri
    vectorizer: CharGrams
    lexical: sp.csr_matrix                 # labels × features, rows L2-normalised
    lexical_t: sp.csr_matrix               # features × labels: ``lexical.T`` laid out for products
    splitter: CompoundSplitter
    starts: np.ndarray                     # first label row of each skill
    excluded: np.ndarray                   # bool per skill: language skills
    popularity: np.ndarray                 # log(1 + number of occupations that use the skill)
    langs: np.ndarray                      # language code (0, 1, …) of each label row
    encoders: dict[str, Encoder] = field(default_factory=dict)
    vectors: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # rows, matrix
    translator: Translator | None = None   # Dutch words → English ones (the ``… + EN`` parts)

    @classmethod
    def build(cls, labels: pd.DataFrame, *, excluded: set[str] = frozenset(), uses: dict[str, int] | None = None,
              vocabulary: list[str] | None = None) -> SkillIndex:
        """Index ``labels`` (uri, lang, kind, label).

        ``uses``: occupations per skill (the popularity part); ``vocabulary``: extra words for the splitter.
        """
        labels = labels.iloc[np.argsort(labels["uri"].to_numpy(), kind="stable")].reset_index(drop=True)
        uris_col = labels["uri"].to_numpy()
        starts = np.flatnonzero(np.r_[True, uris_col[1:] != uris_col[:-1]])
        uris = uris_col[starts].tolist()
        texts, row_of = np.unique(labels["label"].to_numpy(dtype=object), return_inverse=True)
        normal = [normalise(t) for t in texts]
        splitter = CompoundSplitter([w for t in normal for w in t.split()] + list(vocabulary or []))
        vec = CharGrams()
        lexical = vec.fit_transform([splitter.expand_normal(t) for t in normal])[row_of]
        return cls(uris=uris, labels=labels, vectorizer=vec, lexical=lexical, lexical_t=lexical.T.tocsr(),
                   splitter=splitter,
                   starts=starts, excluded=np.array([u in excluded for u in uris]),
                   popularity=np.log1p(np.array([(uses or {}).get(u, 0) for u in uris], np.float32)),
                   langs=pd.factorize(labels["lang"], sort=True)[0])

    def add_vectors(self, encoder: Encoder, rows: np.ndarray, matrix: np.ndarray) -> None:
        """Use ``matrix`` (vectors of label ``rows``) as a dense part named after ``encoder``."""
        self.encoders[encoder.name] = encoder
        self.vectors[encoder.name] = (np.asarray(rows), np.asarray(matrix, np.float32))

    # -- part scores ----------------------------------------------------------------------
    def _per_skill(self, label_scores: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Best label score per skill, ``(n_queries, n_skills)``; a skill without scored labels: the row's minimum."""
        if rows is None:
            return np.maximum.reduceat(label_scores, self.starts, axis=1)
        full = np.full((label_scores.shape[0], len(self.labels)), -np.inf, np.float32)
        full[:, rows] = label_scores
        out = np.maximum.reduceat(full, self.starts, axis=1)
        unscored = ~np.isfinite(out)
        if unscored.any():
            out = np.where(unscored, label_scores.min(axis=1, keepdims=True) if len(rows) else 0.0, out)
        return out

    def _label_products(self, queries: list[str]) -> np.ndarray:
        """Cosine of each query's char-gram vector with every label, ``(n_queries, n_labels)``."""
        q = self.vectorizer.transform([self.splitter.expand(t) for t in queries])
        return (q @ self.lexical_t).toarray()

    def lexical_scores(self, queries: list[str], *, whole: np.ndarray | None = None) -> np.ndarray:
        """The ``lexical`` part; ``whole``: the queries' :meth:`_label_products`, if already computed."""
        return self._per_skill(self._label_products(queries) if whole is None else whole)

    def span_scores(self, queries: list[str], *, candidates: int = SPAN_CANDIDATES,
                    whole: np.ndarray | None = None) -> np.ndarray:
        """Best 1–4-word window per label, for the ``candidates`` labels most like the whole query."""
        whole = self._label_products(queries) if whole is None else whole
        out = np.zeros_like(whole)
        for i, text in enumerate(queries):
            spans = word_spans(self.splitter.expand(text))
            if not spans:
                continue
            k = min(candidates, whole.shape[1] - 1)
            rows = np.argpartition(-whole[i], k)[:k]
            out[i, rows] = (self.vectorizer.transform(spans) @ self.lexical[rows].T).toarray().max(axis=0)
        return self._per_skill(out)

    def dense_scores(self, name: str, queries: list[str], query_vectors: np.ndarray | None = None) -> np.ndarray:
        """Per skill, the best of its labels' cosines, each standardised within its label language."""
        rows, matrix = self.vectors[name]
        qv = query_encoder(self.encoders[name]).encode(queries) if query_vectors is None else query_vectors
        return self._per_skill(calibrate(qv @ matrix.T, self.langs[rows]), rows)

    def encode_queries(self, *batches: tuple[list[str], list[str] | None]) -> dict[str, dict[str, np.ndarray]]:
        """Query vectors per query encoder, text → vector, for ``(texts, parts)`` batches.

        Each batch's texts are embedded by the query encoder of each of its dense ``parts``
        (``None``: all; names without vectors are skipped). Each distinct text is embedded once
        per encoder, in one call, so a caller scoring clauses, whole sentences and their English
        words pays each encoder once. (e5's vector of a text does not depend on the batch it is
        in; USE's moves in the last bits, ≈ 1e-7, with the batch's size.)
        """
        wanted: dict[str, tuple[Encoder, dict[str, None]]] = {}
        for texts, dense in batches:
            for name in self.vectors if dense is None else dense:
                if name in self.vectors:
                    enc = query_encoder(self.encoders[name])
                    wanted.setdefault(enc.name, (enc, {}))[1].update(dict.fromkeys(texts))
        return {name: dict(zip(texts, enc.encode(list(texts)), strict=True))
                for name, (enc, texts) in wanted.items() if texts}

    def english(self, queries: list[str]) -> list[str]:
        """The queries in English words (:attr:`translator`); the queries themselves without one."""
        return [self.translator.translate(q) for q in queries] if self.translator is not None else list(queries)

    def parts(self, queries: list[str], *, dense: list[str] | None = None,
              query_vectors: dict[str, np.ndarray] | None = None,
              english: tuple[str, ...] | list[str] = (),
              encoded: dict[str, dict[str, np.ndarray]] | None = None) -> dict[str, np.ndarray]:
        """Every part score for ``queries``; dense parts for the encoders in ``dense`` (default: all).

        ``query_vectors``: the queries' vectors per part name, or per query encoder name.
        ``english``: parts ("lexical", "spans", encoder names) to score again on the queries'
        English words (:attr:`translator`; none without one), named ``name + EN``.
        ``encoded``: :meth:`encode_queries` of the queries (and of their English words), if at hand.
        """
        got = self._parts(queries, dense, query_vectors, encoded=encoded)
        if english and self.translator is not None:
            more = self._parts(self.english(queries), [n for n in english if n in self.vectors], None,
                               lexical=set(english), encoded=encoded)
            got.update({n + EN: v for n, v in more.items() if n in english})
        return got

    def _parts(self, queries: list[str], dense: list[str] | None, query_vectors: dict[str, np.ndarray] | None,
               lexical: set[str] | None = None,
               encoded: dict[str, dict[str, np.ndarray]] | None = None) -> dict[str, np.ndarray]:
        got = {}
        wanted = {"lexical", "spans"} if lexical is None else lexical & {"lexical", "spans"}
        whole = self._label_products(queries) if wanted else None
        if "lexical" in wanted:
            got["lexical"] = self.lexical_scores(queries, whole=whole)
        if "spans" in wanted:
            got["spans"] = self.span_scores(queries, whole=whole)
        got["popularity"] = np.broadcast_to(self.popularity, (len(queries), len(self.uris)))
        qv = dict(query_vectors or {})
        for name in self.vectors if dense is None else dense:
            enc = query_encoder(self.encoders[name])
            vectors = qv.get(name, qv.get(enc.name))
            if vectors is None:
                known = (encoded or {}).get(enc.name, {})
                vectors = qv[enc.name] = (np.stack([known[q] for q in queries]) if queries and all(
                    q in known for q in queries) else enc.encode(queries))
            got[name] = self.dense_scores(name, queries, vectors)
        return got


class CharGrams:
    """Char 2–4-gram TF-IDF within words (sklearn's ``char_wb``, sublinear tf), computed per distinct word.

    A text's n-gram counts are the sum of its words' counts, so each distinct word is analysed
    once: ``counts = (texts × words) @ (words × n-grams)``; then ``1 + log tf``, idf and L2 norm.
    Texts are :func:`~matching.vacancies.text.normalise` d first.
    """

    def __init__(self, ngram_range: tuple[int, int] = (2, 4)):
        self.grams = CountVectorizer(analyzer="char_wb", ngram_range=ngram_range, lowercase=False, dtype=np.float32)
        self.tfidf = TfidfTransformer(sublinear_tf=True)
        self.word_index: dict[str, int] = {}
        self.word_grams: sp.csr_matrix | None = None

    def fit_transform(self, texts: list[str]) -> sp.csr_matrix:
        words = sorted({w for t in texts for w in t.split()})
        self.word_index = {w: i for i, w in enumerate(words)}
        self.word_grams = self.grams.fit_transform(words).tocsr()
        return self.tfidf.fit_transform(self._counts(texts)).astype(np.float32).tocsr()

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        return self.tfidf.transform(self._counts(texts)).astype(np.float32).tocsr()

    def _counts(self, texts: list[str]) -> sp.csr_matrix:
        rows, cols, new = [], [], {}
        for i, text in enumerate(texts):
            for w in text.split():
                j = self.word_index.get(w)
                if j is None:
                    j = new.setdefault(w, len(self.word_index) + len(new))
                rows.append(i)
                cols.append(j)
        grams = self.word_grams
        if new:
            grams = sp.vstack([grams, self.grams.transform(list(new))]).tocsr()
        words = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(texts), grams.shape[0]))
        return words @ grams


_STOP_WORDS = (
    "de het een en van in op met voor te is je jij u wij we zij ze die dat als of aan bij om door naar tot uit "
    "over ook niet zijn wordt worden heeft hebt hebben kan kunnen moet moeten the a an and of to in for with on "
    "at by is are be as or you we our your "
    # words of wishes and offers, never a skill alone ("een heftruckattest is een plus", "wat bieden wij")
    "plus pluspunt troef voordeel pre must bieden biedt goede goed vast vaste voorkeur minstens ideaal zeker "
    "graag nodig vereist verplicht onze ons jouw")
_SPAN_STOP = frozenset(_STOP_WORDS.split())


def word_spans(text: str, max_words: int = SPAN_WORDS) -> list[str]:
    """Windows of 1–``max_words`` words that neither start nor end with a stop word."""
    words = text.split()
    out = []
    for n in range(1, max_words + 1):
        for i in range(len(words) - n + 1):
            if words[i] in _SPAN_STOP or words[i + n - 1] in _SPAN_STOP:
                continue
            if n == 1 and len(words[i]) < 3:
                continue
            out.append(" ".join(words[i:i + n]))
    return list(dict.fromkeys(out))


def calibrate(scores: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Per row and per label group ``g`` (a label's language code): ``(x − mean_g) / std_g`` over the group's labels.

    Cosines across languages run lower than within one, so without this a Dutch sentence's
    best label of a skill is nearly always a Dutch one, and the 58 % of skills with English
    labels only rank low; standardised per language, a skill's labels compete on equal terms.
    ``groups``: one small integer per column (std 0 → 1).
    """
    onehot = np.zeros((len(groups), int(groups.max(initial=0)) + 1), np.float32)
    onehot[np.arange(len(groups)), groups] = 1.0
    n = np.maximum(onehot.sum(axis=0), 1.0)
    mean = (scores @ onehot) / n
    std = np.sqrt(np.maximum((scores * scores) @ onehot / n - mean * mean, 0.0))
    std[std < 1e-6] = 1.0
    return (scores - mean[:, groups]) / std[:, groups]


def fused_scores(parts: dict[str, np.ndarray], weights: RetrievalWeights, *, excluded: np.ndarray,
                 prior: np.ndarray | None = None, sentence_parts: dict[str, np.ndarray] | None = None,
                 sentence_of: np.ndarray | None = None) -> np.ndarray:
    """``(Σ_k w_k z_k + Σ_k v_k z_k(sentence)) / (Σ w + Σ v) + weights.prior · prior``; excluded skills ``-inf``.

    ``sentence_parts`` hold one row per sentence, ``sentence_of`` the sentence row of each query.
    Parts without a weight are left out; a missing dense part (no cached vectors) counts as weight 0,
    and dividing by the weights present keeps the scale of the scores the same without it.
    """
    w = {"lexical": weights.lexical, "spans": weights.spans, "popularity": weights.popularity, **weights.dense,
         **{n + EN: wn for n, wn in weights.english.items()}}
    v = weights.sentence if sentence_parts is not None else {}
    n, m = next(iter(parts.values())).shape
    out = np.zeros((n, m), np.float32)
    total = (sum(w.get(name, 0.0) for name in parts)
             + sum(v.get(name, 0.0) for name in sentence_parts or {})) or 1.0
    for name, scores in parts.items():
        if w.get(name):
            out += (w[name] / total) * standardise(scores)
    for name, scores in (sentence_parts or {}).items():
        if v.get(name):
            out += (v[name] / total) * standardise(scores)[sentence_of]
    if prior is not None:
        out += weights.prior * prior[None, :]
    out[:, excluded] = -np.inf
    return out


def occupation_uses(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Number of occupations that list each skill (essential or optional): how general a skill is."""
    return dict(con.execute(
        "SELECT skill_uri, count(*) FROM taxonomy.occupation_skills GROUP BY skill_uri").fetchall())


def language_skills(con: duckdb.DuckDBPyConnection) -> set[str]:
    """URIs in ESCO's language skills collection (never proposed as skills)."""
    return {r[0] for r in con.execute(
        "SELECT uri FROM taxonomy.collections WHERE collection = ?", [LANGUAGE_COLLECTION]).fetchall()}


def skill_labels(con: duckdb.DuckDBPyConnection, langs: tuple[str, ...] = ("nl", "en")) -> pd.DataFrame:
    """Preferred and alternative skill labels in ``langs``: uri, lang, kind, label."""
    return con.execute(
        """SELECT DISTINCT uri, lang, kind, label FROM taxonomy.labels
           WHERE concept_type = 'skill' AND kind IN ('preferred', 'alternative')
             AND list_contains(?::VARCHAR[], lang)
           ORDER BY uri, lang, kind, label""", [list(langs)]).df()
