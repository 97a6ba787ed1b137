"""Fixtures for the programme tests: a real DuckDB file with the sample taxonomy and one user per role."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from foundation.actor import Role, User
from foundation.db import connect
from service.app import migrate_all
from taxonomy.esco_import import import_esco
from taxonomy.store import SAMPLE_DIR
from tests.live import add_role_users

LIAISON = User("liaison", "Lotte Liaison", Role.liaison)
COACH = User("coach", "Koen Coach", Role.coach)
ADMIN = User("admin", "Arne Admin", Role.admin)
ASSESSOR = User("assessor", "Ilse Assessor", Role.assessor)
WAREHOUSE = "https://werkbrug.example/taxonomy/occupation/magazijnier"


@pytest.fixture(scope="session")
def programme_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The role users, every schema and the sample taxonomy, built once per session (read it, don't write)."""
    db = tmp_path_factory.mktemp("programme") / "sample.duckdb"
    add_role_users(db)
    con = connect(db)
    migrate_all(con)
    import_esco(con, SAMPLE_DIR)
    con.close()
    return db


@pytest.fixture
def db(programme_db_file: Path, tmp_path: Path) -> Path:
    """A private writable copy of the programme database."""
    path = tmp_path / "werkbrug.duckdb"
    shutil.copy(programme_db_file, path)
    return path


@pytest.fixture
def con(db: Path):
    c = connect(db)
    yield c
    c.close()
