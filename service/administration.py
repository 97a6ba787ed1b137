"""Administration as service functions: accounts, logins, the audit log and backups.

Each function takes the acting person and does, in one transaction, the role check, the
action and its audit entry, so the JSON API, the pages and the CLI hold none of these rules.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from foundation.actor import Role, User
from foundation.audit import CSV_FIELDS, AuditEntry, Purpose, audit, count_log, read_log, to_csv
from foundation.db import transaction
from foundation.errors import ForbiddenError
from service.auth import set_active
from service.messages import message
from service.users import create_user


def require_admin(actor: User) -> None:
    """Only an admin administers accounts, the audit log and backups (403 otherwise)."""
    if actor.role != Role.admin:
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


def set_account_active(con: duckdb.DuckDBPyConnection, *, actor: User, username: str, active: bool) -> None:
    """Switch an account on or off (off ends its sessions and tokens)."""
    require_admin(actor)
    with transaction(con):
        set_active(con, username=username, active=active)
        audit(con, user=actor, action="set_user_active", object_type="user", object_id=username,
              purpose=Purpose.administration, detail={"active": active})


def audit_entries(
    con: duckdb.DuckDBPyConnection, *, actor: User, username: str | None = None, action: str | None = None,
    object_id: str | None = None, search: str | None = None, order: str = "newest", limit: int = 100,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """One page of audit entries (newest first, or ``order="oldest"``) and how many match (the reading is logged)."""
    require_admin(actor)
    filters = {"username": username, "action": action, "object_id": object_id, "search": search}
    with transaction(con):
        entries = read_log(con, **filters, order=order, limit=limit, offset=offset)
        total = count_log(con, **filters)
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
                           limit=1_000_000)
        audit(con, user=actor, action="export_audit_log", object_type="audit_log", purpose=Purpose.administration,
              detail={"rows": len(entries)})
    return to_csv(entries, header=[message(f"csv.audit.{f}", lang=lang, fallback=f) for f in CSV_FIELDS])


def record_login(con: duckdb.DuckDBPyConnection, *, user: User, via: str) -> None:
    """A successful sign-in, in the audit log."""
    audit(con, user=user, action="login", object_type="user", object_id=user.username,
          purpose=Purpose.administration, detail={"via": via})


def record_failed_login(con: duckdb.DuckDBPyConnection, *, username: str, address: str, via: str) -> None:
    """A failed sign-in (the name as typed, cut short), in the audit log."""
    audit(con, user=None, action="login_failed", object_type="user", object_id=username.strip()[:100],
          purpose=Purpose.administration, detail={"address": address, "via": via})


def backup_database(server_con: duckdb.DuckDBPyConnection, cursor: duckdb.DuckDBPyConnection, *, actor: User,
                    out_dir: Path):
    """A consistent copy of the open database in ``out_dir`` (:func:`foundation.backup.backup`), logged."""
    from foundation.backup import backup

    require_admin(actor)
    report = backup(server_con, out_dir=out_dir)
    audit(cursor, user=actor, action="backup", object_type="database", purpose=Purpose.administration,
          detail={"file": report.file})
    return report
