"""Excel and CSV batches: fill-in templates for assessors, and all-or-nothing imports.

A template has one row per participant and one column per item (header ``item_id | Dutch
text``), with the instrument, its scale and instructions on a second sheet (``Uitleg``).
An import validates every row first and reports every problem with sheet, row and column;
only a clean file is written, in one transaction. The same content uploaded twice (same
instrument and rows, whatever the file bytes) is refused with :class:`ConflictError`.

Workbooks are read defensively: only ``.xlsx`` (no macro-enabled ``.xlsm``/``.xltm`` or old
``.xls``), no VBA parts, bounded size and compression ratio, and every XML part is parsed
with defusedxml first so entity-expansion ("billion laughs") and external-entity tricks
are rejected before openpyxl sees the file.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from assessment.common import new_id, utcnow
from assessment.instrument import Instrument, get_instrument
from assessment.profile import CEFR_LEVELS
from assessment.records import _check_date, insert_records, validate_scores
from foundation.db import transaction
from foundation.errors import ConflictError, InputError, NotFoundError, Problem

SCORES_SHEET = "Scores"
INFO_SHEET = "Uitleg"
PARTICIPANT_HEADER = "Deelnemer-ID"
DATE_HEADER = "Datum (JJJJ-MM-DD)"
COMMENT_HEADER = "Opmerking"
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200
MAX_ROWS = 5000
MAX_SCANNED_ROWS = 100_000
CEFR_CHOICES = [lvl for main in CEFR_LEVELS for lvl in ([main] if main == "A0" else [main, f"{main}.1", f"{main}.2"])]
_PARTICIPANT_ID = re.compile(r"^P-[0-9A-Z]{6}$")
_MACRO_SUFFIXES = {".xlsm", ".xltm", ".xlam", ".xls", ".xlsb"}


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


def _item_header(item) -> str:
    return f"{item.id} | {item.text.nl}"


# ---------------------------------------------------------------- templates


def write_template(
    instrument_id: str, path: str | Path, *, version: str | None = None, participant_ids: list[str] | None = None
) -> Path:
    """Write a fill-in sheet for ``instrument_id`` (``.xlsx``, or ``.csv`` by the suffix of ``path``)."""
    instrument = get_instrument(instrument_id, version)
    path = Path(path)
    bad = [pid for pid in participant_ids or [] if not _PARTICIPANT_ID.match(pid)]
    if bad:  # also keeps formulas (=HYPERLINK…) out of the sheet
        raise InputError("Not participant ids", [Problem(f"{pid!r} is not a participant id such as P-7F3K2A",
                                                         column="participant") for pid in bad[:20]])
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f, delimiter=";")
            w.writerow(["instrument", "versie", "deelnemer", "datum", "opmerking", *[i.id for i in instrument.items]])
            for pid in participant_ids or []:
                w.writerow([instrument.id, instrument.version, pid, "", "", *["" for _ in instrument.items]])
        return path
    if path.suffix.lower() != ".xlsx":
        raise InputError("A template is an .xlsx or .csv file", [Problem("use .xlsx or .csv", file=str(path))])
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SCORES_SHEET
    headers = [PARTICIPANT_HEADER, DATE_HEADER, COMMENT_HEADER, *[_item_header(i) for i in instrument.items]]
    ws.append(headers)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for col, _ in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=col)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(col)].width = 16 if col <= 3 else 22
    ws.row_dimensions[1].height = 60
    ws.freeze_panes = "D2"
    for pid in participant_ids or []:
        ws.append([pid])
    last = get_column_letter(len(headers))
    if instrument.kind == "language":
        dv = DataValidation(type="list", formula1=f'"{",".join(CEFR_CHOICES)}"', allow_blank=True,
                            errorTitle="ERK-niveau", error="Kies A0, A1, A1.1 … C2")
    else:
        dv = DataValidation(type="whole", operator="between", formula1=str(instrument.scale.min),
                            formula2=str(instrument.scale.max), allow_blank=True, errorTitle="Score",
                            error=f"Geef een geheel getal van {instrument.scale.min} tot {instrument.scale.max}")
    dv.add(f"D2:{last}{MAX_ROWS + 1}")
    ws.add_data_validation(dv)
    date_dv = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,
                             error="Geef een datum (JJJJ-MM-DD)")
    date_dv.add(f"B2:B{MAX_ROWS + 1}")
    ws.add_data_validation(date_dv)

    info = wb.create_sheet(INFO_SHEET)
    info.append(["Instrument", instrument.id])
    info.append(["Versie", instrument.version])
    info.append(["Titel", instrument.title.nl, instrument.title.en])
    info.append(["Instructies", instrument.instructions.nl, instrument.instructions.en])
    info.append([])
    info.append(["Invullen", "Eén rij per deelnemer. Deelnemer-ID (bv. P-7F3K2A) en datum zijn verplicht; "
                 "laat een score leeg als het item niet getest werd. Wijzig de kolomkoppen niet.",
                 "One row per participant. Participant id and date are required; leave a score empty when "
                 "the item was not tested. Do not change the column headers."])
    info.append([])
    if instrument.scale is not None:
        info.append(["Schaal / scale", "Betekenis", "Meaning"])
        for point in range(instrument.scale.min, instrument.scale.max + 1):
            label = instrument.scale.labels[point]
            info.append([point, label.nl, label.en])
    else:
        info.append(["ERK-niveaus / CEFR levels", ", ".join(CEFR_CHOICES)])
    info.append([])
    info.append(["Item", "Nederlands", "English", "Gedragsankers / anchors"])
    for item in instrument.items:
        anchors = "; ".join(f"{k}: {v.nl}" for k, v in sorted(item.anchors.items()))
        info.append([item.id, item.text.nl, item.text.en, anchors])
    for col, width in zip("ABCD", (22, 60, 60, 80), strict=True):
        info.column_dimensions[col].width = width
    for row in info.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r in (1, 2):
        info.cell(row=r, column=1).font = bold
    wb.save(path)
    return path


# ---------------------------------------------------------------- reading files


def _check_xlsx_container(data: bytes, name: str) -> None:
    """Refuse macro-enabled, malformed or bomb-like workbooks before parsing them."""
    if not data.startswith(b"PK"):
        raise InputError("Not an Excel workbook", [Problem("not an .xlsx (zip) file", file=name)])
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise InputError("Malformed workbook", [Problem(str(exc), file=name)]) from exc
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES or total > MAX_RATIO * max(len(data), 1) + 1_000_000:
        raise InputError("Workbook too large when unpacked", [Problem("refused: possible zip bomb", file=name)])
    names = {i.filename for i in infos}
    if any(n.lower().endswith("vbaproject.bin") for n in names) or any("macro" in n.lower() for n in names):
        raise InputError("Macro-enabled workbooks are refused", [Problem("contains VBA macros", file=name)])
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/workbook") for n in names):
        raise InputError("Malformed workbook", [Problem("no workbook part found", file=name)])
    for info in infos:
        if not info.filename.endswith((".xml", ".rels")):
            continue
        try:
            content = zf.read(info)
            safe_fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except (DefusedXmlException, ValueError) as exc:
            raise InputError("Unsafe workbook refused", [Problem(f"{info.filename}: {exc}", file=name)]) from exc
        except Exception as exc:  # malformed XML, CRC errors
            raise InputError("Malformed workbook", [Problem(f"{info.filename}: {exc}", file=name)]) from exc
        if b"vbaProject" in content and info.filename == "[Content_Types].xml":
            raise InputError("Macro-enabled workbooks are refused", [Problem("declares VBA macros", file=name)])


@dataclass
class _Sheet:
    sheet: str | None
    instrument_id: str | None
    version: str | None
    header: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number as the user sees it, values)


def _read_xlsx(data: bytes, name: str) -> _Sheet:
    _check_xlsx_container(data, name)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise InputError("Malformed workbook", [Problem(str(exc), file=name)]) from exc
    try:
        if SCORES_SHEET not in wb.sheetnames:
            raise InputError("Not a werkbrug template", [Problem(f"no sheet {SCORES_SHEET!r}", file=name)])
        instrument_id = version = None
        if INFO_SHEET in wb.sheetnames:
            for row in wb[INFO_SHEET].iter_rows(min_row=1, max_row=2, max_col=2, values_only=True):
                key = str(row[0] or "").strip().lower()
                if key == "instrument":
                    instrument_id = str(row[1] or "").strip() or None
                elif key == "versie":
                    version = str(row[1] or "").strip() or None
        if instrument_id is None:
            raise InputError("The workbook does not say which instrument it is for",
                             [Problem("cell B1 should hold the instrument id", file=name, sheet=INFO_SHEET)])
        ws = wb[SCORES_SHEET]
        rows_iter = ws.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows_iter, ())]
        rows = []
        for n, values in enumerate(rows_iter, start=2):
            if n > MAX_SCANNED_ROWS or len(rows) >= MAX_ROWS:
                raise InputError("Too many rows", [Problem(f"at most {MAX_ROWS} rows", file=name, sheet=SCORES_SHEET)])
            if any(not _blank(v) for v in values):
                rows.append((n, list(values)))
        return _Sheet(SCORES_SHEET, instrument_id, version, header, rows)
    finally:
        wb.close()


def _read_csv(data: bytes, name: str) -> _Sheet:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("A CSV file must be UTF-8", [Problem(str(exc), file=name)]) from exc
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in next(reader, [])]
    lower = [h.lower() for h in header]
    if "instrument" not in lower:
        raise InputError("A CSV batch needs an 'instrument' column", [Problem("missing column", file=name,
                                                                               column="instrument")])
    rows, ids, versions = [], set(), set()
    i_col = lower.index("instrument")
    v_col = lower.index("versie") if "versie" in lower else None
    for n, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if n > MAX_SCANNED_ROWS or len(rows) >= MAX_ROWS:
            raise InputError("Too many rows", [Problem(f"at most {MAX_ROWS} rows", file=name)])
        values = values + [""] * (len(header) - len(values))
        ids.add(values[i_col].strip())
        if v_col is not None and values[v_col].strip():
            versions.add(values[v_col].strip())
        rows.append((n, values))
    if len(ids) > 1 or len(versions) > 1:
        raise InputError("One batch holds one instrument (and version)",
                         [Problem(f"found {sorted(ids)} {sorted(versions)}", file=name, column="instrument")])
    keep = [k for k, h in enumerate(lower) if h not in ("instrument", "versie")]
    keep += list(range(len(header), max((len(v) for _, v in rows), default=0)))  # cells beyond the header
    return _Sheet(None, next(iter(ids), None), next(iter(versions), None),
                  [header[k] if k < len(header) else "" for k in keep],
                  [(n, [v[k] if k < len(v) else "" for k in keep]) for n, v in rows])


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
    """``participant``, ``date``, ``comment``, ``item:<id>`` or ``None`` (unknown)."""
    h = header.strip().lower()
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
) -> BatchReport:
    """Validate a filled-in template (``.xlsx`` or ``.csv``) and store all its rows, or nothing.

    ``data`` may hold the file content (an upload); ``path`` then only gives its name.
    Raises :class:`InputError` listing every problem (sheet, row, column, reason), or
    :class:`ConflictError` when the same content was imported before.
    """
    path = Path(path)
    name = file_name or path.name
    suffix = Path(name).suffix.lower()
    if suffix in _MACRO_SUFFIXES:
        raise InputError("Macro-enabled or old Excel files are refused: save as .xlsx",
                         [Problem(f"{suffix} files are not accepted", file=name)])
    if suffix not in (".xlsx", ".csv"):
        raise InputError("Upload an .xlsx or .csv file", [Problem(f"unsupported file type {suffix!r}", file=name)])
    if data is None:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise InputError("File too large", [Problem(f"over {MAX_FILE_BYTES // 2**20} MiB", file=name)])
            data = path.read_bytes()
        except OSError as exc:
            raise InputError("Cannot read the file", [Problem(str(exc), file=name)]) from exc
    if len(data) > MAX_FILE_BYTES:
        raise InputError("File too large", [Problem(f"over {MAX_FILE_BYTES // 2**20} MiB", file=name)])
    sheet = _read_xlsx(data, name) if suffix == ".xlsx" else _read_csv(data, name)
    try:
        instrument = get_instrument(sheet.instrument_id or "", sheet.version)
    except NotFoundError as exc:
        raise InputError(exc.message, [Problem(exc.message, file=name, sheet=INFO_SHEET if sheet.sheet else None,
                                               column="instrument")]) from exc

    problems: list[Problem] = []
    roles = [_column_role(h, instrument) if h else None for h in sheet.header]
    for k, (h, role) in enumerate(zip(sheet.header, roles, strict=True)):
        if h and role is None:
            problems.append(Problem(f"unknown column {h!r}: not an item of {instrument.id} v{instrument.version}",
                                    file=name, sheet=sheet.sheet, row=1, column=get_column_letter(k + 1)))
    for required in ("participant", "date"):
        if required not in roles:
            problems.append(Problem(f"missing the {required} column", file=name, sheet=sheet.sheet, row=1))
    if problems:
        raise InputError(f"{name}: the header row does not match {instrument.id} v{instrument.version}", problems)

    parsed: list[dict] = []
    seen: dict[tuple[str, str], int] = {}
    for n, values in sheet.rows:
        cells = dict(zip(roles, values, strict=False))
        if all(_blank(v) for r, v in cells.items() if r != "participant"):
            continue  # a pre-filled participant row the assessor left empty
        where = {"file": name, "sheet": sheet.sheet, "row": n}
        for k, value in enumerate(values):
            if (k >= len(roles) or roles[k] is None) and not _blank(value):
                problems.append(Problem(f"value {value!r} in a column without a header",
                                        column=get_column_letter(k + 1), **where))
        pid = str(cells.get("participant") or "").strip().upper()
        if not pid:
            problems.append(Problem("participant id missing", column=PARTICIPANT_HEADER, **where))
        day, date_problems = _check_date(_cell_date(cells.get("date")), **where)
        problems += [Problem(p.message, column=DATE_HEADER, **where) for p in date_problems]
        raw = {r.split(":", 1)[1]: v for r, v in cells.items() if r and r.startswith("item:")}
        scores, score_problems = validate_scores(instrument, raw, **where)
        for p in score_problems:
            if p.column:
                col = roles.index(f"item:{p.column}") + 1
                p.column = f"{get_column_letter(col)} ({p.column})"
        problems += score_problems
        if pid and day:
            key = (pid, day.isoformat())
            if key in seen:
                problems.append(Problem(f"{pid} on {day} also on row {seen[key]}", column=PARTICIPANT_HEADER,
                                        **where))
            seen.setdefault(key, n)
        comment = cells.get("comment")
        parsed.append({"row": n, "participant_id": pid, "assessed_on": day, "scores": scores,
                       "comment": str(comment).strip() if comment not in (None, "") else None})
    if not parsed and not problems:
        problems.append(Problem("the sheet holds no filled-in rows", file=name, sheet=sheet.sheet))
    ids = sorted({r["participant_id"] for r in parsed if r["participant_id"]})
    known = {r[0] for r in con.execute(
        "SELECT participant_id FROM assessment.participants WHERE participant_id IN (SELECT unnest(?))",
        [ids]).fetchall()}
    for r in parsed:
        if r["participant_id"] and r["participant_id"] not in known:
            problems.append(Problem(f"unknown participant {r['participant_id']!r}", file=name, sheet=sheet.sheet,
                                    row=r["row"], column=PARTICIPANT_HEADER))
    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        raise InputError(f"{name}: {len(problems)} problem(s); nothing was imported", problems)

    digest = _content_hash(instrument, [{k: v for k, v in r.items() if k != "row"} for r in parsed])
    try:
        with transaction(con):
            earlier = con.execute(
                "SELECT batch_id, file_name, imported_at FROM assessment.batches WHERE content_sha256 = ?", [digest]
            ).fetchone()
            if earlier:
                when = f"{earlier[1]}, {earlier[2]:%Y-%m-%d}"
                raise ConflictError(f"{name}: the same sheet was already imported as {earlier[0]} ({when})",
                                    [Problem("duplicate upload (same content)", file=name)])
            batch_id = new_id("B", 8)
            con.execute("INSERT INTO assessment.batches VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [batch_id, digest, name, instrument.id, instrument.version, assessor, utcnow(), len(parsed)])
            record_ids = insert_records(con, parsed, instrument=instrument, assessor=assessor, batch_id=batch_id)
    except (duckdb.ConstraintException, duckdb.TransactionException) as exc:  # the same sheet, uploaded twice at once
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise ConflictError(f"{name}: the same sheet is being imported by someone else right now",
                            [Problem("duplicate upload (same content)", file=name)]) from exc
    return BatchReport(batch_id=batch_id, file_name=name, instrument_id=instrument.id,
                       instrument_version=instrument.version, content_sha256=digest, record_ids=record_ids)

