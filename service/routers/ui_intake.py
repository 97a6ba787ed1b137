"""Intake and profile edit in the browser: experience, preferences, availability, mobility, education.

Assessors and coaches fill in every profile field matching uses; an occupation is picked with
search-as-you-type (``static/picker.js`` on the taxonomy search API) or, without JavaScript, typed
and resolved on the server. A coach's save leads straight to the participant's first job targets.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assessment import service
from foundation.errors import InputError
from service.auth import check_csrf
from service.deps import Cursor, require_roles
from service.i18n import request_language
from service.ui import field_errors, render, ui_translator
from service.ui.intake import (
    EDUCATION,
    RECOGNITION,
    SECTORS,
    SHIFTS,
    TRANSPORT,
    IntakeForm,
    changes_from_form,
    choice_labels,
    form_from_participant,
    form_from_post,
    resolve_occupations,
)
from service.users import Role, User
from taxonomy.store import display_labels, preferred_labels

router = APIRouter(include_in_schema=False)
Staff = Annotated[User, Depends(require_roles(Role.assessor, Role.coach))]
FIELDS = {"postcode", "max_commute_minutes", "hours_per_week", "transport_modes", "shifts", "weekends",
          "preferred_sectors", "education_level", "diploma_recognition", "experience_text", "languages"}


def _page(request: Request, cursor, user: User, p, form: IntakeForm, *, errors=None, new: bool = False,
          status_code: int = 200) -> HTMLResponse:
    back = "/coach" if user.role == Role.coach else "/assessor"
    uris = [r.uri for r in form.experience + form.preferred] + [u for r in form.experience + form.preferred
                                                                 for u, _t in r.choices]
    labels = display_labels(cursor, uris, request_language(request))  # to mark labels ESCO has in English only
    return render(request, "intake.html", user, status_code=status_code, p=p, f=form, errors=errors or {}, new=new,
                  labels=labels,
                  back=f"{back}/participants/{p.participant_id}", sectors=SECTORS, shifts=SHIFTS, transport=TRANSPORT,
                  education=EDUCATION, recognition=RECOGNITION, **choice_labels(ui_translator(request)))


@router.get("/participants/{participant_id}/intake", response_class=HTMLResponse)
def intake(request: Request, participant_id: str, cursor: Cursor, user: Staff, new: int = 0) -> HTMLResponse:
    p = service.show_participant(cursor, actor=user, participant_id=participant_id)
    uris = [e.occupation_uri for e in p.experience] + list(p.preferred_occupations)
    labels = preferred_labels(cursor, uris, lang=request_language(request))
    return _page(request, cursor, user, p, form_from_participant(p, labels), new=bool(new))


@router.post("/participants/{participant_id}/intake", dependencies=[Depends(check_csrf)])
async def save_intake(request: Request, participant_id: str, cursor: Cursor, user: Staff) -> Response:
    """Save the profile fields; problems are shown next to the field they concern, nothing is half saved."""
    from taxonomy.search import search

    _ = ui_translator(request)
    lang = request_language(request)
    p = service.show_participant(cursor, actor=user, participant_id=participant_id)
    form = form_from_post(await request.form())
    errors = resolve_occupations(form, lambda q: search(cursor, q, kind="occupation", lang=lang, top=5), _)
    changes, more = changes_from_form(form, _)
    errors |= more
    if not errors:
        try:
            service.edit_participant(cursor, actor=user, participant_id=participant_id, changes=changes)
        except InputError as exc:
            errors = _form_errors(field_errors(exc, FIELDS | {"experience", "preferred_occupations"}))
        else:
            if user.role == Role.coach:
                return RedirectResponse(f"/coach/participants/{participant_id}?saved=intake#targets", status_code=303)
            return RedirectResponse(f"/assessor/participants/{participant_id}?saved=intake", status_code=303)
    return _page(request, cursor, user, p, form, errors=errors, status_code=422)


def _form_errors(errors: dict[str, str]) -> dict[str, str]:
    """Domain field names → the form's names."""
    names = {"transport_modes": "transport", "shifts": "shift", "preferred_sectors": "sector",
             "experience": "exp_label_0", "preferred_occupations": "pref_label_0"}
    return {names.get(k, k): v for k, v in errors.items()}
