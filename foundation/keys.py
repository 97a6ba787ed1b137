"""The service's signing key (CSRF tokens, candidate codes), created on first use."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import duckdb

from foundation.db import transaction


def secret_key(con: duckdb.DuckDBPyConnection) -> bytes:
    """The key kept in ``service.settings`` (32 random bytes, made the first time it is asked for)."""
    row = con.execute("SELECT value FROM service.settings WHERE key = 'secret_key'").fetchone()
    if row is None:
        with transaction(con):
            con.execute(
                "INSERT INTO service.settings (key, value) VALUES ('secret_key', ?) ON CONFLICT DO NOTHING",
                [secrets.token_hex(32)],
            )
        row = con.execute("SELECT value FROM service.settings WHERE key = 'secret_key'").fetchone()
    return bytes.fromhex(row[0])


def keyed_digest(key: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 of ``purpose:value`` under ``key`` (hex)."""
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()
