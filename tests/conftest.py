"""Shared fixtures: real DuckDB files, the real ESCO download, the sample taxonomy."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from foundation.db import connect
from foundation.settings import load_settings
from taxonomy.esco_import import import_esco
from taxonomy.store import default_esco_path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# One audit key for every test database, so that databases built once and copied per test
# (without their key file) still verify; the audit-chain tests unset it to test key files.
os.environ.setdefault("WERKBRUG_AUDIT_KEY", "7e57" * 16)


@pytest.fixture(scope="session")
def esco_path() -> Path:
    """The real ESCO download (../shared/esco or $WERKBRUG_ESCO)."""
    path = default_esco_path(load_settings().esco)
    if path is None or not path.is_dir():
        pytest.skip("real ESCO data not available (set WERKBRUG_ESCO)")
    return path


@pytest.fixture(scope="session")
def esco_db_file(esco_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file with real ESCO imported once per test session (read it, don't write)."""
    db = tmp_path_factory.mktemp("esco") / "esco.duckdb"
    con = connect(db)
    import_esco(con, esco_path)
    con.close()
    return db


@pytest.fixture
def esco_db(esco_db_file: Path, tmp_path: Path) -> Path:
    """A private writable copy of the ESCO database for one test."""
    db = tmp_path / "werkbrug.duckdb"
    shutil.copy(esco_db_file, db)
    return db
