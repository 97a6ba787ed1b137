"""The acting person: who does something, in which role (passed to every service function)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import duckdb


class Role(StrEnum):
    assessor = "assessor"
    coach = "coach"
    liaison = "liaison"
    admin = "admin"


#: The one role that administers (accounts, audit, backups, erasure, local labels, requirement overrides).
ADMINS = frozenset({Role.admin})


@dataclass(frozen=True)
class User:
    """A logged-in person; ``role`` decides what the service functions let them do."""

    username: str
    display_name: str
    role: Role


def find_user(con: duckdb.DuckDBPyConnection, *, username: str) -> User | None:
    """The active account ``username`` (``service.users``), or ``None``."""
    row = con.execute("SELECT username, display_name, role FROM service.users WHERE username = ? AND active",
                      [username]).fetchone()
    return User(row[0], row[1], Role(row[2])) if row else None


def colleague(con: duckdb.DuckDBPyConnection, username: str | None) -> tuple[str, str | None] | None:
    """(display name, how to reach them) of a staff account, or ``None``."""
    if not username:
        return None
    row = con.execute("SELECT display_name, contact FROM service.users WHERE username = ?", [username]).fetchone()
    return (row[0], row[1]) if row else None
