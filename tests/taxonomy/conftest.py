"""Fixtures for the taxonomy search tests: real ESCO with cached USE occupation vectors.

The multilingual USE encoder is the fast one (≈2,000 short labels/s), so the occupation
index (~54k distinct labels) is embedded once per test session in ≈30 s. The skill index
is tested on its Dutch labels only (~6k); all ~105k skill labels would take minutes. Tests that use
it are grouped on one xdist worker (``xdist_group``) so it is embedded only once.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from taxonomy.database import connect
from taxonomy.encoders import Encoder, get_encoder
from taxonomy.index import ensure_vectors

SEARCH_GROUP = "taxonomy-search"


@pytest.fixture(scope="session")
def use_encoder() -> Encoder:
    return get_encoder("use-multilingual")


@pytest.fixture(scope="session")
def search_db_file(esco_db_file: Path, use_encoder: Encoder, tmp_path_factory) -> Path:
    """Real ESCO plus USE vectors of all occupation labels and Dutch skill labels (read only)."""
    db = tmp_path_factory.mktemp("search") / "search.duckdb"
    shutil.copy(esco_db_file, db)
    con = connect(db)
    ensure_vectors(con, concept_type="occupation", encoder=use_encoder, progress=False)
    ensure_vectors(con, concept_type="skill", encoder=use_encoder, langs=["nl"], progress=False)
    con.close()
    return db


@pytest.fixture
def search_db(search_db_file: Path, tmp_path: Path) -> Path:
    """A private writable copy of :func:`search_db_file`."""
    db = tmp_path / "search.duckdb"
    shutil.copy(search_db_file, db)
    return db
