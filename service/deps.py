"""FastAPI dependencies: a database cursor per request, the current user, role checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

import duckdb
from fastapi import Depends, HTTPException, Request, status

from foundation.settings import Settings
from matching.config import MatchingConfig
from service.users import Role, User, user_for_token

SESSION_COOKIE = "werkbrug_session"


def get_cursor(request: Request) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on the process-wide connection, closed after the request."""
    cursor = request.app.state.db.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


Cursor = Annotated[duckdb.DuckDBPyConnection, Depends(get_cursor)]


def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    return request.app.state.settings


def get_matching_config(request: Request) -> MatchingConfig:
    """The matching configuration of those settings."""
    return request.app.state.matching_config


AppSettings = Annotated[Settings, Depends(get_settings)]
Matching = Annotated[MatchingConfig, Depends(get_matching_config)]


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(SESSION_COOKIE)


def current_user(request: Request, cursor: Cursor) -> User:
    """The logged-in user (bearer token or session cookie), else 401."""
    token = _token(request)
    user = user_for_token(cursor, token) if token else None
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "Not logged in", headers={"WWW-Authenticate": "Bearer"}
        )
    request.state.user = user
    return user


def require_roles(*roles: Role | str) -> Callable[..., User]:
    """A dependency that lets only ``roles`` through (403 otherwise)."""
    allowed = {Role(r) for r in roles}

    def check(user: Annotated[User, Depends(current_user)]) -> User:
        if user.role not in allowed:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "Your role may not do this")
        return user

    return check
