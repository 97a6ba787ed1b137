"""HTTP routes for the taxonomy: search, the imported version, local labels (admin)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from pydantic import BaseModel, Field

from foundation.actor import ADMINS
from foundation.errors import WerkbrugError
from service.auth import check_csrf
from service.deps import Cursor, current_user, require_roles
from service.i18n import request_language
from service.messages import api_language, message
from service.ui import field_errors, render, ui_translator
from service.users import User
from taxonomy.local_labels import (
    CSV_COLUMNS,
    add_local_label,
    export_local_labels,
    list_local_labels,
    remove_local_label,
)
from taxonomy.store import current_version

router = APIRouter(prefix="/api/taxonomy", tags=["taxonomy"])
pages = APIRouter(prefix="/admin", include_in_schema=False)

LoggedIn = Annotated[User, Depends(current_user)]
Admin = Annotated[User, Depends(require_roles(*ADMINS))]
LEXICAL_FALLBACK = ("No sentence vectors yet: ranked by spelling only. "
                    "Run `werkbrug taxonomy index`.")


class Hit(BaseModel):
    uri: str
    label: str
    label_lang: str = Field(description="Language of `label`: not the reader's when ESCO has none in it.")
    matched_label: str
    score: float
    mode: Literal["hybrid", "lexical"] = Field(
        description="hybrid: spelling and sentence vectors; lexical: no vectors stored yet, spelling only.")


class Version(BaseModel):
    esco_version: str
    source: str
    imported_at: str
    languages: list[str]
    counts: dict[str, int]


@router.get("/search", response_model=list[Hit])
def search_taxonomy(
    request: Request, response: Response, cursor: Cursor, user: LoggedIn,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Job title or skill, any language.")],
    kind: Literal["occupation", "skill"] = "occupation",
    lang: Literal["nl", "en"] | None = None,
    top: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[Hit]:
    """ESCO occupations or skills that best match ``q`` (labels in Dutch, else English).

    Never embeds the taxonomy: without stored vectors the hits are ranked by spelling, every
    hit says ``mode: "lexical"`` and the ``X-Search-Notice`` header says so in words.
    """
    from taxonomy.search import search

    result = search(cursor, q, kind=kind, lang=lang, top=top)
    response.headers["X-Search-Mode"] = result.mode
    if result.notice:
        response.headers["X-Search-Notice"] = message(
            result.notice, lang=lang or api_language(request), fallback=LEXICAL_FALLBACK)
    return [Hit(uri=h.uri, label=h.label, label_lang=h.label_lang, matched_label=h.matched_label,
                score=round(float(h.score), 4), mode=result.mode) for h in result]


@router.get("/version", response_model=Version)
def taxonomy_version(cursor: Cursor, user: LoggedIn) -> Version:
    """Which ESCO version the database holds."""
    v = current_version(cursor)
    return Version(esco_version=v.esco_version, source=v.source, imported_at=v.imported_at,
                   languages=v.languages, counts=v.counts)


# ---- local labels ------------------------------------------------------------------------

class LocalLabelIn(BaseModel):
    uri: str = Field(min_length=1, max_length=300)
    label: str = Field(min_length=1, max_length=200)
    lang: Literal["nl", "en"] = "nl"
    kind: Literal["preferred", "alternative"] = "preferred"
    note: str | None = Field(None, max_length=1000)


class LocalLabelOut(LocalLabelIn):
    label_id: int
    concept_type: str
    created_by: str
    created_at: str
    esco_label_en: str | None = None


def _out(r) -> LocalLabelOut:
    return LocalLabelOut(label_id=r.label_id, uri=r.uri, label=r.label, lang=r.lang, kind=r.kind, note=r.note,
                         concept_type=r.concept_type, created_by=r.created_by,
                         created_at=r.created_at.isoformat(), esco_label_en=r.esco_label_en)


@router.get("/labels", response_model=list[LocalLabelOut])
def api_local_labels(cursor: Cursor, user: Admin) -> list[LocalLabelOut]:
    """Every local label an administrator added."""
    return [_out(r) for r in list_local_labels(cursor, actor=user)]


@router.post("/labels", response_model=LocalLabelOut, status_code=201)
def api_add_local_label(body: LocalLabelIn, cursor: Cursor, user: Admin) -> LocalLabelOut:
    """Add a local label to an ESCO occupation or skill (shown in the UI and searched)."""
    return _out(add_local_label(cursor, actor=user, uri=body.uri, label=body.label, lang=body.lang,
                                kind=body.kind, note=body.note))


@router.delete("/labels/{label_id}", response_model=LocalLabelOut)
def api_remove_local_label(label_id: int, cursor: Cursor, user: Admin) -> LocalLabelOut:
    """Remove a local label."""
    return _out(remove_local_label(cursor, actor=user, label_id=label_id))


def _csv(cursor, user: User, lang: str | None = None) -> Response:
    """The local labels as CSV; ``lang``: the header row in the reader's language (else the field names)."""
    header = [message(f"csv.labels.{c}", lang=lang, fallback=c) for c in CSV_COLUMNS] if lang else None
    return PlainTextResponse(
        export_local_labels(cursor, actor=user, header=header), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="werkbrug-local-labels.csv"'})


@router.get("/labels.csv", response_class=PlainTextResponse)
def api_local_labels_csv(cursor: Cursor, user: Admin) -> Response:
    """The local labels as CSV."""
    return _csv(cursor, user)


def _labels_page(request: Request, cursor, user: User, *, errors=None, form=None, status_code=200,
                 messages=None) -> HTMLResponse:
    return render(request, "admin/labels.html", user, status_code=status_code,
                  rows=list_local_labels(cursor, actor=user), errors=errors or {}, form=form or {},
                  messages=messages or [])


@pages.get("/labels", response_class=HTMLResponse)
def labels_page(request: Request, cursor: Cursor, user: Admin) -> HTMLResponse:
    return _labels_page(request, cursor, user)


@pages.post("/labels", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def labels_add(
    request: Request, cursor: Cursor, user: Admin, uri: Annotated[str, Form()] = "",
    label: Annotated[str, Form()] = "", lang: Annotated[str, Form()] = "nl",
    kind: Annotated[str, Form()] = "preferred", note: Annotated[str, Form()] = "",
) -> Response:
    """Add a local label from the admin page."""
    _ = ui_translator(request)
    form = {"uri": uri, "label": label, "lang": lang, "kind": kind, "note": note}
    try:
        added = add_local_label(cursor, actor=user, uri=uri, label=label, lang=lang, kind=kind,
                                note=note.strip() or None)
    except WerkbrugError as exc:
        errors = field_errors(exc, {"uri", "label", "lang", "kind", "note"})
        return _labels_page(request, cursor, user, errors=errors, form=form, status_code=422)
    return _labels_page(request, cursor, user,
                        messages=[("ok", _("Label “%(label)s” added.", label=added.label))])


@pages.post("/labels/{label_id}/remove", dependencies=[Depends(check_csrf)])
def labels_remove(label_id: int, cursor: Cursor, user: Admin) -> Response:
    remove_local_label(cursor, actor=user, label_id=label_id)
    return RedirectResponse("/admin/labels", status_code=303)


@pages.get("/labels.csv")
def labels_csv(request: Request, cursor: Cursor, user: Admin) -> Response:
    return _csv(cursor, user, request_language(request))
