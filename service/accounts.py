"""Account actions: username rules, password change and reset, role change.

Each action takes the acting person, checks what it must, changes the account, ends the
account's sessions and API tokens where the change calls for it, and writes its audit entry,
in one transaction. Errors carry message codes (``accounts.*``) rendered at the edge.
"""

from __future__ import annotations

import duckdb

from foundation.actor import ADMINS
from foundation.audit import Purpose, audit
from foundation.db import transaction
from foundation.errors import InputError, NotFoundError, Problem
from service.users import (
    Role,
    User,
    authenticate,
    hash_password,
    password_problems,
    role_problems,
    tokens_changed,
)


def _require(con: duckdb.DuckDBPyConnection, username: str) -> str:
    row = con.execute("SELECT role FROM service.users WHERE username = ?", [username]).fetchone()
    if row is None:
        raise NotFoundError(f"Unknown account {username!r}",
                            [Problem("no such account", column="username", code="accounts.no_such")],
                            code="accounts.unknown", params={"username": username})
    return row[0]


def _end_sessions(con: duckdb.DuckDBPyConnection, username: str) -> int:
    """Delete every session and API token of the account; returns how many there were."""
    (n,) = con.execute("SELECT count(*) FROM service.tokens WHERE username = ?", [username]).fetchone()
    con.execute("DELETE FROM service.tokens WHERE username = ?", [username])
    tokens_changed(con)
    return int(n)


def _require_admin(actor: User) -> None:
    if actor.role not in ADMINS:
        raise NotFoundError("Unknown account", code="accounts.unknown", params={"username": ""})


def change_own_password(con: duckdb.DuckDBPyConnection, *, actor: User, current: str, new: str) -> int:
    """The actor changes their own password (the current one is asked again).

    Every session and token of the account ends, this one too: the caller signs the person in
    again. Returns the number of sessions and tokens ended.
    """
    problems = password_problems(new, "new_password")
    if authenticate(con, username=actor.username, password=current) is None:
        problems.insert(0, Problem("the current password is wrong", column="current_password",
                                   code="accounts.current_password_wrong"))
    if new == current:
        problems.append(Problem("the new password is the old one", column="new_password",
                                code="accounts.password_unchanged"))
    if problems:
        raise InputError("The password was not changed", problems, code="accounts.password_not_changed")
    with transaction(con):
        con.execute("UPDATE service.users SET password_hash = ? WHERE username = ?",
                    [hash_password(new), actor.username])
        ended = _end_sessions(con, actor.username)
        audit(con, user=actor, action="change_password", object_type="user", object_id=actor.username,
              purpose=Purpose.administration, detail={"sessions_ended": ended})
    return ended


def reset_password(con: duckdb.DuckDBPyConnection, *, actor: User, username: str, new: str) -> int:
    """An admin sets a new password for an account; its sessions and tokens end.

    Not for their own account: that change asks the current password (:func:`change_own_password`)."""
    _require_admin(actor)
    _require(con, username)
    problems = password_problems(new)
    if username == actor.username:
        problems.insert(0, Problem("change your own password on your account page", column="password",
                                   code="accounts.own_password"))
    if problems:
        raise InputError("The password was not changed", problems, code="accounts.password_not_changed")
    with transaction(con):
        con.execute("UPDATE service.users SET password_hash = ? WHERE username = ?", [hash_password(new), username])
        ended = _end_sessions(con, username)
        audit(con, user=actor, action="reset_password", object_type="user", object_id=username,
              purpose=Purpose.administration, detail={"sessions_ended": ended})
    return ended


def change_role(con: duckdb.DuckDBPyConnection, *, actor: User, username: str, role: Role | str) -> int:
    """An admin gives an account another role; its sessions and tokens end (they carried the old role).

    An admin cannot change their own role (so that one admin always remains).
    """
    _require_admin(actor)
    old = _require(con, username)
    problems = role_problems(role)
    if problems:
        raise InputError("Unknown role", problems, code="accounts.role_not_changed")
    new = Role(role)
    if username == actor.username:
        raise InputError("You cannot change your own role",
                         [Problem("ask another admin", column="role", code="accounts.own_role")],
                         code="accounts.role_not_changed")
    if new.value == old:
        return 0
    with transaction(con):
        con.execute("UPDATE service.users SET role = ? WHERE username = ?", [new.value, username])
        ended = _end_sessions(con, username)
        audit(con, user=actor, action="set_user_role", object_type="user", object_id=username,
              purpose=Purpose.administration, detail={"old_role": old, "new_role": new.value, "sessions_ended": ended})
    return ended


def set_own_contact(con: duckdb.DuckDBPyConnection, *, actor: User, contact: str) -> None:
    """The actor says how colleagues reach them (phone, e-mail); at most 200 characters."""
    contact = contact.strip()
    if len(contact) > 200:
        raise InputError("Too long", [Problem("at most 200 characters", column="contact",
                                              code="validation.string_too_long", params={"max_length": 200})],
                         code="contact.invalid")
    with transaction(con):
        con.execute("UPDATE service.users SET contact = ? WHERE username = ?", [contact or None, actor.username])
        audit(con, user=actor, action="set_own_contact", object_type="user", object_id=actor.username,
              purpose=Purpose.administration)
