"""Coach pages of the programme: the caseload by stage and intake group; stages, people, placements.

Thin: the rules live in :mod:`assessment.stages` and :mod:`matching.placements`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assessment import stages
from foundation.errors import InputError
from matching import placements as plc
from matching.employers import employer_options
from service.auth import check_csrf
from service.deps import Cursor, require_roles
from service.i18n import request_language
from service.routers.ui_programme import problem_errors
from service.ui import render, ui_translator
from service.users import Role, User
from taxonomy.store import preferred_labels

router = APIRouter(include_in_schema=False)
Coach = Annotated[User, Depends(require_roles(Role.coach))]


def stage_labels(request: Request) -> dict[str, dict[str, str]]:
    """Dutch/English names of stages, outcomes, reasons, contracts and referrers."""
    _ = ui_translator(request)
    return {
        "stage": {"registered": _("Registered"), "prescreening": _("Prescreening"), "selected": _("Selected"),
                  "assessment": _("Assessment"), "feedback": _("Feedback talk"), "trajectory": _("Trajectory"),
                  "mediation": _("Mediation"), "employed": _("In work"), "left": _("Left the programme"),
                  "": _("No stage yet")},
        "outcome": {"selected": _("Selected"), "not_selected": _("Not selected"), "on_hold": _("On hold")},
        "reason": {"motivation": _("Motivation"), "dutch_progress": _("Progress in Dutch"),
                   "availability": _("Availability"), "already_working": _("Already working"), "other": _("Other")},
        "contract": {"permanent": _("Permanent contract"), "fixed_term": _("Fixed-term contract"),
                     "interim": _("Temporary agency work"), "twe": _("Temporary work experience (TWE)"),
                     "internship": _("Internship"), "other": _("Other")},
        "referrer": {"OCMW": _("OCMW"), "VDAB": _("VDAB"), "other": _("Other")},
    }


@router.get("/coach/programme", response_class=HTMLResponse)
def overview(request: Request, cursor: Cursor, user: Coach) -> HTMLResponse:
    """The caseload by stage and intake group, filtered by either."""
    stage = request.query_params.get("stage")
    cohort = request.query_params.get("cohort")
    rows, by_stage, by_cohort = stages.stage_overview(cursor, actor=user, stage=stage, cohort_id=cohort)
    cohorts = {c.cohort_id: c.name for c in stages.list_cohorts(cursor)}
    return render(request, "programme/overview.html", user, rows=rows, by_stage=by_stage, by_cohort=by_cohort,
                  cohorts=cohorts, stage=stage, cohort=cohort, labels=stage_labels(request))


def _page(request, cursor, user, participant_id, *, errors=None, status_code=200):
    p = stages.get_pipeline(cursor, actor=user, participant_id=participant_id)
    placements = plc.list_placements(cursor, actor=user, participant_id=participant_id)
    names = preferred_labels(cursor, [x.occupation_uri for x in placements], lang=request_language(request))
    cohort_options = [(c.cohort_id, c.name) for c in stages.list_cohorts(cursor)]
    return render(request, "programme/pipeline.html", user, status_code=status_code, p=p, placements=placements,
                  cohort_options=cohort_options, employers=dict(employer_options(cursor, actor=user)),
                  names=names, today=date.today(), labels=stage_labels(request), errors=errors or {})


@router.get("/coach/programme/{participant_id}", response_class=HTMLResponse)
def pipeline(request: Request, participant_id: str, cursor: Cursor, user: Coach) -> HTMLResponse:
    return _page(request, cursor, user, participant_id)


def _back(participant_id: str, anchor: str) -> RedirectResponse:
    return RedirectResponse(f"/coach/programme/{participant_id}#{anchor}", status_code=303)


@router.post("/coach/programme/{participant_id}/stage", dependencies=[Depends(check_csrf)])
def add_stage(request: Request, participant_id: str, cursor: Cursor, user: Coach,
              stage: Annotated[str, Form()] = "", on_date: Annotated[str, Form()] = "",
              outcome: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
              note: Annotated[str, Form()] = "") -> Response:
    try:
        stages.record_stage(cursor, actor=user, participant_id=participant_id, stage=stage, on_date=on_date or None,
                            outcome=outcome or None, reason=reason or None, note=note)
    except InputError as exc:
        errors = problem_errors(request, exc, {"stage", "on_date", "outcome", "reason", "note"})
        return _page(request, cursor, user, participant_id, errors=errors, status_code=422)
    return _back(participant_id, "stages")


@router.post("/coach/programme/{participant_id}/cohort", dependencies=[Depends(check_csrf)])
def set_cohort(request: Request, participant_id: str, cursor: Cursor, user: Coach,
               cohort_id: Annotated[str, Form()] = "") -> Response:
    try:
        stages.assign_cohort(cursor, actor=user, participant_id=participant_id, cohort_id=cohort_id)
    except InputError as exc:
        return _page(request, cursor, user, participant_id, errors=problem_errors(request, exc, {"cohort_id"}),
                     status_code=422)
    return _back(participant_id, "cohort")


@router.post("/coach/programme/{participant_id}/people", dependencies=[Depends(check_csrf)])
def set_people(request: Request, participant_id: str, cursor: Cursor, user: Coach,
               referrer_org: Annotated[str, Form()] = "", referrer_name: Annotated[str, Form()] = "",
               teacher: Annotated[str, Form()] = "") -> Response:
    try:
        stages.set_people(cursor, actor=user, participant_id=participant_id, referrer_org=referrer_org or None,
                          referrer_name=referrer_name, teacher=teacher)
    except InputError as exc:
        errors = problem_errors(request, exc, {"referrer_org", "referrer_name", "teacher"})
        return _page(request, cursor, user, participant_id, errors=errors, status_code=422)
    return _back(participant_id, "people")


#: The placement form's fields: those of the placement the service records.
PLACEMENT_FIELDS = tuple(plc.PlacementInput.model_fields)


@router.post("/coach/programme/{participant_id}/placements", dependencies=[Depends(check_csrf)])
async def add_placement(request: Request, participant_id: str, cursor: Cursor, user: Coach) -> Response:
    from matching.employers import find_occupation

    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in (*PLACEMENT_FIELDS, "occupation")}
    try:
        data = {k: values[k] or None for k in PLACEMENT_FIELDS if k != "occupation_uri"}
        data["occupation_uri"] = find_occupation(cursor, values["occupation"])
        plc.record_placement(cursor, actor=user, participant_id=participant_id, placement=data)
    except InputError as exc:
        errors = problem_errors(request, exc, {*PLACEMENT_FIELDS, "occupation"})
        if "occupation_uri" in errors:
            errors["occupation"] = errors.pop("occupation_uri")
        return _page(request, cursor, user, participant_id, errors=errors, status_code=422)
    return _back(participant_id, "placements")


@router.post("/coach/placements/{placement_id}/followups", dependencies=[Depends(check_csrf)])
def add_followup(request: Request, placement_id: str, cursor: Cursor, user: Coach,
                 months: Annotated[str, Form()] = "", still_employed: Annotated[str, Form()] = "",
                 same_employer: Annotated[str, Form()] = "", checked_on: Annotated[str, Form()] = "",
                 note: Annotated[str, Form()] = "") -> Response:
    p = plc.record_followup(cursor, actor=user, placement_id=placement_id,
                            months=int(months) if months.isdigit() else 0, still_employed=still_employed == "yes",
                            same_employer={"yes": True, "no": False}.get(same_employer),
                            checked_on=checked_on or None, note=note)
    return _back(p.participant_id, "placements")
