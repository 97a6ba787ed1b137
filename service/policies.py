"""Object-level access rules: who may see which participant, vacancy or candidate.

- An **assessor** finds and registers participants and records results for any of them.
- A **coach** sees only the participants in their caseload (``participant.coach``), plus those
  not assigned to any coach yet (just registered, waiting for intake), so one can take them on.
- A **liaison** never sees a participant directly: only consenting candidates on the
  shortlists of vacancies they own, under a per-vacancy pseudonym (:func:`candidate_code`).
- An **admin** manages users, settings and reads the audit log; through the JSON API an admin
  may also handle a participant's data (e.g. a request for a copy or a correction), always logged.

Refusals of records that exist look the same as records that do not (404), so ids cannot
be probed.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import duckdb
from fastapi import HTTPException, status

from foundation.errors import NotFoundError, Problem
from service.users import Role, User

PARTICIPANT_ROLES = (Role.assessor, Role.coach)


def _hidden(what: str, object_id: str, column: str) -> NotFoundError:
    return NotFoundError(f"Unknown {what} {object_id!r}", [Problem(f"no such {what}", column=column)])


def may_see_participant(user: User, participant: Any) -> bool:
    """Whether ``user`` may read this participant's personal data."""
    if user.role in (Role.assessor, Role.admin):
        return True
    if user.role == Role.coach:
        return getattr(participant, "coach", None) in (user.username, None)
    return False


def visible_participant(cursor: duckdb.DuckDBPyConnection, *, user: User, participant_id: str) -> Any:
    """The participant if ``user`` may see them, else :class:`NotFoundError` (404)."""
    from assessment.participants import get_participant

    participant = get_participant(cursor, participant_id=participant_id)
    if not may_see_participant(user, participant):
        raise _hidden("participant", participant_id, "participant_id")
    return participant


ROLE_PURPOSE = {Role.assessor: "assessment", Role.coach: "coaching", Role.admin: "administration"}


def guard_participant(
    cursor: duckdb.DuckDBPyConnection, *, user: User, participant_id: str, action: str = "read_participant",
    purpose: str | None = None,
) -> Any:
    """:func:`visible_participant`, and the access written to the audit log (purpose: by role)."""
    from foundation.audit import audit

    participant = visible_participant(cursor, user=user, participant_id=participant_id)
    audit(cursor, user=user, action=action, object_type="participant", object_id=participant_id,
          purpose=purpose or ROLE_PURPOSE.get(user.role, "other"))
    return participant


def step_participant(cursor: duckdb.DuckDBPyConnection, step_id: str) -> str:
    """The participant a trajectory step belongs to (404 for an unknown step)."""
    row = cursor.execute(
        "SELECT participant_id FROM assessment.trajectory_events WHERE step_id = ? LIMIT 1", [step_id]
    ).fetchone()
    if row is None:
        raise _hidden("trajectory step", step_id, "step_id")
    return row[0]


def record_participant(cursor: duckdb.DuckDBPyConnection, record_id: str) -> str:
    """The participant an assessment record belongs to (404 for an unknown record)."""
    row = cursor.execute("SELECT participant_id FROM assessment.records WHERE record_id = ?", [record_id]).fetchone()
    if row is None:
        raise _hidden("record", record_id, "record_id")
    return row[0]


def participant_scope(user: User) -> dict[str, Any]:
    """Filters for ``list_participants`` that keep a listing within what ``user`` may see."""
    if user.role in (Role.assessor, Role.admin):
        return {}
    if user.role == Role.coach:
        return {"coach": user.username}
    raise HTTPException(status.HTTP_403_FORBIDDEN, "Your role may not list participants")


def may_see_vacancy(user: User, owner: str | None) -> bool:
    """Only the liaison who owns a vacancy works on it."""
    return user.role == Role.liaison and owner == user.username


def vacancy_owner(cursor: duckdb.DuckDBPyConnection, vacancy_id: str) -> str | None:
    """The owner of a vacancy, or ``None`` when it does not exist."""
    row = cursor.execute("SELECT owner FROM matching.vacancies WHERE vacancy_id = ?", [vacancy_id]).fetchone()
    return row[0] if row else None


def require_vacancy(cursor: duckdb.DuckDBPyConnection, *, user: User, vacancy_id: str) -> None:
    """404 unless ``user`` owns the vacancy."""
    if not may_see_vacancy(user, vacancy_owner(cursor, vacancy_id)):
        raise _hidden("vacancy", vacancy_id, "vacancy_id")


def shortlist_vacancy(cursor: duckdb.DuckDBPyConnection, shortlist_id: str) -> str | None:
    row = cursor.execute("SELECT vacancy_id FROM matching.shortlists WHERE shortlist_id = ?", [shortlist_id]).fetchone()
    return row[0] if row else None


def require_shortlist(cursor: duckdb.DuckDBPyConnection, *, user: User, shortlist_id: str) -> str:
    """The shortlist's vacancy id; 404 unless ``user`` owns that vacancy."""
    vacancy_id = shortlist_vacancy(cursor, shortlist_id)
    if vacancy_id is None or not may_see_vacancy(user, vacancy_owner(cursor, vacancy_id)):
        raise _hidden("shortlist", shortlist_id, "shortlist_id")
    return vacancy_id


def candidate_code(key: bytes, *, vacancy_id: str, participant_id: str) -> str:
    """A pseudonym for a candidate that is stable within one vacancy and unlinkable across vacancies."""
    digest = hmac.new(key, f"candidate:{vacancy_id}:{participant_id}".encode(), hashlib.sha256).hexdigest()
    return "K-" + digest[:8].upper()


def consenting(cursor: duckdb.DuckDBPyConnection, participant_ids: list[str]) -> set[str]:
    """Those of ``participant_ids`` whose latest consent event gives consent."""
    from assessment.participants import list_participants

    wanted = set(participant_ids)
    return {p.participant_id for p in list_participants(cursor, consenting_only=True) if p.participant_id in wanted}
