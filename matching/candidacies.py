"""Where a participant was proposed: confirmed shortlists that hold them, with the status history.

For the participant's coach: which vacancy (title, employer), when the liaison confirmed the
shortlist, and every status the liaison recorded since (contacted, invited, hired, rejected).
"""

from __future__ import annotations

from datetime import datetime

import duckdb
from pydantic import BaseModel


class StatusEvent(BaseModel):
    status: str
    at: datetime
    by: str
    note: str | None = None


class Candidacy(BaseModel):
    shortlist_id: str
    vacancy_id: str
    title: str
    employer: str
    liaison: str
    confirmed_at: datetime | None
    history: list[StatusEvent]


def candidacies(con: duckdb.DuckDBPyConnection, *, participant_id: str) -> list[Candidacy]:
    """Every confirmed shortlist with ``participant_id`` on it, newest first (ties by shortlist id)."""
    rows = con.execute(
        """SELECT s.shortlist_id, s.vacancy_id, v.title, v.employer, s.confirmed_by, s.confirmed_at
           FROM matching.shortlists s JOIN matching.vacancies v USING (vacancy_id)
           WHERE s.status = 'confirmed' AND list_contains(s.confirmed_order, ?)
           ORDER BY s.confirmed_at DESC, s.shortlist_id""", [participant_id]).fetchall()
    events: dict[str, list[StatusEvent]] = {}
    for sl, status, at, by, note in con.execute(
        """SELECT shortlist_id, status, changed_at, changed_by, note FROM matching.candidate_status
           WHERE participant_id = ? ORDER BY seq""", [participant_id]).fetchall():
        events.setdefault(sl, []).append(StatusEvent(status=status, at=at, by=by, note=note))
    return [Candidacy(shortlist_id=r[0], vacancy_id=r[1], title=r[2], employer=r[3], liaison=r[4] or "",
                      confirmed_at=r[5], history=events.get(r[0], [])) for r in rows]
