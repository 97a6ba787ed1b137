"""A liaison's shortlists at a glance: one row per shortlist of their vacancies, paged, sorted and searched.

Rows hold the shortlist and its vacancy, never a candidate: who is on a shortlist is read through
:func:`matching.service.show_shortlist` (consent, codes, audit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from foundation.db import limit_offset

#: The orders the list may be sorted in (a whitelist: never SQL from a request); ties by id.
SHORTLIST_ORDERS = {
    "newest": "s.created_at DESC, s.shortlist_id DESC", "oldest": "s.created_at, s.shortlist_id",
    "vacancy": "lower(v.title), s.created_at DESC, s.shortlist_id",
    "status": "s.status DESC, s.created_at DESC, s.shortlist_id",  # suggested (to review) first
}


@dataclass(frozen=True)
class ShortlistRow:
    shortlist_id: str
    vacancy_id: str
    title: str
    employer: str
    vacancy_status: str
    status: str                       # suggested / confirmed
    created_at: datetime
    confirmed_by: str | None
    confirmed_at: datetime | None


def _filters(owner: str | None, search: str | None) -> tuple[str, list]:
    text = f"%{search.strip().lower()}%" if search and search.strip() else None
    return ("""FROM matching.shortlists s JOIN matching.vacancies v USING (vacancy_id)
               WHERE (?::VARCHAR IS NULL OR v.owner = ?)
                 AND (?::VARCHAR IS NULL OR lower(v.title) LIKE ? OR lower(v.employer) LIKE ?
                      OR lower(s.shortlist_id) LIKE ? OR lower(s.vacancy_id) LIKE ?
                      OR lower(coalesce(s.confirmed_by, '')) LIKE ?)""",
            [owner, owner, text, text, text, text, text, text])


def list_shortlist_rows(
    con: duckdb.DuckDBPyConnection, *, owner: str | None, search: str | None = None, order: str = "newest",
    limit: int | None = None, offset: int = 0,
) -> list[ShortlistRow]:
    """Shortlists of ``owner``'s vacancies (``None``: all) whose vacancy, employer, id or confirmer holds ``search``."""
    where, params = _filters(owner, search)
    sql = (f"""SELECT s.shortlist_id, s.vacancy_id, v.title, v.employer, v.status, s.status, s.created_at,
                      s.confirmed_by, s.confirmed_at {where}
               ORDER BY {SHORTLIST_ORDERS.get(order, SHORTLIST_ORDERS['newest'])}""")
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += limit_offset(limit, offset)
    return [ShortlistRow(*r) for r in con.execute(sql, params).fetchall()]


def count_shortlist_rows(con: duckdb.DuckDBPyConnection, *, owner: str | None, search: str | None = None) -> int:
    where, params = _filters(owner, search)
    return int(con.execute(f"SELECT count(*) {where}", params).fetchone()[0])
