"""Label vectors of occupations and skills, cached in DuckDB per encoder model and version.

Vectors live in ``taxonomy.label_vectors`` keyed by ``(model, model_version, text)``: a
text is embedded once, ever, and only new or changed labels are embedded on later runs.
On a read-only connection missing vectors are computed in memory and not stored.

Vectors are built by ``werkbrug taxonomy index`` (and the demo), never inside a request:
a search asks :func:`missing_vectors` and falls back to the lexical ranker while any
imported label lacks a vector.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import numpy as np
import pandas as pd

from foundation.cache import INDEX, invalidate
from foundation.errors import InputError
from taxonomy.encoders import Encoder
from taxonomy.store import ensure_schema, labels_table

CHUNK = 512
CONCEPT_TYPES = ("occupation", "skill", "isco_group", "skill_group")


def _read_only(con: duckdb.DuckDBPyConnection) -> bool:
    rows = con.execute(
        "SELECT readonly FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    return bool(rows and rows[0][0])


def _has_cache(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute(
        """SELECT 1 FROM duckdb_tables()
           WHERE database_name = current_database() AND schema_name = 'taxonomy'
             AND table_name = 'label_vectors'"""
    ).fetchall())


def _cached(con: duckdb.DuckDBPyConnection, texts: list[str], encoder: Encoder) -> dict[str, np.ndarray]:
    if not texts or not _has_cache(con):
        return {}
    con.register("_wanted", pd.DataFrame({"text": texts}))
    try:
        got = con.execute(
            """SELECT v.text, v.vector FROM taxonomy.label_vectors v
               JOIN (SELECT DISTINCT text FROM _wanted) w USING (text)
               WHERE v.model = ? AND v.model_version = ?""",
            [encoder.name, encoder.version],
        ).fetchnumpy()
    finally:
        con.unregister("_wanted")
    return dict(zip(got["text"].tolist(), got["vector"], strict=True))


def _store(con: duckdb.DuckDBPyConnection, encoder: Encoder, texts: list[str], matrix: np.ndarray) -> None:
    frame = pd.DataFrame({
        "model": encoder.name, "model_version": encoder.version, "text": texts,
        "vector": list(matrix),
    })
    con.register("_new_vectors", frame)
    try:
        con.execute(
            """INSERT OR IGNORE INTO taxonomy.label_vectors (model, model_version, text, vector)
               SELECT model, model_version, text, vector FROM _new_vectors"""
        )
    finally:
        con.unregister("_new_vectors")


def text_vectors(
    con: duckdb.DuckDBPyConnection, texts: list[str], *, encoder: Encoder, progress: bool = False,
    desc: str = "Embedding", on_progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, int]:
    """Vectors of ``texts`` (rows in the same order) and how many had to be embedded now.

    Cached vectors are read; missing ones are embedded in chunks and stored as they come,
    so an interrupted run keeps what it computed. ``on_progress(done, total)`` is called
    after each chunk (``progress`` shows a tqdm bar instead).
    """
    unique = list(dict.fromkeys(texts))
    have = _cached(con, unique, encoder)
    missing = [t for t in unique if t not in have]
    if missing:
        writable = not _read_only(con)
        if writable:
            ensure_schema(con)
        from tqdm import tqdm

        with tqdm(total=len(missing), desc=f"{desc} ({encoder.name})", unit="label",
                  disable=not progress, leave=False) as bar:
            for start in range(0, len(missing), CHUNK):
                part = missing[start:start + CHUNK]
                mat = encoder.encode(part)
                if writable:
                    _store(con, encoder, part, mat)
                have.update(zip(part, mat, strict=True))
                bar.update(len(part))
                if on_progress:
                    on_progress(min(start + CHUNK, len(missing)), len(missing))
        if writable:
            invalidate(con, INDEX)
    if not texts:
        return np.zeros((0, encoder.dim), np.float32), 0
    matrix = np.stack([have[t] for t in texts]).astype(np.float32, copy=False)
    return matrix, len(missing)


def cached_vectors(
    con: duckdb.DuckDBPyConnection, texts: list[str], *, encoder: Encoder,
) -> tuple[np.ndarray | None, int]:
    """Cached vectors of ``texts`` (rows in order) without embedding anything.

    ``(matrix, 0)`` when every text has a cached vector, else ``(None, number missing)``.
    """
    unique = list(dict.fromkeys(texts))
    have = _cached(con, unique, encoder)
    missing = sum(t not in have for t in unique)
    if missing or not texts:
        return (np.zeros((0, encoder.dim), np.float32) if not texts else None), missing
    return np.stack([have[t] for t in texts]).astype(np.float32, copy=False), 0


def _label_frame(
    con: duckdb.DuckDBPyConnection, concept_type: str, langs: list[str] | None,
    kinds: list[str] | None = None,
) -> pd.DataFrame:
    if concept_type not in CONCEPT_TYPES:
        raise InputError(f"Unknown concept type {concept_type!r}: use one of {', '.join(CONCEPT_TYPES)}.",
                         code="taxonomy.unknown_concept_type",
                         params={"type": str(concept_type), "allowed": list(CONCEPT_TYPES)})
    return con.execute(
        f"""SELECT uri, lang, kind, label FROM {labels_table(con)}
           WHERE concept_type = ? AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], lang))
             AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], kind))
           ORDER BY uri, lang, kind, label""",
        [concept_type, langs, langs, kinds, kinds],
    ).df()


def ensure_vectors(
    con: duckdb.DuckDBPyConnection, *, concept_type: str, encoder: Encoder,
    langs: list[str] | None = None, kinds: list[str] | None = None, progress: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> int:
    """Embed every label of ``concept_type`` (in ``langs``, of ``kinds``) not cached yet; number embedded.

    Preferred labels go first: an interrupted run has the labels most searches hit.
    """
    labels = _label_frame(con, concept_type, langs, kinds)
    labels = labels.iloc[np.argsort((labels["kind"] != "preferred").to_numpy(), kind="stable")]
    _, n = text_vectors(con, labels["label"].tolist(), encoder=encoder, progress=progress,
                        desc=f"Embedding {concept_type} labels", on_progress=on_progress)
    return n


def missing_vectors(
    con: duckdb.DuckDBPyConnection, *, concept_type: str, model: str, model_version: str,
    langs: list[str] | None = None,
) -> int:
    """How many distinct imported labels of ``concept_type`` have no vector of this model.

    Local labels added by an administrator are not counted: until the next
    ``werkbrug taxonomy index`` they are searched by spelling only.
    """
    if not _has_cache(con):
        return con.execute(
            """SELECT count(DISTINCT label) FROM taxonomy.labels WHERE concept_type = ?
               AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], lang))""",
            [concept_type, langs, langs]).fetchone()[0]
    return con.execute(
        """SELECT count(*) FROM (
               SELECT DISTINCT label FROM taxonomy.labels WHERE concept_type = ?
                 AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], lang))) l
           ANTI JOIN (SELECT text FROM taxonomy.label_vectors WHERE model = ? AND model_version = ?) v
           ON v.text = l.label""",
        [concept_type, langs, langs, model, model_version],
    ).fetchone()[0]


def vector_counts(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], int]:
    """Cached vectors per ``(model, model_version)``: changes whenever vectors are added."""
    if not _has_cache(con):
        return {}
    rows = con.execute(
        "SELECT model, model_version, count(*) FROM taxonomy.label_vectors GROUP BY ALL").fetchall()
    return {(m, v): n for m, v, n in rows}


def concept_vectors(
    con: duckdb.DuckDBPyConnection, *, concept_type: str, encoder: Encoder,
    lang: str | None = None, progress: bool = True,
) -> tuple[list[str], list[str], np.ndarray]:
    """One row per label: ``(uris, labels, matrix)``; embeds missing labels first."""
    labels = _label_frame(con, concept_type, [lang] if lang else None)
    labels = labels.drop_duplicates(["uri", "label"])
    texts = labels["label"].tolist()
    matrix, _ = text_vectors(con, texts, encoder=encoder, progress=progress,
                             desc=f"Embedding {concept_type} labels")
    return labels["uri"].tolist(), texts, matrix


def skill_matrix(
    con: duckdb.DuckDBPyConnection, *, encoder: Encoder, lang: str = "en", progress: bool = True,
) -> tuple[list[str], np.ndarray]:
    """One vector per skill: its preferred label in ``lang`` (else any preferred label).

    ``matrix @ matrix.T`` gives the skill-to-skill cosine similarity. English MiniLM
    (``get_encoder(taxonomy.encoders.SKILL_ENCODER)``) suits ESCO's English skill labels.
    """
    rows = con.execute(
        """SELECT s.uri, coalesce(
                  max(l.label) FILTER (WHERE l.lang = ?), min(l.label)) AS label
           FROM taxonomy.skills s
           JOIN taxonomy.labels l ON l.uri = s.uri AND l.kind = 'preferred'
           GROUP BY s.uri ORDER BY s.uri""",
        [lang],
    ).fetchall()
    uris = [r[0] for r in rows]
    matrix, _ = text_vectors(con, [r[1] for r in rows], encoder=encoder, progress=progress,
                             desc="Embedding skills")
    return uris, matrix
