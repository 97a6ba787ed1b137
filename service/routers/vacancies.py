"""HTTP routes for vacancies and shortlists (employer liaisons and admins).

Thin: proposals, confirmation, ranking and status history live in :mod:`matching`. A liaison
sees and changes only the vacancies they created (and their shortlists); admins see all.
Shortlists hold consenting participants only, by pseudonymous id.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, HTTPException, Query, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field

from foundation.audit import audit
from foundation.uploads import upload_bytes
from matching.shortlist import (
    Shortlist,
    StatusEvent,
    candidate_history,
    confirm_shortlist,
    get_shortlist,
    list_shortlists,
    make_shortlist,
    set_candidate_status,
)
from matching.vacancies import (
    Vacancy,
    VacancyInput,
    close_vacancy,
    confirm_vacancy,
    create_vacancy,
    get_vacancy,
    import_vacancies,
    list_vacancies,
)
from service.deps import AppSettings, Cursor, Matching, require_roles
from service.policies import consenting
from service.users import Role, User

router = APIRouter(prefix="/api", tags=["vacancies"])

Liaison = Annotated[User, Depends(require_roles("liaison", "admin"))]


class VacancyConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occupation_uris: list[str] = Field(max_length=20)
    essential_skills: list[str] = Field(max_length=200)
    optional_skills: list[str] = Field(default_factory=list, max_length=200)


class ShortlistConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ordered_participant_ids: list[str] = Field(max_length=200)
    reasons: dict[str, str] = Field(default_factory=dict)


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str
    note: str | None = Field(None, max_length=1000)


def _own_vacancy(cursor, user: User, vacancy_id: str) -> Vacancy:
    v = get_vacancy(cursor, vacancy_id=vacancy_id)
    if user.role != Role.admin and v.owner != user.username:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "This vacancy belongs to another liaison")
    return v


def _own_shortlist(cursor, user: User, shortlist_id: str) -> Shortlist:
    sl = get_shortlist(cursor, shortlist_id=shortlist_id)
    _own_vacancy(cursor, user, sl.vacancy_id)
    return _still_consenting(cursor, sl)


def _still_consenting(cursor, sl: Shortlist) -> Shortlist:
    """A stored shortlist without the candidates who have withdrawn their consent since."""
    ids = [c.participant_id for c in sl.candidates]
    keep = consenting(cursor, ids)
    if len(keep) == len(ids):
        return sl
    order = [p for p in sl.confirmed_order or [] if p in keep] if sl.confirmed_order is not None else None
    return sl.model_copy(update={"candidates": [c for c in sl.candidates if c.participant_id in keep],
                                 "confirmed_order": order})


@router.post("/vacancies", response_model=Vacancy, status_code=status.HTTP_201_CREATED)
def post_vacancy(body: VacancyInput, user: Liaison, cursor: Cursor, settings: AppSettings) -> Vacancy:
    """Create a vacancy; the answer holds proposed occupations and skills to confirm."""
    return create_vacancy(cursor, owner=user.username, vacancy=body, method=settings.vacancy_search)


@router.post("/vacancies/import", response_model=list[Vacancy], status_code=status.HTTP_201_CREATED)
def post_vacancy_file(user: Liaison, cursor: Cursor, settings: AppSettings,
                      file: Annotated[UploadFile, File()]) -> list[Vacancy]:
    """Import a CSV/Excel file of vacancies: all rows or none (422 lists every row/column problem).

    Sync: checked and parsed in a worker thread, never on the event loop.
    """
    data = upload_bytes(file.file, file_name=file.filename or "upload.csv")
    return import_vacancies(cursor, owner=user.username, data=data, filename=file.filename or "upload.csv",
                            method=settings.vacancy_search)


@router.get("/vacancies", response_model=list[Vacancy])
def get_vacancies(user: Liaison, cursor: Cursor, status_: Annotated[str | None, Query(alias="status")] = None
                  ) -> list[Vacancy]:
    """Your vacancies (admins: everyone's), newest first."""
    owner = None if user.role == Role.admin else user.username
    return list_vacancies(cursor, owner=owner, status=status_)


@router.get("/vacancies/{vacancy_id}", response_model=Vacancy)
def get_one_vacancy(vacancy_id: str, user: Liaison, cursor: Cursor) -> Vacancy:
    return _own_vacancy(cursor, user, vacancy_id)


@router.post("/vacancies/{vacancy_id}/confirm", response_model=Vacancy)
def post_confirm_vacancy(vacancy_id: str, body: VacancyConfirm, user: Liaison, cursor: Cursor) -> Vacancy:
    """Confirm or edit the occupations and skills; only confirmed vacancies get shortlists."""
    _own_vacancy(cursor, user, vacancy_id)
    return confirm_vacancy(cursor, vacancy_id=vacancy_id, by=user.username, occupation_uris=body.occupation_uris,
                           essential_skills=body.essential_skills, optional_skills=body.optional_skills)


@router.post("/vacancies/{vacancy_id}/close", response_model=Vacancy)
def post_close_vacancy(vacancy_id: str, user: Liaison, cursor: Cursor) -> Vacancy:
    _own_vacancy(cursor, user, vacancy_id)
    return close_vacancy(cursor, vacancy_id=vacancy_id, by=user.username)


@router.post("/vacancies/{vacancy_id}/shortlists", response_model=Shortlist, status_code=status.HTTP_201_CREATED)
def post_shortlist(vacancy_id: str, user: Liaison, cursor: Cursor, matching: Matching,
                   top: Annotated[int, Query(ge=1, le=200)] = 20) -> Shortlist:
    """A suggested shortlist of consenting, pseudonymised candidates (logged)."""
    _own_vacancy(cursor, user, vacancy_id)
    audit(cursor, user=user, action="rank_candidates", object_type="vacancy", object_id=vacancy_id, purpose="matching")
    return make_shortlist(cursor, vacancy_id=vacancy_id, requested_by=user.username, top=top, config=matching)


@router.get("/vacancies/{vacancy_id}/shortlists", response_model=list[Shortlist])
def get_shortlists(vacancy_id: str, user: Liaison, cursor: Cursor) -> list[Shortlist]:
    _own_vacancy(cursor, user, vacancy_id)
    return [_still_consenting(cursor, sl) for sl in list_shortlists(cursor, vacancy_id=vacancy_id)]


@router.get("/shortlists/{shortlist_id}", response_model=Shortlist)
def get_one_shortlist(shortlist_id: str, user: Liaison, cursor: Cursor) -> Shortlist:
    sl = _own_shortlist(cursor, user, shortlist_id)
    audit(cursor, user=user, action="read_shortlist", object_type="shortlist", object_id=shortlist_id,
          purpose="employer_contact", detail={"participants": [c.participant_id for c in sl.candidates]})
    return sl


@router.post("/shortlists/{shortlist_id}/confirm", response_model=Shortlist)
def post_confirm_shortlist(shortlist_id: str, body: ShortlistConfirm, user: Liaison, cursor: Cursor) -> Shortlist:
    """Confirm in your order; leaving out or moving up a suggested candidate needs a reason."""
    _own_shortlist(cursor, user, shortlist_id)
    return confirm_shortlist(cursor, shortlist_id=shortlist_id, confirmed_by=user.display_name or user.username,
                             ordered_participant_ids=body.ordered_participant_ids, reasons=body.reasons)


@router.post("/shortlists/{shortlist_id}/candidates/{participant_id}/status", response_model=StatusEvent,
             status_code=status.HTTP_201_CREATED)
def post_candidate_status(shortlist_id: str, participant_id: str, body: StatusIn, user: Liaison,
                          cursor: Cursor) -> StatusEvent:
    """Append a status change: contacted, invited, hired or rejected."""
    _own_shortlist(cursor, user, shortlist_id)
    return set_candidate_status(cursor, shortlist_id=shortlist_id, participant_id=participant_id,
                                status=body.status, by=user.username, note=body.note)


@router.get("/shortlists/{shortlist_id}/history", response_model=list[StatusEvent])
def get_candidate_history(shortlist_id: str, user: Liaison, cursor: Cursor,
                          participant_id: str | None = None) -> list[StatusEvent]:
    _own_shortlist(cursor, user, shortlist_id)
    return candidate_history(cursor, shortlist_id=shortlist_id, participant_id=participant_id)
