"""Liaison pages: vacancies (form or file), confirming and editing occupation, skills and conditions, closing.

Shortlists and candidate status are in :mod:`service.routers.ui_shortlists`.

A liaison sees only their own vacancies and, on their shortlists, consenting candidates under
a per-vacancy pseudonym (``K-…``); never names, contact details or protected attributes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from foundation.errors import InputError, WerkbrugError
from matching import service
from matching.language import SUB_SKILLS
from matching.vacancies import STATUSES
from service.auth import check_csrf
from service.deps import Cursor, require_roles
from service.i18n import request_language
from service.labels import attest_labels, contract_labels, shift_labels, status_labels, sub_skill_labels
from service.ui import field_errors, render, ui_translator
from service.ui.paging import paging
from service.users import Role, User
from taxonomy.store import display_labels

router = APIRouter(prefix="/liaison", include_in_schema=False)
Liaison = Annotated[User, Depends(require_roles(Role.liaison))]

VACANCY_FIELDS = ("title", "employer", "postcode", "hours_per_week", "description", "dutch_level")


def _list_page(request, cursor, user, *, errors=None, form=None, import_errors=None, status_code=200, messages=None,
               q: str = "", sort: str = "newest", status: str = "", page: int = 1):
    _ = ui_translator(request)
    search, status = q.strip() or None, status if status in STATUSES else ""
    pages = paging(service.count_vacancies(cursor, actor=user, search=search, status=status or None), page,
                   {"q": q, "sort": sort, "status": status})
    rows = service.list_vacancies(cursor, actor=user, search=search, status=status or None, order=sort,
                                  limit=pages.size, offset=pages.offset)
    return render(request, "liaison/vacancies.html", user, status_code=status_code,
                  vacancies=rows, paging=pages, q=q, sort=sort, status=status, statuses=STATUSES,
                  errors=errors or {}, form=form or {},
                  import_errors=import_errors or [], status_labels=status_labels(_), messages=messages or [],
                  import_values=import_values(_, request_language(request)))


def import_values(_, lang: str = "en") -> list[tuple[str, str]]:
    """Each import column (its Dutch name first for a Dutch reader) with what it accepts, in the reader's language."""
    from assessment.cefr import REQUIREMENT_CHOICES
    from matching.vacancies import ATTESTS, CONTRACTS, LICENCES, MAX_HOURS, MIN_HOURS
    from matching.vacancies.importing import DUTCH_COLUMNS, IMPORT_COLUMNS

    def named(columns: str) -> str:
        if lang != "nl":
            return columns
        return ", ".join(f"{DUTCH_COLUMNS[c]} / {c}" if DUTCH_COLUMNS[c] != c else c for c in columns.split(", "))

    return [(named(col), text) for col, text in [
        ("title", _("the job title (required)")), ("description", _("the vacancy text (required)")),
        ("employer", _("the employer's name (required)")), ("postcode", _("4 digits, e.g. 8000 (required)")),
        ("hours_per_week", _("a number from %(min)s to %(max)s, e.g. 38 or 37,5", min=MIN_HOURS, max=MAX_HOURS)),
        ("shifts", _("day, early, late, night (or dag, vroeg, laat, nacht), several with ; e.g. early;late")),
        ("weekends", _("ja or nee")),
        (", ".join(c for c in IMPORT_COLUMNS if c.startswith("dutch_")), ", ".join(REQUIREMENT_CHOICES)),
        ("licences", _("%(values)s, several with ;", values=", ".join(LICENCES))),
        ("attests", _("%(values)s, several with ;", values=", ".join(ATTESTS))),
        ("contract", ", ".join(CONTRACTS)),
    ]]


@router.get("/vacancies", response_class=HTMLResponse)
def vacancies(request: Request, cursor: Cursor, user: Liaison, q: str = "", sort: str = "newest", status: str = "",
              page: int = 1) -> HTMLResponse:
    return _list_page(request, cursor, user, q=q, sort=sort, status=status, page=page)


@router.get("/vacancies/template.csv")
def import_template(request: Request, user: Liaison) -> Response:
    """An empty vacancy import file, its header row in the reader's language (both import back)."""
    from matching.vacancies.importing import template_csv

    lang = request_language(request)
    name = "vacatures.csv" if lang == "nl" else "vacancies.csv"
    return Response(template_csv(lang).encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/vacancies", dependencies=[Depends(check_csrf)])
def create(
    request: Request, cursor: Cursor, user: Liaison,
    title: Annotated[str, Form()] = "", employer: Annotated[str, Form()] = "", postcode: Annotated[str, Form()] = "",
    hours_per_week: Annotated[str, Form()] = "38", description: Annotated[str, Form()] = "",
    dutch_level: Annotated[str, Form()] = "",
) -> Response:
    """Create a vacancy; werkbrug proposes occupations and skills for the liaison to confirm."""
    form = {"title": title, "employer": employer, "postcode": postcode, "hours_per_week": hours_per_week,
            "description": description, "dutch_level": dutch_level}
    try:
        v = service.create_vacancy(cursor, actor=user, method=request.app.state.settings.vacancy_search, vacancy={
            "title": title, "employer": employer, "postcode": postcode.strip(),
            "hours_per_week": hours_per_week.strip() or 38, "description": description,
            "dutch_level": dutch_level.strip() or None,
        })
    except WerkbrugError as exc:
        return _list_page(request, cursor, user, errors=field_errors(exc, set(VACANCY_FIELDS)), form=form,
                          status_code=422)
    return RedirectResponse(f"/liaison/vacancies/{v.vacancy_id}", status_code=303)


@router.post("/vacancies/import", dependencies=[Depends(check_csrf)])
def import_file(request: Request, cursor: Cursor, user: Liaison, file: Annotated[UploadFile, File()]):
    """Import vacancies from a CSV or Excel file: all rows or none, with a row-by-row error report.

    Sync: checked and parsed in a worker thread, never on the event loop.
    """
    from foundation.uploads import upload_bytes

    _ = ui_translator(request)
    try:
        data = upload_bytes(file.file, file_name=file.filename or "") if file.filename else b""
        if not data:
            return _list_page(request, cursor, user, import_errors=[_("Choose a CSV or Excel file.")],
                              status_code=422)
        created = service.import_vacancies(cursor, actor=user, data=data, filename=file.filename,
                                           method=request.app.state.settings.vacancy_search)
    except InputError as exc:
        return _list_page(request, cursor, user, import_errors=[exc, *exc.problems],
                          status_code=422)
    return _list_page(request, cursor, user,
                      messages=[("ok", _("%(n)s vacancies imported.", n=len(created)))])


def term_labels(_) -> dict[str, dict[str, str]]:
    return {
        "shift_labels": shift_labels(_), "contract_labels": contract_labels(_),
        "sub_skill_labels": sub_skill_labels(_), "attest_labels": attest_labels(_),
    }


def _confirm_view(v, form: dict | None) -> dict:
    """What the confirm page shows: skills per sentence (the best of each ticked), skipped sentences, terms."""
    from matching.vacancies import ATTESTS, CONTRACTS, LICENCES, SHIFTS

    by_sentence: dict[int | None, list] = {}
    for s in v.proposal.skills:
        by_sentence.setdefault(s.sentence, []).append(s)
    from matching.vacancies import proposed_terms

    req = v.proposal.requirements
    declared = any(v.dutch.values())
    start = proposed_terms(v) if v.status == "proposed" else {
        "hours_per_week": v.hours_per_week, "shifts": v.shifts, "weekends": v.weekends, "licences": v.licences,
        "attests": v.attests, "contract": v.contract, **{f"dutch_{k}": v.dutch.get(k) for k in SUB_SKILLS}}
    terms = {**start, "hours_per_week": _hours_text(start["hours_per_week"]),
             "dutch": {k: start[f"dutch_{k}"] for k in SUB_SKILLS}}
    if form is not None:
        terms = {"hours_per_week": form.get("hours_per_week", ""), "licences": form.get("licences", []),
                 "dutch": {k: form.get(f"dutch_{k}") for k in SUB_SKILLS}, "attests": form.get("attests", []),
                 "shifts": form.get("shifts", []), "weekends": form.get("weekends"), "contract": form.get("contract")}
    return {
        "skills_by_sentence": sorted(by_sentence.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)),
        "sentence_text": {s.index: s.text for s in v.proposal.sentences},
        "skipped": [s.text for s in v.proposal.sentences if s.boilerplate], "terms": terms,
        "evidence": {k: e.text for k, e in req.evidence.items()},
        "dutch_evidence": [e.text for e in req.dutch.evidence] if not declared else [],
        "sub_skills": SUB_SKILLS, "licence_options": LICENCES,
        "attest_options": ATTESTS, "shift_options": SHIFTS, "contract_options": CONTRACTS,
    }


def _hours_text(hours: float) -> str:
    return f"{hours:g}".replace(".", ",")


def field_labels(_) -> dict[str, str]:
    """The vacancy form's fields by name, to name them in error messages."""
    dutch = _("Dutch required (CEFR)")
    return {"title": _("Job title"), "description": _("Vacancy text"), "employer": _("Employer"),
            "postcode": _("Postcode of the workplace"), "hours_per_week": _("Hours per week"),
            "occupation_uris": _("Occupation (ESCO)"), "essential_skills": _("Required skills"),
            "optional_skills": _("Optional skills"), "shifts": _("Shifts"), "weekends": _("Weekend work"),
            "licences": _("Driving licence"), "attests": _("Certificates"), "contract": _("Contract"),
            "add_occupation": _("Add an occupation (ESCO)"), "add_skill": _("Add a required skill (ESCO)"),
            **{f"dutch_{k}": f"{dutch}, {text}" for k, text in term_labels(_)["sub_skill_labels"].items()}}


def _named_errors(exc: WerkbrugError, _) -> dict[str, str]:
    """The problems per form field, each starting with the field's name ("Uren per week: …")."""
    labels = field_labels(_)
    return {k: (f"{labels[k]}: {text}" if k in labels else text)
            for k, text in field_errors(exc, set(labels)).items()}


def _vacancy_page(request, cursor, user, vacancy_id, *, errors=None, status_code=200, messages=None, form=None,
                  edit=None):
    _ = ui_translator(request)
    v = service.show_vacancy(cursor, actor=user, vacancy_id=vacancy_id)
    lang = request_language(request)
    proposed_occ = [o.uri for o in v.proposal.occupations]
    proposed_skills = [s.uri for s in v.proposal.skills]
    chosen = {"title": v.title, "description": v.description, "employer": v.employer, "postcode": v.postcode,
              "occupation_uris": v.occupation_uris, "essential_skills": v.essential_skills,
              "optional_skills": v.optional_skills, "add_occupation": "", "add_skill": "", "choices": {},
              **(edit or {})}
    offered = [u for found in chosen["choices"].values() for u in found]
    labels = display_labels(cursor, v.occupation_uris + v.essential_skills + v.optional_skills + proposed_occ
                            + proposed_skills + chosen["occupation_uris"] + chosen["essential_skills"] + offered,
                            lang)
    return render(request, "liaison/vacancy.html", user, status_code=status_code, v=v, labels=labels,
                  shortlists=service.vacancy_shortlists(cursor, actor=user, vacancy_id=vacancy_id),
                  errors=errors or {}, edit=chosen, edit_open=edit is not None,
                  occupation_choices=list(dict.fromkeys(v.occupation_uris + proposed_occ + chosen["occupation_uris"])),
                  skill_choices=list(dict.fromkeys(v.essential_skills + proposed_skills
                                                   + chosen["essential_skills"])),
                  status_labels=status_labels(_), messages=messages or [], hours_text=_hours_text(v.hours_per_week),
                  **_confirm_view(v, form), **term_labels(_))


@router.get("/vacancies/{vacancy_id}", response_class=HTMLResponse)
def vacancy(request: Request, vacancy_id: str, cursor: Cursor, user: Liaison, saved: str = "") -> HTMLResponse:
    _ = ui_translator(request)
    done = {"edited": _("Changes saved."), "closed": _("Vacancy closed: it gets no new shortlists.")}
    messages = [("ok", done[saved])] if saved in done else []
    return _vacancy_page(request, cursor, user, vacancy_id, messages=messages)


def _posted_terms(form) -> tuple[dict, dict]:
    """(the terms for the service, the values to show again) from a posted confirm or edit form."""
    values = {k: [str(x) for x in form.getlist(k)] for k in ("licences", "attests", "shifts")}
    dutch = [f"dutch_{k}" for k in SUB_SKILLS]
    values.update({k: str(form.get(k, "")).strip() for k in ("hours_per_week", "contract", *dutch)})
    terms = {**values, "weekends": form.get("weekends") == "1", "contract": values["contract"] or None}
    terms.update({k: values[k] or None for k in dutch})
    if not values["hours_per_week"]:
        terms.pop("hours_per_week")
    return terms, {**values, "weekends": form.get("weekends") == "1"}


def _uris(form) -> dict[str, list[str]]:
    return {k: [str(u) for u in form.getlist(k)] for k in ("occupation_uris", "essential_skills", "optional_skills")}


@router.post("/vacancies/{vacancy_id}/confirm", dependencies=[Depends(check_csrf)])
async def confirm(request: Request, vacancy_id: str, cursor: Cursor, user: Liaison) -> Response:
    """The liaison confirms (or corrects) the proposed occupation and skills."""
    form = await request.form()
    terms, shown = _posted_terms(form)
    try:
        service.confirm_vacancy(cursor, actor=user, vacancy_id=vacancy_id, **_uris(form), terms=terms)
    except InputError as exc:
        return _vacancy_page(request, cursor, user, vacancy_id, errors=_named_errors(exc, ui_translator(request)),
                             status_code=422, form=shown)
    return RedirectResponse(f"/liaison/vacancies/{vacancy_id}", status_code=303)


def _with_added(cursor, form, lang: str, _) -> tuple[dict[str, list[str]], dict[str, str], dict[str, list]]:
    """The ticked URIs plus the occupation and skill typed to add: an exact ESCO label is taken, a pick from
    the choices too; otherwise the choices are shown (an error next to the field)."""
    from taxonomy.search import search

    uris, errors, choices = _uris(form), {}, {}
    for name, kind, target in (("add_occupation", "occupation", "occupation_uris"),
                               ("add_skill", "skill", "essential_skills")):
        text, picked = str(form.get(name, "")).strip(), str(form.get(f"{name}_uri", "")).strip()
        if picked or not text:
            uris[target] += [picked] if picked else []
            continue
        hits = list(search(cursor, text, kind=kind, lang=lang, top=5))
        exact = [h for h in hits if text.casefold() in (h.label.casefold(), h.matched_label.casefold())]
        if exact:
            uris[target].append(exact[0].uri)
        else:
            choices[name] = [h.uri for h in hits]
            errors[name] = field_labels(_)[name] + ": " + (_("Pick one of the ESCO terms below.") if hits
                                                           else _("Nothing found in ESCO: try another word."))
    return uris, errors, choices


@router.post("/vacancies/{vacancy_id}/edit", dependencies=[Depends(check_csrf)])
async def edit(request: Request, vacancy_id: str, cursor: Cursor, user: Liaison) -> Response:
    """Change a confirmed vacancy: its words, occupations, skills and conditions (all checked at once)."""
    _ = ui_translator(request)
    form = await request.form()
    terms, shown = _posted_terms(form)
    details = {k: str(form.get(k, "")) for k in ("title", "description", "employer", "postcode")}
    uris, errors, choices = _with_added(cursor, form, request_language(request), _)
    if not errors:
        try:
            service.confirm_vacancy(cursor, actor=user, vacancy_id=vacancy_id, **uris, terms=terms, details=details)
        except InputError as exc:
            errors = _named_errors(exc, _)
        else:
            return RedirectResponse(f"/liaison/vacancies/{vacancy_id}?saved=edited", status_code=303)
    typed = {k: str(form.get(k, "")) for k in ("add_occupation", "add_skill")}
    return _vacancy_page(request, cursor, user, vacancy_id, errors=errors, status_code=422, form=shown,
                         edit={**details, **uris, **typed, "choices": choices})
