"""A file that is no DuckDB database is refused with a coded error, before DuckDB reads it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from foundation.db import connect
from foundation.errors import InputError
from service.cli import app


def _sqlite(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (a INTEGER)")
    con.commit()
    con.close()


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(_sqlite, id="sqlite"),
        pytest.param(lambda p: p.write_bytes(b"\0" * 8192), id="zeros"),
        pytest.param(lambda p: p.write_text("naam;postcode\nAmina;8000\n" * 50), id="text"),
        pytest.param(lambda p: p.write_bytes(b""), id="empty"),
    ],
)
def test_a_file_of_another_kind_is_refused_with_its_code(tmp_path: Path, write) -> None:
    path = tmp_path / "werkbrug.duckdb"
    write(path)
    before = path.read_bytes()
    with pytest.raises(InputError) as caught:
        connect(path)
    assert caught.value.code == "db.not_a_database"
    assert caught.value.params == {"database": str(path)}
    assert path.read_bytes() == before  # nothing written into the file


def test_a_duckdb_file_and_a_new_path_open(tmp_path: Path) -> None:
    new = tmp_path / "new.duckdb"
    con = connect(new)
    con.execute("CREATE TABLE t (a INTEGER)")
    con.close()
    assert connect(new, read_only=True).execute("SELECT count(*) FROM t").fetchone() == (0,)


def test_the_cli_names_the_file_in_dutch(tmp_path: Path) -> None:
    path = tmp_path / "oud.db"
    _sqlite(path)
    result = CliRunner().invoke(app, ["participant", "list", "--db", str(path)],
                                env={"LANG": "nl_BE.UTF-8", "COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    assert "geen databank van werkbrug" in result.output and str(path) in result.output
    assert "Traceback" not in result.output


def test_a_restore_from_another_kind_of_file_leaves_the_database_alone(tmp_path: Path) -> None:
    from foundation.backup import restore

    db = tmp_path / "werkbrug.duckdb"
    con = connect(db)
    con.execute("CREATE TABLE t AS SELECT 42 AS a")
    con.close()
    before = db.read_bytes()
    not_a_backup = tmp_path / "backup.db"
    _sqlite(not_a_backup)
    with pytest.raises(InputError) as caught:
        restore(not_a_backup, db=db, force=True)
    assert caught.value.code == "db.not_a_database"
    assert db.read_bytes() == before
    assert connect(db, read_only=True).execute("SELECT a FROM t").fetchone() == (42,)
