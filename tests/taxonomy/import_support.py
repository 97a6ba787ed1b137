"""Helpers shared by the ESCO import tests: the sample's facts, CSV readers and database checksums."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import duckdb

from taxonomy.store import SAMPLE_DIR

NS = "https://werkbrug.example/taxonomy/"
OCC = NS + "occupation/"
SKILL = NS + "skill/"
ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CSVS = sorted(p.name for p in SAMPLE_DIR.glob("*.csv"))
MISSING_OCCUPATION = "http://data.europa.eu/esco/occupation/a9e54177-a185-404d-b6e6-15663d31137e"

#: What the hand-made sample holds (also listed in taxonomy/sample/README.md).
SAMPLE_COUNTS = {
    "occupations": 33, "skills": 122, "isco_groups": 74, "skill_groups": 14,
    "occupation_skills": 407, "broader": 234, "skill_relations": 12, "collections": 25,
    "crosswalks": 0,
}


# --- helpers ---------------------------------------------------------------------------

def records(path: Path) -> list[dict[str, str]]:
    """The data records of one CSV file, read with the standard csv module."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def text_of(path: Path) -> str:
    """The file's text with its CRLF record ends kept."""
    return path.read_bytes().decode("utf-8")


def start_line(text: str, prefix: str) -> int:
    """1-based physical line on which the record beginning with ``prefix`` starts."""
    lines = text.split("\n")
    hits = [i + 1 for i, line in enumerate(lines) if line.startswith(prefix)]
    assert len(hits) == 1, f"{prefix!r} starts {len(hits)} lines"
    return hits[0]


def snapshot(con: duckdb.DuckDBPyConnection, *, skip: dict[str, set[str]] | None = None
             ) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent checksum of every table in the database.

    ``skip`` maps ``schema.table`` to columns left out (e.g. the source file name).
    """
    skip = skip or {}
    out: dict[str, tuple[int, str]] = {}
    tables = con.execute(
        """SELECT c.table_schema, c.table_name, list(c.column_name ORDER BY c.ordinal_position)
           FROM information_schema.columns c JOIN information_schema.tables t
             ON t.table_schema = c.table_schema AND t.table_name = c.table_name
           WHERE t.table_type = 'BASE TABLE' GROUP BY ALL ORDER BY ALL"""
    ).fetchall()
    for schema, table, columns in tables:
        name = f"{schema}.{table}"
        cols = ", ".join(f'"{c}"' for c in columns if c not in skip.get(name, set()))
        rows = con.execute(f'SELECT {cols} FROM "{schema}"."{table}"').fetchall()
        digest = hashlib.sha256("\n".join(sorted(map(repr, rows))).encode()).hexdigest()
        out[name] = (len(rows), digest)
    return out


def taxonomy_content(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str]]:
    """Checksums of the imported content: no import log, no source file names."""
    snap = snapshot(con, skip={"taxonomy.labels": {"source"}})
    return {k: v for k, v in snap.items()
            if k.startswith("taxonomy.") and k != "taxonomy.imports"}


def copy_sample(dest: Path) -> Path:
    shutil.copytree(SAMPLE_DIR, dest, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return dest


def write_records(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def q(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchall()


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchone()[0]
