"""``werkbrug demo``, ``werkbrug user`` and ``werkbrug serve`` on real database files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from foundation.db import connect
from service.app import migrate_all
from service.cli import app as cli
from service.demo import DEMO_USERS, build_demo, demo_logins
from service.users import authenticate
from tests.service.world import fast_matching

WERKBRUG = str(Path(sys.executable).with_name("werkbrug"))


def test_demo_builds_once_then_reuses_the_database(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    with fast_matching():
        first = build_demo(db, sample=True)
        second = build_demo(db, sample=True)
    assert not first.reused and second.reused  # how long each takes: benchmarks/startup.py
    assert {role for role, _u, _p in first.logins} == {"assessor", "coach", "liaison", "admin"}
    con = connect(db)
    try:
        assert con.execute("SELECT count(*) FROM assessment.participants").fetchone()[0] >= 8
        assert con.execute("SELECT count(*) FROM assessment.records").fetchone()[0] >= 16
        assert con.execute("SELECT count(*) FROM matching.vacancies WHERE owner = 'liaison'").fetchone()[0] == 3
        assert con.execute("SELECT count(*) FROM taxonomy.imports").fetchone()[0] == 1  # not imported twice
        for _role, username, password, _name in DEMO_USERS:
            assert authenticate(con, username=username, password=password) is not None
    finally:
        con.close()


def test_demo_command_prints_one_login_per_role(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    with fast_matching():
        result = CliRunner().invoke(cli, ["demo", "--sample", "--no-serve", "--db", str(db)])
    assert result.exit_code == 0, result.output
    for role, username, password in demo_logins():
        assert f"{role}" in result.output and username in result.output and password in result.output
    assert "This service uses the ESCO classification of the European Commission." in result.output


def test_user_add_and_list(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    runner = CliRunner()
    ok = runner.invoke(cli, ["user", "add", "els", "--role", "coach", "--password", "long enough pw", "--db", str(db)])
    assert ok.exit_code == 0, ok.output
    listed = runner.invoke(cli, ["user", "list", "--db", str(db)])
    assert "els" in listed.output and "coach" in listed.output
    dup = runner.invoke(cli, ["user", "add", "els", "--role", "coach", "--password", "long enough pw", "--db", str(db)])
    assert dup.exit_code == 4
    bad = runner.invoke(cli, ["user", "add", "xavier", "--role", "boss", "--password", "long enough pw",
                                "--db", str(db)])
    assert bad.exit_code == 2 and "role" in bad.output
    con = connect(db)
    migrate_all(con)
    hashed = con.execute("SELECT password_hash FROM service.users WHERE username = 'els'").fetchone()[0]
    con.close()
    assert hashed.startswith("$argon2") and "long enough pw" not in hashed


def test_a_second_server_on_the_same_file_fails_fast(tmp_path: Path) -> None:
    db = tmp_path / "busy.duckdb"
    holder = connect(db)  # this process holds the file, like a running `werkbrug serve`
    try:  # a hang would hit the timeout (an error); how long the refusal takes: benchmarks/startup.py
        r = subprocess.run([WERKBRUG, "serve", "--db", str(db), "--port", "0"], capture_output=True, text=True,
                           timeout=120)
    finally:
        holder.close()
    assert r.returncode == 5 and "in use by another werkbrug process" in " ".join(r.stderr.split())
