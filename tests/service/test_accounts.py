"""Accounts over HTTP: username rules, own password change, admin reset and role change; old sessions end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from foundation.db import connect
from service.app import migrate_all
from service.users import create_user, username_problems
from tests.live import PASSWORD, add_role_users, running_server
from tests.service.web import browser_for, post_form


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    db = tmp_path_factory.mktemp("accounts") / "a.duckdb"
    add_role_users(db)
    con = connect(db)
    migrate_all(con)
    for name in ("anna", "bert"):
        create_user(con, username=name, password=PASSWORD, role="coach")
    con.close()
    with running_server(db) as url:
        yield db, url


def _token(url: str, username: str, password: str = PASSWORD) -> str:
    r = httpx.post(f"{url}/api/auth/token", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def test_new_accounts_and_new_passwords_follow_the_one_password_rule(tmp_path: Path) -> None:
    from foundation.actor import Role, User
    from foundation.errors import InputError
    from service.accounts import reset_password

    con = connect(tmp_path / "p.duckdb")
    migrate_all(con)
    try:
        with pytest.raises(InputError) as created:
            create_user(con, username="carla", password="kort", role="coach")
        create_user(con, username="carla", password=PASSWORD, role="coach")
        with pytest.raises(InputError) as reset:
            reset_password(con, actor=User("admin", "Admin", Role.admin), username="carla", new="kort")
    finally:
        con.close()
    same = [(p.column, p.code, p.params) for p in created.value.problems]
    assert same == [(p.column, p.code, p.params) for p in reset.value.problems]
    assert same == [("password", "accounts.password_short", {"min": 8})]


def test_username_rules_name_the_real_problem() -> None:
    assert [p.code for p in username_problems("jan peeters")] == ["accounts.username_space"]
    assert [p.code for p in username_problems("josé")] == ["accounts.username_chars"]
    assert [p.code for p in username_problems("j")] == ["accounts.username_length"]
    assert username_problems("jan.peeters") == []


def test_admin_page_says_the_space_is_the_problem(server) -> None:
    _db, url = server
    with browser_for(url, "admin") as c:
        r = post_form(c, "/admin/users", "/admin/users",
                      {"username": "jan peeters", "role": "coach", "password": "lang genoeg"})
        assert r.status_code == 422 and "mag geen spatie bevatten" in r.text
        api = c.post("/api/admin/users?lang=en", json={"username": "jan peeters", "password": "x" * 9,
                                                        "role": "coach"},
                     headers={"Authorization": f"Bearer {_token(url, 'admin')}"})
        assert api.status_code == 422
        assert api.json()["problems"][0]["message"] == "a username cannot contain a space"


def test_own_password_change_ends_other_sessions_and_tokens(server) -> None:
    db, url = server
    token = _token(url, "anna")
    with browser_for(url, "anna") as other, browser_for(url, "anna") as c:
        assert other.get("/account").status_code == 200
        bad = post_form(c, "/account", "/account/password", {"current_password": "wrong", "new_password": "n" * 10,
                                                              "confirm_password": "n" * 10})
        assert bad.status_code == 422 and "huidige wachtwoord klopt niet" in bad.text
        ok = post_form(c, "/account", "/account/password", {"current_password": PASSWORD,
                                                             "new_password": "nieuw wachtwoord",
                                                             "confirm_password": "nieuw wachtwoord"})
        assert ok.status_code == 303
        assert c.get("/account").status_code == 200            # this browser stays signed in
        assert other.get("/account").status_code == 401        # the other session ended
    r = httpx.get(f"{url}/api/participants", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401                                # and so did the API token
    _token(url, "anna", "nieuw wachtwoord")
    con = connect(db)
    try:
        actions = [r[0] for r in con.execute(
            "SELECT action FROM service.audit_log WHERE object_id = 'anna' ORDER BY audit_id").fetchall()]
    finally:
        con.close()
    assert "change_password" in actions


def test_admin_resets_a_password_and_changes_a_role(server) -> None:
    _db, url = server
    bert = _token(url, "bert")
    admin = {"Authorization": f"Bearer {_token(url, 'admin')}"}
    r = httpx.post(f"{url}/api/admin/users/bert/password", json={"password": "short"}, headers=admin)
    assert r.status_code == 422
    r = httpx.post(f"{url}/api/admin/users/bert/password", json={"password": "een nieuw wachtwoord"}, headers=admin)
    assert r.status_code == 200 and r.json()["sessions_ended"] >= 1
    assert httpx.get(f"{url}/api/participants", headers={"Authorization": f"Bearer {bert}"}).status_code == 401
    bert = _token(url, "bert", "een nieuw wachtwoord")
    r = httpx.put(f"{url}/api/admin/users/bert/role", json={"role": "liaison"}, headers=admin)
    assert r.status_code == 200
    assert httpx.get(f"{url}/api/participants", headers={"Authorization": f"Bearer {bert}"}).status_code == 401
    liaison = {"Authorization": f"Bearer {_token(url, 'bert', 'een nieuw wachtwoord')}"}
    assert httpx.get(f"{url}/api/participants", headers=liaison).status_code == 403
    assert httpx.put(f"{url}/api/admin/users/bert/role", json={"role": "admin"}, headers=liaison).status_code == 403
    own = httpx.put(f"{url}/api/admin/users/admin/role", json={"role": "coach"}, headers=admin)
    assert own.status_code == 422
    assert httpx.put(f"{url}/api/admin/users/nobody/role", json={"role": "coach"}, headers=admin).status_code == 404
    with browser_for(url, "admin") as c:
        page = post_form(c, "/admin/users", "/admin/users/anna/role", {"role": "assessor"})
        assert page.status_code == 200 and "De rol van anna is gewijzigd." in page.text
        wrong = post_form(c, "/admin/users", "/admin/users/anna/role", {"role": "baas"})
        assert wrong.status_code == 422 and 'id="f-role_anna-error"' in wrong.text
        short = post_form(c, "/admin/users", "/admin/users/bert/password", {"password": "short"})
        assert short.status_code == 422 and 'id="f-password_bert-error"' in short.text
        assert 'id="f-password_anna-error"' not in short.text
        reset = post_form(c, "/admin/users", "/admin/users/bert/password", {"password": "nog een wachtwoord"})
        assert reset.status_code == 200 and "Nieuw wachtwoord ingesteld voor bert" in reset.text
