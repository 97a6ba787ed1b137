"""Coach follow-up: edit a trajectory step (status, dates, owner, note); every change is kept as history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from assessment import service
from foundation.errors import InputError
from matching import service as matching_service
from service.auth import check_csrf
from service.deps import Cursor, require_roles
from service.ui import field_errors
from service.users import Role, User

router = APIRouter(prefix="/coach", include_in_schema=False)
Coach = Annotated[User, Depends(require_roles(Role.coach))]


@router.post("/steps/{step_id}", dependencies=[Depends(check_csrf)])
def edit_step(
    request: Request, step_id: str, cursor: Cursor, user: Coach,
    status: Annotated[str, Form()] = "", starts_on: Annotated[str, Form()] = "", ends_on: Annotated[str, Form()] = "",
    owner: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
) -> Response:
    """Mark a step started, done or cancelled, move its dates, name who carries it out."""
    from service.routers.ui_coach import _profile_page

    participant_id = service.step_participant(cursor, actor=user, step_id=step_id)
    try:
        service.edit_step(cursor, actor=user, step_id=step_id, status=status or None, owner=owner.strip(),
                          note=note.strip(), starts_on=starts_on, ends_on=ends_on)
    except InputError as exc:
        errors = {f"{k}_{step_id}": v for k, v in field_errors(exc).items()}
        return _profile_page(request, cursor, user, participant_id, errors=errors, status_code=422)
    return RedirectResponse(f"/coach/participants/{participant_id}?saved=step_changed#step-{step_id}",
                            status_code=303)


liaison = APIRouter(prefix="/liaison", include_in_schema=False)
Liaison = Annotated[User, Depends(require_roles(Role.liaison))]


@liaison.post("/vacancies/{vacancy_id}/close", dependencies=[Depends(check_csrf)])
def close(vacancy_id: str, cursor: Cursor, user: Liaison) -> Response:
    """Close a vacancy (filled or withdrawn): no new shortlists; existing ones and their history stay."""
    matching_service.close_vacancy(cursor, actor=user, vacancy_id=vacancy_id)
    return RedirectResponse(f"/liaison/vacancies/{vacancy_id}?saved=closed", status_code=303)
