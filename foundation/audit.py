"""The audit trail: who read whose personal data or ran which ranking, when and why.

The log is append-only: this module only inserts and reads, and nothing in werkbrug updates
or deletes ``service.audit_log`` rows. Every read of a participant's personal data and every
ranking calls :func:`audit`. Entries form a keyed hash chain: each stores the previous
entry's hash and its own HMAC-SHA256 under a key kept outside the database
(:mod:`foundation.audit_store`), and the chain head (last id + hash) is checkpointed, signed, in
a file beside the database after every commit. :func:`verify` detects changed entries (even with
recomputed hashes), removed entries (the newest ones and all of them included) and forged appends.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import duckdb

from foundation.actor import User
from foundation.audit_store import ChainStore, chain_store
from foundation.db import after_commit, limit_offset, parsed, write_lock
from foundation.exports import csv_text


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


GENESIS = "0" * 64
ANCHOR_ACTION = "audit_chain_anchored"


def _legacy_hash(prev: str, fields: list[str | None]) -> str:
    """The unkeyed SHA-256 of entries written before the keyed chain (kept for verification)."""
    payload = json.dumps([prev, *fields], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _entry_mac(key: bytes, prev: str, fields: list[str | None]) -> str:
    payload = json.dumps([prev, *fields], ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def _fields(when: datetime, username, role, action, object_type, object_id, purpose, detail) -> list[str | None]:
    return [when.isoformat(), username, role, action, object_type, object_id, purpose, detail]


_INSERT = """INSERT INTO service.audit_log
                  (occurred_at, username, role, action, object_type, object_id, purpose, detail, prev_hash, entry_hash)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING audit_id"""


def _append(cursor, key: bytes, prev: str, when: datetime, fields: list[str | None]) -> tuple[int, str]:
    entry_hash = _entry_mac(key, prev, fields)
    audit_id = cursor.execute(parsed(cursor, _INSERT), [when, *fields[1:], prev, entry_hash]).fetchone()[0]
    return audit_id, entry_hash


def _ensure_anchor(cursor, store: ChainStore) -> None:
    """Start the keyed chain once: an entry pinning the head of the older, unkeyed chain (if any).

    Older entries are never rewritten; the keyed anchor holds their count and last hash, so a
    later edit or removal among them (even with the unkeyed hashes recomputed) is detected.
    """
    if store.anchored:
        return
    row = cursor.execute(f"SELECT audit_id FROM service.audit_log WHERE action = '{ANCHOR_ACTION}' LIMIT 1").fetchone()
    if row is None:
        legacy = cursor.execute(
            "SELECT count(*), max(audit_id) FROM service.audit_log").fetchone()
        last = cursor.execute(
            "SELECT entry_hash FROM service.audit_log ORDER BY audit_id DESC LIMIT 1").fetchone()
        prev = (last[0] if last else None) or GENESIS
        when = datetime.now(UTC).replace(tzinfo=None)
        detail = json.dumps({"legacy_entries": legacy[0], "legacy_last_id": legacy[1], "legacy_head": prev,
                             "algorithm": "HMAC-SHA256"}, sort_keys=True)
        fields = _fields(when, None, None, ANCHOR_ACTION, "audit_log", None, "administration", detail)
        store.take_head()
        audit_id, entry_hash = _append(cursor, store.key, prev, when, fields)
        after_commit(functools.partial(store.write_head, audit_id, entry_hash))
    after_commit(store.mark_anchored)


def anchor_chain(cursor: duckdb.DuckDBPyConnection) -> None:
    """Start the keyed chain of this database now, if it has not been (the app does so at start-up)."""
    with write_lock():
        _ensure_anchor(cursor, chain_store(cursor))


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
    """Append one entry to the audit log (never updated, never deleted).

    The entry's hash is an HMAC-SHA256 (key outside the database) over the previous entry's
    hash and its fields; the chain head file beside the database is updated once the entry
    is committed. The previous hash is the committed head this process holds
    (:meth:`~foundation.audit_store.ChainStore.take_head`), read from the log when unknown.
    """
    when = datetime.now(UTC).replace(tzinfo=None)
    fields = _fields(
        when,
        user.username if user else None,
        str(user.role) if user else None,
        action,
        object_type,
        None if object_id is None else str(object_id),
        None if purpose is None else str(purpose),
        None if detail is None else json.dumps(detail, default=str, ensure_ascii=False, sort_keys=True),
    )
    store = chain_store(cursor)
    with write_lock():
        _ensure_anchor(cursor, store)
        prev = store.take_head()
        if prev is None:
            row = cursor.execute(
                "SELECT entry_hash FROM service.audit_log ORDER BY audit_id DESC LIMIT 1"
            ).fetchone()
            prev = (row[0] if row else None) or GENESIS
        audit_id, entry_hash = _append(cursor, store.key, prev, when, fields)
        after_commit(functools.partial(store.committed, audit_id, entry_hash))


@dataclass
class ChainReport:
    """The result of :func:`verify`: ``intact`` or what is wrong (message codes, ids)."""

    intact: bool
    entries: int
    broken: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # codes: audit.head_missing, audit.truncated, …
    head: dict[str, Any] | None = None


def verify(cursor: duckdb.DuckDBPyConnection, *, store: ChainStore | None = None) -> ChainReport:
    """Check every entry's hash (unkeyed before the anchor, HMAC after) and the head file.

    Detects edits (with or without recomputed hashes), removed entries anywhere (the newest
    ones and all of them included, through the signed head file) and forged appends.
    """
    store = store or chain_store(cursor)
    rows = cursor.execute(
        """SELECT audit_id, occurred_at, username, role, action, object_type, object_id, purpose, detail,
                  prev_hash, entry_hash
           FROM service.audit_log ORDER BY audit_id"""
    ).fetchall()
    broken: list[int] = []
    problems: list[str] = []
    if rows and not store.has_key():
        return ChainReport(intact=False, entries=len(rows), problems=["audit.key_missing"])
    prev, keyed = GENESIS, False
    legacy_count = 0
    by_id: dict[int, str | None] = {}
    for audit_id, when, *fields, prev_hash, entry_hash in rows:
        values = [when.isoformat(), *fields]
        if not keyed and fields[2] == ANCHOR_ACTION:
            keyed = True
            pinned = json.loads(fields[6] or "{}")
            if pinned.get("legacy_entries") != legacy_count or pinned.get("legacy_head") != prev:
                problems.append("audit.legacy_changed")
        if keyed:
            ok = prev_hash == prev and entry_hash == _entry_mac(store.key, prev, values)
        elif entry_hash is None:  # written before entries were hashed: pinned by the anchor's count
            ok = True
        else:
            ok = prev_hash == prev and entry_hash == _legacy_hash(prev, values)
        if not ok:
            broken.append(audit_id)
        legacy_count += not keyed
        prev = entry_hash or GENESIS
        by_id[audit_id] = entry_hash
    if rows and not keyed:
        problems.append("audit.not_anchored")
    head = store.read_head() if store.has_key() else None
    if head is None:
        if store.has_key() and store.path is not None:
            problems.append("audit.head_missing")
    elif head == "invalid":
        problems.append("audit.head_forged")
        head = None
    elif by_id.get(head["audit_id"]) != head["entry_hash"]:
        problems.append("audit.truncated" if head["audit_id"] not in by_id else "audit.head_mismatch")
    return ChainReport(intact=not broken and not problems, entries=len(rows), broken=broken, problems=problems,
                       head=head if isinstance(head, dict) else None)


def verify_chain(cursor: duckdb.DuckDBPyConnection) -> list[int]:
    """Ids of entries whose hash does not follow from the entry before them (empty: intact)."""
    return verify(cursor).broken


#: The orders the log may be read in (a whitelist); entries are numbered in the order they were written.
LOG_ORDERS = {"newest": "audit_id DESC", "oldest": "audit_id"}


def read_log(
    cursor: duckdb.DuckDBPyConnection,
    *,
    username: str | None = None,
    action: str | None = None,
    object_id: str | None = None,
    search: str | None = None,
    words: Mapping[str, Iterable[str]] | None = None,
    order: str = "newest",
    limit: int = 200,
    offset: int = 0,
) -> list[AuditEntry]:
    """Audit entries, newest first (``order``: newest or oldest), optionally filtered.

    ``search``: text anywhere in the user, action, object, purpose or details (case-insensitive);
    ``words``: per column of :data:`WORD_COLUMNS`, machine words that match the search as well
    (the ones whose text for a person holds it).
    """
    where, params = _filters(username=username, action=action, object_id=object_id, search=search, words=words)
    rows = cursor.execute(
        f"""SELECT audit_id, occurred_at, username, role, action, object_type, object_id, purpose, detail
            FROM service.audit_log {where} ORDER BY {LOG_ORDERS.get(order, LOG_ORDERS["newest"])} LIMIT ? OFFSET ?""",
        [*params, *limit_offset(limit, offset)],
    ).fetchall()
    return [
        AuditEntry(*row[:8], detail=json.loads(row[8]) if row[8] is not None else None) for row in rows
    ]


def count_log(
    cursor: duckdb.DuckDBPyConnection, *, username: str | None = None, action: str | None = None,
    object_id: str | None = None, search: str | None = None, words: Mapping[str, Iterable[str]] | None = None,
) -> int:
    """How many entries match the filters."""
    where, params = _filters(username=username, action=action, object_id=object_id, search=search, words=words)
    return cursor.execute(f"SELECT count(*) FROM service.audit_log {where}", params).fetchone()[0]


_SEARCHED = ("username", "role", "action", "object_type", "object_id", "purpose", "CAST(detail AS VARCHAR)")


#: The columns that hold machine words (shown to people through the catalogue).
WORD_COLUMNS = ("action", "object_type", "purpose")


def logged_words(cursor: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The distinct machine words in the log, per column of :data:`WORD_COLUMNS`."""
    return {c: [r[0] for r in cursor.execute(
        f"SELECT DISTINCT {c} FROM service.audit_log WHERE {c} IS NOT NULL ORDER BY 1").fetchall()]
        for c in WORD_COLUMNS}


def _filters(search: str | None = None, words: Mapping[str, Iterable[str]] | None = None,
             **values: str | None) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    for column, value in values.items():
        if value:
            parts.append(f"{column} = ?")
            params.append(value)
    if search and search.strip():
        matches = [f"lower(coalesce({c}, '')) LIKE ?" for c in _SEARCHED]
        params += [f"%{search.strip().lower()}%"] * len(_SEARCHED)
        for column, listed in (words or {}).items():
            if column in WORD_COLUMNS and (listed := list(listed)):
                matches.append(f"{column} = ANY(?::VARCHAR[])")
                params.append(listed)
        parts.append("(" + " OR ".join(matches) + ")")
    return ("WHERE " + " AND ".join(parts) if parts else ""), params


#: The CSV columns, in order (the header row names them, in the reader's language at the edge).
CSV_FIELDS = tuple(AuditEntry.__dataclass_fields__)


def to_csv(entries: Iterable[AuditEntry], header: Iterable[str] | None = None) -> str:
    """The entries as CSV text (UTF-8, a header row: ``header`` or :data:`CSV_FIELDS`; formula cells neutralised)."""
    fields = list(CSV_FIELDS)
    rows = []
    for entry in entries:
        row = asdict(entry)
        row["detail"] = "" if entry.detail is None else json.dumps(entry.detail, ensure_ascii=False)
        rows.append([row[f] for f in fields])
    return csv_text([list(header) if header is not None else fields, *rows])
