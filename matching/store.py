"""The ``matching`` schema: creation and upgrades."""

from __future__ import annotations

import duckdb

from foundation.db import apply_migrations


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create or upgrade the ``matching`` schema."""
    apply_migrations(con, schema="matching", package="matching.migrations")
