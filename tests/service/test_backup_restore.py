"""werkbrug backup while the server runs, restore, and audit verify on the restored copy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from foundation.db import connect
from tests.live import PASSWORD, add_role_users, client_for, running_server


def _cli(*args: str, env_token: str | None = None) -> subprocess.CompletedProcess:
    import os

    env = {k: v for k, v in os.environ.items() if k != "WERKBRUG_AUDIT_KEY"} | {"WERKBRUG_LANG": "en"}
    if env_token:
        env["WERKBRUG_TOKEN"] = env_token
    return subprocess.run([sys.executable, "-c", "from service.cli import app; app()", *args],
                          capture_output=True, text=True, env=env, timeout=300)


def test_hot_backup_restores_every_acknowledged_write_and_verifies(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("WERKBRUG_AUDIT_KEY", raising=False)  # the key lives in a file beside the database
    db = tmp_path / "w.duckdb"
    add_role_users(db)
    acknowledged: list[str] = []
    with running_server(db) as url:
        with client_for(url, "assessor") as c:
            for n in range(12):
                r = c.post("/api/participants", json={"postcode": "8000", "consent": n % 2 == 0})
                assert r.status_code == 201, r.text
                acknowledged.append(r.json()["participant_id"])
            token = c.post("/api/auth/token", json={"username": "admin", "password": PASSWORD}).json()["access_token"]
        locked = _cli("backup", "--db", str(db), "--out", str(tmp_path / "bk"))
        assert locked.returncode == 5 and "--url" in locked.stderr  # the file is the server's: ask it
        made = _cli("backup", "--db", str(db), "--out", str(tmp_path / "bk"), "--url", url, "--json",
                    env_token=token)
        assert made.returncode == 0, made.stderr
        online = _cli("audit", "verify", "--db", str(db), "--url", url, env_token=token)
        assert online.returncode == 0 and "intact: True" in online.stdout, online.stdout + online.stderr
        with client_for(url, "assessor") as c:  # after the backup: not in it
            late = c.post("/api/participants", json={"postcode": "8000"}).json()["participant_id"]
    [copy] = sorted((tmp_path / "bk").glob("werkbrug-*.duckdb"))
    assert (tmp_path / "bk" / f"{copy.name}.audit-head").is_file()
    restored = tmp_path / "restored" / "w.duckdb"
    restored.parent.mkdir()
    done = _cli("restore", str(copy), "--db", str(restored), "--key", str(db) + ".audit-key")
    assert done.returncode == 0 and "audit log intact" in done.stdout, done.stdout + done.stderr
    check = _cli("audit", "verify", "--db", str(restored))
    assert check.returncode == 0, check.stdout + check.stderr
    con = connect(restored, read_only=True)
    ids = {r[0] for r in con.execute("SELECT participant_id FROM assessment.participants").fetchall()}
    con.close()
    assert set(acknowledged) <= ids and late not in ids
    again = _cli("restore", str(copy), "--db", str(restored))
    assert again.returncode == 4  # never over an existing database without --force
