"""Assessment records: append-only; a correction is a new record that names the one it replaces."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import duckdb
from pydantic import BaseModel

from assessment import cefr
from assessment.common import bulk_insert, require_participant, utcnow
from assessment.instrument import Instrument, get_instrument
from foundation.db import transaction
from foundation.errors import ConflictError, InputError, NotFoundError, Problem
from foundation.ids import new_id

Score = int | str | None
EARLIEST = date(2000, 1, 1)


class Record(BaseModel):
    """One stored assessment (one version: corrections are new records)."""

    record_id: str
    participant_id: str
    instrument_id: str
    instrument_version: str
    assessor: str
    assessed_on: date
    recorded_at: datetime
    scores: dict[str, Score]
    corrects: str | None = None
    superseded_by: str | None = None
    batch_id: str | None = None
    comment: str | None = None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def validate_scores(
    instrument: Instrument, scores: Mapping[str, Any], **where: Any
) -> tuple[dict[str, Score], list[Problem]]:
    """Check item scores against the instrument: known items, on the scale, valid CEFR levels.

    Returns the cleaned scores (blank items dropped) and every problem found; ``where``
    (file, sheet, row) locates the problems. Column names are the item ids.
    """
    clean: dict[str, Score] = {}
    problems: list[Problem] = []
    known = {i.id for i in instrument.items}
    for item_id, value in scores.items():
        if item_id not in known:
            problems.append(Problem(f"unknown item {item_id!r} in {instrument.id} v{instrument.version}",
                                    column=item_id, code="records.unknown_item",
                                    params={"item": item_id, "instrument": instrument.id,
                                            "version": instrument.version}, **where))
            continue
        if _blank(value):
            continue
        if instrument.kind == "language":
            try:
                clean[item_id] = cefr.parse(value, field=item_id)
            except InputError as exc:
                problems.append(Problem(exc.problems[0].message, column=item_id, code=exc.code,
                                        params=exc.params, **where))
            continue
        scale = instrument.scale
        try:
            number = float(value)
            if isinstance(value, bool) or number != int(number):
                raise ValueError
        except (TypeError, ValueError):
            problems.append(Problem(f"{value!r} is not a whole number on the scale {scale.min}–{scale.max}",
                                    column=item_id, code="records.not_whole_number",
                                    params={"value": str(value), "min": scale.min, "max": scale.max}, **where))
            continue
        if not scale.min <= number <= scale.max:
            problems.append(Problem(f"score {value!r} is outside the scale {scale.min}–{scale.max}",
                                    column=item_id, code="records.score_out_of_scale",
                                    params={"value": str(value), "min": scale.min, "max": scale.max}, **where))
            continue
        clean[item_id] = int(number)
    if not clean and not problems:
        problems.append(Problem("no item was scored", code="records.nothing_scored", **where))
    return clean, problems


def check_date(assessed_on: Any, **where: Any) -> tuple[date | None, list[Problem]]:
    if isinstance(assessed_on, datetime):
        assessed_on = assessed_on.date()
    if isinstance(assessed_on, str):
        try:
            assessed_on = date.fromisoformat(assessed_on.strip())
        except ValueError:
            return None, [Problem(f"{assessed_on!r} is not a date (use YYYY-MM-DD)", column="assessed_on",
                                 code="records.not_a_date", params={"value": assessed_on}, **where)]
    if not isinstance(assessed_on, date):
        return None, [Problem("missing or invalid date", column="assessed_on", code="records.date_missing", **where)]
    if assessed_on > utcnow().date():
        return None, [Problem(f"{assessed_on} is in the future", column="assessed_on", code="records.date_in_future",
                             params={"date": assessed_on.isoformat()}, **where)]
    if assessed_on < EARLIEST:
        return None, [Problem(f"{assessed_on} is before {EARLIEST}: a typing error?", column="assessed_on",
                             code="records.date_too_early",
                             params={"date": assessed_on.isoformat(), "earliest": EARLIEST.isoformat()}, **where)]
    return assessed_on, []


def insert_records(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]], *, instrument: Instrument,
                   assessor: str, batch_id: str | None = None) -> list[str]:
    """Insert already validated records (inside the caller's transaction); returns their ids.

    Each row has ``participant_id``, ``assessed_on``, ``scores`` and optional ``corrects``
    and ``comment``.
    """
    taken = {r[0] for r in con.execute("SELECT record_id FROM assessment.records").fetchall()}
    now, ids, values = utcnow(), [], []
    for row in rows:
        rid = new_id("R", 8)
        while rid in taken:
            rid = new_id("R", 8)
        taken.add(rid)
        ids.append(rid)
        values.append({"record_id": rid, "participant_id": row["participant_id"], "instrument_id": instrument.id,
                       "instrument_version": instrument.version, "assessor": assessor,
                       "assessed_on": row["assessed_on"], "recorded_at": now,
                       "scores": json.dumps(row["scores"], sort_keys=True), "corrects": row.get("corrects"),
                       "batch_id": batch_id, "comment": row.get("comment")})
    bulk_insert(con, "assessment.records", values)
    return ids


def record_assessment(
    con: duckdb.DuckDBPyConnection,
    *,
    participant_id: str,
    instrument_id: str,
    assessor: str,
    assessed_on: date | str,
    scores: Mapping[str, Any],
    corrects: str | None = None,
    instrument_version: str | None = None,
    comment: str | None = None,
) -> Record:
    """Validate and store one assessment; with ``corrects`` it replaces that record.

    A correction must concern the same participant and instrument, and only the newest
    version of a record can be corrected (:class:`ConflictError` otherwise).
    """
    require_participant(con, participant_id)
    instrument = get_instrument(instrument_id, instrument_version)
    clean, problems = validate_scores(instrument, scores)
    day, date_problems = check_date(assessed_on)
    problems += date_problems
    if problems:
        raise InputError(f"Invalid scores for {instrument.id} v{instrument.version}", problems,
                         code="records.invalid_scores",
                         params={"instrument": instrument.id, "version": instrument.version})
    try:
        rid = _store(con, participant_id, instrument, assessor, day, clean, corrects, comment)
    except (duckdb.ConstraintException, duckdb.TransactionException) as exc:  # corrected twice at the same time
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        what = f"Record {corrects} was corrected by someone else just now" if corrects else (
            "The record could not be stored because of a simultaneous change: try again")
        raise ConflictError(what, [Problem("simultaneous change", column="corrects", code="records.simultaneous")],
                            code="records.corrected_meanwhile" if corrects else "records.store_conflict",
                            params={"record": corrects or ""}) from exc
    return get_record(con, record_id=rid)


def _store(con, participant_id, instrument, assessor, day, clean, corrects, comment) -> str:
    with transaction(con):
        if corrects is not None:
            _check_correction(con, corrects, participant_id, instrument.id)
        (rid,) = insert_records(con, [{"participant_id": participant_id, "assessed_on": day, "scores": clean,
                                       "corrects": corrects, "comment": comment}],
                                instrument=instrument, assessor=assessor)
    return rid


def _check_correction(con, corrects: str, participant_id: str, instrument_id: str) -> None:
    row = con.execute("SELECT participant_id, instrument_id FROM assessment.records WHERE record_id = ?",
                      [corrects]).fetchone()
    if row is None:
        raise NotFoundError(f"Unknown record {corrects!r}",
                            [Problem("no such record", column="corrects", code="records.no_such")],
                            code="records.not_found", params={"record": corrects})
    if row != (participant_id, instrument_id):
        raise InputError("A correction must concern the same participant and instrument",
                         [Problem(f"{corrects} is {row[1]} for {row[0]}", column="corrects",
                                  code="records.correction_of",
                                  params={"record": corrects, "instrument": row[1], "participant": row[0]})],
                         code="records.correction_other")
    newer = con.execute("SELECT record_id FROM assessment.records WHERE corrects = ?", [corrects]).fetchone()
    if newer:
        raise ConflictError(f"Record {corrects} was already corrected by {newer[0]}: correct that one",
                            [Problem("already corrected", column="corrects", code="records.already_corrected_here")],
                            code="records.already_corrected", params={"record": corrects, "newer": newer[0]})


_SELECT = """
    SELECT r.record_id, r.participant_id, r.instrument_id, r.instrument_version, r.assessor, r.assessed_on,
           r.recorded_at, r.scores, r.corrects, n.record_id, r.batch_id, r.comment
    FROM assessment.records r LEFT JOIN assessment.records n ON n.corrects = r.record_id
"""


def _to_record(row) -> Record:
    keys = ("record_id", "participant_id", "instrument_id", "instrument_version", "assessor", "assessed_on",
            "recorded_at", "scores", "corrects", "superseded_by", "batch_id", "comment")
    d = dict(zip(keys, row, strict=True))
    d["scores"] = json.loads(d["scores"])
    return Record.model_validate(d)


def record_participant(con: duckdb.DuckDBPyConnection, *, record_id: str) -> str | None:
    """The participant an assessment record belongs to (``None`` for an unknown record)."""
    row = con.execute("SELECT participant_id FROM assessment.records WHERE record_id = ?", [record_id]).fetchone()
    return row[0] if row else None


def records_participants(con: duckdb.DuckDBPyConnection, *, record_ids: list[str]) -> list[str]:
    """The participants several records belong to, sorted, each once."""
    return [r[0] for r in con.execute("SELECT DISTINCT participant_id FROM assessment.records WHERE record_id IN "
                                      "(SELECT unnest(?)) ORDER BY 1", [list(record_ids)]).fetchall()]


def get_record(con: duckdb.DuckDBPyConnection, *, record_id: str) -> Record:
    """One record version, or :class:`NotFoundError`."""
    row = con.execute(_SELECT + " WHERE r.record_id = ?", [record_id]).fetchone()
    if row is None:
        raise NotFoundError(f"Unknown record {record_id!r}",
                            [Problem("no such record", column="record_id", code="records.no_such")],
                            code="records.not_found", params={"record": record_id})
    return _to_record(row)


def list_records(
    con: duckdb.DuckDBPyConnection, *, participant_id: str, current_only: bool = False
) -> list[Record]:
    """A participant's records, oldest first; ``current_only`` drops corrected versions."""
    require_participant(con, participant_id)
    sql = _SELECT + " WHERE r.participant_id = ?"
    if current_only:
        sql += " AND n.record_id IS NULL"
    return [_to_record(r) for r in con.execute(sql + " ORDER BY r.assessed_on, r.recorded_at",
                                               [participant_id]).fetchall()]


def current_records(con: duckdb.DuckDBPyConnection, *, participant_ids: list[str]) -> dict[str, list[Record]]:
    """Records that were not corrected, per participant, oldest first (one query for many participants)."""
    out: dict[str, list[Record]] = {pid: [] for pid in participant_ids}
    rows = con.execute(
        _SELECT + """ WHERE r.participant_id IN (SELECT unnest(?)) AND n.record_id IS NULL
                      ORDER BY r.participant_id, r.assessed_on, r.recorded_at""", [list(participant_ids)]).fetchall()
    for row in rows:
        rec = _to_record(row)
        out.setdefault(rec.participant_id, []).append(rec)
    return out
