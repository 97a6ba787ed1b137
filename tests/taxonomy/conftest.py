"""Fixtures for the taxonomy tests: real ESCO with cached USE occupation vectors, and the import tests' databases.

The multilingual USE encoder is the fast one (≈2,000 short labels/s); the occupation index
(~54k distinct labels) is embedded once per test run (``occupation_vectors_file``, shared with
the demo database of the browser tests). The skill index is tested on its Dutch labels only
(~6k); all ~105k skill labels would take minutes.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from foundation.db import connect
from taxonomy.encoders import Encoder, get_encoder
from taxonomy.index import ensure_vectors
from tests.shared_files import build_once

SEARCH_GROUP = "taxonomy-search"


@pytest.fixture(scope="session")
def use_encoder() -> Encoder:
    return get_encoder("use-multilingual")


@pytest.fixture(scope="session")
def search_db_file(occupation_vectors_file: Path, use_encoder: Encoder, tmp_path_factory) -> Path:
    """Real ESCO plus USE vectors of all occupation labels and Dutch skill labels (read only).

    Built once per test run and shared by the xdist workers (file lock in the common base
    temp folder): the occupation vectors come from ``occupation_vectors_file``.
    """

    def build(path: Path) -> None:
        shutil.copy(occupation_vectors_file, path)
        con = connect(path)
        ensure_vectors(con, concept_type="occupation", encoder=use_encoder, progress=False)  # all cached
        ensure_vectors(con, concept_type="skill", encoder=use_encoder, langs=["nl"], progress=False)
        con.close()

    return build_once(tmp_path_factory, "search-vectors.duckdb", build)


@pytest.fixture
def search_db(search_db_file: Path, tmp_path: Path) -> Path:
    """A private writable copy of :func:`search_db_file`."""
    db = tmp_path / "search.duckdb"
    shutil.copy(search_db_file, db)
    return db


# --- the import tests: the session's sample import (tests/conftest.py), real ESCO read-only

@pytest.fixture
def sample_db(sample_db_file: Path, tmp_path: Path) -> Path:
    """A private writable copy of :func:`sample_db_file`."""
    db = tmp_path / "werkbrug.duckdb"
    shutil.copy(sample_db_file, db)
    return db


@pytest.fixture
def sample_con(sample_db_file: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(sample_db_file, read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def esco_con(esco_db_file: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(esco_db_file, read_only=True)
    yield con
    con.close()
