"""Login for API clients: exchange a username and password for a bearer token."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from service.deps import Cursor
from service.users import authenticate, issue_token

router = APIRouter(prefix="/api/auth", tags=["auth"])


class TokenRequest(BaseModel):
    username: str
    password: str


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: str


@router.post("/token", response_model=TokenResponse)
def token(body: TokenRequest, cursor: Cursor) -> TokenResponse:
    """A bearer token for the API."""
    user = authenticate(cursor, username=body.username, password=body.password)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Wrong username or password")
    return TokenResponse(access_token=issue_token(cursor, username=user.username), role=user.role)
