"""The one DuckDB file that holds everything, and its numbered migrations.

Each package owns a DuckDB schema (``taxonomy``, ``assessment``, ``matching``, ``service``)
and a ``migrations/`` folder of ``NNN_name.sql`` files next to its code. Migrations are
applied in order, each in its own transaction, and recorded in
``main.schema_migrations``. DuckDB allows one writing process per file: a second process
gets :class:`~foundation.errors.DatabaseLockedError` with a clear message.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb

from foundation.errors import DatabaseLockedError

DEFAULT_DB = "werkbrug.duckdb"

_migrate_lock = threading.Lock()


def database_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The database file: ``path``, else ``$WERKBRUG_DB``, else ``./werkbrug.duckdb``."""
    return Path(path or os.environ.get("WERKBRUG_DB") or DEFAULT_DB)


def connect(path: str | os.PathLike[str] | None = None, *, read_only: bool = False):
    """Open the database file (``":memory:"`` for a throw-away database)."""
    target = str(path) if str(path) == ":memory:" else str(database_path(path))
    try:
        return duckdb.connect(target, read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseLockedError(
                f"The database {target} is in use by another werkbrug process "
                "(probably `werkbrug serve`). Stop it first, or use the web app or API "
                "for this change."
            ) from exc
        raise


def apply_migrations(con: duckdb.DuckDBPyConnection, *, schema: str, package: str) -> list[str]:
    """Apply the not yet applied ``package``'s ``NNN_*.sql`` files to ``schema``.

    Returns the names of the migrations applied now.
    """
    with _migrate_lock:
        con.execute(
            """CREATE TABLE IF NOT EXISTS main.schema_migrations (
                   schema_name VARCHAR NOT NULL, version VARCHAR NOT NULL,
                   applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
                   PRIMARY KEY (schema_name, version))"""
        )
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        done = {
            r[0]
            for r in con.execute(
                "SELECT version FROM main.schema_migrations WHERE schema_name = ?", [schema]
            ).fetchall()
        }
        files = sorted(
            (f for f in importlib.resources.files(package).iterdir() if f.name.endswith(".sql")),
            key=lambda f: f.name,
        )
        applied = []
        for f in files:
            if f.name in done:
                continue
            with transaction(con):
                con.execute(f.read_text(encoding="utf-8"))
                con.execute(
                    "INSERT INTO main.schema_migrations (schema_name, version) VALUES (?, ?)",
                    [schema, f.name],
                )
            applied.append(f.name)
        return applied


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run a block in one transaction: all of it is written, or nothing."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    else:
        con.execute("COMMIT")
