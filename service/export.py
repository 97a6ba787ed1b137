"""The complete answer to a GDPR access request: every package's records about one participant."""

from __future__ import annotations

import dataclasses
from typing import Any

import duckdb

from assessment.profiles import export_participant
from foundation.audit import read_log
from matching.export import participant_matching_records


def full_export(con: duckdb.DuckDBPyConnection, *, participant_id: str) -> dict[str, Any]:
    """Assessment data, rankings and shortlists, and who read the participant's data (the audit trail)."""
    data = export_participant(con, participant_id=participant_id)
    data["matching"] = participant_matching_records(con, participant_id=participant_id)
    data["access_log"] = [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in dataclasses.asdict(e).items()}
        for e in read_log(con, object_id=participant_id, limit=100_000)
    ]
    return data
