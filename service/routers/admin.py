"""Administration: accounts, the audit log (read and CSV export), language requirements."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from foundation.actor import ADMINS
from foundation.audit import AuditEntry, verify
from foundation.errors import WerkbrugError
from service.administration import add_account, audit_entries, audit_export, backup_database, set_account_active
from service.auth import check_csrf, list_users
from service.deps import Cursor, require_roles
from service.i18n import request_language
from service.ui import field_errors, render, ui_translator
from service.ui.audit_view import audit_row
from service.ui.paging import paging
from service.users import Role, User
from taxonomy.store import display_labels

Admin = Annotated[User, Depends(require_roles(*ADMINS))]

api = APIRouter(prefix="/api/admin", tags=["admin"])
pages = APIRouter(prefix="/admin", include_in_schema=False)
PAGE_SIZE = 100


class UserOut(BaseModel):
    username: str
    display_name: str
    role: Role
    active: bool


class UserIn(BaseModel):
    username: str = Field(max_length=64)  # the rules and their messages: service.users.username_problems
    password: str = Field(max_length=200)  # at least 8 characters: service.users.password_problems
    role: Role
    display_name: str | None = Field(None, max_length=200)


class ActiveIn(BaseModel):
    active: bool


def _users(cursor) -> list[UserOut]:
    return [UserOut(**{k: u[k] for k in UserOut.model_fields}) for u in list_users(cursor)]


@api.get("/users", response_model=list[UserOut])
def api_users(cursor: Cursor, user: Admin) -> list[UserOut]:
    """All accounts."""
    return _users(cursor)


@api.post("/users", response_model=UserOut, status_code=201)
def api_create_user(body: UserIn, cursor: Cursor, user: Admin) -> UserOut:
    """Create an account."""
    created = add_account(cursor, actor=user, username=body.username, password=body.password, role=body.role,
                          display_name=body.display_name)
    return UserOut(username=created.username, display_name=created.display_name, role=created.role, active=True)


@api.post("/users/{username}/active", response_model=UserOut)
def api_set_active(username: str, body: ActiveIn, cursor: Cursor, user: Admin) -> UserOut:
    """Switch an account on or off (off ends its sessions)."""
    set_account_active(cursor, actor=user, username=username, active=body.active)
    return next(u for u in _users(cursor) if u.username == username)


@api.get("/audit", response_model=list[AuditEntry])
def api_audit(
    cursor: Cursor, user: Admin, username: str | None = None, action: str | None = None,
    object_id: str | None = None, limit: Annotated[int, Query(ge=1, le=5000)] = PAGE_SIZE,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[AuditEntry]:
    """Audit entries, newest first (reading the log is itself logged)."""
    entries, _total = audit_entries(cursor, actor=user, username=username, action=action, object_id=object_id,
                                    limit=limit, offset=offset)
    return entries


def _csv(cursor, user: User, username: str | None, action: str | None, object_id: str | None, *,
         search: str | None = None, lang: str = "en") -> Response:
    return PlainTextResponse(
        audit_export(cursor, actor=user, username=username, action=action, object_id=object_id, search=search,
                     lang=lang),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="werkbrug-audit.csv"'},
    )


class ChainOut(BaseModel):
    intact: bool
    entries: int = 0
    broken_entries: list[int]
    problems: list[str] = Field(default_factory=list, description="audit.truncated, audit.head_missing, …")


@api.get("/audit/verify", response_model=ChainOut)
def api_audit_verify(cursor: Cursor, user: Admin) -> ChainOut:
    """Check the audit log's keyed hash chain and its signed head: edits, removals and forged entries show."""
    report = verify(cursor)
    return ChainOut(intact=report.intact, entries=report.entries, broken_entries=report.broken[:1000],
                    problems=report.problems)


@api.post("/backup")
def api_backup(request: Request, cursor: Cursor, user: Admin) -> dict:
    """A consistent copy of the database with its audit head, in the backup folder beside the database
    (the ``backup_dir`` setting to choose another); ``werkbrug backup`` asks this while the server runs."""
    from dataclasses import asdict
    from pathlib import Path

    from foundation.audit_store import database_file

    db = database_file(cursor)
    out = Path(request.app.state.settings.backup_dir or (db.with_name(db.name + ".backups") if db else "backups"))
    return asdict(backup_database(request.app.state.db, cursor, actor=user, out_dir=out))


@api.get("/audit.csv", response_class=PlainTextResponse)
def api_audit_csv(
    cursor: Cursor, user: Admin, username: str | None = None, action: str | None = None, object_id: str | None = None,
) -> Response:
    """The audit log as CSV."""
    return _csv(cursor, user, username, action, object_id)


# ---- pages -------------------------------------------------------------------------------


@pages.get("/users", response_class=HTMLResponse)
def users_page(request: Request, cursor: Cursor, user: Admin) -> HTMLResponse:
    return render(request, "admin/users.html", user, users=list_users(cursor), errors={}, form={},
                  roles=list(Role))


@pages.post("/users", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def users_create(
    request: Request, cursor: Cursor, user: Admin,
    username: Annotated[str, Form()] = "", display_name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
) -> Response:
    _ = ui_translator(request)
    form = {"username": username, "display_name": display_name, "role": role}
    try:
        add_account(cursor, actor=user, username=username, password=password, role=role,
                    display_name=display_name or None)
    except WerkbrugError as exc:
        return render(request, "admin/users.html", user, status_code=422, users=list_users(cursor),
                      errors=field_errors(exc, {"username", "password", "role", "display_name"}), form=form,
                      roles=list(Role))
    return render(request, "admin/users.html", user, users=list_users(cursor), errors={}, form={},
                  roles=list(Role), messages=[("ok", _("Account %(name)s created.", name=username))])


@pages.post("/users/{username}/active", dependencies=[Depends(check_csrf)])
def users_active(
    username: str, cursor: Cursor, user: Admin, active: Annotated[str, Form()] = "",
) -> Response:
    set_account_active(cursor, actor=user, username=username, active=active)
    return RedirectResponse("/admin/users", status_code=303)


@pages.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, cursor: Cursor, user: Admin, username: str | None = None, action: str | None = None,
    object_id: str | None = None, q: str = "", sort: str = "newest", page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    filters = {"username": username or None, "action": action or None, "object_id": object_id or None}
    query = {**{k: v or "" for k, v in filters.items()}, "q": q, "sort": sort}
    lang = request_language(request)
    read = {**filters, "search": q.strip() or None, "order": sort, "limit": PAGE_SIZE, "lang": lang}
    entries, total = audit_entries(cursor, actor=user, **read, offset=(max(1, page) - 1) * PAGE_SIZE)
    pages = paging(total, page, query, PAGE_SIZE)
    if pages.page != page:  # a page past the end (or before the start): show the nearest one
        entries, total = audit_entries(cursor, actor=user, **read, offset=pages.offset)
    report = verify(cursor)
    return render(request, "admin/audit.html", user, rows=[audit_row(e, lang=lang) for e in entries], paging=pages,
                  broken=report.broken, chain_problems=report.problems, filters=query, sort=sort,
                  csv_url="/admin/audit.csv?" + urlencode({k: v for k, v in query.items() if v and k != "sort"}))


@pages.get("/audit.csv")
def audit_csv_page(
    request: Request, cursor: Cursor, user: Admin, username: str | None = None, action: str | None = None,
    object_id: str | None = None, q: str = "",
) -> Response:
    """The filtered log as CSV, its header row in the reader's language."""
    return _csv(cursor, user, username or None, action or None, object_id or None, search=q.strip() or None,
                lang=request_language(request))


def _requirements_page(request: Request, cursor, user: User, *, errors=None, form=None, status_code=200,
                       messages=None) -> HTMLResponse:
    from matching.service import language_requirements

    rows = language_requirements(cursor, actor=user)
    labels = display_labels(cursor, [r["key"] for r in rows if r["scope"] == "occupation"],
                            request_language(request))
    return render(request, "admin/language.html", user, status_code=status_code, rows=rows, labels=labels,
                  errors=errors or {}, form=form or {}, messages=messages or [])


@pages.get("/language-requirements", response_class=HTMLResponse)
def language_page(request: Request, cursor: Cursor, user: Admin) -> HTMLResponse:
    return _requirements_page(request, cursor, user)


@pages.post("/language-requirements", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def language_set(
    request: Request, cursor: Cursor, user: Admin, key: Annotated[str, Form()] = "",
    listening: Annotated[str, Form()] = "", reading: Annotated[str, Form()] = "",
    speaking: Annotated[str, Form()] = "", writing: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
) -> Response:
    """Override the Dutch level an ISCO group or an ESCO occupation needs."""
    from matching.language import SUB_SKILLS
    from matching.service import set_language_requirement

    _ = ui_translator(request)
    levels = dict(zip(SUB_SKILLS, (listening, reading, speaking, writing), strict=True))
    form = {"key": key, **levels, "note": note}
    key = key.strip()
    errors: dict[str, str] = {}
    if not key:
        errors["key"] = _("Enter an ISCO code (1–4 digits) or an ESCO occupation URI.")
    else:
        target = {"occupation_uri": key} if key.startswith("http") else {"isco_code": key}
        try:
            set_language_requirement(cursor, actor=user, levels=levels, note=note or None, **target)
        except WerkbrugError as exc:
            errors = field_errors(exc, {*SUB_SKILLS, "key"})
            if "_form" in errors and not any(k in errors for k in SUB_SKILLS):
                errors["key"] = errors.pop("_form")
        else:
            return _requirements_page(request, cursor, user, messages=[("ok", _("Requirement saved."))])
    return _requirements_page(request, cursor, user, errors=errors, form=form, status_code=422)
