"""Excel and CSV batches: fill-in templates for assessors, and all-or-nothing imports.

Templates (:mod:`assessment.batch_template`, in Dutch or English) have one row per participant
and one column per item (header ``item_id | text``), with the instrument, its scale and
instructions on a second sheet (``Uitleg`` / ``Instructions``). An import reads either language;
it validates every row first and reports every problem with sheet, row and column;
only a clean file is written, in one transaction. The same content uploaded twice (same
instrument and rows, whatever the file bytes) is refused with :class:`ConflictError`.

Files are read by :func:`foundation.uploads.read_tables` (the one safe reader: no macros,
bombs or DTDs; CSV in UTF-8 or Windows-1252, comma or semicolon). A CSV batch is our CSV
template (with ``instrument`` and ``versie``/``version`` columns) or the Excel template's Scores sheet saved
as CSV (the instrument is then known from its item columns).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
from openpyxl.utils import get_column_letter

from assessment.batch_template import INFO_SHEETS, SCORES_SHEET, WORDS
from assessment.common import utcnow
from assessment.instrument import Instrument, get_instrument
from assessment.records import check_date, insert_records, validate_scores
from foundation.db import transaction
from foundation.errors import ConflictError, InputError, NotFoundError, Problem
from foundation.ids import new_id
from foundation.uploads import DEFAULT_LIMITS, Table, UploadLimits, read_tables, to_number

INFO_SHEET = INFO_SHEETS[0]
LIMITS = DEFAULT_LIMITS
MAX_FILE_BYTES = LIMITS.max_bytes
MAX_ROWS = LIMITS.max_rows
_VERSION_WORDS = {w["version"] for w in WORDS.values()}


@dataclass
class BatchReport:
    """What an import wrote."""

    batch_id: str
    file_name: str
    instrument_id: str
    instrument_version: str
    content_sha256: str
    record_ids: list[str] = field(default_factory=list)

    @property
    def n_records(self) -> int:
        return len(self.record_ids)


# ---------------------------------------------------------------- reading files


@dataclass
class _Sheet:
    sheet: str | None
    instrument_id: str | None
    version: str | None
    header: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number as the user sees it, values by spreadsheet column)


def _read_sheet(data: bytes, name: str, *, limits: UploadLimits = LIMITS) -> _Sheet:
    """The scores sheet of an upload, with the instrument it is for (checked by :mod:`foundation.uploads`)."""
    tables = {t.sheet: t for t in read_tables(data, file_name=name, sheets=[SCORES_SHEET, *INFO_SHEETS],
                                              limits=limits)}
    if None in tables:  # a CSV file
        return _csv_sheet(tables[None], name)
    if SCORES_SHEET not in tables:
        raise InputError("Not a werkbrug template", [Problem(f"no sheet {SCORES_SHEET!r}", file=name,
                                                             code="batch.no_sheet", params={"sheet": SCORES_SHEET})],
                         code="batch.not_a_template")
    instrument_id = version = None
    info_sheet = next((n for n in INFO_SHEETS if n in tables), INFO_SHEET)
    if info_sheet in tables:
        info = tables[info_sheet]
        for values in [info.header, *(v for n, v in info.rows if n <= 2)]:
            key = str(values[0] if values else "").strip().lower()
            value = str(values[1] if len(values) > 1 and values[1] is not None else "").strip() or None
            if key == "instrument":
                instrument_id = value
            elif key in _VERSION_WORDS:
                version = value
    if instrument_id is None:
        raise InputError("The workbook does not say which instrument it is for",
                         [Problem("cell B1 should hold the instrument id", file=name, sheet=info_sheet,
                                  code="batch.instrument_cell")], code="batch.no_instrument")
    scores = tables[SCORES_SHEET]
    return _Sheet(SCORES_SHEET, instrument_id, version, scores.header, scores.rows)


def _csv_sheet(table: Table, name: str) -> _Sheet:
    """A CSV batch: with ``instrument``/``versie`` columns (our CSV template), or the Scores sheet saved as CSV."""
    lower = [h.lower() for h in table.header]
    ids, versions = set(), set()
    i_col = lower.index("instrument") if "instrument" in lower else None
    v_col = next((k for k, h in enumerate(lower) if h in _VERSION_WORDS), None)
    for _, values in table.rows:
        for col, found in ((i_col, ids), (v_col, versions)):
            if col is not None and col < len(values) and str(values[col]).strip():
                found.add(str(values[col]).strip())
    if i_col is None:
        ids = {_instrument_of_header(table.header, name)}
    if len(ids) > 1 or len(versions) > 1:
        raise InputError("One batch holds one instrument (and version)",
                         [Problem(f"found {sorted(ids)} {sorted(versions)}", file=name, column="instrument",
                                  code="batch.instruments_found",
                                  params={"instruments": sorted(ids), "versions": sorted(versions) or "-"})],
                         code="batch.one_instrument")
    return _Sheet(None, next(iter(ids), None), next(iter(versions), None), table.header, table.rows)


def _instrument_of_header(header: list[str], name: str) -> str:
    """The one instrument whose item ids are the item columns of ``header`` (a Scores sheet saved as CSV)."""
    from assessment.instrument import load_instruments

    keys = {h.split("|", 1)[0].strip() for h in header if "|" in h}
    matches = sorted(i.id for i in load_instruments().values() if keys and keys <= {item.id for item in i.items})
    if len(matches) != 1:
        raise InputError("A CSV batch needs an 'instrument' column, or the item columns of one instrument",
                         [Problem("cannot tell which instrument this file is for", file=name, column="instrument",
                                  code="batch.csv_instrument_unknown", params={"file": name})],
                         code="batch.csv_instrument_unknown", params={"file": name})
    return matches[0]


_BE_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def _cell_date(value: Any) -> Any:
    """Accept Belgian day-first dates (``1/10/2026``) besides ISO dates and date cells."""
    if isinstance(value, str) and (m := _BE_DATE.match(value.strip())):
        try:
            return date(int(m[3]), int(m[2]), int(m[1]))
        except ValueError:
            return value
    return value


def _blank(value: Any) -> bool:
    return value is None or str(value).strip() == ""


def _column_role(header: str, instrument: Instrument) -> str | None:
    """``participant``, ``date``, ``comment``, ``item:<id>``, ``meta`` (instrument, version) or ``None``."""
    h = header.strip().lower()
    if h == "instrument" or h in _VERSION_WORDS:
        return "meta"
    if h.startswith(("deelnemer", "participant")):
        return "participant"
    if h.startswith(("datum", "date")):
        return "date"
    if h.startswith(("opmerking", "comment")):
        return "comment"
    key = header.split("|", 1)[0].strip()
    if key in {i.id for i in instrument.items}:
        return f"item:{key}"
    return None


# ---------------------------------------------------------------- import


def _content_hash(instrument: Instrument, rows: list[dict]) -> str:
    canon = json.dumps({"instrument": instrument.id, "version": instrument.version,
                        "rows": sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))},
                       sort_keys=True, default=str)
    return hashlib.sha256(canon.encode()).hexdigest()


def import_batch(
    con: duckdb.DuckDBPyConnection,
    *,
    path: str | Path,
    assessor: str,
    data: bytes | None = None,
    file_name: str | None = None,
    reachable: Callable[[list[str]], set[str]] | None = None,
) -> BatchReport:
    """Validate a filled-in template (``.xlsx`` or ``.csv``) and store all its rows, or nothing.

    ``data`` may hold the file content (an upload); ``path`` then only gives its name.
    ``reachable`` narrows the participants rows may name (those of the ids it returns); an id
    outside it gets the same "unknown participant" problem as an id that does not exist.
    Raises :class:`InputError` listing every problem (sheet, row, column, reason), or
    :class:`ConflictError` when the same content was imported before.
    """
    path = Path(path)
    name = file_name or path.name
    if data is None:
        try:
            with path.open("rb") as f:
                data = f.read(LIMITS.max_bytes + 1)
        except OSError as exc:
            raise InputError("Cannot read the file",
                             [Problem(str(exc), file=name, code="file.unreadable", params={"reason": str(exc)})],
                             code="batch.unreadable") from exc
    sheet = _read_sheet(data, name)
    try:
        instrument = get_instrument(sheet.instrument_id or "", sheet.version)
    except NotFoundError as exc:
        raise InputError(exc.message, [Problem(exc.message, file=name, sheet=INFO_SHEET if sheet.sheet else None,
                                               column="instrument", code=exc.code, params=exc.params)],
                         code=exc.code, params=exc.params) from exc

    problems: list[Problem] = []
    roles = [_column_role(h, instrument) if h else None for h in sheet.header]
    for k, (h, role) in enumerate(zip(sheet.header, roles, strict=True)):
        if h and role is None:
            problems.append(Problem(f"unknown column {h!r}: not an item of {instrument.id} v{instrument.version}",
                                    file=name, sheet=sheet.sheet, row=1, column=get_column_letter(k + 1),
                                    code="batch.unknown_column", params={"header": h, "instrument": instrument.id,
                                                                         "version": instrument.version}))
    for required in ("participant", "date"):
        if required not in roles:
            problems.append(Problem(f"missing the {required} column", file=name, sheet=sheet.sheet, row=1,
                                    code=f"batch.missing_{required}_column"))
    if problems:
        raise InputError(f"{name}: the header row does not match {instrument.id} v{instrument.version}", problems,
                         code="batch.header_mismatch",
                         params={"file": name, "instrument": instrument.id, "version": instrument.version})

    named = {r: h.strip() for h, r in zip(sheet.header, roles, strict=True) if r in ("participant", "date")}
    pcol, dcol = named["participant"], named["date"]  # problems name these columns in the file's own words
    parsed: list[dict] = []
    seen: dict[tuple[str, str], int] = {}
    for n, values in sheet.rows:
        cells = dict(zip(roles, values, strict=False))
        if all(_blank(v) for r, v in cells.items() if r not in ("participant", "meta")):
            continue  # a pre-filled participant row the assessor left empty
        where = {"file": name, "sheet": sheet.sheet, "row": n}
        for k, value in enumerate(values):
            if (k >= len(roles) or roles[k] is None) and not _blank(value):
                problems.append(Problem(f"value {value!r} in a column without a header",
                                        column=get_column_letter(k + 1), code="batch.value_without_header",
                                        params={"value": str(value)}, **where))
        pid = str(cells.get("participant") or "").strip().upper()
        if not pid:
            problems.append(Problem("participant id missing", column=pcol,
                                    code="batch.participant_missing", **where))
        day, date_problems = check_date(_cell_date(cells.get("date")), **where)
        problems += [Problem(p.message, column=dcol, code=p.code, params=p.params, **where)
                     for p in date_problems]
        raw = {r.split(":", 1)[1]: v if instrument.kind == "language" else to_number(v)
               for r, v in cells.items() if r and r.startswith("item:")}
        scores, score_problems = validate_scores(instrument, raw, **where)
        for p in score_problems:
            if p.column:
                col = roles.index(f"item:{p.column}") + 1
                p.column = f"{get_column_letter(col)} ({p.column})"
        problems += score_problems
        if pid and day:
            key = (pid, day.isoformat())
            if key in seen:
                problems.append(Problem(f"{pid} on {day} also on row {seen[key]}", column=pcol,
                                        code="batch.duplicate_row",
                                        params={"participant": pid, "date": day.isoformat(), "other_row": seen[key]},
                                        **where))
            seen.setdefault(key, n)
        comment = cells.get("comment")
        parsed.append({"row": n, "participant_id": pid, "assessed_on": day, "scores": scores,
                       "comment": str(comment).strip() if comment not in (None, "") else None})
    if not parsed and not problems:
        problems.append(Problem("the sheet holds no filled-in rows", file=name, sheet=sheet.sheet,
                                code="batch.no_rows"))
    ids = sorted({r["participant_id"] for r in parsed if r["participant_id"]})
    known = {r[0] for r in con.execute(
        "SELECT participant_id FROM assessment.participants WHERE participant_id IN (SELECT unnest(?))",
        [ids]).fetchall()}
    if reachable is not None:
        known &= reachable(sorted(known))
    for r in parsed:
        if r["participant_id"] and r["participant_id"] not in known:
            problems.append(Problem(f"unknown participant {r['participant_id']!r}", file=name, sheet=sheet.sheet,
                                    row=r["row"], column=pcol, code="batch.unknown_participant",
                                    params={"participant": r["participant_id"]}))
    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        raise InputError(f"{name}: {len(problems)} problem(s); nothing was imported", problems,
                         code="batch.nothing_imported", params={"file": name, "count": len(problems)})

    digest = _content_hash(instrument, [{k: v for k, v in r.items() if k != "row"} for r in parsed])
    try:
        with transaction(con):
            earlier = con.execute(
                "SELECT batch_id, file_name, imported_at FROM assessment.batches WHERE content_sha256 = ?", [digest]
            ).fetchone()
            if earlier:
                when = f"{earlier[1]}, {earlier[2]:%Y-%m-%d}"
                raise ConflictError(f"{name}: the same sheet was already imported as {earlier[0]} ({when})",
                                    [Problem("duplicate upload (same content)", file=name, code="batch.duplicate")],
                                    code="batch.already_imported",
                                    params={"file": name, "batch": earlier[0], "earlier_file": earlier[1],
                                            "date": f"{earlier[2]:%Y-%m-%d}"})
            batch_id = new_id("B", 8)
            con.execute("INSERT INTO assessment.batches VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [batch_id, digest, name, instrument.id, instrument.version, assessor, utcnow(), len(parsed)])
            record_ids = insert_records(con, parsed, instrument=instrument, assessor=assessor, batch_id=batch_id)
    except (duckdb.ConstraintException, duckdb.TransactionException) as exc:  # the same sheet, uploaded twice at once
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise ConflictError(f"{name}: the same sheet is being imported by someone else right now",
                            [Problem("duplicate upload (same content)", file=name, code="batch.duplicate")],
                            code="batch.import_in_progress", params={"file": name}) from exc
    return BatchReport(batch_id=batch_id, file_name=name, instrument_id=instrument.id,
                       instrument_version=instrument.version, content_sha256=digest, record_ids=record_ids)

