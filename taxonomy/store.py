"""Read access to the imported taxonomy: the public API other packages use."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from foundation.db import apply_migrations
from foundation.errors import NotFoundError

SAMPLE_DIR = Path(__file__).parent / "sample"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create or upgrade the ``taxonomy`` schema (and the sequence that numbers imports)."""
    apply_migrations(con, schema="taxonomy", package="taxonomy.migrations")
    exists = con.execute("""SELECT 1 FROM duckdb_sequences()
                            WHERE schema_name = 'taxonomy' AND sequence_name = 'import_seq'""").fetchall()
    if not exists:  # once per database: continue after the imports made before numbering by sequence
        [(start,)] = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM taxonomy.imports").fetchall()
        con.execute(f"CREATE SEQUENCE IF NOT EXISTS taxonomy.import_seq START {int(start)}")


def default_esco_path(configured: Path | None = None) -> Path | None:
    """The ESCO download to use: ``configured`` (``settings.esco``), else ``../shared/esco`` when present."""
    if configured:
        return Path(configured)
    for candidate in (Path("../shared/esco"), Path(__file__).resolve().parents[2] / "shared" / "esco"):
        if candidate.is_dir():
            return candidate
    return None


@dataclass(frozen=True)
class TaxonomyVersion:
    """Which ESCO import the database holds."""

    import_id: int
    esco_version: str
    source: str
    imported_at: str
    languages: list[str]
    counts: dict[str, int]
    skipped: dict[str, dict]


def current_version(con: duckdb.DuckDBPyConnection) -> TaxonomyVersion:
    """The latest import, or :class:`NotFoundError` when nothing was imported yet."""
    row = con.execute(
        """SELECT import_id, esco_version, source, imported_at, languages, counts, skipped
           FROM taxonomy.imports ORDER BY import_id DESC LIMIT 1"""
    ).fetchone()
    if row is None:
        raise NotFoundError("No taxonomy imported yet: run `werkbrug taxonomy import`.", code="taxonomy.not_imported")
    return TaxonomyVersion(
        import_id=row[0], esco_version=row[1], source=row[2], imported_at=str(row[3]),
        languages=list(row[4]), counts=json.loads(row[5]), skipped=json.loads(row[6]),
    )


def labels_table(con: duckdb.DuckDBPyConnection) -> str:
    """``taxonomy.all_labels`` (imported and local labels), or ``taxonomy.labels`` on an old schema."""
    rows = con.execute(
        """SELECT 1 FROM duckdb_views() WHERE database_name = current_database()
           AND schema_name = 'taxonomy' AND view_name = 'all_labels'"""
    ).fetchall()
    return "taxonomy.all_labels" if rows else "taxonomy.labels"


#: Where a label came from, for people: ESCO files, the VDAB Competent crosswalk, an admin.
LOCAL_SOURCE = "local"


def label_source(source: str) -> str:
    """``esco``, ``vdab`` or ``local`` for a stored label source (a file name or ``local``)."""
    if source == LOCAL_SOURCE:
        return LOCAL_SOURCE
    return "vdab" if "competent" in source.lower() else "esco"


def display_labels(
    con: duckdb.DuckDBPyConnection, uris: list[str], lang: str = "nl",
) -> dict[str, tuple[str, str, str]]:
    """``{uri: (text, label_lang, source)}``: the label to show a reader of ``lang``.

    First found: a local preferred label in ``lang``, the ESCO preferred label in ``lang``,
    the ESCO preferred label in English, any preferred label. ``label_lang`` tells the UI
    when the text is not in the reader's language (it marks it "EN"); ``source`` is
    ``local``, ``vdab`` or ``esco``. Unknown URIs are left out.
    """
    uris = list(dict.fromkeys(u for u in uris if u))
    if not uris:
        return {}
    rows = con.execute(
        f"""SELECT uri, lang, label, source FROM {labels_table(con)}
            WHERE kind = 'preferred' AND uri IN (SELECT unnest(?))""",
        [uris],
    ).fetchall()
    best: dict[str, tuple[int, str, str, str]] = {}
    for uri, lg, label, source in rows:
        priority = (0 if source == LOCAL_SOURCE else 1) if lg == lang else 2 if lg == "en" else 3
        key = (priority, label, lg, source)
        if uri not in best or key < best[uri]:
            best[uri] = key
    return {u: (label, lg, label_source(source)) for u, (_p, label, lg, source) in best.items()}


def preferred_labels(
    con: duckdb.DuckDBPyConnection, uris: list[str], *, lang: str = "nl"
) -> dict[str, str]:
    """Preferred label text per URI in ``lang``, else English (see :func:`display_labels`)."""
    return {u: text for u, (text, _lg, _src) in display_labels(con, uris, lang).items()}


def occupation_skills(con: duckdb.DuckDBPyConnection, occupation_uri: str) -> list[tuple[str, str]]:
    """``(skill_uri, relation_type)`` pairs of one occupation."""
    rows = con.execute(
        "SELECT skill_uri, relation_type FROM taxonomy.occupation_skills WHERE occupation_uri = ?",
        [occupation_uri],
    ).fetchall()
    if not rows and not con.execute(
        "SELECT 1 FROM taxonomy.occupations WHERE uri = ?", [occupation_uri]
    ).fetchone():
        raise NotFoundError(f"Unknown occupation {occupation_uri}", code="esco.unknown_occupation",
                            params={"uri": occupation_uri})
    return rows


def existing_uris(con: duckdb.DuckDBPyConnection, uris: list[str]) -> set[str]:
    """The subset of ``uris`` that are occupations or skills in the taxonomy."""
    rows = con.execute(
        """SELECT uri FROM taxonomy.occupations WHERE uri IN (SELECT unnest(?))
           UNION SELECT uri FROM taxonomy.skills WHERE uri IN (SELECT unnest(?))""",
        [uris, uris],
    ).fetchall()
    return {r[0] for r in rows}
