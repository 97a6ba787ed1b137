"""Accounts: the user changes their own password; an admin resets a password or changes a role.

Thin: every rule, the ending of old sessions and tokens and the audit entry are in
:mod:`service.accounts`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from foundation.actor import colleague
from foundation.errors import InputError
from service.accounts import change_own_password, change_role, reset_password, set_own_contact
from service.auth import SESSION_LIFETIME, check_csrf, list_users, set_session_cookie
from service.deps import Cursor, current_user, require_roles
from service.ui import field_errors, render, ui_translator
from service.users import Role, User, issue_token

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["accounts"])
LoggedIn = Annotated[User, Depends(current_user)]
Admin = Annotated[User, Depends(require_roles(Role.admin))]


def _password_page(request: Request, user: User, *, errors=None, messages=None, status_code=200) -> HTMLResponse:
    cursor = request.app.state.db.cursor()
    try:
        contact = (colleague(cursor, user.username) or ("", None))[1] or ""
    finally:
        cursor.close()
    return render(request, "account.html", user, errors=errors or {}, messages=messages or [], status_code=status_code,
                  contact=contact)


@pages.get("/account", response_class=HTMLResponse)
def account(request: Request, user: LoggedIn, changed: int = 0, saved: int = 0) -> HTMLResponse:
    _ = ui_translator(request)
    messages = [("ok", _("Your password was changed; other sessions were signed out."))] if changed else []
    if saved:
        messages.append(("ok", _("Saved.")))
    return _password_page(request, user, messages=messages)


@pages.post("/account/contact", dependencies=[Depends(check_csrf)])
def account_contact(request: Request, cursor: Cursor, user: LoggedIn, contact: Annotated[str, Form()] = "") -> Response:
    """How colleagues reach you (a liaison sees it once your participant is contacted by an employer)."""
    try:
        set_own_contact(cursor, actor=user, contact=contact)
    except InputError as exc:
        return _password_page(request, user, errors=field_errors(exc, {"contact"}), status_code=422)
    return RedirectResponse("/account?saved=1", status_code=303)


@pages.post("/account/password", dependencies=[Depends(check_csrf)])
def account_password(
    request: Request, cursor: Cursor, user: LoggedIn,
    current_password: Annotated[str, Form()] = "", new_password: Annotated[str, Form()] = "",
    confirm_password: Annotated[str, Form()] = "",
) -> Response:
    _ = ui_translator(request)
    if new_password != confirm_password:
        return _password_page(request, user, status_code=422,
                              errors={"confirm_password": _("The two new passwords differ.")})
    try:
        change_own_password(cursor, actor=user, current=current_password, new=new_password)
    except InputError as exc:
        fields = {"current_password", "new_password", "confirm_password"}
        return _password_page(request, user, errors=field_errors(exc, fields), status_code=422)
    response = RedirectResponse("/account?changed=1", status_code=303)
    set_session_cookie(request, response, issue_token(cursor, username=user.username, kind="session",
                                                      lifetime=SESSION_LIFETIME))
    return response


def _users_page(request: Request, cursor, user: User, *, errors=None, messages=None, status_code=200,
                target: str = "") -> HTMLResponse:
    return render(request, "admin/users.html", user, users=list_users(cursor), errors=errors or {}, form={},
                  roles=list(Role), messages=messages or [], status_code=status_code, target=target)


def _account_change(request: Request, cursor, user: User, *, username: str, field: str,
                    change: Callable[[], object], done: str) -> HTMLResponse:
    """Do ``change`` to one account; the users page with ``done``, or with the error by that account's ``field``."""
    try:
        change()
    except InputError as exc:
        return _users_page(request, cursor, user, errors={f"{field}_{username}": field_errors(exc)[field]},
                           status_code=422, target=username)
    return _users_page(request, cursor, user, messages=[("ok", done)])


@pages.post("/admin/users/{username}/password", dependencies=[Depends(check_csrf)])
def admin_reset_password(
    request: Request, username: str, cursor: Cursor, user: Admin, password: Annotated[str, Form()] = "",
) -> Response:
    _ = ui_translator(request)
    return _account_change(
        request, cursor, user, username=username, field="password",
        change=functools.partial(reset_password, cursor, actor=user, username=username, new=password),
        done=_("New password set for %(name)s; their sessions were signed out.", name=username))


@pages.post("/admin/users/{username}/role", dependencies=[Depends(check_csrf)])
def admin_change_role(
    request: Request, username: str, cursor: Cursor, user: Admin, role: Annotated[str, Form()] = "",
) -> Response:
    _ = ui_translator(request)
    return _account_change(
        request, cursor, user, username=username, field="role",
        change=functools.partial(change_role, cursor, actor=user, username=username, role=role),
        done=_("Role of %(name)s changed.", name=username))


class PasswordChange(BaseModel):
    current: str = Field(max_length=200)
    new: str = Field(max_length=200)


class PasswordReset(BaseModel):
    password: str = Field(max_length=200)


class RoleChange(BaseModel):
    role: Role


class Ended(BaseModel):
    sessions_ended: int


@api.post("/account/password", response_model=Ended)
def api_change_password(body: PasswordChange, cursor: Cursor, user: LoggedIn) -> Ended:
    """Change your own password; every session and token of the account ends (log in again)."""
    return Ended(sessions_ended=change_own_password(cursor, actor=user, current=body.current, new=body.new))


@api.post("/admin/users/{username}/password", response_model=Ended)
def api_reset_password(username: str, body: PasswordReset, cursor: Cursor, user: Admin) -> Ended:
    """Set a new password for an account (admin); its sessions and tokens end."""
    return Ended(sessions_ended=reset_password(cursor, actor=user, username=username, new=body.password))


@api.put("/admin/users/{username}/role", response_model=Ended)
def api_change_role(username: str, body: RoleChange, cursor: Cursor, user: Admin) -> Ended:
    """Give an account another role (admin); its sessions and tokens end."""
    return Ended(sessions_ended=change_role(cursor, actor=user, username=username, role=body.role))
