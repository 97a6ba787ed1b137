"""FastAPI dependencies: a database cursor per request, the current user, role checks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated

import duckdb
from fastapi import Depends, Request, status

from foundation.cache import caches
from foundation.settings import Settings
from matching.config import MatchingConfig
from service.limits import RequestRefused
from service.users import Role, User, user_for_token

SESSION_COOKIE = "werkbrug_session"


async def get_cursor(request: Request) -> AsyncIterator[duckdb.DuckDBPyConnection]:
    """A cursor on the process-wide connection, closed after the request (sharing its cache keys).

    This and the other dependencies that never wait on the database are ``async``: FastAPI runs them
    on the event loop instead of handing each to a worker thread and back."""
    cursor = request.app.state.db.cursor()
    caches.adopt(cursor, request.app.state.db)
    try:
        yield cursor
    finally:
        cursor.close()


Cursor = Annotated[duckdb.DuckDBPyConnection, Depends(get_cursor)]


async def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    return request.app.state.settings


async def get_matching_config(request: Request) -> MatchingConfig:
    """The matching configuration of those settings."""
    return request.app.state.matching_config


AppSettings = Annotated[Settings, Depends(get_settings)]
Matching = Annotated[MatchingConfig, Depends(get_matching_config)]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def same_origin(request: Request) -> bool:
    """Whether the request says it comes from this site (``Origin``, else ``Referer``)."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed:
        return False
    own = f"{request.url.scheme}://{request.url.netloc}"
    return claimed == own or claimed.startswith(own + "/")


def _cookie_may_write(request: Request) -> bool:
    """A JSON API write with the session cookie needs this site's Origin and the CSRF header."""
    from service.auth import valid_csrf

    return same_origin(request) and valid_csrf(request, request.headers.get(CSRF_HEADER))


def current_user(request: Request, cursor: Cursor) -> User:
    """The logged-in user, else 401.

    The JSON API authenticates by bearer token; a browser's session cookie is accepted there
    for reads, and for writes only with the page's CSRF token in ``X-CSRF-Token`` and this
    site's ``Origin`` (403 otherwise), so no other site can post to the API in a user's name.
    Pages (form posts) check their CSRF field themselves (:func:`service.auth.check_csrf`).
    """
    token = _bearer(request)
    if token is None:
        token = request.cookies.get(SESSION_COOKIE)
        if (token and request.url.path.startswith("/api") and request.method not in SAFE_METHODS
                and not _cookie_may_write(request)):
            raise RequestRefused(status.HTTP_403_FORBIDDEN, "Cookie sessions may not write to the API: use a bearer "
                                 "token", code="auth.cookie_write")
    user = user_for_token(cursor, token) if token else None
    if user is None:
        raise RequestRefused(status.HTTP_401_UNAUTHORIZED, "Not logged in", code="auth.not_logged_in",
                             headers={"WWW-Authenticate": "Bearer"})
    request.state.user = user
    return user


def require_roles(*roles: Role | str) -> Callable[..., User]:
    """A dependency that lets only ``roles`` through (403 otherwise)."""
    allowed = {Role(r) for r in roles}

    async def check(user: Annotated[User, Depends(current_user)]) -> User:
        if user.role not in allowed:
            raise RequestRefused(status.HTTP_403_FORBIDDEN, "Your role may not do this", code="auth.role")
        return user

    return check
