"""Hybrid search of ESCO occupations and skills: char n-gram TF-IDF + sentence vectors, fused.

Every part scores every label of every concept; a concept's part score is the best score
of its labels. Per query the part scores are standardised and mixed with weights learned
per query language (:mod:`taxonomy.fusion`): Dutch queries lean on spelling, English
queries against Dutch labels on the multilingual encoders. The query is first rewritten as
the labels would write it (:mod:`taxonomy.titles`: gender forms, seniority and employer
words, typos, compounds). The language is given or guessed from the labels' languages.

No search embeds the taxonomy: :meth:`Searcher.for_connection` uses the encoders whose
vectors ``werkbrug taxonomy index`` stored for every label, and answers with the lexical
ranker alone (``mode == "lexical"``) when there are none. Results list concepts best first,
ties broken by URI.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

import duckdb
import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.naive_bayes import MultinomialNB

from foundation.cache import IMPORT, INDEX, cached
from foundation.errors import InputError, NotFoundError
from taxonomy import fusion
from taxonomy.encoders import Encoder, get_encoder, identity
from taxonomy.index import missing_vectors, text_vectors, vector_counts
from taxonomy.store import display_labels, labels_table
from taxonomy.titles import TitleNormaliser, clean

Kind = Literal["occupation", "skill"]
Mode = Literal["hybrid", "lexical", "dense"]
KINDS = ("occupation", "skill")
MAX_QUERY = 500
CHUNK = 128
#: Encoders a search fuses with the lexical ranker, when their vectors are stored.
SEARCH_ENCODERS = ("use-multilingual", "e5-small")
#: Message code of the notice shown with lexical-only results.
LEXICAL_NOTICE = "taxonomy.search_lexical_only"


@dataclass(frozen=True)
class SearchHit:
    """One concept found: its display label, the label that matched, and the part scores."""

    uri: str
    label: str
    label_lang: str
    matched_label: str
    score: float
    lexical: float
    dense: dict[str, float]

    def to_dict(self) -> dict:
        return asdict(self)


class SearchResult(list):
    """The hits of one query (a list, best first) and how they were found.

    ``mode`` is ``hybrid`` (lexical and sentence vectors) or ``lexical`` (no vectors stored:
    ``notice`` then holds the message code telling the reader to run the index).
    """

    def __init__(self, hits: list[SearchHit], *, mode: str, encoders: tuple[str, ...]):
        super().__init__(hits)
        self.mode = mode
        self.encoders = encoders
        self.notice = LEXICAL_NOTICE if mode == "lexical" else None


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
        encoders: dict[str, Encoder] | None = None,
        vectors: dict[str, np.ndarray] | None = None,
        display: dict[str, dict[str, tuple[str, str, str]]] | None = None,
        weights: dict[str, dict[str, float]] | None = None,
        guesser: LanguageGuesser | None = None,
        normalise: bool = True,
    ):
        """``labels``: columns uri, lang, label (one row per label).

        ``encoders`` embed queries; ``vectors[name]`` holds one row per label for each
        (a zero row: a label without vector, found by spelling only). ``display``: per
        reader language ``{uri: (text, lang, source)}``; ``weights``: per query language
        and part (default: :func:`taxonomy.fusion.weights_for`).
        """
        if labels.empty:
            raise NotFoundError("No labels to search: import ESCO first (`werkbrug taxonomy import`).",
                                code="taxonomy.no_labels")
        encoders, vectors = dict(encoders or {}), dict(vectors or {})
        if set(encoders) != set(vectors):
            raise InputError("Give vectors for every encoder (and an encoder for every vector set)",
                             code="taxonomy.vectors_per_encoder")
        order = np.argsort(labels["uri"].to_numpy(), kind="stable")
        labels = labels.iloc[order].reset_index(drop=True)
        uris = labels["uri"].to_numpy()
        starts = np.flatnonzero(np.r_[True, uris[1:] != uris[:-1]])
        self.uris: list[str] = uris[starts].tolist()
        self._starts = starts
        self.texts: list[str] = labels["label"].tolist()
        self.langs: list[str] = labels["lang"].tolist()
        self.encoders = encoders
        self.vectors: dict[str, np.ndarray] = {}
        for name, matrix in vectors.items():
            matrix = np.asarray(matrix, np.float32)
            if len(matrix) != len(labels):
                raise InputError("vectors must have one row per label", code="taxonomy.vectors_rows")
            self.vectors[name] = matrix[order]
        self.mode = "hybrid" if self.encoders else "lexical"
        self.weights = weights or fusion.weights_for(list(self.encoders))
        self.display = display or {}
        self.normaliser = TitleNormaliser(self.texts) if normalise else None
        self.vectorizer = char_vectorizer()
        lexical_texts = [clean(t) for t in self.texts] if normalise else self.texts
        rows = self.vectorizer.fit_transform(lexical_texts)
        self.lexical = rows.T.tocsr()  # features × labels
        self.guesser = guesser or LanguageGuesser.fit(
            self.texts, self.langs, vectorizer=self.vectorizer, matrix=rows)

    # -- construction from the database -------------------------------------------------
    @classmethod
    def for_connection(
        cls, con: duckdb.DuckDBPyConnection, *, kind: Kind = "occupation",
        encoder: Encoder | str | None = None, langs: list[str] | None = None,
    ) -> Searcher:
        """The searcher of this database's current labels, built once per process.

        ``encoder``: fuse only this one (default: every one of :data:`SEARCH_ENCODERS`
        whose vectors are stored). ``langs`` limits the indexed labels to these languages.
        An encoder whose vectors are incomplete is not used (and not even loaded). Rebuilt
        after an import, an index run or a change of the local labels.
        """
        if kind not in KINDS:
            raise InputError(f"Unknown kind {kind!r}: use 'occupation' or 'skill'.", code="taxonomy.unknown_kind",
                             params={"kind": str(kind)})
        wanted = [encoder] if encoder is not None else list(SEARCH_ENCODERS)
        idents = tuple((e.name, e.version) if not isinstance(e, str) else identity(e) for e in wanted)
        langs_key = tuple(sorted(langs)) if langs else None
        counts = vector_counts(con)
        stamp = (_label_revision(con), tuple(counts.get(i, 0) for i in idents))

        def build() -> Searcher:
            ready = [e for e, (name, version) in zip(wanted, idents, strict=True)
                     if counts.get((name, version)) and not missing_vectors(
                         con, concept_type=kind, model=name, model_version=version,
                         langs=list(langs_key) if langs_key else None)]
            return cls._build(con, kind=kind, encoders=ready, langs=langs_key)

        return cached(con, "taxonomy.searcher", build, config=(kind, langs_key, idents),
                      on=(IMPORT, INDEX), stamp=stamp)

    @classmethod
    def _build(cls, con, *, kind: str, encoders: list[Encoder | str],
               langs: tuple[str, ...] | None) -> Searcher:
        wanted = list(langs) if langs else None
        labels = con.execute(
            f"""SELECT uri, lang, label, source = 'local' AS local FROM {labels_table(con)}
               WHERE concept_type = ? AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], lang))
               QUALIFY row_number() OVER (PARTITION BY uri, label ORDER BY local, lang DESC) = 1""",
            [kind, wanted, wanted],
        ).df()
        if labels.empty:
            raise NotFoundError(
                f"No {kind} labels{' in ' + ', '.join(langs) if langs else ''}: "
                "import ESCO first (`werkbrug taxonomy import`).",
                code="taxonomy.no_kind_labels_in" if langs else "taxonomy.no_kind_labels",
                params={"kind": {"code": f"taxonomy.kind.{kind}", "message": kind}, "langs": list(langs or [])})
        loaded = {}
        vectors = {}
        for e in encoders:
            enc = get_encoder(e) if isinstance(e, str) else e
            known = labels[~labels["local"]]["label"].tolist()
            matrix, _ = text_vectors(con, known, encoder=enc)  # all cached: checked above
            full = np.zeros((len(labels), enc.dim), np.float32)
            full[np.flatnonzero(~labels["local"].to_numpy())] = matrix
            loaded[enc.name], vectors[enc.name] = enc, full
        uris = labels["uri"].unique().tolist()
        display = {lg: display_labels(con, uris, lg) for lg in ("nl", "en")}
        return cls(labels[["uri", "lang", "label"]], encoders=loaded, vectors=vectors, display=display)

    # -- scoring ------------------------------------------------------------------------
    def _reduce(self, rows: np.ndarray) -> np.ndarray:
        return np.maximum.reduceat(rows, self._starts, axis=1)

    def query_langs(self, queries: list[str], lang: str | None) -> list[str]:
        if lang:
            return [lang] * len(queries)
        if self.guesser is None:
            return ["other"] * len(queries)
        return self.guesser.guess(queries)

    def prepare(self, queries: list[str]) -> tuple[list[str], list[str]]:
        """The queries as the dense encoders and as the lexical ranker see them."""
        if self.normaliser is None:
            return queries, queries
        return ([self.normaliser.normalise(q) for q in queries],
                [self.normaliser.lexical(q) for q in queries])

    def encode_queries(self, queries: list[str]) -> dict[str, np.ndarray]:
        """Query vectors per encoder (of the normalised queries)."""
        dense_text, _ = self.prepare(queries)
        return {name: enc.encode(dense_text) for name, enc in self.encoders.items()}

    def part_scores(
        self, queries: list[str], query_vectors: dict[str, np.ndarray] | None = None,
    ) -> dict[str, np.ndarray]:
        """Raw per-concept scores per part, ``(len(queries), len(self.uris))`` each.

        For evaluation and tuning: the dense parts of ``query_vectors`` (default: every
        encoder, on the normalised queries).
        """
        parts = self._parts(queries, query_vectors, use_dense=bool(self.encoders))
        return {name: np.vstack([p[0] for p in chunks]) for name, chunks in parts.items()}

    def _parts(self, queries, query_vectors, *, use_dense: bool):
        """Per part, per chunk of queries: (concept scores, label scores)."""
        lexical_text = self.prepare(queries)[1]
        if use_dense and query_vectors is None:
            query_vectors = self.encode_queries(queries)
        qlex = self.vectorizer.transform(lexical_text)
        names = list(query_vectors) if use_dense else []
        out: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {n: [] for n in (fusion.LEXICAL, *names)}
        for s in range(0, len(queries), CHUNK):
            rows = (qlex[s:s + CHUNK] @ self.lexical).toarray()
            out[fusion.LEXICAL].append((self._reduce(rows), rows))
            for name in names:
                rows = query_vectors[name][s:s + CHUNK] @ self.vectors[name].T
                out[name].append((self._reduce(rows), rows))
        return out

    def search_many(
        self, queries: list[str], *, lang: str | None = None, top: int = 10,
        mode: Mode = "hybrid", query_vectors: dict[str, np.ndarray] | None = None,
    ) -> list[SearchResult]:
        """Top ``top`` concepts per query, best first, ties by URI."""
        queries = [_clean(q) for q in queries]
        if top < 1:
            raise InputError("top must be at least 1", code="taxonomy.top_min", params={"top": top})
        if mode not in ("hybrid", "lexical", "dense"):
            raise InputError(f"Unknown search mode {mode!r}", code="taxonomy.unknown_mode", params={"mode": str(mode)})
        if mode == "dense" and not self.encoders:
            raise InputError("This index has no sentence vectors: use mode='lexical'.", code="taxonomy.no_vectors")
        if not queries:
            return []
        use_dense = mode != "lexical" and bool(self.encoders)
        qlangs = self.query_langs(self.prepare(queries)[0], lang)
        parts = self._parts(queries, query_vectors, use_dense=use_dense)
        weights = self._weights(qlangs, list(parts), mode)
        used = tuple(n for n in parts if n != fusion.LEXICAL)
        out: list[SearchResult] = []
        for chunk, s in enumerate(range(0, len(queries), CHUNK)):
            concept = {n: parts[n][chunk][0] for n in parts}
            w = {n: weights[n][s:s + CHUNK] for n in parts}
            fused = fusion.fuse_parts(concept, w)
            best = fusion.top_k(fused, top)
            for i, ids in enumerate(best):
                row_score = sum(w[n][i] * parts[n][chunk][1][i] for n in parts)
                hits = [self._hit(int(c), row_score, float(fused[i, c]),
                                  {n: float(concept[n][i, c]) for n in parts}, lang) for c in ids]
                out.append(SearchResult(hits, mode="hybrid" if used else "lexical", encoders=used))
        return out

    def _weights(self, qlangs: list[str], names: list[str], mode: str) -> dict[str, np.ndarray]:
        table = {lg: self.weights.get(lg, self.weights.get("other", {})) for lg in set(qlangs)}
        w = {n: np.array([table[lg].get(n, 0.0) for lg in qlangs], np.float32) for n in names}
        if mode == "dense":
            w[fusion.LEXICAL][:] = 0.0
        if len(names) == 1:
            w[names[0]][:] = 1.0
        total = sum(w.values())
        total[total == 0] = 1.0
        return {n: v / total for n, v in w.items()}

    def search(self, query: str, *, lang: str | None = None, top: int = 10,
               mode: Mode = "hybrid") -> SearchResult:
        return self.search_many([query], lang=lang, top=top, mode=mode)[0]

    def _hit(self, c: int, row_score: np.ndarray, score: float, part: dict[str, float],
             lang: str | None) -> SearchHit:
        start = self._starts[c]
        end = self._starts[c + 1] if c + 1 < len(self._starts) else len(self.texts)
        matched = self.texts[start + int(np.argmax(row_score[start:end]))]
        uri = self.uris[c]
        shown = self.display.get(lang or "nl", {}).get(uri) or self.display.get("nl", {}).get(uri)
        text, label_lang = (shown[0], shown[1]) if shown else (matched, self.langs[start])
        dense = {n: round(v, 4) for n, v in part.items() if n != fusion.LEXICAL}
        return SearchHit(uri, text, label_lang, matched, round(score, 4),
                         round(part[fusion.LEXICAL], 4), dense)


def fuse(lexical: np.ndarray, dense: np.ndarray, weight: np.ndarray | float) -> np.ndarray:
    """Two-part fusion (see :func:`taxonomy.fusion.fuse`)."""
    return fusion.fuse(lexical, dense, weight)


def _clean(query: str) -> str:
    if not isinstance(query, str) or not query.strip():
        raise InputError("Empty search query: type a job title or skill.", code="taxonomy.query_empty")
    query = " ".join(query.split())
    if len(query) > MAX_QUERY:
        raise InputError(f"Search query too long ({len(query)} characters, at most {MAX_QUERY}).",
                         code="taxonomy.query_too_long", params={"length": len(query), "max": MAX_QUERY})
    return query


def _label_revision(con: duckdb.DuckDBPyConnection) -> tuple:
    """Changes with every import and every local label added or removed."""
    try:
        rows = con.execute("SELECT max(import_id) FROM taxonomy.imports").fetchall()
    except duckdb.CatalogException:
        rows = []
    if not rows or rows[0][0] is None:
        raise NotFoundError("No taxonomy imported yet: run `werkbrug taxonomy import`.", code="taxonomy.not_imported")
    local = (0, 0)
    if labels_table(con) == "taxonomy.all_labels":
        local = con.execute(
            "SELECT count(*), coalesce(max(label_id), 0) FROM taxonomy.local_labels").fetchone()
    return int(rows[0][0]), *local


def search(
    con: duckdb.DuckDBPyConnection, query: str, *, kind: Kind = "occupation",
    lang: str | None = None, top: int = 10, encoder: Encoder | str | None = None,
    langs: list[str] | None = None,
) -> SearchResult:
    """Best ESCO occupations (or skills) for ``query``, e.g. a vacancy title.

    ``lang``: language of the query and of the labels shown (default: guessed; nl, else en).
    ``langs``: languages of the labels searched (default: all). Never embeds labels: without
    stored vectors the result is lexical (``result.mode == "lexical"``).
    """
    _clean(query)
    searcher = Searcher.for_connection(con, kind=kind, encoder=encoder, langs=langs)
    return searcher.search(query, lang=lang, top=top)


def search_many(
    con: duckdb.DuckDBPyConnection, queries: list[str], *, kind: Kind = "occupation",
    lang: str | None = None, top: int = 10, encoder: Encoder | str | None = None,
    langs: list[str] | None = None,
) -> list[SearchResult]:
    """:func:`search` for many queries at once (vectorised)."""
    searcher = Searcher.for_connection(con, kind=kind, encoder=encoder, langs=langs)
    return searcher.search_many(list(queries), lang=lang, top=top)
