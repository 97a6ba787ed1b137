"""Hybrid search of ESCO occupations and skills: char n-gram TF-IDF + sentence vectors, fused.

Both parts score every label of every concept; a concept's part score is the best score
of its labels. Per query the two concept score vectors are standardised (z-scores over all
concepts) and mixed with a weight that depends on the query's language: Dutch queries
lean on spelling (compound job titles), English queries against Dutch labels lean on the
multilingual encoder. The language is given or guessed from the labels' languages.

A :class:`Searcher` holds both indexes in memory; :meth:`Searcher.for_connection` builds
it once per database, ESCO import and encoder, with the vectors from the DuckDB cache.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

import duckdb
import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.naive_bayes import MultinomialNB

from foundation.cache import IMPORT, cached
from foundation.errors import InputError, NotFoundError
from taxonomy.encoders import Encoder, get_encoder
from taxonomy.index import text_vectors

Kind = Literal["occupation", "skill"]
Mode = Literal["hybrid", "lexical", "dense"]
KINDS = ("occupation", "skill")
MAX_QUERY = 500
CHUNK = 128


@dataclass(frozen=True)
class FusionWeights:
    """Weight of the lexical part per query language (the dense part gets the rest)."""

    nl: float = 0.3
    en: float = 0.05
    other: float = 0.2

    def for_lang(self, lang: str) -> float:
        return getattr(self, lang, self.other) if lang in ("nl", "en") else self.other


DEFAULT_WEIGHTS = FusionWeights()
#: Lexical weights per encoder, tuned with ``benchmarks/title_normalisation.py --tune`` on
#: held-out splits: Dutch titles (nl) and English titles against Dutch labels (en).
ENCODER_WEIGHTS = {
    "use-multilingual": FusionWeights(nl=0.25, en=0.05, other=0.15),
    "e5-small": FusionWeights(nl=0.15, en=0.0, other=0.1),
    "minilm": FusionWeights(nl=0.5, en=0.65, other=0.55),
}


def weights_for(encoder: Encoder | None) -> FusionWeights:
    """The fusion weights tuned for ``encoder`` (defaults for other models)."""
    return ENCODER_WEIGHTS.get(encoder.name, DEFAULT_WEIGHTS) if encoder else DEFAULT_WEIGHTS


@dataclass(frozen=True)
class SearchHit:
    """One concept found: its display label, the label that matched, and the scores."""

    uri: str
    label: str
    matched_label: str
    score: float
    lexical: float
    dense: float

    def to_dict(self) -> dict:
        return asdict(self)


def char_vectorizer() -> TfidfVectorizer:
    """The lexical analyser: accent- and case-insensitive char 2–4-grams within words."""
    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), lowercase=True, strip_accents="unicode",
        sublinear_tf=True, dtype=np.float32, min_df=1,
    )


@dataclass
class LanguageGuesser:
    """Naive Bayes over char n-grams, trained on the taxonomy's own labels."""

    vectorizer: TfidfVectorizer
    model: MultinomialNB
    langs: list[str] = field(default_factory=list)

    @classmethod
    def fit(
        cls, texts: list[str], langs: list[str], *, vectorizer: TfidfVectorizer | None = None,
        matrix=None,
    ) -> LanguageGuesser | None:
        """Train on labels and their languages; reuses a fitted ``vectorizer`` and ``matrix``."""
        if len(set(langs)) < 2:
            return None
        if vectorizer is None or matrix is None:
            vectorizer = char_vectorizer()
            matrix = vectorizer.fit_transform(texts)
        model = MultinomialNB(alpha=0.1, fit_prior=False).fit(matrix, langs)
        return cls(vectorizer, model, list(model.classes_))

    def guess(self, texts: list[str]) -> list[str]:
        return list(self.model.predict(self.vectorizer.transform(texts)))


class Searcher:
    """In-memory hybrid index over the labels of one concept kind."""

    def __init__(
        self,
        labels: pd.DataFrame,
        *,
        encoder: Encoder | None = None,
        vectors: np.ndarray | None = None,
        display: dict[str, dict[str, str]] | None = None,
        weights: FusionWeights | None = None,
        guesser: LanguageGuesser | None = None,
    ):
        """``labels``: columns uri, lang, label (one row per label); ``vectors``: one row each.

        ``display``: preferred label per language per URI; ``encoder`` embeds queries.
        """
        if labels.empty:
            raise NotFoundError("No labels to search: import ESCO first (`werkbrug taxonomy import`).")
        order = np.argsort(labels["uri"].to_numpy(), kind="stable")
        labels = labels.iloc[order].reset_index(drop=True)
        uris = labels["uri"].to_numpy()
        starts = np.flatnonzero(np.r_[True, uris[1:] != uris[:-1]])
        self.uris: list[str] = uris[starts].tolist()
        self._starts = starts
        self._row_concept = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(uris)]))
        self.texts: list[str] = labels["label"].tolist()
        self.langs: list[str] = labels["lang"].tolist()
        self.encoder = encoder
        self.vectors = None if vectors is None else np.asarray(vectors, np.float32)[order]
        if self.vectors is not None and len(self.vectors) != len(labels):
            raise InputError("vectors must have one row per label")
        self.weights = weights or weights_for(encoder)
        self.display = display or {}
        self.vectorizer = char_vectorizer()
        rows = self.vectorizer.fit_transform(self.texts)
        self.lexical = rows.T.tocsr()  # features × labels
        self.guesser = guesser or LanguageGuesser.fit(
            self.texts, self.langs, vectorizer=self.vectorizer, matrix=rows)

    # -- construction from the database -------------------------------------------------
    @classmethod
    def for_connection(
        cls, con: duckdb.DuckDBPyConnection, *, kind: Kind = "occupation",
        encoder: Encoder | str | None = None, langs: list[str] | None = None,
        progress: bool = False,
    ) -> Searcher:
        """The searcher of this database's current import, built once per process.

        ``langs`` limits the indexed labels to these languages (default: all).
        """
        if kind not in KINDS:
            raise InputError(f"Unknown kind {kind!r}: use 'occupation' or 'skill'.")
        enc = encoder if encoder is None or not isinstance(encoder, str) else get_encoder(encoder)
        enc = enc or get_encoder(None)
        langs_key = tuple(sorted(langs)) if langs else None
        _import_id(con)  # no import yet: NotFoundError with the message for people
        return cached(con, "taxonomy.searcher",
                      lambda: cls._build(con, kind=kind, encoder=enc, langs=langs_key, progress=progress),
                      config=(kind, enc.name, enc.version, langs_key), on=(IMPORT,))

    @classmethod
    def _build(cls, con, *, kind: str, encoder: Encoder, langs: tuple[str, ...] | None,
               progress: bool) -> Searcher:
        wanted = list(langs) if langs else None
        labels = con.execute(
            """SELECT uri, lang, label FROM taxonomy.labels
               WHERE concept_type = ? AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], lang))
               QUALIFY row_number() OVER (PARTITION BY uri, label ORDER BY lang DESC) = 1""",
            [kind, wanted, wanted],
        ).df()
        if labels.empty:
            raise NotFoundError(
                f"No {kind} labels{' in ' + ', '.join(langs) if langs else ''}: "
                "import ESCO first (`werkbrug taxonomy import`).")
        vectors, _ = text_vectors(con, labels["label"].tolist(), encoder=encoder,
                                  progress=progress, desc=f"Embedding {kind} labels")
        pref = con.execute(
            """SELECT lang, uri, label FROM taxonomy.labels
               WHERE concept_type = ? AND kind = 'preferred'""", [kind]
        ).fetchall()
        display: dict[str, dict[str, str]] = {}
        for lg, uri, label in pref:
            display.setdefault(lg, {})[uri] = label
        return cls(labels, encoder=encoder, vectors=vectors, display=display)

    # -- scoring ------------------------------------------------------------------------
    def _reduce(self, rows: np.ndarray) -> np.ndarray:
        return np.maximum.reduceat(rows, self._starts, axis=1)

    def query_langs(self, queries: list[str], lang: str | None) -> list[str]:
        if lang:
            return [lang] * len(queries)
        if self.guesser is None:
            return ["other"] * len(queries)
        return self.guesser.guess(queries)

    def encode_queries(self, queries: list[str]) -> np.ndarray:
        if self.encoder is None or self.vectors is None:
            raise InputError("This index has no sentence vectors: use mode='lexical'.")
        return self.encoder.encode(queries)

    def search_many(
        self, queries: list[str], *, lang: str | None = None, top: int = 10,
        mode: Mode = "hybrid", query_vectors: np.ndarray | None = None,
    ) -> list[list[SearchHit]]:
        """Top ``top`` concepts per query, best first."""
        queries = [_clean(q) for q in queries]
        if top < 1:
            raise InputError("top must be at least 1")
        if mode not in ("hybrid", "lexical", "dense"):
            raise InputError(f"Unknown search mode {mode!r}")
        if not queries:
            return []
        use_dense = mode != "lexical"
        if use_dense and query_vectors is None:
            query_vectors = self.encode_queries(queries)
        qlangs = self.query_langs(queries, lang)
        w = np.array([self.weights.for_lang(x) for x in qlangs], np.float32)
        if mode == "lexical":
            w[:] = 1.0
        elif mode == "dense":
            w[:] = 0.0
        qlex = self.vectorizer.transform(queries)
        out: list[list[SearchHit]] = []
        for s in range(0, len(queries), CHUNK):
            e = s + CHUNK
            lex_rows, dense_rows = self._label_scores(
                qlex[s:e], query_vectors[s:e] if use_dense else None)
            lex_c, dense_c = self._reduce(lex_rows), self._reduce(dense_rows)
            wc = w[s:e, None]
            fused = fuse(lex_c, dense_c, wc)
            k = min(top, fused.shape[1])
            best = np.argpartition(-fused, k - 1, axis=1)[:, :k]
            for i in range(len(best)):
                ids = best[i][np.argsort(-fused[i, best[i]])]
                row_score = wc[i, 0] * lex_rows[i] + (1 - wc[i, 0]) * dense_rows[i]
                out.append([
                    self._hit(int(c), row_score, float(fused[i, c]), float(lex_c[i, c]),
                              float(dense_c[i, c]), lang)
                    for c in ids
                ])
        return out

    def _label_scores(self, qlex, qvec: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        lex_rows = (qlex @ self.lexical).toarray()
        dense_rows = qvec @ self.vectors.T if qvec is not None else np.zeros_like(lex_rows)
        return lex_rows, dense_rows

    def concept_scores(
        self, queries: list[str], query_vectors: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Raw per-concept lexical and dense scores, ``(len(queries), len(self.uris))`` each.

        For evaluation and tuning of the fusion; the dense part is zero without vectors.
        """
        qlex = self.vectorizer.transform(queries)
        lex, dense = [], []
        for s in range(0, len(queries), CHUNK):
            qv = query_vectors[s:s + CHUNK] if query_vectors is not None else None
            lex_rows, dense_rows = self._label_scores(qlex[s:s + CHUNK], qv)
            lex.append(self._reduce(lex_rows))
            dense.append(self._reduce(dense_rows))
        return np.vstack(lex), np.vstack(dense)

    def search(self, query: str, *, lang: str | None = None, top: int = 10,
               mode: Mode = "hybrid") -> list[SearchHit]:
        return self.search_many([query], lang=lang, top=top, mode=mode)[0]

    def _hit(self, c: int, row_score: np.ndarray, score: float, lex: float, dense: float,
             lang: str | None) -> SearchHit:
        start = self._starts[c]
        end = self._starts[c + 1] if c + 1 < len(self._starts) else len(self.texts)
        matched = self.texts[start + int(np.argmax(row_score[start:end]))]
        uri = self.uris[c]
        label = next((self.display[lg][uri] for lg in (lang, "nl", "en")
                      if lg in self.display and uri in self.display[lg]), matched)
        return SearchHit(uri, label, matched, round(score, 4), round(lex, 4), round(dense, 4))


def fuse(lexical: np.ndarray, dense: np.ndarray, weight: np.ndarray | float) -> np.ndarray:
    """Fused concept scores: ``weight`` · z(lexical) + (1 − weight) · z(dense), per query row."""
    w = np.asarray(weight, np.float32)
    if w.ndim == 1:
        w = w[:, None]
    return w * _standardise(lexical) + (1 - w) * _standardise(dense)


def _standardise(x: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=1, keepdims=True)
    std = x.std(axis=1, keepdims=True)
    std[std == 0] = 1.0
    return (x - mean) / std


def _clean(query: str) -> str:
    if not isinstance(query, str) or not query.strip():
        raise InputError("Empty search query: type a job title or skill.")
    query = " ".join(query.split())
    if len(query) > MAX_QUERY:
        raise InputError(f"Search query too long ({len(query)} characters, at most {MAX_QUERY}).")
    return query


def _import_id(con: duckdb.DuckDBPyConnection) -> int:
    try:
        rows = con.execute("SELECT max(import_id) FROM taxonomy.imports").fetchall()
    except duckdb.CatalogException:
        rows = []
    if not rows or rows[0][0] is None:
        raise NotFoundError("No taxonomy imported yet: run `werkbrug taxonomy import`.")
    return int(rows[0][0])


def search(
    con: duckdb.DuckDBPyConnection, query: str, *, kind: Kind = "occupation",
    lang: str | None = None, top: int = 10, encoder: Encoder | str | None = None,
    langs: list[str] | None = None,
) -> list[SearchHit]:
    """Best ESCO occupations (or skills) for ``query``, e.g. a vacancy title.

    ``lang``: language of the query and of the labels shown (default: guessed; nl, else en).
    ``langs``: languages of the labels searched (default: all).
    """
    _clean(query)
    searcher = Searcher.for_connection(con, kind=kind, encoder=encoder, langs=langs)
    return searcher.search(query, lang=lang, top=top)


def search_many(
    con: duckdb.DuckDBPyConnection, queries: list[str], *, kind: Kind = "occupation",
    lang: str | None = None, top: int = 10, encoder: Encoder | str | None = None,
    langs: list[str] | None = None, progress: bool = False,
) -> list[list[SearchHit]]:
    """:func:`search` for many queries at once (vectorised)."""
    searcher = Searcher.for_connection(con, kind=kind, encoder=encoder, langs=langs,
                                       progress=progress)
    return searcher.search_many(list(queries), lang=lang, top=top)
