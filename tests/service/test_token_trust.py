"""Verified tokens are kept in memory, and every revocation still takes effect at once in this process."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from foundation.db import connect
from service.accounts import change_own_password, change_role, reset_password
from service.app import migrate_all
from service.auth import set_active
from service.users import Role, User, create_user, issue_token, revoke_token, user_for_token
from tests.live import PASSWORD, add_role_users, running_server

ADMIN = User("admin", "admin", Role.admin)


@pytest.fixture
def con(tmp_path: Path) -> Iterator:
    c = connect(tmp_path / "t.duckdb")
    migrate_all(c)
    create_user(c, username="admin", password=PASSWORD, role="admin")
    for name in ("anna", "bert", "carl", "dirk"):
        create_user(c, username=name, password=PASSWORD, role="coach")
    yield c
    c.close()


def _trusted(con, username: str) -> str:
    """A token of ``username``, verified twice (the second time from memory)."""
    token = issue_token(con, username=username)
    for _ in range(2):
        assert user_for_token(con, token).username == username
    return token


def test_revoking_a_verified_token_takes_effect_at_once(con) -> None:
    token, other = _trusted(con, "anna"), _trusted(con, "anna")
    revoke_token(con, token)
    assert user_for_token(con, token) is None
    assert user_for_token(con, other).username == "anna"


def test_role_password_and_switch_off_end_verified_tokens_at_once(con) -> None:
    tokens = {name: _trusted(con, name) for name in ("anna", "bert", "carl", "dirk")}
    change_role(con, actor=ADMIN, username="anna", role="liaison")
    assert user_for_token(con, tokens["anna"]) is None
    reset_password(con, actor=ADMIN, username="bert", new="een nieuw wachtwoord")
    assert user_for_token(con, tokens["bert"]) is None
    change_own_password(con, actor=User("carl", "carl", Role.coach), current=PASSWORD, new="nog een wachtwoord")
    assert user_for_token(con, tokens["carl"]) is None
    set_active(con, username="dirk", active=False)
    assert user_for_token(con, tokens["dirk"]) is None
    fresh = issue_token(con, username="anna")
    assert user_for_token(con, fresh).role == Role.liaison       # the new role, not a remembered one


def test_a_verified_token_expires_on_time(con) -> None:
    token = issue_token(con, username="anna", lifetime=timedelta(seconds=1))
    assert user_for_token(con, token).username == "anna"
    time.sleep(1.2)                                    # within the trust window, past the expiry
    assert user_for_token(con, token) is None


def test_logout_and_role_change_over_http_end_a_used_token_at_once(tmp_path: Path) -> None:
    db = tmp_path / "h.duckdb"
    add_role_users(db)
    with running_server(db) as url:
        def token(username: str) -> dict:
            r = httpx.post(f"{url}/api/auth/token", json={"username": username, "password": PASSWORD})
            return {"Authorization": f"Bearer {r.json()['access_token']}"}

        coach, admin = token("coach"), token("admin")
        for _ in range(2):
            assert httpx.get(f"{url}/api/participants", headers=coach).status_code == 200
        assert httpx.post(f"{url}/api/auth/logout", headers=coach).status_code in (200, 204)
        assert httpx.get(f"{url}/api/participants", headers=coach).status_code == 401
        coach = token("coach")
        assert httpx.get(f"{url}/api/participants", headers=coach).status_code == 200
        assert httpx.put(f"{url}/api/admin/users/coach/role", json={"role": "liaison"},
                         headers=admin).status_code == 200
        assert httpx.get(f"{url}/api/participants", headers=coach).status_code == 401
