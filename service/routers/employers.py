"""HTTP routes for employers: company data, contact persons, occupations, timeline, concerns.

Thin: every rule (who may, what is audited) lives in :mod:`matching.employers`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from assessment.access import COACHING
from matching import employers as emp
from matching import outreach
from service.deps import Cursor, require_roles
from service.messages import api_language
from service.users import User

router = APIRouter(prefix="/api", tags=["employers"])
Liaison = Annotated[User, Depends(require_roles(*emp.EMPLOYER_ROLES))]
CoachOrAdmin = Annotated[User, Depends(require_roles(*COACHING))]


class NewEmployer(emp.EmployerInput):
    occupation_uris: list[str] = Field(default_factory=list)


class NewEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str
    happened_on: date | None = None
    note: str | None = Field(None, max_length=2000)
    occupation_uri: str | None = None


class NewConcern(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    note: str | None = Field(None, max_length=2000)
    raised_on: date | None = None


class Occupations(BaseModel):
    model_config = ConfigDict(extra="forbid")
    occupation_uris: list[str]


@router.get("/employers", response_model=list[emp.Employer])
def list_employers(cursor: Cursor, user: Liaison, search: Annotated[str | None, Query(max_length=100)] = None):
    return emp.list_employers(cursor, actor=user, search=search)


@router.post("/employers", response_model=emp.Employer, status_code=201)
def create_employer(body: NewEmployer, cursor: Cursor, user: Liaison):
    data = body.model_dump(exclude={"occupation_uris"})
    return emp.create_employer(cursor, actor=user, employer=data, occupation_uris=body.occupation_uris)


@router.get("/employers/{employer_id}", response_model=emp.Employer)
def get_employer(employer_id: str, cursor: Cursor, user: Liaison):
    return emp.get_employer(cursor, actor=user, employer_id=employer_id)


@router.get("/employers/{employer_id}/contacts", response_model=list[emp.ContactPerson])
def get_contacts(employer_id: str, cursor: Cursor, user: Liaison):
    return emp.get_contacts(cursor, actor=user, employer_id=employer_id)


@router.post("/employers/{employer_id}/contacts", response_model=emp.ContactPerson, status_code=201)
def add_contact(employer_id: str, body: emp.ContactInput, cursor: Cursor, user: Liaison):
    return emp.add_contact(cursor, actor=user, employer_id=employer_id, contact=body)


@router.post("/employers/{employer_id}/occupations", response_model=emp.Employer)
def add_occupations(employer_id: str, body: Occupations, cursor: Cursor, user: Liaison):
    return emp.add_occupations(cursor, actor=user, employer_id=employer_id, occupation_uris=body.occupation_uris)


@router.post("/employers/{employer_id}/events", response_model=emp.Event, status_code=201)
def add_event(employer_id: str, body: NewEvent, cursor: Cursor, user: Liaison):
    return emp.add_event(cursor, actor=user, employer_id=employer_id, **body.model_dump())


@router.post("/employers/{employer_id}/concerns", response_model=emp.Concern, status_code=201)
def add_concern(employer_id: str, body: NewConcern, cursor: Cursor, user: Liaison):
    return emp.add_concern(cursor, actor=user, employer_id=employer_id, **body.model_dump())


class Presented(BaseModel):
    model_config = ConfigDict(extra="forbid")
    employer_id: str
    occupation_uri: str
    note: str | None = Field(None, max_length=2000)


@router.get("/outreach", response_model=list[outreach.Candidate])
def outreach_candidates(cursor: Cursor, user: Liaison):
    """Consenting candidates with agreed job targets, under their outreach code."""
    return outreach.outreach_candidates(cursor, actor=user)


@router.get("/outreach/{candidate}", response_model=list[outreach.EmployerToContact])
def employers_for_candidate(candidate: str, request: Request, cursor: Cursor, user: Liaison):
    """The employers to contact for the candidate's job targets, best first, with reasons."""
    pid = outreach.resolve_code(cursor, code=candidate)
    return outreach.employers_to_contact(cursor, actor=user, participant_id=pid, lang=api_language(request))


@router.post("/outreach/{candidate}/present", status_code=201)
def present_candidate(candidate: str, body: Presented, cursor: Cursor, user: Liaison):
    """Record on the employer's timeline that the candidate was presented for a job target."""
    pid = outreach.resolve_code(cursor, code=candidate)
    return {"event_id": outreach.present_candidate(cursor, actor=user, participant_id=pid, **body.model_dump())}


@router.get("/participants/{participant_id}/employers-to-contact", response_model=list[outreach.EmployerToContact])
def employers_for_participant(participant_id: str, request: Request, cursor: Cursor, user: CoachOrAdmin):
    """The same list for the participant's coach (or an admin), by participant id."""
    return outreach.employers_to_contact(cursor, actor=user, participant_id=participant_id,
                                         lang=api_language(request))
