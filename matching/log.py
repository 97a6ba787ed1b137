"""The append-only request log: one row per job-target or shortlist request.

Each row says who asked, when, for which input ids, with which model and taxonomy version,
and what came out (ids with score and rank). Rows are only ever inserted; there is no
update or delete function.
"""

from __future__ import annotations

import json
from datetime import datetime

import duckdb
from pydantic import BaseModel

from foundation.db import parsed

KINDS = ("job_targets", "shortlist")
_INSERT_ONE = """INSERT INTO matching.request_log
                 (log_id, kind, requested_by, input_ids, model, taxonomy_version, outputs)
                 VALUES (nextval('matching.log_seq'), ?, ?, ?, ?, ?, ?::JSON) RETURNING log_id"""


class LogEntry(BaseModel):
    log_id: int
    kind: str
    requested_by: str
    requested_at: datetime
    input_ids: list[str]
    model: str
    taxonomy_version: str
    outputs: list[dict]


def write_log(
    con: duckdb.DuckDBPyConnection, *, kind: str, requested_by: str, input_ids: list[str], model: str,
    taxonomy_version: str, outputs: list[tuple[str, float, int]],
) -> int:
    """Append one row; ``outputs`` are ``(id, score, rank)``. Returns the log id."""
    return write_logs(con, kind=kind, requested_by=requested_by, model=model, taxonomy_version=taxonomy_version,
                      requests=[(input_ids, outputs)])[0]


def write_logs(
    con: duckdb.DuckDBPyConnection, *, kind: str, requested_by: str, model: str, taxonomy_version: str,
    requests: list[tuple[list[str], list[tuple[str, float, int]]]],
) -> list[int]:
    """Append one row per request in one statement (bulk runs); returns the log ids."""
    if kind not in KINDS:
        raise ValueError(f"unknown log kind {kind!r}")
    if not requests:
        return []
    if len(requests) == 1:
        input_ids, outs = requests[0]
        row = con.execute(
            parsed(con, _INSERT_ONE),
            [kind, requested_by, list(input_ids), model, taxonomy_version, _outputs_json(outs)],
        ).fetchone()
        return [row[0]]
    import pandas as pd

    first = con.execute(f"SELECT nextval('matching.log_seq') FROM range({len(requests)})").fetchall()
    ids = [r[0] for r in first]
    frame = pd.DataFrame({
        "log_id": ids,
        "kind": kind,
        "requested_by": requested_by,
        "input_ids": [list(i) for i, _ in requests],
        "model": model,
        "taxonomy_version": taxonomy_version,
        "outputs": [_outputs_json(outs) for _, outs in requests],
    })
    con.register("_log_rows", frame)
    try:
        con.execute(
            """INSERT INTO matching.request_log
               (log_id, kind, requested_by, input_ids, model, taxonomy_version, outputs)
               SELECT log_id, kind, requested_by, input_ids, model, taxonomy_version, outputs::JSON
               FROM _log_rows"""
        )
    finally:
        con.unregister("_log_rows")
    return ids


def _outputs_json(outs: list[tuple[str, float, int]]) -> str:
    return json.dumps([{"id": i, "score": round(float(s), 6), "rank": int(r)} for i, s, r in outs])


def read_log(
    con: duckdb.DuckDBPyConnection, *, kind: str | None = None, input_id: str | None = None, limit: int = 100
) -> list[LogEntry]:
    """The latest rows, newest first, optionally for one kind or one input id."""
    rows = con.execute(
        """SELECT log_id, kind, requested_by, requested_at, input_ids, model, taxonomy_version, outputs
           FROM matching.request_log
           WHERE (?::VARCHAR IS NULL OR kind = ?) AND (?::VARCHAR IS NULL OR list_contains(input_ids, ?))
           ORDER BY log_id DESC LIMIT ?""",
        [kind, kind, input_id, input_id, limit],
    ).fetchall()
    return [
        LogEntry(log_id=r[0], kind=r[1], requested_by=r[2], requested_at=r[3], input_ids=list(r[4]), model=r[5],
                 taxonomy_version=r[6], outputs=json.loads(r[7]))
        for r in rows
    ]
