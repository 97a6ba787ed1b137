"""Where the audit chain's secrets and checkpoints live: outside the database file.

- The **key** (32 random bytes) that keys every entry's HMAC: the ``audit_key`` setting (hex), else
  the ``audit_key_file`` setting, else the file ``<database>.audit-key`` beside the database,
  created on first use with mode 0600. Whoever can change the database but not read this key
  cannot recompute the chain after an edit, nor append entries that verify.
- The **head** (id and hash of the newest committed entry), signed with the key, in
  ``<database>.audit-head``: rewritten after every commit that appends, and written into every
  backup. Removing the newest entries, or all of them, no longer verifies. The file is overwritten
  in place by one ``pwrite`` of a fixed-size record (:data:`HEAD_SIZE` bytes, one disk sector: the
  old record or the new one, never a mix; ≈ 20 µs, where a new file renamed over it cost ≈ 0.5–1.7 ms);
  backups get theirs by an atomic rename.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import stat
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from foundation.cache import caches

KEY_SUFFIX = ".audit-key"
HEAD_SUFFIX = ".audit-head"
HEAD_SIZE = 512       # bytes of a head record: its JSON, padded with spaces (one sector)


def _write_private(path: Path, data: bytes, *, sync: bool = False) -> None:
    """Write ``data`` to ``path`` atomically (rename), readable by the owner only."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if sync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def head_record(key: bytes, audit_id: int, entry_hash: str) -> bytes:
    """The signed head as written to its file: JSON padded with spaces to :data:`HEAD_SIZE` bytes."""
    body = json.dumps({"audit_id": audit_id, "entry_hash": entry_hash,
                       "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
                       "mac": head_mac(key, audit_id, entry_hash)}, indent=1).encode()
    return body + b" " * (HEAD_SIZE - 1 - len(body)) + b"\n"


def _overwrite_private(path: Path, record: bytes) -> None:
    """Write ``record`` over the start of ``path`` with one ``pwrite`` (created, readable by the owner only;
    cut to the record's size first if it has another). Anything but a regular file there (a symbolic
    link, a pipe) is replaced by one, as :func:`_write_private` does, never written through."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o600)
    except OSError:              # a symbolic link (ELOOP), a pipe nobody reads (ENXIO), …
        _write_private(path, record)
        return
    try:
        st = os.fstat(fd)
        regular = stat.S_ISREG(st.st_mode)
        if regular:
            if st.st_mode & 0o077:
                os.fchmod(fd, 0o600)
            if st.st_size != len(record):
                os.ftruncate(fd, len(record))
            os.pwrite(fd, record, 0)
    finally:
        os.close(fd)
    if not regular:
        _write_private(path, record)


def head_mac(key: bytes, audit_id: int, entry_hash: str) -> str:
    return hmac.new(key, f"werkbrug-audit-head|{audit_id}|{entry_hash}".encode(), hashlib.sha256).hexdigest()


_key_settings: dict[str, Any] = {"key": None, "key_file": None}


def configure(*, key: str | None, key_file: Path | None) -> None:
    """The key settings (``settings.audit_key``, ``settings.audit_key_file``), given once at start-up."""
    _key_settings.update(key=key or None, key_file=Path(key_file) if key_file else None)


class ChainStore:
    """The key and the head file of one database file (``path`` ``None``: an in-memory database)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.head_file = None if path is None else path.with_name(path.name + HEAD_SUFFIX)
        self.anchored = False
        self._key: bytes | None = None
        self._head_id = -1
        self._head_hash: str | None = None    # hash of the newest committed entry, if this process knows it
        self._lock = threading.Lock()

    @property
    def key_file(self) -> Path | None:
        if _key_settings["key_file"]:
            return _key_settings["key_file"]
        return None if self.path is None else self.path.with_name(self.path.name + KEY_SUFFIX)


    def has_key(self) -> bool:
        if self._key is not None or _key_settings["key"]:
            return True
        return self.key_file is not None and self.key_file.is_file()

    @property
    def key(self) -> bytes:
        """The HMAC key, created (mode 0600) the first time it is needed."""
        if self._key is None:
            with self._lock:
                if self._key is None:
                    self._key = self._load_or_create_key()
        return self._key

    def _load_or_create_key(self) -> bytes:
        if _key_settings["key"]:
            return bytes.fromhex(_key_settings["key"])
        file = self.key_file
        if file is None:
            return secrets.token_bytes(32)
        if not file.is_file():
            with contextlib.suppress(FileExistsError):
                fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(secrets.token_hex(32))
                    f.flush()
                    os.fsync(f.fileno())
        return bytes.fromhex(file.read_text().strip())

    def mark_anchored(self) -> None:
        self.anchored = self.path is not None  # in-memory databases share one store: always look

    def take_head(self) -> str | None:
        """The newest committed entry's hash if known (``None``: read it from the log), forgotten until
        the entry now being appended commits (:meth:`committed`).

        Called under the process's write lock, which serialises every append to a database file
        (DuckDB lets one process write it). Forgetting on take means a rollback, a failed append or
        a second entry in the same transaction reads the head from the log again. An in-memory
        database (``path`` ``None``) never keeps one: they share this store.
        """
        head, self._head_hash = self._head_hash, None
        return head

    def committed(self, audit_id: int, entry_hash: str) -> None:
        """An appended entry was committed: it is the head (kept in memory, checkpointed to the file)."""
        if self.path is not None:
            self._head_hash = entry_hash
        self.write_head(audit_id, entry_hash)

    def write_head(self, audit_id: int, entry_hash: str, *, to: Path | None = None) -> None:
        """Checkpoint the chain head (never moves backwards, except into ``to``, e.g. a backup)."""
        target = to or self.head_file
        if target is None:
            return
        record = head_record(self.key, audit_id, entry_hash)
        with self._lock:
            if to is not None:
                _write_private(target, record)
            elif audit_id > self._head_id:
                _overwrite_private(target, record)
                self._head_id = audit_id

    def read_head(self, path: Path | None = None) -> dict[str, Any] | str | None:
        """The head file's content, ``"invalid"`` if its signature or form is wrong, ``None`` if missing."""
        target = path or self.head_file
        if target is None or not target.is_file():
            return None
        try:
            with self._lock:              # never half of an in-place rewrite of this process
                text = target.read_text()
            head = json.loads(text)
            audit_id, entry_hash = int(head["audit_id"]), str(head["entry_hash"])
        except (ValueError, KeyError, TypeError):
            return "invalid"
        if not hmac.compare_digest(str(head.get("mac", "")), head_mac(self.key, audit_id, entry_hash)):
            return "invalid"
        return {"audit_id": audit_id, "entry_hash": entry_hash, "written_at": head.get("written_at")}


_stores: dict[str, ChainStore] = {}
_stores_lock = threading.Lock()


def database_file(cursor: duckdb.DuckDBPyConnection) -> Path | None:
    """The file of the cursor's current database (``None`` in memory)."""
    row = cursor.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return Path(row[0]).resolve() if row and row[0] else None


_names: dict[str, str] = {}   # a database as the cache registry names it → its store's name


def chain_store(cursor: duckdb.DuckDBPyConnection) -> ChainStore:
    """The (cached) chain store of the cursor's database (its file as :mod:`foundation.cache` read it)."""
    db = caches.where(cursor)[0]
    name = _names.get(db)
    if name is None:
        name = _names[db] = ":memory:" if db.startswith("memory:") else str(Path(db).resolve())
    with _stores_lock:
        store = _stores.get(name)
        if store is None:
            store = _stores[name] = ChainStore(None if name == ":memory:" else Path(name))
        return store


def forget(path: Path) -> None:
    """Drop the cached store of ``path`` (after a restore replaced the file)."""
    with _stores_lock:
        _stores.pop(str(Path(path).resolve()), None)
