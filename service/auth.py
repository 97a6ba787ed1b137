"""Browser sessions: login cookie, CSRF tokens for form posts, login rate limiting.

A session is a ``session`` token in ``service.tokens`` sent as the ``werkbrug_session``
cookie (HttpOnly, SameSite=Lax, Secure behind HTTPS). Form posts carry a CSRF token in a
hidden field: an HMAC of the session token (or, on the login form, of a per-browser nonce
cookie) under a key kept in ``service.settings``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import threading
import time
from collections import OrderedDict, deque
from datetime import timedelta
from typing import Annotated

import duckdb
from fastapi import Form, Request, Response, status

from foundation.db import transaction
from foundation.keys import keyed_digest
from service.deps import SESSION_COOKIE
from service.limits import RequestRefused

SESSION_LIFETIME = timedelta(hours=8)
LOGIN_NONCE_COOKIE = "werkbrug_login"
LANG_COOKIE = "werkbrug_lang"
CSRF_FIELD = "csrf_token"


def _sign(key: bytes, purpose: str, value: str) -> str:
    return keyed_digest(key, purpose, value)


def secure_cookies(request: Request) -> bool:
    """Send cookies with the Secure flag over HTTPS (or when forced by the ``secure_cookies`` setting)."""
    return request.url.scheme == "https" or request.app.state.settings.secure_cookies


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
        raise RequestRefused(status.HTTP_403_FORBIDDEN, "The form expired or did not come from this site.",
                             code="auth.csrf")


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure_cookies(request),
        max_age=int(SESSION_LIFETIME.total_seconds()), path="/",
    )
    response.delete_cookie(LOGIN_NONCE_COOKIE, path="/")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


class LoginLimiter:
    """Failed-login limits per username and per client address, in bounded memory.

    - A username is refused after ``attempts`` failures within ``window`` seconds (from anywhere).
    - An address is refused after ``per_address`` failures within ``window`` seconds, but only
      for usernames that have not logged in from that address before: colleagues behind the
      same office address who logged in there keep logging in while someone guesses.
      Only failures count; every block ends ``window`` seconds after the failure that caused it.
    - At most ``max_keys`` usernames/addresses and ``max_known`` good (address, user) pairs are
      kept (least recently used dropped first); long usernames are kept as their SHA-256.
    """

    def __init__(self, *, attempts: int = 5, window: float = 300.0, per_address: int = 30,
                 max_keys: int = 10_000, max_known: int = 10_000, known_for: float = 30 * 86400.0) -> None:
        self.attempts = attempts
        self.window = window
        self.per_address = per_address
        self.max_keys = max_keys
        self.max_known = max_known
        self.known_for = known_for
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._known: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _user_key(username: str) -> str:
        name = username.strip().lower()
        if len(name) > 64:
            name = "sha256:" + hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()
        return "u:" + name

    @staticmethod
    def _address_key(address: str) -> str:
        return "a:" + address[:64]

    def _recent(self, key: str, now: float) -> deque[float] | None:
        q = self._failures.get(key)
        if q is None:
            return None
        while q and q[0] <= now - self.window:
            q.popleft()
        if not q:
            del self._failures[key]
            return None
        return q

    def _known_pair(self, address: str, user: str, now: float) -> bool:
        seen = self._known.get((address, user))
        if seen is None or seen <= now - self.known_for:
            return False
        self._known.move_to_end((address, user))
        return True

    def retry_after(self, *, username: str, address: str) -> int | None:
        """Seconds to wait before another attempt for ``username`` from ``address``, or ``None``."""
        now = time.monotonic()
        user, addr = self._user_key(username), self._address_key(address)
        with self._lock:
            blocked = []
            if (q := self._recent(user, now)) is not None and len(q) >= self.attempts:
                blocked.append(q[-self.attempts])
            if ((q := self._recent(addr, now)) is not None and len(q) >= self.per_address
                    and not self._known_pair(addr, user, now)):
                blocked.append(q[-self.per_address])
            if not blocked:
                return None
            return max(1, int(max(blocked) + self.window - now) + 1)

    def failed(self, *, username: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            keys = ((self._user_key(username), self.attempts), (self._address_key(address), self.per_address))
            for key, keep in keys:
                q = self._failures.get(key)
                if q is None:
                    q = self._failures[key] = deque(maxlen=keep)
                q.append(now)
                self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def succeeded(self, *, username: str, address: str | None = None) -> None:
        now = time.monotonic()
        user = self._user_key(username)
        with self._lock:
            self._failures.pop(user, None)
            if address is not None:
                self._known[(self._address_key(address), user)] = now
                self._known.move_to_end((self._address_key(address), user))
                while len(self._known) > self.max_known:
                    self._known.popitem(last=False)

    def tracked(self) -> int:
        """How many usernames and addresses are kept now (for tests and monitoring)."""
        with self._lock:
            return len(self._failures) + len(self._known)


def _is_trusted(host: str, proxies) -> bool:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_address(request: Request) -> str:
    """The client's address: the socket peer, or, behind a configured trusted proxy, the nearest
    address in ``X-Forwarded-For`` that is not itself a trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    proxies = request.app.state.settings.trusted_proxies
    if not proxies or not _is_trusted(peer, proxies):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, proxies):
            return hop if _valid_ip(hop) else peer
    return peer


def _valid_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def list_users(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every account (never the password hash)."""
    rows = con.execute(
        "SELECT username, display_name, role, active, created_at FROM service.users ORDER BY role, username"
    ).fetchall()
    return [dict(zip(("username", "display_name", "role", "active", "created_at"), r, strict=True)) for r in rows]


def set_active(con: duckdb.DuckDBPyConnection, *, username: str, active: bool) -> None:
    """Switch an account on or off; switching off ends its sessions and tokens."""
    from foundation.errors import NotFoundError, Problem
    from service.users import tokens_changed

    if not con.execute("SELECT 1 FROM service.users WHERE username = ?", [username]).fetchone():
        raise NotFoundError(f"Unknown user {username!r}",
                            [Problem("no such user", column="username", code="accounts.no_such")],
                            code="accounts.unknown", params={"username": username})
    with transaction(con):
        con.execute("UPDATE service.users SET active = ? WHERE username = ?", [active, username])
        tokens_changed(con)
        if not active:
            con.execute("DELETE FROM service.tokens WHERE username = ?", [username])
