"""Shared fixtures: real DuckDB files, the real ESCO download, the sample taxonomy."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from foundation.db import connect
from foundation.settings import load_settings
from taxonomy.esco_import import import_esco
from taxonomy.store import SAMPLE_DIR, default_esco_path
from tests.shared_files import build_once

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# One audit key for every test database, so that databases built once and copied per test
# (without their key file) still verify; the audit-chain tests unset it to test key files.
os.environ.setdefault("WERKBRUG_AUDIT_KEY", "7e57" * 16)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With ``--dist loadgroup``, each ``xdist_group`` and each module sharing a module fixture on one worker.

    pytest-xdist 3.8 marks a grouped test by writing ``nodeid@group`` to ``item._nodeid``, which
    pytest 9.2 no longer reads (the id is ``item._id``; pytest-xdist#1386), so every group was
    spread over the workers and both built its expensive fixtures. This runs after xdist's hook
    and carries its id over. A test without a group whose module-scoped fixture (a server, a
    database) is shared with the module's other tests joins the group of its module, so that
    fixture is built once; the other tests are still handed out one at a time, which keeps the
    two workers ending together. Without xdist this changes nothing.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        grouped = vars(item).get("_nodeid")
        if grouped is None and "@" not in item.nodeid and _uses_module_fixture(item):
            grouped = f"{item.nodeid}@{item.nodeid.split('::')[0]}"
        if grouped and grouped != item.nodeid and hasattr(item, "_id"):
            item._id = type(item._id).parse(grouped)


def _uses_module_fixture(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    defs = info.name2fixturedefs.values() if info else ()
    return any(d and d[-1].scope in ("package", "module", "class") for d in defs)


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


@pytest.fixture(scope="session")
def sample_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file with the small sample taxonomy imported once per test session (read it, don't write)."""
    db = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    con = connect(db)
    import_esco(con, SAMPLE_DIR)
    con.close()
    return db


@pytest.fixture(scope="session")
def occupation_vectors_file(esco_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real ESCO plus the search encoder's (USE) vectors of every occupation label (read only).

    The search tests and the demo database both need these ~54k vectors, the most expensive
    part of either; they are embedded once per test run (shared by the xdist workers) and
    copied from here. ``taxonomy.label_vectors`` is keyed by encoder, version and text, so a
    database given these rows holds exactly what embedding its labels would have stored.
    """
    from taxonomy.encoders import get_encoder
    from taxonomy.index import ensure_vectors
    from taxonomy.search import SEARCH_ENCODERS

    def build(path: Path) -> None:
        shutil.copy(esco_db_file, path)
        con = connect(path)
        ensure_vectors(con, concept_type="occupation", encoder=get_encoder(SEARCH_ENCODERS[0]), progress=False)
        con.close()

    return build_once(tmp_path_factory, "occupation-vectors.duckdb", build)
