"""Random public ids: never sequential, never derived from personal data."""

from __future__ import annotations

import secrets

import duckdb

#: Unambiguous characters (no 0/O, 1/I/L) for ids people read aloud or copy by hand.
ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PUBLIC_ID_LENGTH = 10  # 31**10 ≈ 8·10**14: not guessable by probing


def new_id(prefix: str, length: int = 6) -> str:
    """A random id such as ``P-7F3K2A``."""
    return f"{prefix}-" + "".join(secrets.choice(ID_ALPHABET) for _ in range(length))


def public_id(con: duckdb.DuckDBPyConnection, prefix: str, *, table: str, column: str) -> str:
    """A new random ``prefix-XXXXXXXXXX`` not yet used in ``table.column`` (vacancies, shortlists)."""
    while True:
        candidate = new_id(prefix, PUBLIC_ID_LENGTH)
        if con.execute(f"SELECT 1 FROM {table} WHERE {column} = ?", [candidate]).fetchone() is None:
            return candidate
