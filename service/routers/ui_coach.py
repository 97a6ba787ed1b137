"""Coach pages: the caseload, a participant's competence profile, job targets, trajectory, passport."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assessment import service
from assessment.trajectories import StepKind, StepStatus
from foundation.errors import WerkbrugError
from matching.service import participant_candidacies, participant_job_targets
from service.auth import check_csrf
from service.deps import Cursor, require_roles
from service.i18n import request_language
from service.labels import status_labels
from service.ui import field_errors, render, ui_translator
from service.ui.charts import bar_chart
from service.ui.competences import chart_groups, competence_rows, summary_groups
from service.ui.paging import paging
from service.ui.registration import register_from_form
from service.users import Role, User
from taxonomy.store import display_labels

router = APIRouter(prefix="/coach", include_in_schema=False)
Coach = Annotated[User, Depends(require_roles(Role.coach))]

STEP_KINDS = tuple(k.value for k in StepKind)
STEP_STATUSES = tuple(s.value for s in StepStatus)


def step_labels(_) -> dict[str, str]:
    return {
        "training": _("Training"), "language_course": _("Dutch course (NT2)"), "internship": _("Internship"),
        "twe": _("Temporary work experience (art. 60)"), "volunteering": _("Volunteering"),
        "job_club": _("Job club"), "job_application": _("Job-application training"), "childcare": _("Childcare"),
        "mobility": _("Mobility help (e.g. e-bike loan)"), "other": _("Other"),
        "planned": _("planned"), "ongoing": _("started"), "completed": _("done"), "stopped": _("cancelled"),
    }


def _caseload_page(request: Request, cursor, user: User, *, q: str = "", sort: str = "name", page: int = 1,
                   errors=None, form=None, status_code: int = 200) -> HTMLResponse:
    search = q.strip() or None
    pages = paging(service.count_participants(cursor, actor=user, search=search), page, {"q": q, "sort": sort})
    rows = service.list_participants(cursor, actor=user, search=search, order=sort, limit=pages.size,
                                     offset=pages.offset)
    return render(request, "coach/participants.html", user, status_code=status_code, rows=rows, q=q, sort=sort,
                  paging=pages, errors=errors or {}, form=form or {})


@router.get("/participants", response_class=HTMLResponse)
def caseload(request: Request, cursor: Cursor, user: Coach, q: str = "", sort: str = "name",
             page: int = 1) -> HTMLResponse:
    return _caseload_page(request, cursor, user, q=q, sort=sort, page=page)


@router.post("/participants", dependencies=[Depends(check_csrf)])
async def register(request: Request, cursor: Cursor, user: Coach) -> Response:
    """Register a participant in the coach's own caseload, then straight on to the intake and job targets."""
    pid, reg = register_from_form(cursor, actor=user, values=dict(await request.form()), with_coach=False)
    if pid:
        return RedirectResponse(f"/participants/{pid}/intake?new=1", status_code=303)
    return _caseload_page(request, cursor, user, errors=reg.errors, form=reg.form, status_code=422)


def _profile_page(
    request: Request, cursor, user: User, participant_id: str, *, errors=None, form=None, status_code=200,
    messages=None,
) -> HTMLResponse:
    _ = ui_translator(request)
    lang = request_language(request)
    file = service.participant_file(cursor, actor=user, participant_id=participant_id)
    p, contact, profile, trajectory = file.participant, file.contact, file.profile, file.trajectory
    rows = competence_rows(cursor, profile, lang=lang)
    groups = chart_groups(rows, profile.dutch, _, lang=lang)
    chart = bar_chart(groups, title=_("Competence profile of %(id)s", id=participant_id),
                      empty=_("No assessed competences yet."))
    overview = bar_chart(summary_groups(groups, _), title=_("Overview"), empty=_("No assessed competences yet."),
                         width=560)
    result = participant_job_targets(cursor, actor=user, participant_id=participant_id, top=6, lang=lang,
                                     config=request.app.state.matching_config)
    agreed = trajectory.agreed_targets.occupation_uris if trajectory.agreed_targets else []
    labels = display_labels(cursor, agreed + [t.occupation_uri for t in result.targets] + [
        s.uri for t in result.targets for s in (*t.supporting_skills, *t.missing_essential)] + [
        u for a in trajectory.target_history for u in a.occupation_uris], lang)
    proposed = participant_candidacies(cursor, actor=user, participant_id=participant_id)
    return render(
        request, "coach/participant.html", user, status_code=status_code, p=p, contact=contact, profile=profile,
        rows=rows, chart=chart, overview=overview, result=result, trajectory=trajectory, agreed=agreed, labels=labels,
        errors=errors or {}, form=form or {}, step_kinds=STEP_KINDS, step_statuses=STEP_STATUSES,
        step_labels=step_labels(_), messages=messages or [], today=date.today().isoformat(), proposed=proposed,
        candidate_statuses=status_labels(_),
    )


@router.get("/participants/{participant_id}", response_class=HTMLResponse)
def participant(request: Request, participant_id: str, cursor: Cursor, user: Coach, saved: str = "") -> HTMLResponse:
    _ = ui_translator(request)
    messages = {"targets": [("ok", _("Job targets recorded."))], "step": [("ok", _("Trajectory step added."))],
                "consent": [("ok", _("Consent updated."))], "intake": [("ok", _("Profile saved."))],
                "step_changed": [("ok", _("Trajectory step changed."))]}.get(saved, [])
    return _profile_page(request, cursor, user, participant_id, messages=messages)


@router.post("/participants/{participant_id}/targets", dependencies=[Depends(check_csrf)])
async def agree_targets(request: Request, participant_id: str, cursor: Cursor, user: Coach) -> Response:
    """Record the job targets agreed with the participant (the latest agreement counts)."""
    form = await request.form()
    uris = [str(u) for u in form.getlist("occupation_uri") if str(u).strip()]
    note = str(form.get("note", "")).strip()
    try:
        service.agree_targets(cursor, actor=user, participant_id=participant_id, occupation_uris=uris,
                              note=note or None)
    except WerkbrugError as exc:
        errors = field_errors(exc, {"occupation_uris"})  # the form's ticks are named occupation_uri
        errors = {"occupation_uri" if k == "occupation_uris" else k: v for k, v in errors.items()}
        return _profile_page(request, cursor, user, participant_id, errors=errors, form={"note": note},
                             status_code=422)
    return RedirectResponse(f"/coach/participants/{participant_id}?saved=targets#targets", status_code=303)


@router.post("/participants/{participant_id}/steps", dependencies=[Depends(check_csrf)])
def add_step(
    request: Request, participant_id: str, cursor: Cursor, user: Coach,
    kind: Annotated[str, Form()] = "", title: Annotated[str, Form()] = "", status: Annotated[str, Form()] = "planned",
    starts_on: Annotated[str, Form()] = "", ends_on: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
    owner: Annotated[str, Form()] = "",
) -> Response:
    """Add a trajectory step (training, Dutch course, internship, TWE …); its rules: ``assessment.service.add_step``."""
    form = {"kind": kind, "title": title, "status": status, "starts_on": starts_on, "ends_on": ends_on, "note": note,
            "owner": owner}
    try:
        service.add_step(cursor, actor=user, participant_id=participant_id, kind=kind, title=title, status=status,
                         starts_on=starts_on, ends_on=ends_on, note=note.strip() or None,
                         owner=owner.strip() or None)
    except WerkbrugError as exc:
        return _profile_page(request, cursor, user, participant_id, errors=field_errors(exc, set(form)), form=form,
                             status_code=422)
    return RedirectResponse(f"/coach/participants/{participant_id}?saved=step#trajectory", status_code=303)


@router.post("/participants/{participant_id}/consent", dependencies=[Depends(check_csrf)])
def consent(
    request: Request, participant_id: str, cursor: Cursor, user: Coach, given: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Record that the participant gives or withdraws consent to share a pseudonymised profile."""
    service.change_consent(cursor, actor=user, participant_id=participant_id, given=given == "1", note=note or None)
    return RedirectResponse(f"/coach/participants/{participant_id}?saved=consent", status_code=303)


@router.get("/participants/{participant_id}/passport", response_class=HTMLResponse)
def passport(request: Request, participant_id: str, cursor: Cursor, user: Coach, contact: int = 0) -> HTMLResponse:
    """A printable competence passport: what the participant can do, with evidence and Dutch levels.

    No protected attributes ever; contact details only with consent and when asked for.
    """
    from assessment.instrument import load_instruments

    _ = ui_translator(request)
    lang = request_language(request)
    sheet = service.passport(cursor, actor=user, participant_id=participant_id, with_contact=bool(contact))
    p, profile, details = sheet.participant, sheet.profile, sheet.contact
    rows = competence_rows(cursor, profile, lang=lang)
    labels = display_labels(cursor, [r.uri for r in rows] + [e.occupation_uri for e in profile.experience], lang)
    return render(request, "coach/passport.html", user, p=p, profile=profile, rows=rows, contact=details,
                  instruments=load_instruments(), labels=labels,
                  chart=bar_chart(chart_groups(rows, profile.dutch, _, lang=lang), title=_("Competences"),
                                  empty=_("No assessed competences yet.")))
