"""Browser sessions: login cookie, CSRF tokens for form posts, login rate limiting.

A session is a ``session`` token in ``service.tokens`` sent as the ``werkbrug_session``
cookie (HttpOnly, SameSite=Lax, Secure behind HTTPS). Form posts carry a CSRF token in a
hidden field: an HMAC of the session token (or, on the login form, of a per-browser nonce
cookie) under a key kept in ``service.settings``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from datetime import timedelta
from typing import Annotated

import duckdb
from fastapi import Form, HTTPException, Request, Response, status

from foundation.db import transaction
from service.deps import SESSION_COOKIE

SESSION_LIFETIME = timedelta(hours=8)
LOGIN_NONCE_COOKIE = "werkbrug_login"
LANG_COOKIE = "werkbrug_lang"
CSRF_FIELD = "csrf_token"


def secret_key(con: duckdb.DuckDBPyConnection) -> bytes:
    """The service's signing key, created on first use and kept in ``service.settings``."""
    row = con.execute("SELECT value FROM service.settings WHERE key = 'secret_key'").fetchone()
    if row is None:
        with transaction(con):
            con.execute(
                "INSERT INTO service.settings (key, value) VALUES ('secret_key', ?) ON CONFLICT DO NOTHING",
                [secrets.token_hex(32)],
            )
        row = con.execute("SELECT value FROM service.settings WHERE key = 'secret_key'").fetchone()
    return bytes.fromhex(row[0])


def _sign(key: bytes, purpose: str, value: str) -> str:
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def secure_cookies(request: Request) -> bool:
    """Send cookies with the Secure flag over HTTPS (or when forced by ``WERKBRUG_SECURE_COOKIES``)."""
    return request.url.scheme == "https" or os.environ.get("WERKBRUG_SECURE_COOKIES") == "1"


def csrf_token(request: Request) -> str:
    """The CSRF token for forms on this page (bound to the session or the login nonce)."""
    key: bytes = request.app.state.secret_key
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        return _sign(key, "session", session)
    nonce = getattr(request.state, "login_nonce", None) or request.cookies.get(LOGIN_NONCE_COOKIE)
    if not nonce:
        nonce = secrets.token_urlsafe(16)
        request.state.login_nonce = nonce  # set as a cookie by ensure_login_nonce
    return _sign(key, "login", nonce)


def ensure_login_nonce(request: Request, response: Response) -> None:
    """Set the login-form nonce cookie if this page created one."""
    nonce = getattr(request.state, "login_nonce", None)
    if nonce and request.cookies.get(LOGIN_NONCE_COOKIE) != nonce:
        response.set_cookie(
            LOGIN_NONCE_COOKIE, nonce, httponly=True, samesite="lax", secure=secure_cookies(request),
            max_age=3600,
        )


def valid_csrf(request: Request, token: str | None) -> bool:
    """Whether ``token`` is this browser's CSRF token."""
    if not token:
        return False
    key: bytes = request.app.state.secret_key
    session = request.cookies.get(SESSION_COOKIE)
    nonce = request.cookies.get(LOGIN_NONCE_COOKIE)
    candidates = []
    if session:
        candidates.append(_sign(key, "session", session))
    if nonce:
        candidates.append(_sign(key, "login", nonce))
    return any(hmac.compare_digest(token, c) for c in candidates)


def check_csrf(request: Request, csrf_token: Annotated[str, Form()] = "") -> None:
    """Dependency for every HTML form post: 403 without this browser's CSRF token."""
    if not valid_csrf(request, csrf_token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "The form expired or did not come from this site.")


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure_cookies(request),
        max_age=int(SESSION_LIFETIME.total_seconds()), path="/",
    )
    response.delete_cookie(LOGIN_NONCE_COOKIE, path="/")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


class LoginLimiter:
    """At most ``attempts`` failed logins per username and per client address within ``window`` seconds."""

    def __init__(self, *, attempts: int = 5, window: float = 300.0, per_address: int = 30) -> None:
        self.attempts = attempts
        self.window = window
        self.per_address = per_address
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures[key]
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def retry_after(self, *, username: str, address: str) -> int | None:
        """Seconds to wait before another attempt is allowed, or ``None``."""
        now = time.monotonic()
        with self._lock:
            user_q = self._recent(f"u:{username.lower()}", now)
            addr_q = self._recent(f"a:{address}", now)
            blocked = [q for q, limit in ((user_q, self.attempts), (addr_q, self.per_address)) if len(q) >= limit]
            if not blocked:
                return None
            return max(1, int(max(q[0] for q in blocked) + self.window - now))

    def failed(self, *, username: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._failures[f"u:{username.lower()}"].append(now)
            self._failures[f"a:{address}"].append(now)

    def succeeded(self, *, username: str) -> None:
        with self._lock:
            self._failures.pop(f"u:{username.lower()}", None)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def list_users(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every account (never the password hash)."""
    rows = con.execute(
        "SELECT username, display_name, role, active, created_at FROM service.users ORDER BY role, username"
    ).fetchall()
    return [dict(zip(("username", "display_name", "role", "active", "created_at"), r, strict=True)) for r in rows]


def set_active(con: duckdb.DuckDBPyConnection, *, username: str, active: bool) -> None:
    """Switch an account on or off; switching off ends its sessions and tokens."""
    from foundation.errors import NotFoundError, Problem

    if not con.execute("SELECT 1 FROM service.users WHERE username = ?", [username]).fetchone():
        raise NotFoundError(f"Unknown user {username!r}", [Problem("no such user", column="username")])
    with transaction(con):
        con.execute("UPDATE service.users SET active = ? WHERE username = ?", [active, username])
        if not active:
            con.execute("DELETE FROM service.tokens WHERE username = ?", [username])
