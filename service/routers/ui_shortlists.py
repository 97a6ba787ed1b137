"""The liaison's shortlist pages: pull a shortlist for a vacancy, review and confirm it, follow each candidate."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from foundation.errors import WerkbrugError
from matching import service
from matching.shortlist import STATUSES as CANDIDATE_STATUSES
from service.auth import check_csrf
from service.deps import Cursor
from service.i18n import request_language
from service.labels import status_labels
from service.messages import error_text, problem_text
from service.routers.ui_liaison import Liaison
from service.ui import render, ui_translator
from service.ui.paging import paging
from taxonomy.store import display_labels

router = APIRouter(prefix="/liaison", include_in_schema=False)


@router.get("/shortlists", response_class=HTMLResponse)
def shortlists(request: Request, cursor: Cursor, user: Liaison, q: str = "", sort: str = "newest",
               page: int = 1) -> HTMLResponse:
    """Every shortlist of the liaison's vacancies, paged, sortable and searchable."""
    _ = ui_translator(request)
    search = q.strip() or None
    pages = paging(service.count_shortlists(cursor, actor=user, search=search), page, {"q": q, "sort": sort})
    rows = service.list_shortlists(cursor, actor=user, search=search, order=sort, limit=pages.size,
                                   offset=pages.offset)
    return render(request, "liaison/shortlists.html", user, rows=rows, paging=pages, q=q, sort=sort,
                  status_labels=status_labels(_))


@router.post("/vacancies/{vacancy_id}/shortlist", dependencies=[Depends(check_csrf)])
def pull_shortlist(request: Request, vacancy_id: str, cursor: Cursor, user: Liaison) -> Response:
    """Rank the consenting candidates for a confirmed vacancy (a suggestion to review)."""
    sl = service.pull_shortlist(cursor, actor=user, vacancy_id=vacancy_id, top=10, lang=request_language(request),
                                config=request.app.state.matching_config)
    return RedirectResponse(f"/liaison/shortlists/{sl.shortlist_id}", status_code=303)


def _shortlist_page(request, cursor, user, shortlist_id, *, errors=None, form=None, status_code=200, messages=None,
                    page: int = 1):
    _ = ui_translator(request)
    sl = service.show_shortlist(cursor, actor=user, shortlist_id=shortlist_id)
    v = service.show_vacancy(cursor, actor=user, vacancy_id=sl.vacancy_id)
    by_code = {c.candidate: c for c in sl.candidates}
    history: dict[str, list] = {}
    for event in sl.history:
        history.setdefault(event.candidate, []).append(event)
    confirmed = [(code, by_code[code]) for code in sl.confirmed_order or []]
    pages = paging(len(confirmed), page, {})  # a long confirmed list, a page at a time
    labels = display_labels(cursor, [s.uri for c in sl.candidates for s in (*c.supporting_skills,
                                                                           *c.missing_essential)],
                            request_language(request))  # stored labels are in the language of the ranking
    return render(request, "liaison/shortlist.html", user, status_code=status_code, sl=sl, v=v, labels=labels,
                  candidates=[(c.candidate, c) for c in sl.candidates], withdrawn=sl.withdrawn, coaches=sl.coaches,
                  confirmed=confirmed[pages.offset:pages.offset + pages.size], paging=pages, history=history,
                  reasons=sl.reasons or {}, errors=errors or {}, form=form or {}, statuses=CANDIDATE_STATUSES,
                  status_labels=status_labels(_), messages=messages or [])


@router.get("/shortlists/{shortlist_id}", response_class=HTMLResponse)
def shortlist(request: Request, shortlist_id: str, cursor: Cursor, user: Liaison, page: int = 1) -> HTMLResponse:
    return _shortlist_page(request, cursor, user, shortlist_id, page=page)


@router.post("/shortlists/{shortlist_id}/confirm", dependencies=[Depends(check_csrf)])
async def confirm_list(request: Request, shortlist_id: str, cursor: Cursor, user: Liaison) -> Response:
    """Confirm the shortlist as a named person; removals and changes of order need a reason."""
    _ = ui_translator(request)
    sl = service.show_shortlist(cursor, actor=user, shortlist_id=shortlist_id)
    codes = [c.candidate for c in sl.candidates]
    form = await request.form()
    values = {k: str(v) for k, v in form.items()}
    errors: dict[str, str] = {}
    kept: list[tuple[float, int, str]] = []
    for n, code in enumerate(codes):
        if form.get(f"keep_{code}") != "1":
            continue
        raw = str(form.get(f"position_{code}", "")).strip()
        try:
            kept.append((float(raw), n, code))
        except ValueError:
            errors[f"position_{code}"] = _("Enter a position as a number.")
    order = [code for _pos, _n, code in sorted(kept)]
    reasons = {name.removeprefix("reason_"): str(text) for name, text in form.items()
               if name.startswith("reason_") and name.removeprefix("reason_") in codes and str(text).strip()}
    if not errors:
        try:
            service.confirm_shortlist(cursor, actor=user, shortlist_id=shortlist_id,
                                      confirmed_by=values.get("confirmed_by", ""), ordered_candidates=order,
                                      reasons=reasons)
        except WerkbrugError as exc:
            errors = _confirm_errors(exc, codes, lang=request_language(request))
    if errors:
        return _shortlist_page(request, cursor, user, shortlist_id, errors=errors, form=values, status_code=422)
    return RedirectResponse(f"/liaison/shortlists/{shortlist_id}", status_code=303)


def _confirm_errors(exc: WerkbrugError, codes: list[str], *, lang: str) -> dict[str, str]:
    """The service's problems by form field: ``reason_<code>``, ``confirmed_by``, else ``_form``."""
    errors: dict[str, str] = {}
    for p in exc.problems:
        column = p.column or ""
        code = column.removeprefix("reasons.")
        key = (f"reason_{code}" if column.startswith("reasons.") and code in codes
               else "confirmed_by" if column == "confirmed_by" else "_form")
        text = problem_text(p, lang=lang, located=False)
        errors[key] = f"{errors[key]}; {text}" if key in errors else text
    return errors or {"_form": error_text(exc, lang=lang)}


@router.post("/shortlists/{shortlist_id}/status", dependencies=[Depends(check_csrf)])
def candidate_status(
    request: Request, shortlist_id: str, cursor: Cursor, user: Liaison,
    candidate: Annotated[str, Form()] = "", status: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
    page: Annotated[int, Form()] = 1,
) -> Response:
    """Mark a candidate of a confirmed shortlist contacted, invited, hired or rejected."""
    service.set_candidate_status(cursor, actor=user, shortlist_id=shortlist_id, candidate=candidate, status=status,
                                 note=note.strip() or None)
    back = f"?page={page}" if page > 1 else ""
    return RedirectResponse(f"/liaison/shortlists/{shortlist_id}{back}#c-{candidate}", status_code=303)
