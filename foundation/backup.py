"""Hot, consistent backups and restores of the database file, with the audit chain head.

A backup is taken by the process that holds the database (DuckDB allows one writer): the
server runs it for ``werkbrug backup`` while it serves (``POST /api/admin/backup``), the CLI
itself when no server runs. It copies the database in one read transaction
(``COPY FROM DATABASE``: a snapshot, while other requests go on) under the write lock, so no
audit entry is appended meanwhile, and writes beside the copy its signed audit head and a
manifest (row counts, SHA-256). The HMAC key is **not** copied: keep it apart (it is what
makes the audit log tamper-evident); :func:`restore` takes it from beside the target or from
``key_file``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from foundation.audit_store import HEAD_SUFFIX, KEY_SUFFIX, chain_store, forget
from foundation.db import connect, may_be_duckdb, not_a_database, write_lock
from foundation.errors import ConflictError, InputError, Problem

MANIFEST_SUFFIX = ".manifest.json"


@dataclass
class BackupReport:
    """What a backup holds."""

    file: str
    created_at: str
    audit_head: dict | None
    tables: dict[str, int]
    sha256: str


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per table of the current database (``schema.table``)."""
    tables = con.execute(
        """SELECT schema_name, table_name FROM duckdb_tables()
           WHERE database_name = current_database() ORDER BY schema_name, table_name""").fetchall()
    return {f"{s}.{t}": con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0] for s, t in tables}


def backup(con: duckdb.DuckDBPyConnection, *, out_dir: str | Path) -> BackupReport:
    """Copy the open database into ``out_dir`` (a new ``werkbrug-<UTC time>.duckdb``), consistently."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = (out / f"werkbrug-{stamp}.duckdb").resolve()
    if target.exists():
        raise ConflictError(f"{target} exists",
                            [Problem("backup file exists", file=str(target), code="backup.file_exists")],
                            code="backup.exists", params={"file": str(target)})
    cursor = con.cursor()
    store = chain_store(cursor)
    try:
        with write_lock():
            source = cursor.execute("SELECT current_database()").fetchone()[0]
            cursor.execute("ATTACH ? AS werkbrug_backup", [str(target)])
            try:
                cursor.execute(f'COPY FROM DATABASE "{source}" TO werkbrug_backup')
            finally:
                cursor.execute("DETACH werkbrug_backup")
            last = cursor.execute(
                "SELECT audit_id, entry_hash FROM service.audit_log ORDER BY audit_id DESC LIMIT 1").fetchone()
            if last and last[1]:
                store.write_head(last[0], last[1], to=target.with_name(target.name + HEAD_SUFFIX))
    finally:
        cursor.close()
    copy = connect(target, read_only=True)
    try:
        counts = table_counts(copy)
    finally:
        copy.close()
    report = BackupReport(file=str(target), created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                          audit_head={"audit_id": last[0], "entry_hash": last[1]} if last else None,
                          tables=counts, sha256=_sha256(target))
    target.with_name(target.name + MANIFEST_SUFFIX).write_text(json.dumps(asdict(report), indent=1))
    return report


def copy_backup(file: str | Path, out_dir: str | Path) -> Path:
    """Copy a backup (database, head, manifest) into another folder; the new database path."""
    file, out = Path(file), Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for suffix in ("", HEAD_SUFFIX, MANIFEST_SUFFIX):
        src = file.with_name(file.name + suffix)
        if src.exists():
            shutil.copy2(src, out / src.name)
    return out / file.name


def restore(backup_file: str | Path, *, db: str | Path, key_file: str | Path | None = None,
            force: bool = False) -> Path:
    """Put a backup in place as ``db`` (stopped server), with its audit head; the key comes along from
    ``key_file`` when ``db`` has none beside it. Checks the copy's SHA-256 against its manifest first."""
    src, target = Path(backup_file), Path(db)
    if not src.is_file():
        raise InputError(f"No backup at {src}", [Problem("not found", file=str(src), code="backup.file_missing")],
                         code="backup.not_found", params={"file": str(src)})
    manifest = src.with_name(src.name + MANIFEST_SUFFIX)
    if manifest.is_file() and json.loads(manifest.read_text())["sha256"] != _sha256(src):
        raise InputError("The backup file does not match its manifest",
                         [Problem("SHA-256 differs", file=str(src), code="backup.sha256_differs")],
                         code="backup.manifest_mismatch", params={"file": str(src)})
    if not may_be_duckdb(src):
        raise not_a_database(str(src))
    if target.exists() and not force:
        raise ConflictError(f"{target} exists: pass --force to replace it",
                            [Problem("target exists", file=str(target), code="backup.target_file_exists")],
                            code="backup.target_exists", params={"file": str(target)})
    wal = target.with_name(target.name + ".wal")
    tmp = target.with_name(f".{target.name}.restoring")
    shutil.copy2(src, tmp)
    wal.unlink(missing_ok=True)
    tmp.replace(target)
    head = src.with_name(src.name + HEAD_SUFFIX)
    if head.is_file():
        shutil.copy2(head, target.with_name(target.name + HEAD_SUFFIX))
    key_target = target.with_name(target.name + KEY_SUFFIX)
    if key_file is not None and not key_target.exists():
        shutil.copy2(key_file, key_target)
        key_target.chmod(0o600)
    forget(target)
    return target
