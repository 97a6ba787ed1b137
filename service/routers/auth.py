"""Login for API clients: exchange a username and password for a bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from service.administration import sign_in
from service.auth import client_address
from service.deps import Cursor, current_user
from service.users import User, issue_token, revoke_token

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
    """A bearer token for the API (failed attempts are rate-limited per user and address: 429)."""
    user = sign_in(cursor, limiter=request.app.state.login_limiter, username=body.username, password=body.password,
                   address=client_address(request), via="api")
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
