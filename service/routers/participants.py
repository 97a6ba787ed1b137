"""HTTP routes for participants: register, list, show, edit, consent, profile, trajectory, export.

Thin: validation and storage live in :mod:`assessment`. Assessors, coaches and admins manage
participants; consent, trajectories and GDPR exports are for coaches and admins.
Object-level rules (a coach's caseload) are added in the service layer on top of these.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, ConfigDict, Field

from assessment.participants import (
    ConsentEvent,
    Contact,
    Participant,
    ParticipantDetails,
    ProtectedAttributes,
    consent_history,
    create_participant,
    get_contact,
    get_participant,
    list_participants,
    set_consent,
    update_participant,
)
from assessment.profile import CompetenceProfile, profile_json_schema
from assessment.profiles import build_profile
from assessment.trajectories import (
    AgreedTargets,
    StepKind,
    StepStatus,
    Trajectory,
    TrajectoryStep,
    add_trajectory_step,
    get_trajectory,
    record_agreed_targets,
    update_trajectory_step,
)
from foundation.audit import audit
from service.deps import Cursor, require_roles
from service.export import full_export
from service.policies import ROLE_PURPOSE, guard_participant, participant_scope, step_participant
from service.users import User

router = APIRouter(prefix="/api", tags=["participants"])

Staff = Annotated[User, Depends(require_roles("assessor", "coach", "admin"))]
CoachOrAdmin = Annotated[User, Depends(require_roles("coach", "admin"))]
AnyUser = Annotated[User, Depends(require_roles("assessor", "coach", "liaison", "admin"))]


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

    occupation_uris: list[str] = Field(min_length=1)
    note: str | None = Field(None, max_length=2000)


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: StepKind
    title: str = Field(min_length=1, max_length=200)
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
    """Register a participant under a new pseudonymous id."""
    details = body.model_dump(include=set(ParticipantDetails.model_fields))
    return create_participant(cursor, by=user.username, details=details, contact=body.contact,
                              protected=body.protected, consent=body.consent)


@router.get("/participants", response_model=list[Participant])
def index(
    cursor: Cursor, user: Staff, coach: str | None = None, consenting_only: bool = False,
    search: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[Participant]:
    """Participants, newest first, filtered by coach, consent or id/name (a coach: only their caseload)."""
    coach = participant_scope(user).get("coach", coach)
    audit(cursor, user=user, action="list_participants", object_type="participant",
          purpose=ROLE_PURPOSE.get(user.role), detail={"coach": coach, "search": search})
    return list_participants(cursor, coach=coach, consenting_only=consenting_only, search=search, limit=limit)


@router.get("/participants/{participant_id}", response_model=Participant)
def show(participant_id: str, cursor: Cursor, user: Staff) -> Participant:
    guard_participant(cursor, user=user, participant_id=participant_id, action="read_participant")
    return get_participant(cursor, participant_id=participant_id)


@router.patch("/participants/{participant_id}", response_model=Participant)
def edit(participant_id: str, body: ParticipantPatch, cursor: Cursor, user: Staff) -> Participant:
    """Change some fields; every change is logged."""
    guard_participant(cursor, user=user, participant_id=participant_id, action="update_participant")
    return update_participant(cursor, participant_id=participant_id, by=user.username, changes=body.changes,
                              contact=body.contact, protected=body.protected)


@router.get("/participants/{participant_id}/contact", response_model=Contact)
def contact(participant_id: str, cursor: Cursor, user: Staff) -> Contact:
    guard_participant(cursor, user=user, participant_id=participant_id, action="read_contact")
    return get_contact(cursor, participant_id=participant_id)


@router.put("/participants/{participant_id}/consent", response_model=Participant)
def consent(participant_id: str, body: ConsentChange, cursor: Cursor, user: CoachOrAdmin) -> Participant:
    """Give or withdraw consent to share the pseudonymised profile with employers."""
    guard_participant(cursor, user=user, participant_id=participant_id, action="set_consent")
    return set_consent(cursor, participant_id=participant_id, given=body.given, by=user.username, note=body.note)


@router.get("/participants/{participant_id}/consent", response_model=list[ConsentEvent])
def consent_log(participant_id: str, cursor: Cursor, user: CoachOrAdmin) -> list[ConsentEvent]:
    guard_participant(cursor, user=user, participant_id=participant_id, action="read_consent")
    return consent_history(cursor, participant_id=participant_id)


@router.get("/participants/{participant_id}/profile", response_model=CompetenceProfile)
def profile(participant_id: str, cursor: Cursor, user: Staff) -> CompetenceProfile:
    """The competence profile (werkbrug.profile/1) that matching reads."""
    guard_participant(cursor, user=user, participant_id=participant_id, action="read_profile")
    return build_profile(cursor, participant_id=participant_id)


@router.get("/participants/{participant_id}/export")
def export(participant_id: str, cursor: Cursor, user: CoachOrAdmin) -> dict[str, Any]:
    """Everything stored about one participant (GDPR access request)."""
    guard_participant(cursor, user=user, participant_id=participant_id, action="export_participant", purpose="export")
    return full_export(cursor, participant_id=participant_id)


@router.get("/participants/{participant_id}/trajectory", response_model=Trajectory)
def trajectory(participant_id: str, cursor: Cursor, user: Staff) -> Trajectory:
    guard_participant(cursor, user=user, participant_id=participant_id, action="read_trajectory")
    return get_trajectory(cursor, participant_id=participant_id)


@router.post("/participants/{participant_id}/targets", status_code=status.HTTP_201_CREATED,
             response_model=AgreedTargets)
def agree_targets(participant_id: str, body: TargetsIn, cursor: Cursor, user: CoachOrAdmin) -> AgreedTargets:
    """Record the job targets (ESCO occupations) agreed with the participant."""
    guard_participant(cursor, user=user, participant_id=participant_id, action="record_agreed_targets")
    return record_agreed_targets(cursor, participant_id=participant_id, occupation_uris=body.occupation_uris,
                                 note=body.note, by=user.username)


@router.post("/participants/{participant_id}/steps", status_code=status.HTTP_201_CREATED,
             response_model=TrajectoryStep)
def add_step(participant_id: str, body: StepIn, cursor: Cursor, user: CoachOrAdmin) -> TrajectoryStep:
    guard_participant(cursor, user=user, participant_id=participant_id, action="add_trajectory_step")
    return add_trajectory_step(cursor, participant_id=participant_id, by=user.username, **body.model_dump())


@router.patch("/trajectory-steps/{step_id}", response_model=TrajectoryStep)
def edit_step(step_id: str, body: StepPatch, cursor: Cursor, user: CoachOrAdmin) -> TrajectoryStep:
    guard_participant(cursor, user=user, participant_id=step_participant(cursor, step_id), action="update_step")
    return update_trajectory_step(cursor, step_id=step_id, by=user.username, **body.model_dump())


@router.get("/profile-schema")
def schema(user: AnyUser) -> dict[str, Any]:
    """The JSON schema of the competence-profile format."""
    return profile_json_schema()
