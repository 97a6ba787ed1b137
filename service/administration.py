"""Administration as service functions: accounts, logins, the audit log and backups.

Each function takes the acting person and does, in one transaction, the role check, the
action and its audit entry, so the JSON API, the pages and the CLI hold none of these rules.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from foundation.actor import ADMINS, Role, User
from foundation.audit import (
    CSV_FIELDS,
    WORD_COLUMNS,
    AuditEntry,
    Purpose,
    audit,
    count_log,
    logged_words,
    read_log,
    to_csv,
)
from foundation.db import transaction
from foundation.errors import ForbiddenError, InputError, Problem
from service.auth import SESSION_LIFETIME, LoginLimiter, set_active
from service.limits import RequestRefused
from service.messages import message
from service.users import authenticate, create_user, issue_token


def require_admin(actor: User) -> None:
    """Only an admin administers accounts, the audit log and backups (403 otherwise)."""
    if actor.role not in ADMINS:
        raise ForbiddenError("Only an admin may do this", code="admin.only")


def add_account(
    con: duckdb.DuckDBPyConnection, *, actor: User, username: str, password: str, role: Role | str,
    display_name: str | None = None,
) -> User:
    """Create an account (the rules for usernames and passwords: :func:`service.users.create_user`)."""
    require_admin(actor)
    with transaction(con):
        created = create_user(con, username=username, password=password, role=role, display_name=display_name)
        audit(con, user=actor, action="create_user", object_type="user", object_id=created.username,
              purpose=Purpose.administration, detail={"role": created.role.value})
    return created


#: The form's words for on and off.
ACTIVE_CHOICES = {"1": True, "0": False}


def set_account_active(con: duckdb.DuckDBPyConnection, *, actor: User, username: str, active: bool | str) -> None:
    """Switch an account on or off (off ends its sessions and tokens); ``active`` is a bool or the form's
    ``"1"``/``"0"`` (anything else is refused, never read as off).

    An admin cannot switch off their own account (so that one admin always remains)."""
    require_admin(actor)
    if isinstance(active, str):
        if active not in ACTIVE_CHOICES:
            raise InputError(f"{active!r} is not on or off",
                             [Problem("choose on or off", column="active", code="accounts.active_choose")],
                             code="accounts.active_not_changed")
        active = ACTIVE_CHOICES[active]
    if username == actor.username and not active:
        raise InputError("You cannot switch off your own account",
                         [Problem("ask another admin", column="active", code="accounts.own_active")],
                         code="accounts.active_not_changed")
    with transaction(con):
        set_active(con, username=username, active=active)
        audit(con, user=actor, action="set_user_active", object_type="user", object_id=username,
              purpose=Purpose.administration, detail={"active": active})


def audit_entries(
    con: duckdb.DuckDBPyConnection, *, actor: User, username: str | None = None, action: str | None = None,
    object_id: str | None = None, search: str | None = None, order: str = "newest", limit: int = 100,
    offset: int = 0, lang: str | None = None,
) -> tuple[list[AuditEntry], int]:
    """One page of audit entries (newest first, or ``order="oldest"``) and how many match (the reading is logged).

    With ``lang``, ``search`` also finds the actions, objects and purposes whose text in that
    language holds it ("vacature" finds ``confirm_vacancy``)."""
    require_admin(actor)
    filters = {"username": username, "action": action, "object_id": object_id, "search": search}
    with transaction(con):
        words = _words_read_as(con, search, lang)
        entries = read_log(con, **filters, words=words, order=order, limit=limit, offset=offset)
        total = count_log(con, **filters, words=words)
        audit(con, user=actor, action="read_audit_log", object_type="audit_log", purpose=Purpose.administration,
              detail={k: v for k, v in filters.items() if v is not None or k != "search"})
    return entries, total


def audit_export(
    con: duckdb.DuckDBPyConnection, *, actor: User, username: str | None = None, action: str | None = None,
    object_id: str | None = None, search: str | None = None, lang: str = "en",
) -> str:
    """The matching audit entries as CSV (header row in ``lang``; formula cells neutralised), the export logged."""
    require_admin(actor)
    with transaction(con):
        entries = read_log(con, username=username, action=action, object_id=object_id, search=search,
                           words=_words_read_as(con, search, lang), limit=1_000_000)
        audit(con, user=actor, action="export_audit_log", object_type="audit_log", purpose=Purpose.administration,
              detail={"rows": len(entries)})
    return to_csv(entries, header=[message(f"csv.audit.{f}", lang=lang, fallback=f) for f in CSV_FIELDS])


_WORD_CODES = {"action": "audit.action", "object_type": "audit.object", "purpose": "audit.purpose"}


def _words_read_as(con: duckdb.DuckDBPyConnection, search: str | None, lang: str | None) -> dict[str, list[str]]:
    """The logged machine words whose text in ``lang`` holds ``search`` (case-insensitive), per column."""
    needle = (search or "").strip().lower()
    if not needle or not lang:
        return {}
    found = {column: [w for w in words if needle in message(f"{_WORD_CODES[column]}.{w}", lang=lang,
                                                            fallback=w).lower()]
             for column, words in logged_words(con).items() if column in WORD_COLUMNS}
    return {c: w for c, w in found.items() if w}


def record_login(con: duckdb.DuckDBPyConnection, *, user: User, via: str) -> None:
    """A successful sign-in, in the audit log."""
    audit(con, user=user, action="login", object_type="user", object_id=user.username,
          purpose=Purpose.administration, detail={"via": via})


def record_failed_login(con: duckdb.DuckDBPyConnection, *, username: str, address: str, via: str) -> None:
    """A failed sign-in (the name as typed, cut short), in the audit log."""
    audit(con, user=None, action="login_failed", object_type="user", object_id=username.strip()[:100],
          purpose=Purpose.administration, detail={"address": address, "via": via})


def sign_in(con: duckdb.DuckDBPyConnection, *, limiter: LoginLimiter, username: str, password: str,
            address: str, via: str) -> User:
    """The user this username and password belong to, under the login limits (a failure is counted and logged).

    Refused with 429 ``auth.too_many_attempts`` (and ``Retry-After``) while the username or the
    address waits, with 401 ``auth.wrong_password`` for a wrong username or password.
    """
    wait = limiter.retry_after(username=username, address=address)
    if wait is not None:
        raise RequestRefused(429, f"Too many failed attempts; try again in {wait} s", code="auth.too_many_attempts",
                             params={"seconds": wait}, headers={"Retry-After": str(wait)})
    user = authenticate(con, username=username.strip(), password=password)
    if user is None:
        limiter.failed(username=username, address=address)
        record_failed_login(con, username=username, address=address, via=via)
        raise RequestRefused(401, "Wrong username or password", code="auth.wrong_password")
    limiter.succeeded(username=username, address=address)
    return user


def start_session(con: duckdb.DuckDBPyConnection, *, user: User) -> str:
    """A browser session for a signed-in user (its token), the login in the audit log."""
    token = issue_token(con, username=user.username, kind="session", lifetime=SESSION_LIFETIME)
    record_login(con, user=user, via="page")
    return token


def backup_database(server_con: duckdb.DuckDBPyConnection, cursor: duckdb.DuckDBPyConnection, *, actor: User,
                    out_dir: Path):
    """A consistent copy of the open database in ``out_dir`` (:func:`foundation.backup.backup`), logged."""
    from foundation.backup import backup

    require_admin(actor)
    report = backup(server_con, out_dir=out_dir)
    audit(cursor, user=actor, action="backup", object_type="database", purpose=Purpose.administration,
          detail={"file": report.file})
    return report
