"""Erasure (GDPR art. 17) and retention: a participant removed everywhere, the counts kept.

:func:`erase_participant` removes, in one transaction, the person's name, contact details,
protected attributes, free text and upload names (see :mod:`assessment.erasure`), and gives
every record kept for the programme's counts (assessments, stages, cohort, placements, the
suggestions shown, shortlists and the request log) a new random id that nothing links to the
person. The audit log is never changed: the erasure is appended to it with the old
pseudonymous id, the reason and the numbers of rows, never the erased data, so the chain stays
verifiable. Afterwards the database file is rewritten (:func:`foundation.compact.rewrite`) so
the erased values are gone from its bytes too.

Retention: people who left the programme (stage "left") more than the ``retention_months`` setting
months ago (default 24) are due for erasure; :func:`due_for_erasure` lists them (the dry run).
"""

from __future__ import annotations

import json
from datetime import date

import duckdb
from pydantic import BaseModel, Field

from assessment.common import new_id, utcnow
from assessment.erasure import erase_assessment_data, rekey
from foundation.actor import Role, User
from foundation.audit import audit
from foundation.db import transaction
from foundation.errors import InputError, NotFoundError, Problem
from foundation.settings import Settings

ERASED_PREFIX = "X"


class RetentionConfig(BaseModel):
    """How long people's data is kept after they leave the programme."""

    months: int = Field(24, ge=1, le=240)

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionConfig:
        """The ``retention_months`` setting."""
        return cls(months=settings.retention_months)


class Erasure(BaseModel):
    participant_id: str
    rows: dict[str, int]


class Due(BaseModel):
    participant_id: str
    left_on: date
    months_ago: int


def _error(message: str, column: str, message_code: str, **params) -> InputError:
    return InputError(message, [Problem(message, column=column, code=message_code, params=params)],
                      code=message_code, params=params)


def _identifying(con, participant_id: str) -> list[str]:
    row = con.execute("SELECT name, phone, email, address FROM assessment.contacts WHERE participant_id = ?",
                      [participant_id]).fetchone()
    return [v for v in (row or ()) if v and len(v) >= 3]


def _rekey_matching(con, *, participant_id: str, new: str) -> dict[str, int]:
    counts = rekey(con, schema="matching", participant_id=participant_id, new_id=new)
    old_json, new_json = json.dumps(participant_id), json.dumps(new)
    n = con.execute(
        """UPDATE matching.request_log
           SET input_ids = list_transform(input_ids, lambda x: CASE WHEN x = $old THEN $new ELSE x END),
               outputs = CAST(replace(CAST(outputs AS VARCHAR), $old_json, $new_json) AS JSON)
           WHERE list_contains(input_ids, $old) OR contains(CAST(outputs AS VARCHAR), $old_json)""",
        {"old": participant_id, "new": new, "old_json": old_json, "new_json": new_json}).fetchone()[0]
    counts["request_log"] = n
    rows = con.execute(
        """SELECT shortlist_id, reasons FROM matching.shortlists
           WHERE contains(CAST(suggestion AS VARCHAR), $old_json) OR list_contains(confirmed_order, $old)""",
        {"old": participant_id, "old_json": old_json}).fetchall()
    for shortlist_id, reasons in rows:
        kept = {k: v for k, v in (json.loads(reasons) if reasons else {}).items() if k != participant_id}
        con.execute(
            """UPDATE matching.shortlists
               SET suggestion = CAST(replace(CAST(suggestion AS VARCHAR), $old_json, $new_json) AS JSON),
                   confirmed_order = list_transform(confirmed_order, lambda x: CASE WHEN x = $old THEN $new ELSE x END),
                   reasons = CAST($reasons AS JSON)
               WHERE shortlist_id = $id""",
            {"old": participant_id, "new": new, "old_json": old_json, "new_json": new_json,
             "reasons": json.dumps(kept) if reasons else None, "id": shortlist_id})
    counts["shortlists"] = len(rows)
    con.execute("""UPDATE matching.followups SET note = NULL WHERE placement_id IN
                   (SELECT placement_id FROM matching.placements WHERE participant_id = ?)""", [new])
    return {k: v for k, v in counts.items() if v}


def erase_participant(con: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str, reason: str) -> Erasure:
    """Erase one participant (admins only); returns the rows touched per table. Rewrite the file afterwards."""
    reason = (reason or "").strip()
    if actor.role != Role.admin:
        raise NotFoundError(f"Unknown participant {participant_id!r}", code="participant.not_found",
                            params={"participant_id": participant_id})
    if not 3 <= len(reason) <= 300:
        raise _error("Give the reason of the erasure (3 to 300 characters)", "reason", "erasure.reason")
    with transaction(con):
        if not con.execute("SELECT 1 FROM assessment.participants WHERE participant_id = ?",
                           [participant_id]).fetchone():
            raise NotFoundError(f"Unknown participant {participant_id!r}", code="participant.not_found",
                                params={"participant_id": participant_id})
        if any(v.lower() in reason.lower() for v in _identifying(con, participant_id)):
            raise _error("The reason may not contain the person's name or contact details", "reason",
                         "erasure.reason_personal")
        new = new_id(ERASED_PREFIX, 8)
        rows = erase_assessment_data(con, participant_id=participant_id, new_id=new)
        rows |= _rekey_matching(con, participant_id=participant_id, new=new)
        audit(con, user=actor, action="erase_participant", object_type="participant", object_id=participant_id,
              purpose="administration", detail={"reason": reason, "rows": rows})
    return Erasure(participant_id=participant_id, rows=rows)


def due_for_erasure(con: duckdb.DuckDBPyConnection, *, actor: User, today: date | None = None,
                    config: RetentionConfig | None = None) -> list[Due]:
    """The dry run: who left the programme more than the retention period ago (oldest first)."""
    if actor.role != Role.admin:
        raise NotFoundError("Unknown report", code="report.not_found")
    today = today or utcnow().date()
    months = (config or RetentionConfig()).months
    rows = con.execute(
        """SELECT s.participant_id, s.on_date FROM assessment.participants p JOIN (
               SELECT participant_id, stage, on_date FROM assessment.stage_events
               QUALIFY row_number() OVER (PARTITION BY participant_id ORDER BY on_date DESC, seq DESC) = 1) s
           USING (participant_id)
           WHERE s.stage = 'left' AND s.on_date + to_months(?) <= ?
           ORDER BY s.on_date, s.participant_id""", [months, today]).fetchall()
    return [Due(participant_id=r[0], left_on=r[1],
                months_ago=(today.year - r[1].year) * 12 + today.month - r[1].month) for r in rows]
