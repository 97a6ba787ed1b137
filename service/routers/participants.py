"""HTTP routes for participants: register, list, show, edit, consent, profile, trajectory, export.

Thin: each route parses its input and calls one function of :mod:`assessment.service` (or
:mod:`matching.service` for the export), which checks the actor's reach, acts and audits.
Assessors, coaches and admins manage participants; consent, trajectories and GDPR exports
are for coaches and admins.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, ConfigDict, Field

from assessment import service
from assessment.access import COACHING, READ
from assessment.participant_models import ConsentEvent, Contact, Participant, ParticipantDetails, ProtectedAttributes
from assessment.profile import CompetenceProfile, profile_json_schema
from assessment.trajectories import AgreedTargets, StepKind, StepStatus, Trajectory, TrajectoryStep
from matching.service import export_participant
from service.deps import Cursor, current_user, require_roles
from service.users import User

router = APIRouter(prefix="/api", tags=["participants"])

Staff = Annotated[User, Depends(require_roles(*READ))]
CoachOrAdmin = Annotated[User, Depends(require_roles(*COACHING))]
AnyUser = Annotated[User, Depends(current_user)]


class ParticipantCreate(ParticipantDetails):
    """A new participant: the editable fields, plus contact details and protected attributes apart."""

    contact: Contact | None = None
    protected: ProtectedAttributes | None = None
    consent: bool = False


class ParticipantPatch(BaseModel):
    """Changed fields only (``changes`` maps a field of the participant to its new value)."""

    model_config = ConfigDict(extra="forbid")

    changes: dict[str, Any] = Field(default_factory=dict)
    contact: Contact | None = None
    protected: ProtectedAttributes | None = None


class ConsentChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    given: bool
    note: str | None = Field(None, max_length=500)


class TargetsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occupation_uris: list[str]  # at least one: assessment.trajectories.record_agreed_targets
    note: str | None = Field(None, max_length=2000)


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: StepKind
    title: str = Field(max_length=200)  # not empty: assessment.trajectories.add_trajectory_step
    status: StepStatus = StepStatus.planned
    starts_on: date | None = None
    ends_on: date | None = None
    note: str | None = Field(None, max_length=2000)


class StepPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: StepStatus | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    note: str | None = Field(None, max_length=2000)


@router.post("/participants", status_code=status.HTTP_201_CREATED, response_model=Participant)
def create(body: ParticipantCreate, cursor: Cursor, user: Staff) -> Participant:
    """Register a participant under a new pseudonymous id (``coach``: an active coach account)."""
    details = body.model_dump(include=set(ParticipantDetails.model_fields))
    return service.register_participant(cursor, actor=user, details=details, contact=body.contact,
                                        protected=body.protected, consent=body.consent)


@router.get("/participants", response_model=list[Participant])
def index(
    cursor: Cursor, user: Staff, coach: str | None = None, consenting_only: bool = False,
    search: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[Participant]:
    """Participants, newest first, filtered by coach, consent or id/name (a coach: only their caseload)."""
    rows = service.list_participants(cursor, actor=user, coach=coach, consenting_only=consenting_only,
                                     search=search, limit=limit)
    return [p for p, _name in rows]


@router.get("/participants/{participant_id}", response_model=Participant)
def show(participant_id: str, cursor: Cursor, user: Staff) -> Participant:
    return service.show_participant(cursor, actor=user, participant_id=participant_id)


@router.patch("/participants/{participant_id}", response_model=Participant)
def edit(participant_id: str, body: ParticipantPatch, cursor: Cursor, user: Staff) -> Participant:
    """Change some fields; every change is logged (an unknown ``coach`` is refused with 422)."""
    return service.edit_participant(cursor, actor=user, participant_id=participant_id, changes=body.changes,
                                    contact=body.contact, protected=body.protected)


@router.get("/participants/{participant_id}/contact", response_model=Contact)
def contact(participant_id: str, cursor: Cursor, user: Staff) -> Contact:
    return service.read_contact(cursor, actor=user, participant_id=participant_id)


@router.put("/participants/{participant_id}/consent", response_model=Participant)
def consent(participant_id: str, body: ConsentChange, cursor: Cursor, user: CoachOrAdmin) -> Participant:
    """Give or withdraw consent to share the pseudonymised profile with employers."""
    return service.change_consent(cursor, actor=user, participant_id=participant_id, given=body.given,
                                  note=body.note)


@router.get("/participants/{participant_id}/consent", response_model=list[ConsentEvent])
def consent_log(participant_id: str, cursor: Cursor, user: CoachOrAdmin) -> list[ConsentEvent]:
    return service.read_consent_history(cursor, actor=user, participant_id=participant_id)


@router.get("/participants/{participant_id}/profile", response_model=CompetenceProfile)
def profile(participant_id: str, cursor: Cursor, user: Staff, lang: str = "nl") -> CompetenceProfile:
    """The competence profile (werkbrug.profile/1) that matching reads (ESCO labels in ``lang``, else English)."""
    return service.read_profile(cursor, actor=user, participant_id=participant_id, lang=lang)


@router.get("/participants/{participant_id}/export")
def export(participant_id: str, cursor: Cursor, user: CoachOrAdmin) -> dict[str, Any]:
    """Everything stored about one participant (GDPR access request)."""
    return export_participant(cursor, actor=user, participant_id=participant_id)


@router.get("/participants/{participant_id}/trajectory", response_model=Trajectory)
def trajectory(participant_id: str, cursor: Cursor, user: Staff) -> Trajectory:
    return service.read_trajectory(cursor, actor=user, participant_id=participant_id)


@router.post("/participants/{participant_id}/targets", status_code=status.HTTP_201_CREATED,
             response_model=AgreedTargets)
def agree_targets(participant_id: str, body: TargetsIn, cursor: Cursor, user: CoachOrAdmin) -> AgreedTargets:
    """Record the job targets (ESCO occupations) agreed with the participant."""
    return service.agree_targets(cursor, actor=user, participant_id=participant_id,
                                 occupation_uris=body.occupation_uris, note=body.note)


@router.post("/participants/{participant_id}/steps", status_code=status.HTTP_201_CREATED,
             response_model=TrajectoryStep)
def add_step(participant_id: str, body: StepIn, cursor: Cursor, user: CoachOrAdmin) -> TrajectoryStep:
    return service.add_step(cursor, actor=user, participant_id=participant_id, **body.model_dump())


@router.patch("/trajectory-steps/{step_id}", response_model=TrajectoryStep)
def edit_step(step_id: str, body: StepPatch, cursor: Cursor, user: CoachOrAdmin) -> TrajectoryStep:
    return service.edit_step(cursor, actor=user, step_id=step_id, **body.model_dump())


@router.get("/profile-schema")
def schema(user: AnyUser) -> dict[str, Any]:
    """The JSON schema of the competence-profile format."""
    return profile_json_schema()
