"""The one DuckDB file that holds everything, and its numbered migrations.

Each package owns a DuckDB schema (``taxonomy``, ``assessment``, ``matching``, ``service``)
and a ``migrations/`` folder of ``NNN_name.sql`` files next to its code. Migrations are
applied in order, each in its own transaction, and recorded in
``main.schema_migrations``. DuckDB allows one writing process per file: a second process
gets :class:`~foundation.errors.DatabaseLockedError` with a clear message.

Time: every ``TIMESTAMP`` column holds UTC (Python writes :func:`utcnow`; column defaults are
``timezone('UTC', current_timestamp)``; sessions run in UTC). Pages show Europe/Brussels time.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import os
import random
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import duckdb

from foundation.errors import ConflictError, DatabaseLockedError, InputError, Problem

DEFAULT_DB = "werkbrug.duckdb"
T = TypeVar("T")

_migrate_lock = threading.Lock()


def database_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The database file: ``path``, else ``./werkbrug.duckdb`` (the CLI passes ``settings.db``)."""
    return Path(path or DEFAULT_DB)


def utcnow() -> datetime:
    """``datetime.now(UTC)`` as stored: every ``TIMESTAMP`` column holds UTC, without tzinfo."""
    return datetime.now(UTC).replace(tzinfo=None)


def connect(path: str | os.PathLike[str] | None = None, *, read_only: bool = False):
    """Open the database file (``":memory:"`` for a throw-away database).

    Every session of the process (cursors too) runs in UTC, so timestamps DuckDB computes or
    converts are UTC whatever the machine's time zone.
    """
    target = str(path) if str(path) == ":memory:" else str(database_path(path))
    if target != ":memory:" and not may_be_duckdb(Path(target)):
        raise not_a_database(target)
    try:
        con = duckdb.connect(target, read_only=read_only)
        con.execute("SET GLOBAL TimeZone = 'UTC'")
        return con
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseLockedError(
                f"The database {target} is in use by another werkbrug process "
                "(probably `werkbrug serve`). Stop it first, or use the web app or API "
                "for this change.", code="db.locked", params={"database": target},
            ) from exc
        if "not a valid DuckDB database" in str(exc):
            raise not_a_database(target) from exc
        raise


#: Bytes 8–11 of every DuckDB file (after the header's checksum).
DUCKDB_MAGIC = b"DUCK"


def may_be_duckdb(path: Path) -> bool:
    """False for an existing file that is certainly no DuckDB database (empty, or another header).

    Checked before DuckDB opens it: DuckDB would read a SQLite file through an extension it tries to
    download, and fail with an uncoded error. A missing file (a new database), a folder or an
    unreadable file is left to DuckDB, which names those problems itself.
    """
    try:
        with path.open("rb") as f:
            header = f.read(12)
    except OSError:
        return True
    return header[8:12] == DUCKDB_MAGIC


def not_a_database(target: str) -> InputError:
    """The refusal of a file that is no werkbrug database."""
    return InputError(f"{target} is not a werkbrug database (not a DuckDB file)", code="db.not_a_database",
                      params={"database": target})


_parsed: dict[str, duckdb.Statement] = {}


#: The largest ``LIMIT`` / ``OFFSET`` DuckDB binds (BIGINT).
MAX_BIGINT = 2**63 - 1


def limit_offset(limit: int, offset: int) -> list[int]:
    """The parameters of ``LIMIT ? OFFSET ?``, clamped to 0…BIGINT: an offset past any table reads
    nothing, as any offset past the end does, instead of failing in DuckDB."""
    return [min(max(0, int(limit)), MAX_BIGINT), min(max(0, int(offset)), MAX_BIGINT)]


def parsed(con: duckdb.DuckDBPyConnection, sql: str) -> duckdb.Statement:
    """``sql`` (one statement) parsed once per process, for statements run on every request: DuckDB parses
    a string again on each ``execute`` (≈ 0.2–0.6 ms for an INSERT); a parsed statement is copied, bound
    and run as the string would be, on any connection or cursor."""
    statement = _parsed.get(sql)
    if statement is None:
        (statement,) = con.extract_statements(sql)
        _parsed[sql] = statement
    return statement


def apply_migrations(con: duckdb.DuckDBPyConnection, *, schema: str, package: str) -> list[str]:
    """Apply the not yet applied ``package``'s ``NNN_*.sql`` files to ``schema``.

    Returns the names of the migrations applied now.
    """
    with _migrate_lock:
        con.execute(
            """CREATE TABLE IF NOT EXISTS main.schema_migrations (
                   schema_name VARCHAR NOT NULL, version VARCHAR NOT NULL,
                   applied_at TIMESTAMP NOT NULL DEFAULT timezone('UTC', current_timestamp),
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
                    "INSERT INTO main.schema_migrations (schema_name, version, applied_at) VALUES (?, ?, ?)",
                    [schema, f.name, utcnow()],
                )
            applied.append(f.name)
        return applied


class WriteConflictError(ConflictError):
    """A write collided with another one at the same moment (HTTP 409): try again."""


# One writing transaction at a time in this process: DuckDB allows one writing process, and
# within it concurrent transactions on the same rows fail with "Conflict on tuple …".
_write_lock = threading.RLock()
WRITE_LOCK_TIMEOUT = 30.0
CONFLICT_RETRIES = 4


_local = threading.local()


@contextlib.contextmanager
def write_lock() -> Iterator[None]:
    """Hold this process's write lock (reentrant): for writes made outside :func:`transaction`."""
    if not _write_lock.acquire(timeout=WRITE_LOCK_TIMEOUT):
        raise write_conflict()
    try:
        yield
    finally:
        _write_lock.release()


def after_commit(fn: Callable[[], object]) -> None:
    """Run ``fn`` once the current thread's :func:`transaction` commits (now, outside one; never on rollback)."""
    pending = getattr(_local, "pending", None)
    if pending is None:
        fn()
    else:
        pending.append(fn)


def is_conflict(exc: BaseException) -> bool:
    """Whether ``exc`` is DuckDB's write-write conflict (``TransactionContext Error: Conflict on …``)."""
    return isinstance(exc, duckdb.TransactionException) and "conflict" in str(exc).lower()


def write_conflict(exc: BaseException | None = None) -> WriteConflictError:
    return WriteConflictError(
        "Someone else changed the same data at the same moment; nothing was saved. Try again.",
        [Problem("write conflict", code="db.write_conflict")], code="db.write_conflict",
        params={"reason": str(exc)[:200] if exc else "busy"},
    )


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.Error):
        con.execute("ROLLBACK")


_open: weakref.WeakSet = weakref.WeakSet()  # cursors inside a transaction() block


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run a block in one transaction: all of it is written, or nothing.

    Write transactions of this process are serialised, so they never conflict with each
    other; a conflict with a write made outside this helper (or a lock held longer than
    ``WRITE_LOCK_TIMEOUT``) is rolled back and raised as :class:`WriteConflictError` (409),
    never as a raw database error. Use :func:`retrying` to run a whole write again.

    Nested blocks on the same cursor join the outer transaction, so a service function can
    wrap its check, the library call (which opens its own block) and the audit entry in one.
    """
    if con in _open:
        yield con
        return
    if not _write_lock.acquire(timeout=WRITE_LOCK_TIMEOUT):
        raise write_conflict()
    outer, _local.pending = getattr(_local, "pending", None), []
    try:
        con.execute(parsed(con, "BEGIN TRANSACTION"))
        _open.add(con)
        try:
            yield con
        except BaseException as exc:
            _open.discard(con)
            _rollback(con)
            if is_conflict(exc):
                raise write_conflict(exc) from exc
            raise
        _open.discard(con)
        try:
            con.execute(parsed(con, "COMMIT"))
        except duckdb.Error as exc:
            _rollback(con)
            if is_conflict(exc):
                raise write_conflict(exc) from exc
            raise
        callbacks, _local.pending = _local.pending, outer
        for fn in callbacks:
            fn()
    finally:
        _local.pending = outer
        _write_lock.release()


def retrying(fn: Callable[[], T], *, attempts: int = CONFLICT_RETRIES, pause: float = 0.02) -> T:
    """``fn()``, run again after a short random pause (jitter, growing) while it hits a write conflict.

    ``fn`` must be safe to repeat: one :func:`transaction` (or one autocommit statement) that
    either wrote everything or nothing. The last conflict is raised as :class:`WriteConflictError`.
    """
    for attempt in range(attempts):
        try:
            return fn()
        except WriteConflictError:
            if attempt == attempts - 1:
                raise
        except duckdb.TransactionException as exc:
            if not is_conflict(exc):
                raise
            if attempt == attempts - 1:
                raise write_conflict(exc) from exc
        time.sleep(random.uniform(0, pause * 2**attempt))
    raise AssertionError("unreachable")


CHECKPOINT_EVERY = 60.0


def start_checkpoints(
    connection: Callable[[], duckdb.DuckDBPyConnection], *, every: float = CHECKPOINT_EVERY,
) -> Callable[[], None]:
    """Checkpoint ``connection()`` every ``every`` seconds in a background thread (keeps the WAL, and a
    restart after a crash, short under sustained writes); returns the function that stops it."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(every):
            with contextlib.suppress(duckdb.Error, WriteConflictError), write_lock():
                cursor = connection().cursor()
                try:
                    cursor.execute("CHECKPOINT")
                finally:
                    cursor.close()

    thread = threading.Thread(target=run, name="werkbrug-checkpoint", daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(timeout=WRITE_LOCK_TIMEOUT + 5)

    return halt
