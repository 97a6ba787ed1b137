"""Login page, session cookie, CSRF, rate limiting, security headers, language switch, admin pages."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live import add_role_users, client_for, running_server
from tests.service.web import browser_for, csrf_of, form_login, post_form

ESCO_EN = "This service uses the ESCO classification of the European Commission."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("auth") / "w.duckdb"
    add_role_users(db)
    with running_server(db) as url:
        yield url


def test_pages_need_login_and_show_the_login_form_in_dutch(server: str) -> None:
    with httpx.Client(base_url=server) as anon:
        r = anon.get("/admin/audit")
        assert r.status_code == 401
        assert 'lang="nl"' in r.text and "Aanmelden" in r.text and "Meld u aan om deze pagina te zien." in r.text
        assert "Deze dienst gebruikt de ESCO-classificatie van de Europese Commissie." in r.text
        assert ESCO_EN in r.text  # the English sentence stays visible
        assert 'value="/admin/audit"' in r.text  # back there after login


def test_login_sets_a_safe_session_cookie_and_logout_ends_it(server: str) -> None:
    with httpx.Client(base_url=server) as c:
        r = form_login(c, "coach")
        assert r.status_code == 303 and r.headers["location"] == "/"
        cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("werkbrug_session="))
        assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
        home = c.get("/")
        assert home.status_code == 200 and "Trajectbegeleider" in home.text
        session = c.cookies["werkbrug_session"]
        assert c.post("/logout", data={"csrf_token": csrf_of(home.text)}).status_code == 303
        # the old cookie no longer works, even if replayed
        replay = httpx.get(f"{server}/api/auth/me", cookies={"werkbrug_session": session})
        assert replay.status_code == 401


def test_wrong_password_message_next_to_the_field(server: str) -> None:
    with httpx.Client(base_url=server) as c:
        r = form_login(c, "assessor", "not the password")
        assert r.status_code == 401
        assert 'id="f-password-error"' in r.text and "Verkeerde gebruikersnaam of wachtwoord." in r.text
        assert 'aria-invalid="true"' in r.text
        empty = c.post("/login", data={"username": "", "password": "", "csrf_token": csrf_of(r.text)})
        assert empty.status_code == 422
        assert "Vul uw gebruikersnaam in." in empty.text and "Vul uw wachtwoord in." in empty.text


def test_form_posts_without_the_csrf_token_are_refused(server: str) -> None:
    with browser_for(server, "admin") as c:
        r = c.post("/admin/users", data={"username": "x1", "password": "longenough", "role": "coach"})
        assert r.status_code == 403
        r = c.post("/admin/users", data={"username": "x1", "password": "longenough", "role": "coach",
                                        "csrf_token": "0" * 64})
        assert r.status_code == 403
    with httpx.Client(base_url=server) as c:
        assert c.post("/login", data={"username": "coach", "password": "x"}).status_code == 403


def test_login_is_rate_limited(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    add_role_users(db)
    with running_server(db) as url, httpx.Client(base_url=url) as c:
        codes = [form_login(c, "liaison", f"wrong {i}").status_code for i in range(6)]
        assert codes[:5] == [401] * 5 and codes[5] == 429
        # even the right password waits now; the API token endpoint shares the limit
        assert form_login(c, "liaison").status_code == 429
        api = c.post("/api/auth/token", json={"username": "liaison", "password": "x"})
        assert api.status_code == 429 and int(api.headers["retry-after"]) > 0
        # other users are not locked out
        assert form_login(c, "coach").status_code == 303


def test_security_headers(server: str) -> None:
    r = httpx.get(f"{server}/login")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"


def test_language_switch(server: str) -> None:
    with browser_for(server, "coach") as c:
        nl = c.get("/")
        assert "Welkom" in nl.text and "Afmelden" in nl.text
        en = c.get("/lang/en?next=/", follow_redirects=True)
        assert 'lang="en"' in en.text and "Welcome" in en.text and "Log out" in en.text
        assert "Afmelden" not in en.text and ESCO_EN in en.text
        back = c.get("/lang/nl?next=//evil.example", follow_redirects=False)
        assert back.headers["location"] == "/"  # no open redirect


def test_docs_need_login_outside_demo(server: str) -> None:
    assert httpx.get(f"{server}/openapi.json").status_code == 401
    assert httpx.get(f"{server}/docs").status_code == 401
    with client_for(server, "assessor") as c:
        spec = c.get("/openapi.json").json()
        assert "/api/auth/token" in spec["paths"]
        docs = c.get("/docs")
        assert docs.status_code == 200 and "/swagger-ui/swagger-ui-bundle.js" in docs.text
        assert c.get("/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_admin_manages_users_and_reads_the_audit_log(server: str) -> None:
    with browser_for(server, "admin") as admin:
        bad = post_form(admin, "/admin/users", "/admin/users", {"username": "a b", "password": "short", "role": ""})
        assert bad.status_code == 422
        for field in ("username", "password", "role"):
            assert f'id="f-{field}-error"' in bad.text
        ok = post_form(admin, "/admin/users", "/admin/users",
                       {"username": "coach.brugge", "password": "a long password", "role": "coach",
                        "display_name": "Coach Brugge"})
        assert ok.status_code == 200 and "coach.brugge" in ok.text
        dup = post_form(admin, "/admin/users", "/admin/users",
                        {"username": "coach.brugge", "password": "a long password", "role": "coach"})
        assert "Deze gebruikersnaam bestaat al." in dup.text
        log = admin.get("/admin/audit?action=create_user")
        assert log.status_code == 200 and "coach.brugge" in log.text
        exported = admin.get("/admin/audit.csv?action=create_user")
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert rows and rows[0]["object"] == "coach.brugge" and rows[0]["rol"] == "admin"   # Dutch headers
    # the new account works, and the admin can switch it off
    with browser_for(server, "coach.brugge", password="a long password") as c:
        assert c.get("/").status_code == 200
        with browser_for(server, "admin") as admin:
            post_form(admin, "/admin/users", "/admin/users/coach.brugge/active", {"active": "0"})
        assert c.get("/").status_code == 401
    with client_for(server, "admin") as api:
        entries = api.get("/api/admin/audit", params={"object_id": "coach.brugge"}).json()
        assert {"create_user", "set_user_active", "login"} <= {e["action"] for e in entries}
        assert api.get("/api/admin/audit", params={"limit": 0}).status_code == 422


def test_only_admins_see_admin_pages(server: str) -> None:
    for role in ("assessor", "coach", "liaison"):
        with browser_for(server, role) as c:
            assert c.get("/admin/audit").status_code == 403
        with client_for(server, role) as c:
            assert c.get("/api/admin/users").status_code == 403
