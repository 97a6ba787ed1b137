"""HTTP routes of the programme: cohorts, stages, people involved, placements, follow-ups, the report.

Thin: the rules live in :mod:`assessment.stages`, :mod:`matching.placements` and
:mod:`matching.reports`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from assessment import stages
from assessment.access import READ
from foundation.actor import ADMINS
from matching import placements as plc
from matching import reports
from service.deps import Cursor, require_roles
from service.users import User

router = APIRouter(prefix="/api", tags=["programme"])
Reader = Annotated[User, Depends(require_roles(*READ))]
Editor = Annotated[User, Depends(require_roles(*stages.EDIT_ROLES))]
Admin = Annotated[User, Depends(require_roles(*ADMINS))]


class NewCohort(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=200)
    starts_on: date | None = None


class NewStage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stage: stages.Stage
    on_date: date | None = None
    outcome: stages.PrescreeningOutcome | None = None
    reason: stages.PrescreeningReason | None = None
    note: str | None = Field(None, max_length=2000)


class CohortChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cohort_id: str


class PeopleIn(stages.People):
    model_config = ConfigDict(extra="forbid")


class NewFollowup(BaseModel):
    model_config = ConfigDict(extra="forbid")
    months: Literal[3, 6, 12]
    still_employed: bool
    same_employer: bool | None = None
    checked_on: date | None = None
    note: str | None = Field(None, max_length=2000)


@router.get("/cohorts", response_model=list[stages.Cohort])
def list_cohorts(cursor: Cursor, user: Editor):
    return stages.list_cohorts(cursor)


@router.post("/cohorts", response_model=stages.Cohort, status_code=201)
def create_cohort(body: NewCohort, cursor: Cursor, user: Editor):
    return stages.create_cohort(cursor, actor=user, name=body.name, starts_on=body.starts_on)


@router.get("/participants/{participant_id}/pipeline", response_model=stages.Pipeline)
def get_pipeline(participant_id: str, cursor: Cursor, user: Reader):
    return stages.get_pipeline(cursor, actor=user, participant_id=participant_id)


@router.post("/participants/{participant_id}/stages", response_model=stages.Pipeline, status_code=201)
def record_stage(participant_id: str, body: NewStage, cursor: Cursor, user: Editor):
    return stages.record_stage(cursor, actor=user, participant_id=participant_id, **body.model_dump())


@router.put("/participants/{participant_id}/cohort", response_model=stages.Pipeline)
def assign_cohort(participant_id: str, body: CohortChoice, cursor: Cursor, user: Editor):
    return stages.assign_cohort(cursor, actor=user, participant_id=participant_id, cohort_id=body.cohort_id)


@router.put("/participants/{participant_id}/people", response_model=stages.Pipeline)
def set_people(participant_id: str, body: PeopleIn, cursor: Cursor, user: Editor):
    return stages.set_people(cursor, actor=user, participant_id=participant_id, **body.model_dump())


@router.get("/participants/{participant_id}/placements", response_model=list[plc.Placement])
def list_placements(participant_id: str, cursor: Cursor, user: Editor):
    return plc.list_placements(cursor, actor=user, participant_id=participant_id)


@router.post("/participants/{participant_id}/placements", response_model=plc.Placement, status_code=201)
def record_placement(participant_id: str, body: plc.PlacementInput, cursor: Cursor, user: Editor):
    return plc.record_placement(cursor, actor=user, participant_id=participant_id, placement=body)


@router.post("/placements/{placement_id}/followups", response_model=plc.Placement, status_code=201)
def record_followup(placement_id: str, body: NewFollowup, cursor: Cursor, user: Editor):
    return plc.record_followup(cursor, actor=user, placement_id=placement_id, **body.model_dump())


@router.get("/reports/programme")
def programme_report(
    request: Request, cursor: Cursor, user: Admin,
    period_from: Annotated[date, Query(alias="from")], period_to: Annotated[date, Query(alias="to")],
    cohort: Annotated[str | None, Query(max_length=20)] = None,
    format: Annotated[Literal["json", "csv", "xlsx"], Query()] = "json",
):
    """Counts per intake group and occupation group; small cells hidden in every format."""
    report = reports.programme_report(cursor, actor=user, period_from=period_from, period_to=period_to,
                                      cohort_id=cohort)
    tables = reports.table(report, headers={})
    if format == "csv":
        return Response(reports.to_csv(tables), media_type="text/csv; charset=utf-8")
    if format == "xlsx":
        from service.routers.ui_programme_admin import XLSX

        return Response(reports.to_xlsx(tables, sheet_names=("by cohort", "by occupation group")), media_type=XLSX)
    by_cohort, by_group = tables
    return {"from": period_from, "to": period_to, "cohort": cohort,
            "by_cohort": [dict(zip(by_cohort[0], row, strict=True)) for row in by_cohort[1:]],
            "by_occupation_group": [dict(zip(by_group[0], row, strict=True)) for row in by_group[1:]]}


class EraseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=3, max_length=300)


@router.post("/participants/{participant_id}/erase")
def erase(participant_id: str, body: EraseRequest, request: Request, cursor: Cursor, user: Admin):
    """Erase the participant everywhere (admins); the file is rewritten so nothing is left in it."""
    from service.erasure import erase_and_rewrite

    return erase_and_rewrite(request, cursor, actor=user, participant_id=participant_id, reason=body.reason)


@router.get("/admin/retention")
def retention(cursor: Cursor, user: Admin):
    """The dry run: who is due for erasure under the retention setting."""
    from matching.erasure import due_for_erasure

    return due_for_erasure(cursor, actor=user)


@router.get("/reports/fairness")
def fairness(cursor: Cursor, user: Admin):
    """Selection and exposure by protected attribute, small groups pooled or hidden."""
    from matching.fairness import fairness_report

    return fairness_report(cursor, actor=user)
