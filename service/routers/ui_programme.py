"""Programme pages: employers (liaison), outreach, stages and placements (coach), reports (admin).

Thin: every rule lives in the domain service layers (``matching.employers`` …); these
routes parse the form, call, and render the result or the error in the reader's language.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from foundation.errors import ConflictError, InputError, WerkbrugError
from matching import employers as emp
from service.auth import check_csrf
from service.deps import Cursor, require_roles
from service.i18n import request_language
from service.labels import concern_labels, event_labels
from service.ui import field_errors, render, ui_translator
from service.users import Role, User
from taxonomy.store import preferred_labels

router = APIRouter(include_in_schema=False)
Liaison = Annotated[User, Depends(require_roles(Role.liaison))]


def problem_errors(request: Request, exc: WerkbrugError, fields: set[str]) -> dict[str, str]:
    """The error's problems by form field, in the reader's language."""
    return field_errors(exc, fields, lang=request_language(request))


def labels(request: Request) -> dict[str, dict[str, str]]:
    """Dutch/English names of the coded values shown on the programme pages."""
    _ = ui_translator(request)
    return {"event": event_labels(_), "concern": concern_labels(_)}


# --- employers (liaison) ---------------------------------------------------------------------

def _employers_page(request, cursor, user, *, errors=None, form=None, status_code=200):
    search = request.query_params.get("q") or None
    return render(request, "programme/employers.html", user, status_code=status_code,
                  employers=emp.list_employers(cursor, actor=user, search=search), search=search or "",
                  concerns=emp.concern_counts(cursor, actor=user), labels=labels(request),
                  errors=errors or {}, form=form or {})


@router.get("/liaison/employers", response_class=HTMLResponse)
def employers(request: Request, cursor: Cursor, user: Liaison) -> HTMLResponse:
    return _employers_page(request, cursor, user)


@router.post("/liaison/employers", dependencies=[Depends(check_csrf)])
def create_employer(
    request: Request, cursor: Cursor, user: Liaison, name: Annotated[str, Form()] = "",
    kbo: Annotated[str, Form()] = "", sector: Annotated[str, Form()] = "", postcode: Annotated[str, Form()] = "",
) -> Response:
    form = {"name": name, "kbo": kbo, "sector": sector, "postcode": postcode}
    try:
        e = emp.create_employer(cursor, actor=user, employer={
            "name": name, "kbo": kbo.strip() or None, "sector": sector.strip() or None, "postcode": postcode.strip()})
    except (InputError, ConflictError) as exc:
        return _employers_page(request, cursor, user, errors=problem_errors(request, exc, set(form)), form=form,
                               status_code=422 if isinstance(exc, InputError) else 409)
    return RedirectResponse(f"/liaison/employers/{e.employer_id}", status_code=303)


def _employer_page(request, cursor, user, employer_id, *, errors=None, status_code=200, show_contacts=False):
    e = emp.get_employer(cursor, actor=user, employer_id=employer_id)
    contacts = emp.get_contacts(cursor, actor=user, employer_id=employer_id) if show_contacts else None
    uris = e.occupation_uris + [ev.occupation_uri for ev in e.events if ev.occupation_uri]
    return render(request, "programme/employer.html", user, status_code=status_code, e=e, contacts=contacts,
                  names=preferred_labels(cursor, uris, lang=request_language(request)), labels=labels(request),
                  errors=errors or {})


def _employer_change(request, cursor, user, employer_id: str, change: Callable[[], object], *, fields: set[str],
                     then: str) -> Response:
    """Do ``change``; bad input shows the employer page again with the problems by field (422), else go to ``then``."""
    try:
        change()
    except InputError as exc:
        errors = problem_errors(request, exc, fields)
        return _employer_page(request, cursor, user, employer_id, errors=errors, status_code=422)
    return RedirectResponse(f"/liaison/employers/{employer_id}{then}", status_code=303)


@router.get("/liaison/employers/{employer_id}", response_class=HTMLResponse)
def employer(request: Request, employer_id: str, cursor: Cursor, user: Liaison) -> HTMLResponse:
    return _employer_page(request, cursor, user, employer_id,
                          show_contacts=request.query_params.get("contacts") == "1")


@router.post("/liaison/employers/{employer_id}/contacts", dependencies=[Depends(check_csrf)])
def add_contact(
    request: Request, employer_id: str, cursor: Cursor, user: Liaison, name: Annotated[str, Form()] = "",
    job_role: Annotated[str, Form()] = "", phone: Annotated[str, Form()] = "", email: Annotated[str, Form()] = "",
) -> Response:
    contact = {"name": name, "job_role": job_role or None, "phone": phone or None, "email": email or None}
    add = functools.partial(emp.add_contact, cursor, actor=user, employer_id=employer_id, contact=contact)
    return _employer_change(request, cursor, user, employer_id, add, fields=set(contact), then="?contacts=1#contacts")


@router.post("/liaison/employers/{employer_id}/occupations", dependencies=[Depends(check_csrf)])
def add_occupation(request: Request, employer_id: str, cursor: Cursor, user: Liaison,
                   occupation: Annotated[str, Form()] = "") -> Response:
    def change() -> None:
        emp.get_employer(cursor, actor=user, employer_id=employer_id)
        uri = emp.find_occupation(cursor, occupation)
        emp.add_occupations(cursor, actor=user, employer_id=employer_id, occupation_uris=[uri])

    return _employer_change(request, cursor, user, employer_id, change, fields={"occupation"}, then="#occupations")


@router.post("/liaison/employers/{employer_id}/events", dependencies=[Depends(check_csrf)])
def add_event(request: Request, employer_id: str, cursor: Cursor, user: Liaison,
              kind: Annotated[str, Form()] = "", happened_on: Annotated[str, Form()] = "",
              note: Annotated[str, Form()] = "") -> Response:
    add = functools.partial(emp.add_event, cursor, actor=user, employer_id=employer_id, kind=kind,
                            happened_on=happened_on or None, note=note)
    return _employer_change(request, cursor, user, employer_id, add, fields={"kind", "happened_on", "note"},
                            then="#timeline")


@router.post("/liaison/employers/{employer_id}/concerns", dependencies=[Depends(check_csrf)])
def add_concern(request: Request, employer_id: str, cursor: Cursor, user: Liaison,
                code: Annotated[str, Form()] = "", raised_on: Annotated[str, Form()] = "",
                note: Annotated[str, Form()] = "") -> Response:
    add = functools.partial(emp.add_concern, cursor, actor=user, employer_id=employer_id, code=code,
                            raised_on=raised_on or None, note=note)
    return _employer_change(request, cursor, user, employer_id, add, fields={"code", "raised_on", "note"},
                            then="#concerns")



# --- which employers to contact for a participant (liaison) ----------------------------------

def reason_texts(request: Request, reasons) -> list[str]:
    from service.messages import message

    lang = request_language(request)
    return [message(r.code, r.params, lang=lang, fallback=r.code) for r in reasons]


@router.get("/liaison/outreach", response_class=HTMLResponse)
def outreach(request: Request, cursor: Cursor, user: Liaison) -> HTMLResponse:
    """Consenting candidates with agreed job targets, under a code."""
    from matching.outreach import outreach_candidates

    rows = outreach_candidates(cursor, actor=user)
    names = preferred_labels(cursor, sorted({u for c in rows for u in c.target_uris}), lang=request_language(request))
    return render(request, "programme/outreach.html", user, candidates=rows, names=names)


def _outreach_page(request, cursor, user, candidate, *, errors=None, status_code=200, messages=None):
    from assessment.trajectories import latest_targets
    from matching.outreach import employers_to_contact, resolve_code

    pid = resolve_code(cursor, code=candidate)
    lang = request_language(request)
    suggestions = employers_to_contact(cursor, actor=user, participant_id=pid, lang=lang)
    targets = latest_targets(cursor, participant_ids=[pid])[pid]
    names = preferred_labels(cursor, targets, lang=lang)
    shown = [(s, reason_texts(request, s.reasons)) for s in suggestions]
    return render(request, "programme/outreach_candidate.html", user, status_code=status_code, code=candidate,
                  targets=targets, names=names, suggestions=shown,
                  errors=errors or {}, messages=messages or [])


@router.get("/liaison/outreach/{candidate}", response_class=HTMLResponse)
def outreach_candidate(request: Request, candidate: str, cursor: Cursor, user: Liaison) -> HTMLResponse:
    """The employers to contact for this candidate's job targets, with the reasons."""
    return _outreach_page(request, cursor, user, candidate)


@router.post("/liaison/outreach/{candidate}/present", dependencies=[Depends(check_csrf)])
def present(request: Request, candidate: str, cursor: Cursor, user: Liaison,
            employer_id: Annotated[str, Form()] = "", occupation_uri: Annotated[str, Form()] = "",
            note: Annotated[str, Form()] = "") -> Response:
    """Record that the candidate was presented to the employer for a job target."""
    from matching.outreach import present_candidate, resolve_code

    _ = ui_translator(request)
    pid = resolve_code(cursor, code=candidate)
    try:
        present_candidate(cursor, actor=user, participant_id=pid, employer_id=employer_id,
                          occupation_uri=occupation_uri, note=note)
    except InputError as exc:
        return _outreach_page(request, cursor, user, candidate, status_code=422,
                              errors=problem_errors(request, exc, {"occupation_uri", "note"}))
    return _outreach_page(request, cursor, user, candidate,
                          messages=[("ok", _("Recorded on the employer's timeline."))])
