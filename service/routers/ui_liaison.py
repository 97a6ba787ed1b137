"""Liaison pages: vacancies (form or file), confirming occupation and skills, shortlists, candidate status.

A liaison sees only their own vacancies and, on their shortlists, consenting candidates under
a per-vacancy pseudonym (``K-…``); never names, contact details or protected attributes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from foundation.audit import Purpose, audit
from foundation.errors import InputError, WerkbrugError
from service.auth import check_csrf
from service.deps import Cursor, require_roles
from service.i18n import request_language
from service.policies import candidate_code, consenting, require_shortlist, require_vacancy
from service.ui import field_errors, render, ui_translator
from service.users import Role, User
from taxonomy.store import preferred_labels

router = APIRouter(prefix="/liaison", include_in_schema=False)
Liaison = Annotated[User, Depends(require_roles(Role.liaison))]

CANDIDATE_STATUSES = ("contacted", "invited", "hired", "rejected")
VACANCY_FIELDS = ("title", "employer", "postcode", "hours_per_week", "description", "dutch_level")


def status_labels(_) -> dict[str, str]:
    return {"proposed": _("to confirm"), "confirmed": _("confirmed"), "closed": _("closed"),
            "suggested": _("suggestion"), "contacted": _("contacted"), "invited": _("invited"),
            "hired": _("hired"), "rejected": _("rejected")}


def _list_page(request, cursor, user, *, errors=None, form=None, import_errors=None, status_code=200, messages=None):
    from matching.vacancies import list_vacancies

    _ = ui_translator(request)
    return render(request, "liaison/vacancies.html", user, status_code=status_code,
                  vacancies=list_vacancies(cursor, owner=user.username), errors=errors or {}, form=form or {},
                  import_errors=import_errors or [], status_labels=status_labels(_), messages=messages or [])


@router.get("/vacancies", response_class=HTMLResponse)
def vacancies(request: Request, cursor: Cursor, user: Liaison) -> HTMLResponse:
    return _list_page(request, cursor, user)


@router.post("/vacancies", dependencies=[Depends(check_csrf)])
def create(
    request: Request, cursor: Cursor, user: Liaison,
    title: Annotated[str, Form()] = "", employer: Annotated[str, Form()] = "", postcode: Annotated[str, Form()] = "",
    hours_per_week: Annotated[str, Form()] = "38", description: Annotated[str, Form()] = "",
    dutch_level: Annotated[str, Form()] = "",
) -> Response:
    """Create a vacancy; werkbrug proposes occupations and skills for the liaison to confirm."""
    from matching.vacancies import create_vacancy

    _ = ui_translator(request)
    form = {"title": title, "employer": employer, "postcode": postcode, "hours_per_week": hours_per_week,
            "description": description, "dutch_level": dutch_level}
    errors: dict[str, str] = {}
    if len(title.strip()) < 2:
        errors["title"] = _("Enter the job title.")
    if not employer.strip():
        errors["employer"] = _("Enter the employer.")
    if not description.strip():
        errors["description"] = _("Paste or write the vacancy text.")
    if not hours_per_week.strip().isdigit():
        errors["hours_per_week"] = _("Enter the hours per week as a number.")
    if not errors:
        try:
            v = create_vacancy(cursor, owner=user.username, method=request.app.state.settings.vacancy_search, vacancy={
                "title": title, "employer": employer, "postcode": postcode.strip(),
                "hours_per_week": int(hours_per_week), "description": description,
                "dutch_level": dutch_level.strip() or None,
            })
        except WerkbrugError as exc:
            errors = field_errors(exc, set(VACANCY_FIELDS))
        else:
            audit(cursor, user=user, action="create_vacancy", object_type="vacancy", object_id=v.vacancy_id,
                  purpose=Purpose.employer_contact)
            return RedirectResponse(f"/liaison/vacancies/{v.vacancy_id}", status_code=303)
    return _list_page(request, cursor, user, errors=errors, form=form, status_code=422)


@router.post("/vacancies/import", dependencies=[Depends(check_csrf)])
def import_file(request: Request, cursor: Cursor, user: Liaison, file: Annotated[UploadFile, File()]):
    """Import vacancies from a CSV or Excel file: all rows or none, with a row-by-row error report.

    Sync: checked and parsed in a worker thread, never on the event loop.
    """
    from foundation.uploads import upload_bytes
    from matching.vacancies import import_vacancies

    _ = ui_translator(request)
    try:
        data = upload_bytes(file.file, file_name=file.filename or "") if file.filename else b""
        if not data:
            return _list_page(request, cursor, user, import_errors=[_("Choose a CSV or Excel file.")],
                              status_code=422)
        created = import_vacancies(cursor, owner=user.username, data=data, filename=file.filename,
                                   method=request.app.state.settings.vacancy_search)
    except InputError as exc:
        return _list_page(request, cursor, user, import_errors=[exc, *exc.problems],
                          status_code=422)
    audit(cursor, user=user, action="import_vacancies", object_type="vacancy", purpose=Purpose.employer_contact,
          detail={"vacancies": [v.vacancy_id for v in created], "file": file.filename})
    return _list_page(request, cursor, user,
                      messages=[("ok", _("%(n)s vacancies imported.", n=len(created)))])


def _vacancy_page(request, cursor, user, vacancy_id, *, errors=None, status_code=200, messages=None):
    from matching.shortlist import list_shortlists
    from matching.vacancies import get_vacancy

    _ = ui_translator(request)
    require_vacancy(cursor, user=user, vacancy_id=vacancy_id)
    v = get_vacancy(cursor, vacancy_id=vacancy_id)
    lang = request_language(request)
    labels = preferred_labels(cursor, v.occupation_uris + v.essential_skills + v.optional_skills, lang=lang)
    return render(request, "liaison/vacancy.html", user, status_code=status_code, v=v, labels=labels,
                  shortlists=list_shortlists(cursor, vacancy_id=vacancy_id), errors=errors or {},
                  status_labels=status_labels(_), messages=messages or [])


@router.get("/vacancies/{vacancy_id}", response_class=HTMLResponse)
def vacancy(request: Request, vacancy_id: str, cursor: Cursor, user: Liaison) -> HTMLResponse:
    return _vacancy_page(request, cursor, user, vacancy_id)


@router.post("/vacancies/{vacancy_id}/confirm", dependencies=[Depends(check_csrf)])
async def confirm(request: Request, vacancy_id: str, cursor: Cursor, user: Liaison) -> Response:
    """The liaison confirms (or corrects) the proposed occupation and skills."""
    from matching.vacancies import confirm_vacancy

    require_vacancy(cursor, user=user, vacancy_id=vacancy_id)
    form = await request.form()
    try:
        confirm_vacancy(
            cursor, vacancy_id=vacancy_id, by=user.username,
            occupation_uris=[str(u) for u in form.getlist("occupation_uris")],
            essential_skills=[str(u) for u in form.getlist("essential_skills")],
            optional_skills=[str(u) for u in form.getlist("optional_skills")],
        )
    except InputError as exc:
        errors = field_errors(exc, {"occupation_uris", "essential_skills", "optional_skills"})
        return _vacancy_page(request, cursor, user, vacancy_id, errors=errors, status_code=422)
    audit(cursor, user=user, action="confirm_vacancy", object_type="vacancy", object_id=vacancy_id,
          purpose=Purpose.employer_contact)
    return RedirectResponse(f"/liaison/vacancies/{vacancy_id}", status_code=303)


@router.post("/vacancies/{vacancy_id}/shortlist", dependencies=[Depends(check_csrf)])
def pull_shortlist(request: Request, vacancy_id: str, cursor: Cursor, user: Liaison) -> Response:
    """Rank the consenting candidates for a confirmed vacancy (a suggestion to review)."""
    from matching.shortlist import make_shortlist

    require_vacancy(cursor, user=user, vacancy_id=vacancy_id)
    sl = make_shortlist(cursor, vacancy_id=vacancy_id, requested_by=user.username, top=10,
                        lang=request_language(request), config=request.app.state.matching_config)
    audit(cursor, user=user, action="rank_candidates", object_type="vacancy", object_id=vacancy_id,
          purpose=Purpose.matching, detail={"shortlist_id": sl.shortlist_id, "log_id": sl.log_id,
                                            "candidates": len(sl.candidates)})
    return RedirectResponse(f"/liaison/shortlists/{sl.shortlist_id}", status_code=303)


def _coaches_to_call(cursor, codes: dict[str, str]) -> dict[str, tuple[str, str | None]]:
    """Per candidate code already contacted: their coach's name and how to reach them (never the candidate's)."""
    from assessment.participants import get_participant
    from service.accounts import colleague

    out = {}
    for pid, code in codes.items():
        found = colleague(cursor, get_participant(cursor, participant_id=pid).coach)
        if found:
            out[code] = found
    return out


def _shortlist_page(request, cursor, user, shortlist_id, *, errors=None, form=None, status_code=200, messages=None):
    from matching.shortlist import candidate_history, get_shortlist
    from matching.vacancies import get_vacancy

    _ = ui_translator(request)
    vacancy_id = require_shortlist(cursor, user=user, shortlist_id=shortlist_id)
    sl = get_shortlist(cursor, shortlist_id=shortlist_id)
    v = get_vacancy(cursor, vacancy_id=vacancy_id)
    key = request.app.state.secret_key
    still = consenting(cursor, [c.participant_id for c in sl.candidates])
    codes = {c.participant_id: candidate_code(key, vacancy_id=vacancy_id, participant_id=c.participant_id)
             for c in sl.candidates}
    candidates = [(codes[c.participant_id], c) for c in sl.candidates if c.participant_id in still]
    withdrawn = [codes[c.participant_id] for c in sl.candidates if c.participant_id not in still]
    by_id = {c.participant_id: c for c in sl.candidates}
    confirmed = [(codes[pid], by_id[pid]) for pid in (sl.confirmed_order or []) if pid in still]
    history: dict[str, list] = {}
    if sl.status == "confirmed":
        for event in candidate_history(cursor, shortlist_id=shortlist_id):
            history.setdefault(codes.get(event.participant_id, "?"), []).append(event)
    reasons = {codes.get(pid, pid): text for pid, text in (sl.reasons or {}).items()}
    coaches = _coaches_to_call(cursor, {pid: codes[pid] for pid in still if codes[pid] in history})
    audit(cursor, user=user, action="read_shortlist", object_type="shortlist", object_id=shortlist_id,
          purpose=Purpose.employer_contact,
          detail={"vacancy_id": vacancy_id, "participants": [c.participant_id for _code, c in candidates]})
    labels = preferred_labels(cursor, [s.uri for c in sl.candidates for s in (*c.supporting_skills,
                                                                             *c.missing_essential)],
                              lang=request_language(request))  # stored labels are in the language of the ranking
    return render(request, "liaison/shortlist.html", user, status_code=status_code, sl=sl, v=v, labels=labels,
                  candidates=candidates, withdrawn=withdrawn, coaches=coaches, confirmed=confirmed, history=history,
                  reasons=reasons,
                  errors=errors or {}, form=form or {}, statuses=CANDIDATE_STATUSES,
                  status_labels=status_labels(_), messages=messages or [])


@router.get("/shortlists/{shortlist_id}", response_class=HTMLResponse)
def shortlist(request: Request, shortlist_id: str, cursor: Cursor, user: Liaison) -> HTMLResponse:
    return _shortlist_page(request, cursor, user, shortlist_id)


def _code_map(request: Request, cursor, vacancy_id: str, sl) -> dict[str, str]:
    key = request.app.state.secret_key
    return {candidate_code(key, vacancy_id=vacancy_id, participant_id=c.participant_id): c.participant_id
            for c in sl.candidates}


@router.post("/shortlists/{shortlist_id}/confirm", dependencies=[Depends(check_csrf)])
async def confirm_list(request: Request, shortlist_id: str, cursor: Cursor, user: Liaison) -> Response:
    """Confirm the shortlist as a named person; removals and changes of order need a reason."""
    from matching.shortlist import confirm_shortlist, get_shortlist

    _ = ui_translator(request)
    vacancy_id = require_shortlist(cursor, user=user, shortlist_id=shortlist_id)
    sl = get_shortlist(cursor, shortlist_id=shortlist_id)
    to_pid = _code_map(request, cursor, vacancy_id, sl)
    to_code = {v: k for k, v in to_pid.items()}
    form = await request.form()
    confirmed_by = str(form.get("confirmed_by", "")).strip()
    values = {k: str(v) for k, v in form.items()}
    errors: dict[str, str] = {}
    if not confirmed_by:
        errors["confirmed_by"] = _("Enter your name: a named person confirms the shortlist.")
    kept: list[tuple[float, int, str]] = []
    for n, c in enumerate(sl.candidates):
        code = to_code[c.participant_id]
        if form.get(f"keep_{code}") != "1":
            continue
        raw = str(form.get(f"position_{code}", "")).strip()
        try:
            kept.append((float(raw), n, c.participant_id))
        except ValueError:
            errors[f"position_{code}"] = _("Enter a position as a number.")
    order = [pid for _pos, _n, pid in sorted(kept)]
    reasons = {to_pid[code.removeprefix("reason_")]: str(text) for code, text in form.items()
               if code.startswith("reason_") and code.removeprefix("reason_") in to_pid and str(text).strip()}
    if not errors:
        try:
            confirm_shortlist(cursor, shortlist_id=shortlist_id, confirmed_by=confirmed_by,
                              ordered_participant_ids=order, reasons=reasons)
        except WerkbrugError as exc:
            for p in getattr(exc, "problems", []) or []:
                column = p.column or ""
                pid = column.removeprefix("reasons.")
                if column.startswith("reasons.") and pid in to_code:
                    errors[f"reason_{to_code[pid]}"] = (
                        _("Give a reason: this candidate was removed or moved.")
                    )
                elif column == "confirmed_by":
                    errors["confirmed_by"] = _("Enter your name: a named person confirms the shortlist.")
                else:
                    errors["_form"] = str(p.message)
            if not errors:
                errors["_form"] = exc.message
    if errors:
        return _shortlist_page(request, cursor, user, shortlist_id, errors=errors, form=values, status_code=422)
    audit(cursor, user=user, action="confirm_shortlist", object_type="shortlist", object_id=shortlist_id,
          purpose=Purpose.employer_contact, detail={"confirmed_by": confirmed_by, "kept": len(order),
                                                    "reasons": len(reasons)})
    return RedirectResponse(f"/liaison/shortlists/{shortlist_id}", status_code=303)


@router.post("/shortlists/{shortlist_id}/status", dependencies=[Depends(check_csrf)])
def candidate_status(
    request: Request, shortlist_id: str, cursor: Cursor, user: Liaison,
    candidate: Annotated[str, Form()] = "", status: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
) -> Response:
    """Mark a candidate of a confirmed shortlist contacted, invited, hired or rejected."""
    from matching.shortlist import get_shortlist, set_candidate_status

    vacancy_id = require_shortlist(cursor, user=user, shortlist_id=shortlist_id)
    sl = get_shortlist(cursor, shortlist_id=shortlist_id)
    pid = _code_map(request, cursor, vacancy_id, sl).get(candidate)
    if pid is None or pid not in consenting(cursor, [pid]):
        raise InputError("Unknown candidate on this shortlist")
    set_candidate_status(cursor, shortlist_id=shortlist_id, participant_id=pid, status=status, by=user.username,
                         note=note.strip() or None)
    audit(cursor, user=user, action="set_candidate_status", object_type="shortlist", object_id=shortlist_id,
          purpose=Purpose.employer_contact, detail={"candidate": candidate, "participant_id": pid, "status": status})
    return RedirectResponse(f"/liaison/shortlists/{shortlist_id}#c-{candidate}", status_code=303)
