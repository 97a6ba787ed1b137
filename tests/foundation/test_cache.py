"""The cache registry: one key shape, and each invalidation (import, index, requirement edit) on a real file."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from foundation.cache import CacheRegistry, caches
from foundation.db import connect
from matching.config import MatchingConfig
from matching.job_targets import requirements
from matching.language import set_requirement
from matching.model import get_model
from matching.vacancies import close_vacancy, confirm_vacancy, create_vacancy, propose
from matching.vacancies.store import confirmed_places
from service.app import migrate_all
from taxonomy.encoders import DEFAULT_ENCODER, get_encoder
from taxonomy.esco_import import import_esco
from taxonomy.index import ensure_vectors
from taxonomy.store import SAMPLE_DIR

CFG = MatchingConfig(encoder=None)


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cache") / "sample.duckdb"
    con = connect(db)
    migrate_all(con)
    import_esco(con, SAMPLE_DIR)
    con.close()
    return db


@pytest.fixture
def con(sample_file: Path, tmp_path: Path):
    db = tmp_path / "w.duckdb"
    shutil.copy(sample_file, db)
    c = connect(db)
    yield c
    c.close()


def test_built_once_per_key_and_least_recently_used_out(con) -> None:
    reg, calls = CacheRegistry(), []

    def build(tag):
        calls.append(tag)
        return object()

    a = reg.get(con, "x", lambda: build("a"), config=1, maxsize=2)
    assert reg.get(con, "x", lambda: build("again"), config=1) is a
    reg.get(con, "x", lambda: build("b"), config=2, maxsize=2)
    reg.get(con, "x", lambda: build("c"), config=3, maxsize=2)
    assert calls == ["a", "b", "c"] and reg.names() == {"x": 2}
    reg.get(con, "x", lambda: build("a2"), config=1, maxsize=2)   # config 1 was pushed out
    assert calls[-1] == "a2"
    s1 = reg.get(con, "y", lambda: build("s1"), stamp=1)
    assert reg.get(con, "y", lambda: build("s2"), stamp=2) is not s1   # the data changed


def test_keyed_by_database_file(con, tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    con.execute("CHECKPOINT")
    shutil.copy(Path(con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
                     .fetchone()[0]), other)
    con2 = connect(other)
    try:
        assert caches.get(con, "t", object) is not caches.get(con2, "t", object)
        # shared entries depend on the taxonomy import only: copies of one file share the model
        assert get_model(con, config=CFG) is get_model(con2, config=CFG)
    finally:
        con2.close()


def method(con) -> str:
    return propose(con, title="magazijnier", description="orders verzamelen", method="auto").method


def test_import_invalidates(con) -> None:
    model = get_model(con, config=CFG)
    assert get_model(con, config=CFG) is model
    method(con)                                                    # builds the lexical index
    before = caches.names()
    import_esco(con, SAMPLE_DIR)
    after = caches.names()
    for name in ("matching.model", "vacancies.lexicon", "vacancies.search_method"):
        assert after.get(name, 0) == before[name] - 1, name         # dropped, not just unreachable
    assert get_model(con, config=CFG) is not model


def test_index_invalidates(con) -> None:
    assert method(con) == "lexical"   # no occupation vectors yet
    ensure_vectors(con, concept_type="occupation", encoder=get_encoder(DEFAULT_ENCODER), progress=False)
    assert method(con) == "hybrid"


def test_requirement_edit_invalidates(con) -> None:
    model = get_model(con, config=CFG)
    required, _ = requirements(con, model)
    assert requirements(con, model)[0] is required
    uri = model.occ_uris[0]
    set_requirement(con, levels=dict.fromkeys(("listening", "reading", "speaking", "writing"), "C1"),
                    updated_by="admin", occupation_uri=uri)
    again, again_sources = requirements(con, model)
    assert again is not required and again_sources[0] == "occupation"
    assert not np.array_equal(again[0], required[0])


def test_unknown_event_is_refused(con) -> None:
    with pytest.raises(ValueError, match="unknown cache event"):
        caches.invalidate(con, "everything")  # type: ignore[arg-type]


def test_warm_lookup_asks_the_database_nothing(con) -> None:
    value = caches.get(con, "t", object)
    cursor = con.cursor()
    caches.adopt(cursor, con)           # a request's cursor shares the connection's key
    cursor.close()                      # any query on it would now raise
    assert caches.get(cursor, "t", object) is value


def test_an_import_is_seen_by_every_connection(con) -> None:
    cursor = con.cursor()
    before = caches.where(cursor)[1]
    import_esco(con, SAMPLE_DIR)        # through another cursor of the same file
    after = caches.where(cursor)[1]
    assert before is not None and after is not None and after[0] > before[0]
    cursor.close()


def test_confirming_and_closing_a_vacancy_invalidates_the_open_vacancies(con) -> None:
    model = get_model(con, config=CFG)
    occ = next(o for o in range(len(model.occ_uris)) if model.essential_of(o).size)
    assert confirmed_places(con) == []                       # cached from here on
    v = create_vacancy(con, owner="liaison", method="lexical", vacancy={
        "title": "magazijnier", "description": "orders", "employer": "X", "postcode": "8000"})
    assert confirmed_places(con) == []                       # proposed vacancies do not count
    confirm_vacancy(con, vacancy_id=v.vacancy_id, by="liaison", occupation_uris=[model.occ_uris[occ]],
                    essential_skills=[model.skill_uris[s] for s in model.essential_of(occ)[:2]])
    assert confirmed_places(con) == [((model.occ_uris[occ],), "8000")]
    close_vacancy(con, vacancy_id=v.vacancy_id, by="liaison")
    assert confirmed_places(con) == []
