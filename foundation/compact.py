"""Rewrite a DuckDB file so that deleted data is gone from its bytes, not only from its tables.

DuckDB marks the blocks of deleted or updated rows free but does not wipe them: the old
values stay readable in the file until the blocks are reused. After an erasure the database
is copied table by table into a new file (``COPY FROM DATABASE``), which holds only live data,
and the new file replaces the old one.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb


def _alias(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("SELECT current_database()").fetchone()[0]


def rewrite(con: duckdb.DuckDBPyConnection, path: str | os.PathLike[str]) -> duckdb.DuckDBPyConnection:
    """Copy the open database ``con`` (the file ``path``) to a fresh file, replace it, and reopen it.

    ``con`` is closed; use the returned connection. Nothing else may hold the file meanwhile.
    """
    path = Path(path)
    fresh = path.with_name(path.name + ".compact")
    fresh.unlink(missing_ok=True)
    con.execute("CHECKPOINT")
    con.execute(f"ATTACH '{fresh.as_posix()}' AS werkbrug_compact")
    try:
        con.execute(f'COPY FROM DATABASE "{_alias(con)}" TO werkbrug_compact')
    finally:
        con.execute("DETACH werkbrug_compact")
    con.close()
    os.replace(fresh, path)
    Path(str(path) + ".wal").unlink(missing_ok=True)
    return duckdb.connect(str(path))


def database_file(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The file behind ``con`` (``None`` for an in-memory database)."""
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return Path(row[0]) if row and row[0] else None
