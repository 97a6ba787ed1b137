"""Who may reach which vacancy, shortlist or candidate: the object-level rules of matching.

- Only the **liaison** who created a vacancy works on it and its shortlists; an **admin**
  may reach every vacancy. Another liaison's vacancy looks exactly like one that does not
  exist (404, same message), and so do its shortlists.
- A liaison sees a candidate only while the participant consents, and only under a code
  that is stable within one vacancy and unlinkable across vacancies (:func:`candidate_code`),
  never the participant's own id. Withdrawn consent ends every access at once: the
  candidate disappears from shortlists, histories and status changes.
"""

from __future__ import annotations

import duckdb

from assessment.access import not_found
from assessment.participants import get_participants
from foundation.actor import Role, User
from foundation.keys import keyed_digest
from matching.shortlist import Shortlist, get_shortlist
from matching.vacancies import Vacancy, get_vacancy

VACANCY_ROLES = frozenset({Role.liaison, Role.admin})


def vacancy_owner(cursor: duckdb.DuckDBPyConnection, *, vacancy_id: str) -> str | None:
    """The liaison who owns a vacancy (``None``: no such vacancy)."""
    row = cursor.execute("SELECT owner FROM matching.vacancies WHERE vacancy_id = ?", [vacancy_id]).fetchone()
    return row[0] if row else None


def shortlist_vacancy(cursor: duckdb.DuckDBPyConnection, *, shortlist_id: str) -> str | None:
    """The vacancy a shortlist belongs to (``None``: no such shortlist)."""
    row = cursor.execute("SELECT vacancy_id FROM matching.shortlists WHERE shortlist_id = ?",
                         [shortlist_id]).fetchone()
    return row[0] if row else None


def may_work_on(actor: User, owner: str | None) -> bool:
    """Whether ``actor`` may work on a vacancy owned by ``owner`` (``None``: no such vacancy)."""
    if owner is None:
        return False
    return actor.role == Role.admin or (actor.role == Role.liaison and owner == actor.username)


def require_vacancy(cursor: duckdb.DuckDBPyConnection, *, actor: User, vacancy_id: str) -> Vacancy:
    """The vacancy if ``actor`` may work on it, else "not found"."""
    if not may_work_on(actor, vacancy_owner(cursor, vacancy_id=vacancy_id)):
        raise not_found("vacancy", vacancy_id, "vacancy_id")
    return get_vacancy(cursor, vacancy_id=vacancy_id)


def require_shortlist(cursor: duckdb.DuckDBPyConnection, *, actor: User, shortlist_id: str) -> Shortlist:
    """The stored shortlist if ``actor`` may work on its vacancy, else "not found"."""
    vacancy_id = shortlist_vacancy(cursor, shortlist_id=shortlist_id)
    if vacancy_id is None or not may_work_on(actor, vacancy_owner(cursor, vacancy_id=vacancy_id)):
        raise not_found("shortlist", shortlist_id, "shortlist_id")
    return get_shortlist(cursor, shortlist_id=shortlist_id)


def candidate_code(key: bytes, *, vacancy_id: str, participant_id: str) -> str:
    """A pseudonym for a candidate, stable within one vacancy and unlinkable across vacancies."""
    return "K-" + keyed_digest(key, "candidate", f"{vacancy_id}:{participant_id}")[:8].upper()


def consenting(cursor: duckdb.DuckDBPyConnection, participant_ids: list[str]) -> set[str]:
    """Those of ``participant_ids`` whose latest consent event gives consent (now)."""
    return {p.participant_id for p in get_participants(cursor, participant_ids=list(dict.fromkeys(participant_ids)))
            if p.consent}
