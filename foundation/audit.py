"""The audit trail: who read whose personal data or ran which ranking, when and why.

The log is append-only: this module only inserts and reads, and nothing in werkbrug updates
or deletes ``service.audit_log`` rows. Every read of a participant's personal data and every
ranking calls :func:`audit`. Entries form a hash chain (each stores the SHA-256 of the
previous entry and of itself), so :func:`verify_chain` detects a changed or removed row.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import duckdb

from foundation.actor import User


class Purpose(StrEnum):
    """Why personal data was read or a ranking was run (purpose limitation)."""

    assessment = "assessment"          # an assessor records or checks results
    coaching = "coaching"              # a coach works on a participant's trajectory
    matching = "matching"              # a ranking of job targets or candidates
    employer_contact = "employer_contact"  # a liaison works on a vacancy's shortlist
    passport = "passport"              # a competence passport is printed
    administration = "administration"  # user management, audit review
    export = "export"                  # a data export (e.g. a participant's own data)


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit log."""

    audit_id: int
    occurred_at: datetime
    username: str | None
    role: str | None
    action: str
    object_type: str | None
    object_id: str | None
    purpose: str | None
    detail: dict[str, Any] | None


_chain_lock = threading.Lock()
GENESIS = "0" * 64


def _entry_hash(prev: str, fields: list[str | None]) -> str:
    payload = json.dumps([prev, *fields], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def audit(
    cursor: duckdb.DuckDBPyConnection,
    *,
    user: User | None,
    action: str,
    object_type: str | None = None,
    object_id: str | None = None,
    purpose: Purpose | str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one entry to the audit log (never updated, never deleted)."""
    when = datetime.now(UTC).replace(tzinfo=None)
    fields = [
        when.isoformat(),
        user.username if user else None,
        str(user.role) if user else None,
        action,
        object_type,
        None if object_id is None else str(object_id),
        None if purpose is None else str(purpose),
        None if detail is None else json.dumps(detail, default=str, ensure_ascii=False, sort_keys=True),
    ]
    with _chain_lock:
        row = cursor.execute(
            "SELECT entry_hash FROM service.audit_log ORDER BY audit_id DESC LIMIT 1"
        ).fetchone()
        prev = (row[0] if row else None) or GENESIS
        cursor.execute(
            """INSERT INTO service.audit_log
                   (occurred_at, username, role, action, object_type, object_id, purpose, detail, prev_hash, entry_hash)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [when, *fields[1:], prev, _entry_hash(prev, fields)],
        )


def verify_chain(cursor: duckdb.DuckDBPyConnection) -> list[int]:
    """Ids of entries whose hash does not follow from the entry before them (empty: intact)."""
    broken = []
    prev = GENESIS
    rows = cursor.execute(
        """SELECT audit_id, occurred_at, username, role, action, object_type, object_id, purpose, detail,
                  prev_hash, entry_hash
           FROM service.audit_log WHERE entry_hash IS NOT NULL ORDER BY audit_id"""
    ).fetchall()
    for audit_id, when, *fields, prev_hash, entry_hash in rows:
        expected = _entry_hash(prev, [when.isoformat(), *fields])
        if prev_hash != prev or entry_hash != expected:
            broken.append(audit_id)
        prev = entry_hash
    return broken


def read_log(
    cursor: duckdb.DuckDBPyConnection,
    *,
    username: str | None = None,
    action: str | None = None,
    object_id: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[AuditEntry]:
    """Audit entries, newest first, optionally filtered."""
    where, params = _filters(username=username, action=action, object_id=object_id)
    rows = cursor.execute(
        f"""SELECT audit_id, occurred_at, username, role, action, object_type, object_id, purpose, detail
            FROM service.audit_log {where} ORDER BY audit_id DESC LIMIT ? OFFSET ?""",
        [*params, limit, offset],
    ).fetchall()
    return [
        AuditEntry(*row[:8], detail=json.loads(row[8]) if row[8] is not None else None) for row in rows
    ]


def count_log(
    cursor: duckdb.DuckDBPyConnection, *, username: str | None = None, action: str | None = None,
    object_id: str | None = None,
) -> int:
    """How many entries match the filters."""
    where, params = _filters(username=username, action=action, object_id=object_id)
    return cursor.execute(f"SELECT count(*) FROM service.audit_log {where}", params).fetchone()[0]


def _filters(**values: str | None) -> tuple[str, list[str]]:
    parts, params = [], []
    for column, value in values.items():
        if value:
            parts.append(f"{column} = ?")
            params.append(value)
    return ("WHERE " + " AND ".join(parts) if parts else ""), params


def to_csv(entries: Iterable[AuditEntry]) -> str:
    """The entries as CSV text (UTF-8, header row)."""
    out = io.StringIO()
    fields = list(AuditEntry.__dataclass_fields__)
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    for entry in entries:
        row = asdict(entry)
        row["detail"] = "" if entry.detail is None else json.dumps(entry.detail, ensure_ascii=False)
        writer.writerow(row)
    return out.getvalue()
