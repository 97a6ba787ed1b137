"""Fixtures for the matching tests: real ESCO with the matching model built once per session.

Most tests use hierarchy-only related-skill credit (no encoder: a few seconds per worker);
``minilm_db_file`` builds the embedding neighbours with the real MiniLM model once per run
(shared by the xdist workers through a file lock) for test_embedding.py and the notebook test.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("WERKBRUG_MATCHING_ENCODER", "none")
os.environ.setdefault("WERKBRUG_VACANCY_SEARCH", "lexical")

from foundation.db import connect
from matching.config import MatchingConfig
from matching.model import get_model
from service.app import migrate_all
from tests.shared_files import build_once

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.esco)


def _prepared(src: Path, dst: Path, config: MatchingConfig) -> Path:
    shutil.copy(src, dst)
    con = connect(dst)
    migrate_all(con)
    get_model(con, config=config)
    con.close()
    return dst


@pytest.fixture(scope="session")
def matching_db_file(esco_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real ESCO, every schema migrated, hierarchy neighbour lists stored (read-only use)."""
    return _prepared(esco_db_file, tmp_path_factory.mktemp("match") / "m.duckdb", MatchingConfig(encoder=None))


@pytest.fixture(scope="session")
def minilm_db_file(esco_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """As ``matching_db_file`` plus MiniLM skill vectors and embedding neighbour lists.

    Built once per test run: with xdist the workers share it through a file lock in the
    run's common temporary folder (so it does not matter which worker gets which test).
    """
    cfg = MatchingConfig(encoder="minilm")
    return build_once(tmp_path_factory, "minilm-neighbours.duckdb", lambda path: _prepared(esco_db_file, path, cfg))


@pytest.fixture
def mdb(matching_db_file: Path, tmp_path: Path) -> Path:
    """A private writable copy for one test."""
    db = tmp_path / "w.duckdb"
    shutil.copy(matching_db_file, db)
    return db


@pytest.fixture
def con(mdb: Path):
    c = connect(mdb)
    yield c
    c.close()
