"""The ``assessment`` schema: creation and upgrades."""

from __future__ import annotations

import duckdb

import taxonomy.store
from foundation.db import apply_migrations


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create or upgrade the ``assessment`` schema (and the ``taxonomy`` one it reads)."""
    taxonomy.store.ensure_schema(con)
    apply_migrations(con, schema="assessment", package="assessment.migrations")
