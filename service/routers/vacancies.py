"""HTTP routes for vacancies and shortlists (employer liaisons and admins).

Thin: each route calls one function of :mod:`matching.service` (reach, action, audit entry).
A liaison sees and changes only the vacancies they created (and their shortlists); admins see
all; another liaison's vacancy answers 404 like an unknown id. Shortlists show the candidates
who consent now, each under a code for this vacancy (``K-…``), never a participant id.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field

from foundation.uploads import upload_bytes
from matching import service
from matching.access import VACANCY_ROLES
from matching.vacancies import Vacancy, VacancyInput
from matching.views import ShortlistView, StatusView
from service.deps import AppSettings, Cursor, Matching, require_roles
from service.messages import api_language
from service.users import User

router = APIRouter(prefix="/api", tags=["vacancies"])

Liaison = Annotated[User, Depends(require_roles(*VACANCY_ROLES))]


class VacancyConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occupation_uris: list[str] = Field(max_length=20)
    essential_skills: list[str] = Field(max_length=200)
    optional_skills: list[str] = Field(default_factory=list, max_length=200)
    terms: dict[str, Any] | None = Field(None, description="Confirmed requirements, the fields of VacancyTerms "
                                         "(hours, shifts, licences, attests, contract, Dutch); omitted: kept.")
    details: dict[str, Any] | None = Field(None, description="Title, description, employer and postcode (all "
                                           "four, the fields of VacancyDetails); omitted: kept.")


class ShortlistConfirm(BaseModel):
    """The candidates kept, in your order, by code; a reason per candidate removed or moved up."""

    model_config = ConfigDict(extra="forbid")

    confirmed_by: str | None = Field(None, max_length=200, description="Who confirms (default: your name).")
    ordered_candidates: list[str] = Field(max_length=200)
    reasons: dict[str, str] = Field(default_factory=dict)


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str
    note: str | None = Field(None, max_length=1000)


@router.post("/vacancies", response_model=Vacancy, status_code=status.HTTP_201_CREATED)
def post_vacancy(body: VacancyInput, user: Liaison, cursor: Cursor, settings: AppSettings,
                 request: Request) -> Vacancy:
    """Create a vacancy; the answer holds proposed occupations and skills to confirm (labels in the reader's
    language)."""
    return service.create_vacancy(cursor, actor=user, vacancy=body, method=settings.vacancy_search,
                                  lang=api_language(request))


@router.post("/vacancies/import", response_model=list[Vacancy], status_code=status.HTTP_201_CREATED)
def post_vacancy_file(user: Liaison, cursor: Cursor, settings: AppSettings,
                      file: Annotated[UploadFile, File()]) -> list[Vacancy]:
    """Import a CSV/Excel file of vacancies: all rows or none (422 lists every row/column problem).

    Sync: checked and parsed in a worker thread, never on the event loop.
    """
    data = upload_bytes(file.file, file_name=file.filename or "upload.csv")
    return service.import_vacancies(cursor, actor=user, data=data, filename=file.filename or "upload.csv",
                                    method=settings.vacancy_search)


@router.get("/vacancies", response_model=list[Vacancy])
def get_vacancies(
    user: Liaison, cursor: Cursor, status_: Annotated[str | None, Query(alias="status")] = None,
    owner: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(max_length=200, description="text in title, employer, id or postcode")] = None,
    sort: Literal["newest", "oldest", "title", "employer", "status"] = "newest",
    limit: Annotated[int | None, Query(ge=1, le=5000)] = None, offset: Annotated[int, Query(ge=0)] = 0,
) -> list[Vacancy]:
    """Your vacancies (admins: everyone's, or one ``owner``'s), newest first, or one page of them."""
    return service.list_vacancies(cursor, actor=user, status=status_, owner=owner, search=q, order=sort,
                                  limit=limit, offset=offset)


@router.get("/vacancies/{vacancy_id}", response_model=Vacancy)
def get_one_vacancy(vacancy_id: str, user: Liaison, cursor: Cursor, request: Request) -> Vacancy:
    """One vacancy; its proposal's occupation and skill labels in the reader's language."""
    return service.show_vacancy(cursor, actor=user, vacancy_id=vacancy_id, lang=api_language(request))


@router.post("/vacancies/{vacancy_id}/confirm", response_model=Vacancy)
def post_confirm_vacancy(vacancy_id: str, body: VacancyConfirm, user: Liaison, cursor: Cursor) -> Vacancy:
    """Confirm or edit the occupations and skills; only confirmed vacancies get shortlists."""
    return service.confirm_vacancy(cursor, actor=user, vacancy_id=vacancy_id, occupation_uris=body.occupation_uris,
                                   essential_skills=body.essential_skills, optional_skills=body.optional_skills,
                                   terms=body.terms, details=body.details)


@router.post("/vacancies/{vacancy_id}/close", response_model=Vacancy)
def post_close_vacancy(vacancy_id: str, user: Liaison, cursor: Cursor) -> Vacancy:
    return service.close_vacancy(cursor, actor=user, vacancy_id=vacancy_id)


@router.post("/vacancies/{vacancy_id}/shortlists", response_model=ShortlistView,
             status_code=status.HTTP_201_CREATED)
def post_shortlist(vacancy_id: str, user: Liaison, cursor: Cursor, matching: Matching,
                   top: Annotated[int, Query(ge=1, le=200)] = 20) -> ShortlistView:
    """A suggested shortlist of consenting candidates under per-vacancy codes (logged)."""
    return service.pull_shortlist(cursor, actor=user, vacancy_id=vacancy_id, top=top, config=matching)


@router.get("/vacancies/{vacancy_id}/shortlists", response_model=list[ShortlistView])
def get_shortlists(vacancy_id: str, user: Liaison, cursor: Cursor) -> list[ShortlistView]:
    return service.vacancy_shortlists(cursor, actor=user, vacancy_id=vacancy_id)


@router.get("/shortlists/{shortlist_id}", response_model=ShortlistView)
def get_one_shortlist(shortlist_id: str, user: Liaison, cursor: Cursor) -> ShortlistView:
    return service.show_shortlist(cursor, actor=user, shortlist_id=shortlist_id)


@router.post("/shortlists/{shortlist_id}/confirm", response_model=ShortlistView)
def post_confirm_shortlist(shortlist_id: str, body: ShortlistConfirm, user: Liaison,
                           cursor: Cursor) -> ShortlistView:
    """Confirm in your order; leaving out or moving up a suggested candidate needs a reason."""
    return service.confirm_shortlist(cursor, actor=user, shortlist_id=shortlist_id,
                                     confirmed_by=body.confirmed_by or user.display_name or user.username,
                                     ordered_candidates=body.ordered_candidates, reasons=body.reasons)


@router.post("/shortlists/{shortlist_id}/candidates/{candidate}/status", response_model=StatusView,
             status_code=status.HTTP_201_CREATED)
def post_candidate_status(shortlist_id: str, candidate: str, body: StatusIn, user: Liaison,
                          cursor: Cursor) -> StatusView:
    """Append a status change for a candidate (by code): contacted, invited, hired or rejected."""
    return service.set_candidate_status(cursor, actor=user, shortlist_id=shortlist_id, candidate=candidate,
                                        status=body.status, note=body.note)


@router.get("/shortlists/{shortlist_id}/history", response_model=list[StatusView])
def get_candidate_history(shortlist_id: str, user: Liaison, cursor: Cursor,
                          candidate: str | None = None) -> list[StatusView]:
    return service.candidate_history(cursor, actor=user, shortlist_id=shortlist_id, candidate=candidate)
