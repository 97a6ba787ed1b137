"""HTTP routes for instruments, assessment records and Excel/CSV batches.

Thin: records and imports go through :mod:`assessment.service_records` (the actor's reach,
the action and its audit entry in one transaction). Assessors, coaches and admins may record
and import, each only for participants they may reach; the assessor is the logged-in user.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, UploadFile, status
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from assessment import service_records as service
from assessment.batch_template import write_template
from assessment.instrument import Instrument, get_instrument, instrument_json_schema, load_instruments
from assessment.records import Record
from foundation.uploads import upload_bytes
from service.deps import Cursor, require_roles
from service.users import User

router = APIRouter(prefix="/api", tags=["assessments"])

Staff = Annotated[User, Depends(require_roles(*service.RECORDERS))]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class InstrumentSummary(BaseModel):
    id: str
    version: str
    kind: str
    domain: str
    title_nl: str
    title_en: str
    items: int


class RecordIn(BaseModel):
    """One assessment as the assessor filled it in."""

    model_config = ConfigDict(extra="forbid")

    participant_id: str = Field(max_length=20)
    instrument_id: str = Field(max_length=60)
    instrument_version: str | None = None
    assessed_on: date
    scores: dict[str, Any] = Field(description="item id → score on the scale, or CEFR level for the Dutch grid")
    corrects: str | None = Field(None, description="Record id this one corrects.")
    comment: str | None = Field(None, max_length=2000)


class BatchOut(BaseModel):
    batch_id: str
    file_name: str
    instrument_id: str
    instrument_version: str
    n_records: int
    record_ids: list[str]


@router.get("/instruments", response_model=list[InstrumentSummary])
def instruments(user: Staff) -> list[InstrumentSummary]:
    """The latest version of every assessment instrument."""
    return [
        InstrumentSummary(id=i.id, version=i.version, kind=i.kind, domain=i.domain, title_nl=i.title.nl,
                          title_en=i.title.en, items=len(i.items))
        for i in load_instruments().values()
    ]


@router.get("/instrument-schema")
def schema(user: Staff) -> dict[str, Any]:
    """The JSON schema of instrument files."""
    return instrument_json_schema()


@router.get("/instruments/{instrument_id}", response_model=Instrument)
def instrument(instrument_id: str, user: Staff, version: str | None = None) -> Instrument:
    return get_instrument(instrument_id, version)


@router.get("/instruments/{instrument_id}/template")
def template(
    instrument_id: str, user: Staff, format: Literal["xlsx", "csv"] = "xlsx",
    participant: Annotated[list[str], Query(max_length=1000)] = [],  # noqa: B006
    version: str | None = None, lang: Literal["nl", "en"] = "nl",
) -> Response:
    """A fill-in sheet for assessors (one row per participant, one column per item), headers in ``lang``."""
    inst = get_instrument(instrument_id, version)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_template(inst.id, Path(tmp) / f"{inst.id}-v{inst.version}.{format}", version=inst.version,
                              participant_ids=participant, lang=lang)
        data = path.read_bytes()
    media = XLSX if format == "xlsx" else "text/csv; charset=utf-8"
    return Response(data, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{inst.id}-v{inst.version}.{format}"'})


@router.post("/assessments", status_code=status.HTTP_201_CREATED, response_model=Record)
def record(body: RecordIn, cursor: Cursor, user: Staff) -> Record:
    """Record one assessment; with ``corrects`` it replaces an earlier record (append-only)."""
    return service.record_result(cursor, actor=user, participant_id=body.participant_id,
                                 instrument_id=body.instrument_id, instrument_version=body.instrument_version,
                                 assessed_on=body.assessed_on, scores=body.scores, corrects=body.corrects,
                                 comment=body.comment)


@router.get("/assessments/{record_id}", response_model=Record)
def show(record_id: str, cursor: Cursor, user: Staff) -> Record:
    return service.read_record(cursor, actor=user, record_id=record_id)


@router.get("/participants/{participant_id}/assessments", response_model=list[Record])
def of_participant(participant_id: str, cursor: Cursor, user: Staff, current_only: bool = False) -> list[Record]:
    """A participant's records, oldest first (corrected versions included unless ``current_only``)."""
    return service.read_records(cursor, actor=user, participant_id=participant_id, current_only=current_only)


@router.post("/assessments/import", status_code=status.HTTP_201_CREATED, response_model=BatchOut)
def upload(file: UploadFile, cursor: Cursor, user: Staff) -> BatchOut:
    """Import a filled-in template (.xlsx or .csv): every row is validated first; all or nothing.

    Rows may only name participants you may reach (a coach: the caseload); any other id, known
    or not, is reported as an unknown participant."""
    name = Path(file.filename or "upload").name
    data = upload_bytes(file.file, file_name=name)
    report = service.import_results(cursor, actor=user, path=Path(name), data=data, file_name=name)
    return BatchOut(batch_id=report.batch_id, file_name=report.file_name, instrument_id=report.instrument_id,
                    instrument_version=report.instrument_version, n_records=report.n_records,
                    record_ids=report.record_ids)
