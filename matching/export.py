"""What werkbrug stores about one participant, for a GDPR access request."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import duckdb

from assessment.profiles import export_participant
from foundation.audit import read_log


def full_export(con: duckdb.DuckDBPyConnection, *, participant_id: str) -> dict[str, Any]:
    """The whole answer to a GDPR access request: assessment data, rankings and shortlists, and
    who read the participant's data (the audit trail)."""
    data = export_participant(con, participant_id=participant_id)
    data["matching"] = participant_matching_records(con, participant_id=participant_id)
    data["access_log"] = [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in dataclasses.asdict(e).items()}
        for e in read_log(con, object_id=participant_id, limit=100_000)
    ]
    return data


def participant_matching_records(con: duckdb.DuckDBPyConnection, *, participant_id: str) -> dict[str, Any]:
    """Rankings that used or returned the participant, shortlists naming them and their status history."""
    needle = json.dumps(participant_id)
    log = con.execute(
        """SELECT log_id, kind, requested_by, requested_at, input_ids, model, taxonomy_version, outputs
           FROM matching.request_log
           WHERE list_contains(input_ids, ?) OR contains(CAST(outputs AS VARCHAR), ?)
           ORDER BY log_id""",
        [participant_id, needle],
    ).fetchall()
    shortlists = con.execute(
        """SELECT shortlist_id, vacancy_id, created_by, created_at, status, confirmed_by, confirmed_at,
                  list_contains(coalesce(confirmed_order, []), ?) AS in_confirmed
           FROM matching.shortlists
           WHERE contains(CAST(suggestion AS VARCHAR), ?) OR list_contains(coalesce(confirmed_order, []), ?)
           ORDER BY created_at""",
        [participant_id, needle, participant_id],
    ).fetchall()
    statuses = con.execute(
        """SELECT shortlist_id, status, changed_by, note, changed_at FROM matching.candidate_status
           WHERE participant_id = ? ORDER BY seq""",
        [participant_id],
    ).fetchall()
    return {
        "ranking_requests": [
            {"log_id": r[0], "kind": r[1], "requested_by": r[2], "requested_at": r[3].isoformat(),
             "model": r[5], "taxonomy_version": r[6], "outputs": _own_outputs(r[4], json.loads(r[7]), participant_id)}
            for r in log
        ],
        "shortlists": [
            {"shortlist_id": s[0], "vacancy_id": s[1], "created_by": s[2], "created_at": s[3].isoformat(),
             "status": s[4], "confirmed_by": s[5], "confirmed_at": s[6].isoformat() if s[6] else None,
             "in_confirmed_shortlist": bool(s[7])}
            for s in shortlists
        ],
        "candidate_status": [
            {"shortlist_id": c[0], "status": c[1], "changed_by": c[2], "note": c[3], "changed_at": c[4].isoformat()}
            for c in statuses
        ],
    }


def _own_outputs(input_ids: list[str], outputs: list[dict], participant_id: str) -> list[dict]:
    """All outputs of a request about the participant; only their own row of a request about others."""
    if participant_id in input_ids:
        return outputs
    return [o for o in outputs if o.get("id") == participant_id]
