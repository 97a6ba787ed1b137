"""Small helpers shared by the assessment modules: ids, clocks, validation errors."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
from pydantic import ValidationError

from foundation.db import utcnow as utcnow  # the one clock of stored times, used across assessment
from foundation.errors import InputError, NotFoundError, Problem, validation_problems
from foundation.ids import new_id as new_id  # re-exported: older imports of ids from here


def problems_from(exc: ValidationError, **where) -> list[Problem]:
    """Located problems from a pydantic error (see :func:`foundation.errors.validation_problems`)."""
    return validation_problems(exc, **where)


def invalid(message: str, exc: ValidationError, *, code: str, **where) -> InputError:
    """An :class:`InputError` with message ``code``, carrying every problem of ``exc``."""
    return InputError(message, problems_from(exc, **where), code=code)


def require_participant(con: duckdb.DuckDBPyConnection, participant_id: str) -> None:
    """Raise :class:`NotFoundError` unless the participant exists."""
    if not con.execute(
        "SELECT 1 FROM assessment.participants WHERE participant_id = ?", [participant_id]
    ).fetchone():
        raise NotFoundError(f"Unknown participant {participant_id!r}",
                            [Problem("no such participant", column="participant_id", code="participant.no_such")],
                            code="participant.not_found")


def parse_date(value: date | str, column: str) -> date:
    """``value`` as a date (``YYYY-MM-DD``), else :class:`InputError` ``date.invalid`` naming ``column``."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        params = {"value": str(value)}
        message = f"{value!r} is not a date (YYYY-MM-DD)"
        raise InputError(message, [Problem(message, column=column, code="date.invalid", params=params)],
                         code="date.invalid", params=params) from None


def day_or_today(value: date | str | None, column: str) -> date:
    """``value`` as a date (:func:`parse_date`), today (UTC) when empty."""
    if value in (None, ""):
        return utcnow().date()
    return parse_date(value, column)


def bulk_insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    """Insert many rows (dicts keyed by column name) in one statement, inside the caller's transaction."""
    if not rows:
        return
    frame = pd.DataFrame(rows)  # noqa: F841 - read by DuckDB's replacement scan below
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM frame")
