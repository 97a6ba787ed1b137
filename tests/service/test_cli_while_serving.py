"""Read-only CLI commands while the server holds the database: DuckDB refuses a second process
even read-only, so ``profile show --url … --token …`` asks the running server; without them the
clear "in use" message stays."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.live import PASSWORD, running_server
from tests.service.world import build_world, fast_matching

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="300", LANG="C.UTF-8")
    return subprocess.run([sys.executable, "-c", "from service.cli import app; app()", *args],
                          capture_output=True, text=True, env=env, timeout=180)


def test_profile_show_asks_the_running_server(tmp_path: Path) -> None:
    with fast_matching():
        w = build_world(tmp_path / "w.duckdb")
        with running_server(w.db) as url:
            token = httpx.post(f"{url}/api/auth/token", json={"username": "coach", "password": PASSWORD}).json()
            refused = _cli("profile", "show", w.participant, "--db", str(w.db))
            assert refused.returncode == 5 and "in use by another werkbrug process" in " ".join(refused.stderr.split())
            ok = _cli("profile", "show", w.participant, "--db", str(w.db), "--json", "--url", url,
                      "--token", token["access_token"])
            assert ok.returncode == 0, ok.stderr
            assert json.loads(ok.stdout)["participant_id"] == w.participant
            hidden = _cli("profile", "show", w.other_participant, "--db", str(w.db), "--url", url,
                          "--token", token["access_token"])
            assert hidden.returncode != 0      # not in this coach's caseload: the server refuses
