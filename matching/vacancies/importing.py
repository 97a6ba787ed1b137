"""Batch import of vacancies from CSV/Excel: every row is validated first; all rows or none."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from foundation.db import transaction
from foundation.errors import InputError, Problem
from foundation.uploads import read_tables
from matching.vacancies.models import Vacancy, VacancyInput, parse_input
from matching.vacancies.proposals import propose
from matching.vacancies.store import get_vacancy, insert_vacancy

IMPORT_COLUMNS = ("title", "description", "employer", "postcode", "hours_per_week", "shifts", "weekends",
                  "dutch_level", "dutch_listening", "dutch_reading", "dutch_speaking", "dutch_writing",
                  "licences", "attests", "contract")
REQUIRED_COLUMNS = ("title", "description", "employer", "postcode")
#: The Dutch header of each column (a Dutch template's words); an import reads these and the English ones.
DUTCH_COLUMNS = {
    "title": "titel", "description": "vacaturetekst", "employer": "werkgever", "postcode": "postcode",
    "hours_per_week": "uren_per_week", "shifts": "ploegen", "weekends": "weekendwerk",
    "dutch_level": "nederlands", "dutch_listening": "nederlands_luisteren", "dutch_reading": "nederlands_lezen",
    "dutch_speaking": "nederlands_spreken", "dutch_writing": "nederlands_schrijven", "licences": "rijbewijzen",
    "attests": "attesten", "contract": "contract",
}
_FROM_DUTCH = {nl: en for en, nl in DUTCH_COLUMNS.items()}


def template_csv(lang: str = "nl") -> str:
    """An empty import file: the header row in ``lang`` (``;``-separated, as Belgian Excel saves CSV)."""
    return ";".join(DUTCH_COLUMNS[c] if lang == "nl" else c for c in IMPORT_COLUMNS) + "\r\n"


def _column(header: str) -> str:
    """A header as its column: lower case, spaces as ``_``, Dutch words as the English name."""
    name = "_".join(str(header).strip().lower().split())
    return _FROM_DUTCH.get(name, name)


def _headers_as_written(headers: list[str]) -> dict[str, str]:
    """Each column's name as the file writes it; a column it lacks in the file's language (Dutch
    when a header is one of the Dutch ones only)."""
    names = ["_".join(str(h).strip().lower().split()) for h in headers]
    dutch = any(n in _FROM_DUTCH and n not in IMPORT_COLUMNS for n in names)
    out = {c: DUTCH_COLUMNS[c] if dutch else c for c in IMPORT_COLUMNS}
    out |= {_column(h): str(h).strip() for h in headers}
    return out


MAX_ROWS = 5000


def _read_table(data: bytes, filename: str) -> tuple[pd.DataFrame, str | None]:
    """The first sheet (or the CSV) as text columns, indexed by spreadsheet row, read by the one safe reader."""
    table = read_tables(data, file_name=filename)[0]
    width = len(table.header)
    rows = [[("" if v is None else str(v)) for v in values[:width]] + [""] * (width - len(values))
            for _, values in table.rows]
    return pd.DataFrame(rows, columns=table.header, index=[n for n, _ in table.rows], dtype=str), None


def _items(cell: str, sep: str = r"[;,/ ]+") -> list[str]:
    return [s.strip() for s in re.split(sep, cell) if s.strip()]


_TRUE = {"ja", "yes", "true", "1", "j", "y", "x"}
_FALSE = {"nee", "no", "false", "0", "n", ""}


def import_vacancies(
    con: duckdb.DuckDBPyConnection, *, owner: str, data: bytes | None = None, filename: str,
    path: str | Path | None = None, method: str | None = None, progress: Callable[[int, int], None] | None = None,
) -> list[Vacancy]:
    """Import every row of a CSV/Excel file as a vacancy: all rows, or none.

    ``progress(done, total)`` is called after each row's occupations and skills are proposed.

    Columns (English names or the Dutch ones of :data:`DUTCH_COLUMNS`): ``title, description, employer, postcode``
    (required), ``hours_per_week`` (``37,5``
    or ``37.5``), ``shifts`` (e.g. ``day;late`` or ``dag;laat``), ``weekends`` (ja/nee),
    ``dutch_level`` or ``dutch_<sub-skill>``, ``licences`` (``B;CE``), ``attests``, ``contract``.
    Row numbers in problems are the spreadsheet's (the header is row 1); every problem has a
    code and parameters, with the allowed values where there is a list of them.
    """
    if data is None:
        if path is None:
            raise InputError("Give the file's data or path", code="vacancy.data_or_path")
        data = Path(path).read_bytes()
    frame, _ = _read_table(data, filename)
    written = _headers_as_written(list(frame.columns))
    frame.columns = [_column(c) for c in frame.columns]
    problems = []
    for col in REQUIRED_COLUMNS:
        if col not in frame.columns:
            problems.append(Problem(f"required column {col!r} is missing", file=filename, column=written[col],
                                    code="vacancy.column_missing", params={"column": written[col]}))
    allowed = ", ".join(written[c] for c in IMPORT_COLUMNS)
    for col in sorted({c for c in frame.columns if list(frame.columns).count(c) > 1}):  # one would hide the other
        problems.append(Problem(f"column {col!r} appears more than once", file=filename, column=written[col],
                                code="vacancy.column_twice", params={"column": written[col]}))
    for col in dict.fromkeys(frame.columns):
        if col not in IMPORT_COLUMNS:
            problems.append(Problem(f"unknown column {col!r} (use {allowed})",
                                    file=filename, column=written[col], code="vacancy.column_unknown",
                                    params={"column": written[col], "allowed": allowed}))
    if problems:
        raise InputError(f"{filename}: the columns are not right", problems, code="vacancy.columns",
                         params={"file": filename})
    if frame.empty:
        raise InputError(f"{filename}: no vacancies in the file",
                         [Problem("no data rows", file=filename, code="vacancy.no_rows", params={"file": filename})],
                         code="vacancy.no_rows", params={"file": filename})
    if len(frame) > MAX_ROWS:
        raise InputError(f"{filename}: at most {MAX_ROWS} rows per file", code="vacancy.too_many_rows",
                         params={"file": filename, "max": MAX_ROWS})
    parsed: list[tuple[int, VacancyInput]] = []
    for i, row in zip(frame.index, frame.to_dict("records"), strict=True):
        values: dict = {k: v.strip() for k, v in row.items() if str(v).strip() != ""}
        row_problems = []
        if "shifts" in values:
            values["shifts"] = _items(values["shifts"])
        if "licences" in values:
            values["licences"] = _items(values["licences"])
        if "attests" in values:
            values["attests"] = _items(values["attests"], r"[;,/]+")
        if "weekends" in values:
            w = values["weekends"].lower()
            if w in _TRUE | _FALSE:
                values["weekends"] = w in _TRUE
            else:
                row_problems.append(Problem(f"{values['weekends']!r}: use ja or nee", file=filename, row=i,
                                            column="weekends", code="vacancy.yes_no",
                                            params={"column": "weekends", "value": values["weekends"],
                                                    "allowed": "ja, nee"}))
                values.pop("weekends")
        try:
            parsed.append((i, parse_input(values, file=filename, row=i)))
        except InputError as exc:
            row_problems.extend(exc.problems)
        for p in row_problems:  # named as the file names the column
            head, dot, rest = (p.column or "").partition(".")
            if head in written:
                p.column = written[head] + dot + rest
            if p.params.get("column") in written:
                p.params["column"] = written[p.params["column"]]
        problems.extend(row_problems)
    if problems:
        raise InputError(f"{filename}: {len(problems)} problem(s); nothing was imported", problems,
                         code="vacancy.import_refused", params={"file": filename, "n": len(problems)})
    proposals = []
    for _, v in parsed:
        proposals.append(propose(con, title=v.title, description=v.description, method=method))
        if progress is not None:
            progress(len(proposals), len(parsed))
    with transaction(con):
        ids = [insert_vacancy(con, owner, v, p, f"file {filename} row {i}")
               for (i, v), p in zip(parsed, proposals, strict=True)]
    return [get_vacancy(con, vacancy_id=vid) for vid in ids]
