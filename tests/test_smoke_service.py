"""The app starts on a fresh database file and guards its API with logins."""

from pathlib import Path

from tests.live import add_role_users, client_for, running_server


def test_token_login_and_wrong_password(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    add_role_users(db)
    with running_server(db) as url:
        with client_for(url, None) as anon:
            bad = anon.post("/api/auth/token", json={"username": "coach", "password": "nope"})
            assert bad.status_code == 401
            missing = anon.post("/api/auth/token", json={"username": "coach"})
            assert missing.status_code == 422
            assert "password" in missing.text
        with client_for(url, "coach") as coach:
            assert coach.headers["Authorization"].startswith("Bearer ")
