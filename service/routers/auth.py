"""Login for API clients: exchange a username and password for a bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel

from service.administration import record_failed_login
from service.auth import client_address
from service.deps import Cursor, current_user
from service.users import User, authenticate, issue_token, revoke_token

router = APIRouter(prefix="/api/auth", tags=["auth"])


class TokenRequest(BaseModel):
    username: str
    password: str


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: str


class Me(BaseModel):
    username: str
    display_name: str
    role: str


@router.post("/token", response_model=TokenResponse)
def token(body: TokenRequest, request: Request, cursor: Cursor) -> TokenResponse:
    """A bearer token for the API (failed attempts are rate-limited per user and address)."""
    limiter = request.app.state.login_limiter
    address = client_address(request)
    wait = limiter.retry_after(username=body.username, address=address)
    if wait is not None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, f"Too many failed attempts; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    user = authenticate(cursor, username=body.username, password=body.password)
    if user is None:
        limiter.failed(username=body.username, address=address)
        record_failed_login(cursor, username=body.username, address=address, via="api")
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Wrong username or password")
    limiter.succeeded(username=body.username, address=address)
    return TokenResponse(access_token=issue_token(cursor, username=user.username), role=user.role)


@router.get("/me", response_model=Me)
def me(user: Annotated[User, Depends(current_user)]) -> Me:
    """Who the token belongs to."""
    return Me(username=user.username, display_name=user.display_name, role=user.role.value)


@router.post("/logout", status_code=204)
def logout(request: Request, cursor: Cursor, user: Annotated[User, Depends(current_user)]) -> None:
    """Revoke the bearer token (or session) used for this request."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else request.cookies.get("werkbrug_session")
    if token:
        revoke_token(cursor, token)
