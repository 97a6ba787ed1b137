"""Vacancies (placeholder, being written)."""

from __future__ import annotations

import duckdb


def open_vacancy_counts(
    con: duckdb.DuckDBPyConnection, *, occupation_uris: list[str], postcode: str | None,
    transport_modes: tuple[str, ...] = (), max_commute_minutes: int = 45,
) -> dict[str, int]:
    return {}
