"""Fixtures for the assessment tests: a private ESCO database with the assessment schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from assessment.store import ensure_schema
from foundation.db import connect

OCC = "http://data.europa.eu/esco/occupation/"
S = "http://data.europa.eu/esco/skill/"
KITCHEN_PORTER = OCC + "f756fdab-7726-4c48-bfcc-94ff8810fc08"
WAREHOUSE_WORKER = OCC + "bea705fe-06ac-4147-b8e0-6e8ac1208d8f"
OPERATE_DISHWASHER = S + "f20aedf0-6543-498d-b88e-0a32e604acbb"
CLEAN_KITCHEN_EQUIPMENT = S + "9b31016e-c99d-4bd2-a550-d5660dac5041"
WORK_IN_TEAMS = S + "60c78287-22eb-4103-9c8c-28deaa460da0"


@pytest.fixture
def db(esco_db: Path) -> Path:
    """A private copy of real ESCO with the assessment schema applied."""
    con = connect(esco_db)
    ensure_schema(con)
    con.close()
    return esco_db


@pytest.fixture
def con(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = connect(db)
    yield c
    c.close()


def count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM assessment.{table}").fetchone()[0]


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts of every assessment table: compare before/after a failing write."""
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'assessment'").fetchall()]
    return {t: count(con, t) for t in sorted(tables)}
