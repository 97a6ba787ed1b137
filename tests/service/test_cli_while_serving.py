"""The CLI while ``werkbrug serve`` (its own process) holds the database file.

DuckDB lets no other process open the file, not even read-only, so every read command asks the
running server as the ``--by`` account (its token), and the server audits the read. The same
commands run on an identical copy of the database without a server: the output must be the same.
Commands that change data refuse at once, in Dutch or English, naming the command.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from foundation.settings import load_settings, start
from service.cli import app
from tests.live import PASSWORD, served_process
from tests.service.world import FAST_ENV, build_world, fast_matching

runner = CliRunner()
ENV = {"COLUMNS": "220", "LANG": "C.UTF-8", **FAST_ENV}


def _copy(db: Path, to: Path) -> Path:
    """``db`` and the files beside it (audit key and head) under the name ``to``."""
    for f in db.parent.glob(db.name + "*"):
        shutil.copy(f, to.parent / (to.name + f.name[len(db.name):]))
    return to


def _run(args: list[str], *, env: dict | None = None):
    return runner.invoke(app, args, env={**ENV, **(env or {})}, catch_exceptions=False)


@pytest.fixture(scope="module")
def two_copies(tmp_path_factory: pytest.TempPathFactory):
    """The test world twice: ``alone`` for the CLI without a server, ``served`` for the CLI with one."""
    folder = tmp_path_factory.mktemp("serving")
    start(load_settings())  # the audit key of the settings (the test key), as the server process uses it
    with fast_matching():
        w = build_world(folder / "alone.duckdb")
    served = _copy(w.db, folder / "served.duckdb")
    profiles = folder / "profiles.jsonl"
    with fast_matching():
        got = _run(["profile", "show", w.participant, "--json", "--db", str(_copy(w.db, folder / "p.duckdb")),
                    "--by", "coach"])
    profiles.write_text(json.dumps(json.loads(got.stdout)) + "\n", encoding="utf-8")
    return w, served, profiles


def _reads(w, profiles: Path) -> list[tuple[str, list[str]]]:
    """(acting account, command) for every read command; order matters (job targets are logged)."""
    return [
        ("coach", ["participant", "list"]),
        ("coach", ["participant", "list", "--json", "--consenting"]),
        ("coach", ["participant", "show", w.participant]),
        ("coach", ["participant", "show", w.participant, "--contact", "--json"]),
        ("coach", ["profile", "show", w.participant]),
        ("coach", ["profile", "show", w.participant, "--json"]),
        ("coach", ["profile", "export", w.participant]),
        ("coach", ["match", "targets", w.participant, "--top", "5"]),
        ("coach", ["match", "targets", "--profiles", str(profiles), "--top", "3"]),
        ("liaison", ["vacancy", "list"]),
        ("liaison", ["vacancy", "show", w.vacancy, "--json"]),
        ("liaison", ["match", "shortlist-show", w.shortlist]),
        ("liaison", ["employer", "list"]),
        ("liaison", ["employer", "show", w.employer, "--contacts"]),
        ("admin", ["vacancy", "list", "--owner", "liaison", "--json"]),
        ("admin", ["match", "language-requirements", "show", "--json"]),
        ("admin", ["taxonomy", "search", "magazijnier", "--json"]),
        ("admin", ["taxonomy", "search", "heftruck"]),
        ("admin", ["taxonomy", "label", "list", "--json"]),
        ("admin", ["taxonomy", "label", "export"]),
        ("admin", ["user", "list"]),
        ("admin", ["participant", "retention"]),
        ("admin", ["report", "programme", "--from", "2026-01-01", "--to", "2026-12-31"]),
    ]


def _stable(text: str) -> str:
    """``text`` with the moments and audit numbers of this run's own reads masked (the GDPR export lists them)."""
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+", "<time>", text)
    return re.sub(r'"audit_id": \d+', '"audit_id": <n>', text)


def _with_by(by: str, args: list[str]) -> list[str]:
    return args if args[:2] == ["taxonomy", "search"] else [*args, "--by", by]


def test_every_read_command_answers_the_same_while_the_server_runs(two_copies) -> None:
    w, served, profiles = two_copies
    reads = _reads(w, profiles)
    alone = {}
    with fast_matching():
        for by, args in reads:
            r = _run([*_with_by(by, args), "--db", str(w.db)])
            assert r.exit_code == 0, (args, r.output)
            alone[" ".join(args)] = _stable(r.stdout)
    with served_process(served, env=FAST_ENV) as url:
        tokens = {role: httpx.post(f"{url}/api/auth/token", json={"username": role, "password": PASSWORD}
                                   ).json()["access_token"] for role in ("coach", "liaison", "admin")}
        for by, args in reads:
            r = _run([*_with_by(by, args), "--db", str(served), "--url", url, "--token", tokens[by]])
            assert r.exit_code == 0, (args, r.output)
            assert _stable(r.stdout) == alone[" ".join(args)], args

        # the server audited the reads as the acting account
        audit = _run(["audit", "list", "--username", "coach", "--action", "read_participant", "--json",
                      "--db", str(served), "--url", url, "--by", "admin"], env={"WERKBRUG_TOKEN": tokens["admin"]})
        assert audit.exit_code == 0, audit.output
        rows = [json.loads(line) for line in audit.stdout.splitlines()]
        assert rows and {r["object_id"] for r in rows} == {w.participant}
        verify = _run(["audit", "verify", "--db", str(served), "--url", url, "--token", tokens["admin"]])
        assert verify.exit_code == 0 and "intact: True" in verify.stdout

        # the server's rules: not in this coach's caseload looks like not found (exit 3), as without a server
        hidden = _run(["profile", "show", w.other_participant, "--db", str(served), "--url", url,
                       "--token", tokens["coach"], "--by", "coach"])
        assert hidden.exit_code == 3
        # a token of another account than --by is refused
        mixed = _run(["participant", "list", "--db", str(served), "--url", url, "--token", tokens["coach"],
                      "--by", "liaison"])
        assert mixed.exit_code == 2 and "coach" in mixed.output and "liaison" in mixed.output
        # without a token (and no terminal to ask a password on): a clear message naming --token and --url
        untold = _run(["participant", "list", "--db", str(served), "--by", "coach"])
        assert untold.exit_code == 5 and "--token" in untold.output and "--url" in untold.output


@pytest.mark.parametrize(("lang", "words"), [("nl_BE.UTF-8", "wijzigt de databank"),
                                              ("C.UTF-8", "changes the database")])
def test_write_commands_refuse_while_the_server_runs(two_copies, tmp_path: Path, lang: str, words: str) -> None:
    w, _served, _profiles = two_copies
    db = _copy(w.db, tmp_path / "busy.duckdb")
    writes = [
        ["participant", "add", "--postcode", "8000", "--by", "assessor"],
        ["participant", "consent", w.participant, "--withdraw", "--by", "coach"],
        ["match", "shortlist", w.vacancy, "--by", "liaison"],
        ["taxonomy", "label", "add", "http://x/occ", "iets", "--by", "admin"],
    ]
    with served_process(db, env=FAST_ENV):
        for args in writes:
            r = _run([*args, "--db", str(db)], env={"LANG": lang})
            text = " ".join(r.output.split())
            assert r.exit_code == 5, (args, r.output)
            assert words in text and f"werkbrug {' '.join(a for a in args[:2])}" in text, text
            assert "web" in text and "/docs" in text
