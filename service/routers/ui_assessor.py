"""Assessor pages: find or register participants, enter results per instrument, batch upload."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assessment import service, service_records
from foundation.errors import ConflictError, InputError, WerkbrugError
from service.auth import check_csrf
from service.deps import Cursor, require_roles
from service.i18n import request_language
from service.ui import field_errors, render, ui_translator
from service.ui.paging import paging
from service.ui.registration import register_from_form
from service.users import Role, User, active_coaches

router = APIRouter(prefix="/assessor", include_in_schema=False)
Assessor = Annotated[User, Depends(require_roles(Role.assessor))]


def _instruments() -> list:
    from assessment.instrument import load_instruments

    return sorted(load_instruments().values(), key=lambda i: (i.kind != "language", i.kind, i.id))


def _list_page(request: Request, cursor, user: User, *, q: str = "", errors=None, form=None, status_code=200,
               sort: str = "newest", page: int = 1):
    pages = paging(service.count_participants(cursor, actor=user, search=q or None), page, {"q": q, "sort": sort})
    rows = service.list_participants(cursor, actor=user, search=q or None, order=sort, limit=pages.size,
                                     offset=pages.offset)
    return render(request, "assessor/participants.html", user, status_code=status_code, rows=rows, q=q,
                  sort=sort, paging=pages,
                  errors=errors or {}, form=form or {}, coaches=active_coaches(cursor))


@router.get("/participants", response_class=HTMLResponse)
def participants(request: Request, cursor: Cursor, user: Assessor, q: str = "", sort: str = "newest",
                 page: int = 1) -> HTMLResponse:
    return _list_page(request, cursor, user, q=q.strip(), sort=sort, page=page)


@router.post("/participants", dependencies=[Depends(check_csrf)])
async def create(request: Request, cursor: Cursor, user: Assessor) -> Response:
    """Register a participant (name and contact details stay out of every profile and ranking)."""
    pid, reg = register_from_form(cursor, actor=user, values=dict(await request.form()), with_coach=True)
    if pid:
        return RedirectResponse(f"/participants/{pid}/intake?new=1", status_code=303)
    return _list_page(request, cursor, user, errors=reg.errors, form=reg.form, status_code=422)


@router.get("/participants/{participant_id}", response_class=HTMLResponse)
def participant(
    request: Request, participant_id: str, cursor: Cursor, user: Assessor, created: int = 0, recorded: str = "",
    saved: str = "",
):
    _ = ui_translator(request)
    file = service.participant_file(cursor, actor=user, participant_id=participant_id)
    p, contact, records = file.participant, file.contact, file.records
    instruments = {i.id: i for i in _instruments()}
    messages = [("ok", _("Participant %(id)s registered.", id=participant_id))] if created else []
    if saved == "intake":
        messages.append(("ok", _("Profile saved.")))
    if recorded:
        messages.append(("ok", _("Results saved as record %(id)s.", id=recorded[:20])))
    return render(request, "assessor/participant.html", user, p=p, contact=contact, records=records,
                  instruments=instruments, messages=messages)


def _form_page(request, cursor, user, p, instrument, *, values=None, errors=None, status_code=200, messages=None):
    return render(request, "assessor/record.html", user, status_code=status_code, p=p, ins=instrument,
                  values=values or {}, errors=errors or {}, today=date.today().isoformat(),
                  messages=messages or [])


@router.get("/participants/{participant_id}/record/{instrument_id}", response_class=HTMLResponse)
def record_form(request: Request, participant_id: str, instrument_id: str, cursor: Cursor, user: Assessor):
    from assessment.instrument import get_instrument

    p = service.show_participant(cursor, actor=user, participant_id=participant_id)
    return _form_page(request, cursor, user, p, get_instrument(instrument_id))


@router.post("/participants/{participant_id}/record/{instrument_id}", dependencies=[Depends(check_csrf)])
async def record_submit(request: Request, participant_id: str, instrument_id: str, cursor: Cursor, user: Assessor):
    """Store one assessment; problems are shown next to the item they concern."""
    from assessment.instrument import get_instrument

    _ = ui_translator(request)
    instrument = get_instrument(instrument_id)
    form = await request.form()
    scores = {item.id: str(form.get(f"item_{item.id}", "")).strip() for item in instrument.items}
    values = {**scores, "assessed_on": str(form.get("assessed_on", "")), "comment": str(form.get("comment", ""))}
    try:
        record = service_records.record_result(
            cursor, actor=user, participant_id=participant_id, instrument_id=instrument.id,
            assessed_on=values["assessed_on"], scores={k: v for k, v in scores.items() if v},
            comment=values["comment"].strip() or None,
        )
    except InputError as exc:
        errors = field_errors(exc, {*scores, "assessed_on"})
        p = service.show_participant(cursor, actor=user, participant_id=participant_id)
        return _form_page(request, cursor, user, p, instrument, values=values, errors=errors, status_code=422)
    return RedirectResponse(f"/assessor/participants/{participant_id}?recorded={record.record_id}", status_code=303)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _batch_page(request, user, *, problems=None, message=None, report=None, status_code=200, form=None):
    return render(request, "assessor/batch.html", user, status_code=status_code, instruments=_instruments(),
                  problems=problems or [], message=message, report=report, form=form or {})


@router.get("/batch", response_class=HTMLResponse)
def batch(request: Request, user: Assessor) -> HTMLResponse:
    return _batch_page(request, user)


@router.get("/batch/template")
def batch_template(
    request: Request, user: Assessor, instrument: str = "", participants: str = "", format: str = "xlsx",
) -> Response:
    """The Excel (or CSV) template of one instrument, optionally with participant numbers filled in."""
    import tempfile
    from pathlib import Path

    from assessment.batch_template import write_template
    from assessment.instrument import get_instrument

    ins = get_instrument(instrument)
    ids = [p.strip().upper() for p in participants.replace(",", " ").split() if p.strip()]
    suffix = "csv" if format == "csv" else "xlsx"
    file_name = f"{ins.id}-v{ins.version}.{suffix}"
    with tempfile.TemporaryDirectory() as tmp:
        data = write_template(ins.id, Path(tmp) / file_name, version=ins.version, participant_ids=ids,
                              lang=request_language(request)).read_bytes()
    return Response(data, media_type=XLSX if suffix == "xlsx" else "text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{file_name}"'})


@router.post("/batch", dependencies=[Depends(check_csrf)])
def batch_upload(
    request: Request, cursor: Cursor, user: Assessor, file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Import a filled-in template: all rows or none, with a row-by-row error report.

    A sync endpoint: the file is checked and parsed in a worker thread, never on the event loop.
    """
    from pathlib import Path

    from foundation.uploads import upload_bytes

    _ = ui_translator(request)
    name = Path(file.filename or "").name if file is not None else ""
    try:
        data = upload_bytes(file.file, file_name=name) if name else b""
        if not data:
            return _batch_page(request, user, message=_("Choose a filled-in template (.xlsx or .csv)."),
                               status_code=422)
        report = service_records.import_results(cursor, actor=user, path=Path(name), data=data, file_name=name)
    except WerkbrugError as exc:
        return _batch_page(request, user, message=exc, problems=exc.problems,
                           status_code=409 if isinstance(exc, ConflictError) else 422)
    return _batch_page(request, user, report=report)
