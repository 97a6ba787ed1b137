"""HTTP routes for job targets, Dutch language requirements and the matching log.

Thin: each route calls one function of :mod:`matching.service` (reach, action, audit entry).
Job targets are for coaches and admins; requirements can be read by staff and edited by
admins; the log is for admins.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from assessment.access import COACHING
from assessment.profile import CompetenceProfile
from matching import service
from matching.job_targets import JobTargetsResult
from matching.language import SUB_SKILLS, LanguageRequirement
from matching.log import LogEntry
from service.deps import Cursor, Matching, require_roles
from service.responses import ModelJSON
from service.users import User

router = APIRouter(prefix="/api", tags=["matching"])

CoachOrAdmin = Annotated[User, Depends(require_roles(*COACHING))]
Staff = Annotated[User, Depends(require_roles(*service.REQUIREMENT_READERS))]
Admin = Annotated[User, Depends(require_roles(*service.ADMIN))]
Top = Annotated[int, Query(ge=1, le=200, description="How many occupations.")]


class ProfileTargetsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    profile: CompetenceProfile
    top: int = Field(10, ge=1, le=200)


class RequirementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occupation_uri: str | None = None
    isco_code: str | None = None
    listening: str
    reading: str
    speaking: str
    writing: str
    note: str | None = Field(None, max_length=500)


@router.get("/participants/{participant_id}/job-targets", response_model=JobTargetsResult)
def participant_job_targets(participant_id: str, user: CoachOrAdmin, cursor: Cursor, matching: Matching,
                            top: Top = 10, lang: str = "nl") -> ModelJSON:
    """Ranked ESCO occupations for a participant, each with score parts, evidence, gaps and next steps."""
    return ModelJSON(service.participant_job_targets(cursor, actor=user, participant_id=participant_id, top=top,
                                                     lang=lang, config=matching))


@router.post("/job-targets", response_model=JobTargetsResult)
def profile_job_targets(body: ProfileTargetsIn, user: CoachOrAdmin, cursor: Cursor,
                        matching: Matching) -> ModelJSON:
    """Job targets for a competence profile sent in the request (format ``werkbrug.profile/1``)."""
    return ModelJSON(service.profile_job_targets(cursor, actor=user, profile=body.profile, top=body.top,
                                                 config=matching))


@router.get("/language-requirements")
def get_language_requirements(user: Staff, cursor: Cursor, occupation_uri: str | None = None) -> list[dict]:
    """Shipped defaults and overrides, or the requirement of one occupation."""
    return service.language_requirements(cursor, actor=user, occupation_uri=occupation_uri)


@router.put("/language-requirements", response_model=LanguageRequirement)
def put_language_requirement(body: RequirementIn, user: Admin, cursor: Cursor) -> LanguageRequirement:
    """Override the Dutch requirement of one occupation or one ISCO group."""
    return service.set_language_requirement(
        cursor, actor=user, occupation_uri=body.occupation_uri, isco_code=body.isco_code, note=body.note,
        levels={k: getattr(body, k) for k in SUB_SKILLS},
    )


@router.get("/matching/log", response_model=list[LogEntry])
def get_log(user: Admin, cursor: Cursor, kind: str | None = None, input_id: str | None = None,
            limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[LogEntry]:
    """The append-only log of job-target and shortlist requests, newest first."""
    return service.matching_log(cursor, actor=user, kind=kind, input_id=input_id, limit=limit)
