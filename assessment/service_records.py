"""The assessment domain's service layer for results: single records and Excel/CSV batches.

As in :mod:`assessment.service`: keyword-only functions taking the acting person that do the
object-level check, the action and its audit entry in one transaction. A batch may only name
participants the actor may reach (a coach: their caseload and unassigned intake); any other
id, existing or not, gets the same "unknown participant" problem.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from assessment import records as store
from assessment.access import READ, not_found, purpose_of, reachable, require_participant
from assessment.batch import BatchReport, import_batch
from assessment.records import Record
from assessment.service import require_role
from foundation.actor import User
from foundation.audit import audit
from foundation.db import transaction
from foundation.errors import NotFoundError

RECORDERS = READ  # assessors, coaches and admins record results


def record_result(
    cursor: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str, instrument_id: str,
    assessed_on: date | str, scores: dict[str, Any], instrument_version: str | None = None,
    corrects: str | None = None, comment: str | None = None,
) -> Record:
    """Record one assessment with ``actor`` as assessor; ``corrects`` replaces an earlier record."""
    with transaction(cursor):
        require_participant(cursor, actor=actor, participant_id=participant_id, roles=RECORDERS)
        record = store.record_assessment(
            cursor, participant_id=participant_id, instrument_id=instrument_id, assessor=actor.username,
            assessed_on=assessed_on, scores=scores, corrects=corrects, instrument_version=instrument_version,
            comment=comment)
        audit(cursor, user=actor, action="record_assessment", object_type="participant", object_id=participant_id,
              purpose=purpose_of(actor), detail={"record_id": record.record_id, "instrument": record.instrument_id,
                                                 "corrects": corrects})
    return record


def read_record(cursor: duckdb.DuckDBPyConnection, *, actor: User, record_id: str) -> Record:
    with transaction(cursor):
        pid = store.record_participant(cursor, record_id=record_id)
        if pid is None:
            raise not_found("record", record_id, "record_id")
        try:
            require_participant(cursor, actor=actor, participant_id=pid)
        except NotFoundError:
            raise not_found("record", record_id, "record_id") from None
        record = store.get_record(cursor, record_id=record_id)
        audit(cursor, user=actor, action="read_record", object_type="participant", object_id=pid,
              purpose=purpose_of(actor), detail={"record_id": record_id})
    return record


def read_records(cursor: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str,
                 current_only: bool = False) -> list[Record]:
    """A participant's records, oldest first (corrected versions too unless ``current_only``)."""
    with transaction(cursor):
        require_participant(cursor, actor=actor, participant_id=participant_id)
        got = store.list_records(cursor, participant_id=participant_id, current_only=current_only)
        audit(cursor, user=actor, action="read_records", object_type="participant", object_id=participant_id,
              purpose=purpose_of(actor))
    return got


def import_results(
    cursor: duckdb.DuckDBPyConnection, *, actor: User, path: str | Path, data: bytes | None = None,
    file_name: str | None = None,
) -> BatchReport:
    """Import a filled-in template: every row checked first (also against the actor's reach); all or nothing."""
    require_role(actor, RECORDERS)
    with transaction(cursor):
        report = import_batch(cursor, path=path, data=data, file_name=file_name, assessor=actor.username,
                              reachable=lambda ids: reachable(cursor, actor=actor, participant_ids=ids))
        participants = store.records_participants(cursor, record_ids=report.record_ids)
        audit(cursor, user=actor, action="import_assessments", object_type="batch", object_id=report.batch_id,
              purpose=purpose_of(actor), detail={"file": report.file_name, "records": report.n_records,
                                                 "participants": participants})
    return report
