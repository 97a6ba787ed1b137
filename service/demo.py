"""``werkbrug demo``: a demo database with invented people, served with one login per role.

The taxonomy is the real ESCO download when one is found (a given path, ``$WERKBRUG_ESCO`` or
``../shared/esco``), else the small taxonomy shipped with werkbrug. Participants, assessments
and vacancies are invented and written through the assessment and matching libraries. An
existing demo database is reused as it is: ESCO is neither imported nor embedded again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from taxonomy.database import connect, transaction

DEMO_MARKER = "demo_built"

#: (role, username, password, display name): printed by ``werkbrug demo`` and shown on its login page.
DEMO_USERS = (
    ("assessor", "assessor", "demo-assessor", "Ilse Assessor"),
    ("coach", "coach", "demo-coach", "Koen Coach"),
    ("liaison", "liaison", "demo-liaison", "Lotte Liaison"),
    ("admin", "admin", "demo-admin", "Arne Admin"),
    ("coach", "coach2", "demo-coach2", "Mira Coach"),
)


@dataclass(frozen=True)
class DemoInfo:
    """What was built: the taxonomy used, the logins, and how long it took."""

    db: Path
    taxonomy: str
    logins: list[tuple[str, str, str]]
    seconds: float
    reused: bool


def demo_logins() -> list[tuple[str, str, str]]:
    """One ``(role, username, password)`` per role."""
    seen: set[str] = set()
    out = []
    for role, username, password, _name in DEMO_USERS:
        if role not in seen:
            seen.add(role)
            out.append((role, username, password))
    return out


def _built(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        row = con.execute("SELECT value FROM service.settings WHERE key = ?", [DEMO_MARKER]).fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def build_demo(
    db: str | Path, *, esco: str | Path | None = None, sample: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> DemoInfo:
    """Create (or reuse) the demo database ``db``."""
    from service.app import migrate_all
    from taxonomy.esco_import import import_esco
    from taxonomy.store import SAMPLE_DIR, default_esco_path

    start = time.monotonic()
    db = Path(db)
    con = connect(db)
    try:
        migrate_all(con)
        existing = _built(con)
        if existing:
            progress(f"reusing {db}")
            return DemoInfo(db, existing, demo_logins(), time.monotonic() - start, True)
        source = None if sample else Path(esco) if esco else default_esco_path()
        if source is None or not Path(source).exists():
            source = SAMPLE_DIR
        progress(f"importing the taxonomy from {source}")
        report = import_esco(con, source)
        taxonomy = f"ESCO {report.esco_version}" if source != SAMPLE_DIR else "sample taxonomy"
        progress("creating demo accounts")
        _users(con)
        progress("inventing participants, assessments and vacancies")
        fill_demo_data(con, progress=progress)
        with transaction(con):
            con.execute("INSERT INTO service.settings (key, value) VALUES (?, ?)", [DEMO_MARKER, taxonomy])
        return DemoInfo(db, taxonomy, demo_logins(), time.monotonic() - start, False)
    finally:
        con.close()


def _users(con: duckdb.DuckDBPyConnection) -> None:
    from service.users import create_user

    for role, username, password, name in DEMO_USERS:
        if not con.execute("SELECT 1 FROM service.users WHERE username = ?", [username]).fetchone():
            create_user(con, username=username, password=password, role=role, display_name=name)


def fill_demo_data(con: duckdb.DuckDBPyConnection, *, progress: Callable[[str], None] = lambda m: None) -> None:
    """Invented participants, assessments and vacancies (through the library functions)."""
