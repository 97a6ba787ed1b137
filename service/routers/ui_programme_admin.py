"""Admin (coordinator) pages of the programme: the programme report (page, CSV, Excel) and cohorts.

Thin: the counting and the suppression of small cells live in :mod:`matching.reports`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assessment import stages
from assessment.common import parse_date
from foundation.errors import ConflictError, InputError
from matching import reports
from service.auth import check_csrf
from service.deps import Cursor, require_roles
from service.i18n import request_language
from service.labels import report_sheet_names, report_titles
from service.report_tables import report_tables
from service.routers.ui_programme import problem_errors
from service.ui import render, ui_translator
from service.users import Role, User

router = APIRouter(include_in_schema=False)
Admin = Annotated[User, Depends(require_roles(Role.admin))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request: Request) -> tuple[date, date, str | None]:
    today = date.today()
    raw_from = request.query_params.get("from") or f"{today.year}-01-01"
    raw_to = request.query_params.get("to") or today.isoformat()
    return (parse_date(raw_from, "from"), parse_date(raw_to, "to"), request.query_params.get("cohort") or None)


def _tables(request: Request, cursor, user):
    period_from, period_to, cohort = _period(request)
    report = reports.programme_report(cursor, actor=user, period_from=period_from, period_to=period_to,
                                      cohort_id=cohort)
    return report, report_tables(cursor, report, lang=request_language(request))


@router.get("/admin/programme", response_class=HTMLResponse)
def report_page(request: Request, cursor: Cursor, user: Admin) -> HTMLResponse:
    """The programme report of a period (and intake group), with links to CSV and Excel."""
    report, (by_cohort, by_group) = _tables(request, cursor, user)
    return render(request, "programme/report.html", user, report=report, by_cohort=by_cohort, by_group=by_group,
                  titles=report_titles(ui_translator(request)), cohorts=stages.list_cohorts(cursor),
                  query=request.url.query, errors={})


@router.get("/admin/programme.csv")
def report_csv(request: Request, cursor: Cursor, user: Admin) -> Response:
    report, tables = _tables(request, cursor, user)
    name = f"programma-{report.period_from}-{report.period_to}.csv"
    return Response(reports.to_csv(tables), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/admin/programme.xlsx")
def report_xlsx(request: Request, cursor: Cursor, user: Admin) -> Response:
    _ = ui_translator(request)
    report, tables = _tables(request, cursor, user)
    name = f"programma-{report.period_from}-{report.period_to}.xlsx"
    return Response(reports.to_xlsx(tables, sheet_names=report_sheet_names(_)),
                    media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/admin/cohorts", dependencies=[Depends(check_csrf)])
def create_cohort(request: Request, cursor: Cursor, user: Admin, name: Annotated[str, Form()] = "",
                  starts_on: Annotated[str, Form()] = "") -> Response:
    try:
        stages.create_cohort(cursor, actor=user, name=name, starts_on=starts_on or None)
    except (InputError, ConflictError) as exc:
        report, (by_cohort, by_group) = _tables(request, cursor, user)
        return render(request, "programme/report.html", user, status_code=422, report=report, by_cohort=by_cohort,
                      by_group=by_group, titles=report_titles(ui_translator(request)),
                      cohorts=stages.list_cohorts(cursor), query="",
                      errors=problem_errors(request, exc, {"name", "starts_on"}))
    return RedirectResponse("/admin/programme#cohorts", status_code=303)


def _erasure_page(request, cursor, user, *, errors=None, form=None, status_code=200, messages=None):
    from matching.erasure import RetentionConfig, due_for_erasure

    config = RetentionConfig.from_settings(request.app.state.settings)
    return render(request, "programme/erasure.html", user, status_code=status_code,
                  due=due_for_erasure(cursor, actor=user, config=config), months=config.months,
                  errors=errors or {}, form=form or {}, messages=messages or [])


@router.get("/admin/erasure", response_class=HTMLResponse)
def erasure_page(request: Request, cursor: Cursor, user: Admin) -> HTMLResponse:
    """Erase a participant; who is due under the retention setting (a dry run)."""
    return _erasure_page(request, cursor, user)


@router.post("/admin/erasure", dependencies=[Depends(check_csrf)])
def erase(request: Request, cursor: Cursor, user: Admin, participant_id: Annotated[str, Form()] = "",
          reason: Annotated[str, Form()] = "", confirm: Annotated[str, Form()] = "") -> Response:
    from foundation.errors import NotFoundError
    from service.erasure import erase_and_rewrite

    _ = ui_translator(request)
    form = {"participant_id": participant_id, "reason": reason}
    if confirm != "yes":
        return _erasure_page(request, cursor, user, form=form, status_code=422,
                             errors={"confirm": _("Tick the box to confirm: an erasure cannot be undone.")})
    try:
        done = erase_and_rewrite(request, cursor, actor=user, participant_id=participant_id.strip(), reason=reason)
    except (InputError, NotFoundError) as exc:
        errors = problem_errors(request, exc, {"participant_id", "reason"})
        if isinstance(exc, NotFoundError):
            errors = {"participant_id": _("No participant with this id.")}
        cursor = request.app.state.db.cursor()
        return _erasure_page(request, cursor, user, form=form, errors=errors, status_code=422)
    cursor = request.app.state.db.cursor()
    return _erasure_page(request, cursor, user, messages=[("ok", _("%(id)s is erased.", id=done.participant_id))])


@router.get("/admin/fairness", response_class=HTMLResponse)
def fairness_page(request: Request, cursor: Cursor, user: Admin) -> HTMLResponse:
    """Selection and exposure by protected attribute (monitoring only; small groups pooled or hidden)."""
    from matching.fairness import fairness_report

    _ = ui_translator(request)
    names = {"gender": _("Gender"), "country_of_origin": _("Country of origin"), "age_band": _("Age"),
             "shortlists": _("Shortlists"), "job_targets": _("Job targets"), "selected": _("Selection rate"),
             "exposure": _("Exposure"), "agreed": _("Job targets agreed"),
             "elementary": _("Share of elementary occupations"), "(smaller groups)": _("Smaller groups together"),
             "(hidden)": _("Hidden (fewer than 5)"), "female": _("women"), "male": _("men"), "x": _("other")}
    return render(request, "programme/fairness.html", user, report=fairness_report(cursor, actor=user), names=names)
