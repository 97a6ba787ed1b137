"""Request limits over real HTTP: sizes refused before the body is read, invalid Unicode is 400,
login limits in bounded memory that never lock out a colleague behind the same address."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from foundation.db import connect
from service.auth import LoginLimiter
from service.users import create_user
from tests.live import PASSWORD, add_role_users, client_for, running_server

MiB = 1024 * 1024


@pytest.fixture
def server(tmp_path: Path):
    db = tmp_path / "w.duckdb"
    add_role_users(db)
    with running_server(db) as url:
        yield url


def _raw(url: str, head: str, body: bytes = b"") -> bytes:
    """Send a request by hand (headers may promise more than is sent); the server's whole answer."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as s:
        s.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
            if b"\r\n\r\n" in reply and b'"}' in reply:
                break
    return reply


def test_declared_length_over_the_limit_is_refused_before_reading(server: str) -> None:
    # 300 MiB promised, 20 bytes sent: an answer at all proves the body was not awaited.
    reply = _raw(server, "POST /api/auth/token HTTP/1.1\nHost: x\nContent-Type: application/json\n"
                         f"Content-Length: {300 * MiB}\nConnection: close\n", b'{"username": "admin"')
    assert reply.startswith(b"HTTP/1.1 413"), reply[:300]
    assert b"request.too_large" in reply


def test_streamed_bodies_are_counted(server: str) -> None:
    with httpx.Client(base_url=server, timeout=60) as c:
        chunks = (b"x" * 65536 for _ in range(40))  # 2.5 MiB, chunked: no Content-Length
        r = c.post("/api/auth/token", content=chunks, headers={"Content-Type": "application/json"})
        assert r.status_code == 413 and r.json()["code"] == "request.too_large"
    with client_for(server, "admin") as admin:
        r = admin.post("/api/participants", json={"contact": {"name": "x" * (2 * MiB)}})
        assert r.status_code == 413


def test_uploads_get_the_upload_limit(server: str) -> None:
    with client_for(server, "liaison") as c:
        big = c.post("/api/vacancies/import", files={"file": ("v.csv", b"a" * (11 * MiB))})
        assert big.status_code == 413
        ok_size = c.post("/api/vacancies/import", files={"file": ("v.csv", b"title;x\n" + b"a;b\n" * (MiB // 2))})
        assert ok_size.status_code == 422  # past the size limit check: refused for its content


def test_too_large_form_gets_a_dutch_page(server: str) -> None:
    with httpx.Client(base_url=server) as c:
        r = c.post("/login", data={"username": "a" * (2 * MiB), "password": "x"})
        assert r.status_code == 413 and "text/html" in r.headers["content-type"]
        assert "te groot" in r.text and "<h1>Te groot</h1>" in r.text and "Er ging iets mis" not in r.text


@pytest.mark.parametrize("path", ["/api/auth/token", "/api/participants", "/api/vacancies"])
def test_lone_surrogates_are_400_never_500(server: str, path: str) -> None:
    role = None if path == "/api/auth/token" else ("assessor" if "participants" in path else "liaison")
    with client_for(server, role) as c:
        for body in ('{"username": "\\ud800", "password": "x"}', '{"contact": {"name": "\\udfff"}}',
                     '{"title": "a\\ud800b", "description": 5}', '{"\\ud800": 1}'):
            r = c.post(path, content=body, headers={"Content-Type": "application/json"})
            assert r.status_code == 400, (body, r.status_code, r.text)
            assert r.json()["code"] == "request.invalid_unicode"
        pair = c.post(path, content='{"username": "\\ud83d\\ude00", "password": "x"}',
                      headers={"Content-Type": "application/json"})
        assert pair.status_code < 500 and pair.status_code != 400


def test_limiter_state_is_bounded_and_long_names_hashed() -> None:
    limiter = LoginLimiter(max_keys=1000, max_known=100)
    for i in range(5000):
        limiter.failed(username=f"{i}-" + "x" * 10_000, address=f"10.0.{i // 256 % 256}.{i % 256}")
    for i in range(500):
        limiter.succeeded(username=f"u{i}", address="10.9.9.9")
    assert limiter.tracked() <= 1000 + 100
    assert max(len(k) for k in limiter._failures) < 100


def test_address_limit_never_locks_out_a_colleague_who_logs_in_there() -> None:
    limiter = LoginLimiter(attempts=5, per_address=30)
    office = "192.0.2.10"
    limiter.succeeded(username="an", address=office)  # An logs in from the office every day
    for i in range(40):
        limiter.failed(username=f"guess{i}", address=office)
    assert limiter.retry_after(username="an", address=office) is None  # An is not locked out
    assert limiter.retry_after(username="newcomer", address=office) is not None  # unknown pair: limited
    assert limiter.retry_after(username="newcomer", address="198.51.100.1") is None  # elsewhere: fine
    for _ in range(5):
        limiter.failed(username="bob", address="198.51.100.7")
    assert limiter.retry_after(username="bob", address="198.51.100.8") is not None  # per username


def test_forwarded_for_is_ignored_unless_from_a_trusted_proxy(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "w.duckdb"
    add_role_users(db)
    con = connect(db)
    create_user(con, username="colleague", password=PASSWORD, role="coach")
    con.close()
    with running_server(db) as url, httpx.Client(base_url=url) as c:
        assert c.post("/api/auth/token", json={"username": "colleague", "password": PASSWORD}).status_code == 200
        codes = [c.post("/api/auth/token", json={"username": f"nobody{i}", "password": "x"},
                        headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(35)]
        assert codes[:30] == [401] * 30 and set(codes[30:]) == {429}  # rotating the header does not help
        # the colleague who logged in from this address before still gets in
        assert c.post("/api/auth/token", json={"username": "colleague", "password": PASSWORD}).status_code == 200
    monkeypatch.setenv("WERKBRUG_TRUSTED_PROXIES", "127.0.0.1")
    with running_server(db) as url, httpx.Client(base_url=url) as c:
        codes = [c.post("/api/auth/token", json={"username": f"nobody{i}", "password": "x"},
                        headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(35)]
        assert set(codes) == {401}  # behind a trusted proxy each forwarded address counts for itself


def test_the_limits_are_settings(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from foundation.settings import load_settings
    from service.app import create_app

    app = create_app(tmp_path / "w.duckdb", settings=load_settings(max_body_bytes=2048))
    with TestClient(app) as c:
        body = '{"username": "%s", "password": "x"}' % ("a" * 4096)
        r = c.post("/api/auth/token", content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 413 and r.json()["code"] == "request.too_large"
        assert c.post("/api/auth/token", json={"username": "a", "password": "x"}).status_code == 401
