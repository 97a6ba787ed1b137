"""One safe reader for every uploaded table (``.xlsx`` or ``.csv``), whoever imports it.

Everything is checked before a parser sees the bytes: the size; the extension against the
content (magic bytes: an ``.xlsx`` is a zip, a ``.csv`` is text, not a renamed workbook);
macro-enabled or old Excel formats (``.xlsm``, ``vbaProject.bin``, ``.xls``) are refused; zip
members are counted and their unpacked size and compression ratio bounded (zip bombs); every
XML part's prolog is read with defusedxml, so a DTD (entity expansion, external entities) is
refused before openpyxl opens the file. Rows and columns are bounded while reading.

CSV files are read as Belgian offices make them: UTF-8, UTF-8 with BOM, UTF-16 (Excel's
"Unicode text") or Windows-1252 (the Belgian Excel default), comma, semicolon or tab
delimited (sniffed from the first lines). :func:`to_number` reads decimal commas.

Callers get :class:`Table` objects whose row numbers and column letters are the ones the
user sees in the spreadsheet. Parsing is synchronous CPU work: call it from a sync endpoint
(FastAPI runs those in a worker thread) or through ``run_in_threadpool``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, BinaryIO

from foundation.errors import InputError, Problem

MiB = 1024 * 1024
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls / .doc compound files
_MACRO_SUFFIXES = {".xlsm", ".xltm", ".xlam", ".xlsb", ".xls", ".xlt"}
_SUFFIXES = {".xlsx", ".csv", ".txt"}
_DELIMITERS = (";", ",", "\t")


@dataclass(frozen=True)
class UploadLimits:
    """Bounds on one uploaded table file."""

    max_bytes: int = 10 * MiB
    max_unzipped_bytes: int = 100 * MiB
    max_ratio: int = 200          # unpacked / packed, per member and in total
    max_members: int = 500
    max_rows: int = 5000          # non-blank data rows per sheet
    max_scanned_rows: int = 100_000
    max_columns: int = 500


DEFAULT_LIMITS = UploadLimits()


@dataclass
class Table:
    """One sheet (or the CSV file): its header row and its non-blank data rows."""

    file_name: str
    sheet: str | None
    header: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (row number as shown, values)
    encoding: str | None = None
    delimiter: str | None = None


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def to_number(value: Any) -> Any:
    """A number from a cell: ``37,5`` and ``37.5`` → 37.5, ``4`` → 4; other values unchanged."""
    if not isinstance(value, str):
        return value
    text = value.strip().replace("\u00a0", "").replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return value
    return int(number) if number.is_integer() and "." not in text else number


def upload_bytes(fileobj: BinaryIO, *, file_name: str, limits: UploadLimits = DEFAULT_LIMITS) -> bytes:
    """Read an uploaded file object, refusing more than ``limits.max_bytes`` (never reads past that)."""
    data = fileobj.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise _refuse("File too large", f"over {limits.max_bytes // MiB} MiB", PurePath(file_name or "upload").name,
                      "upload.too_large", max_mib=limits.max_bytes // MiB)
    return data


def _refuse(message: str, detail: str, name: str, code: str, **params: Any) -> InputError:
    return InputError(message, [Problem(detail, file=name, code=code, params={"file": name, **params})],
                      code=code, params={"file": name, **params})


def read_tables(
    data: bytes,
    *,
    file_name: str,
    sheets: Sequence[str] | None = None,
    limits: UploadLimits = DEFAULT_LIMITS,
) -> list[Table]:
    """Check and read an uploaded ``.xlsx`` or ``.csv``: the named ``sheets`` (default: the first).

    A CSV file is one table (``sheet`` is ``None``) whatever ``sheets`` says. Sheets named in
    ``sheets`` but missing from the workbook are left out. Raises :class:`InputError` with a
    code (``upload.*``) for anything refused.
    """
    name = PurePath(file_name or "upload").name
    suffix = PurePath(name).suffix.lower()
    if suffix in _MACRO_SUFFIXES:
        raise _refuse("Macro-enabled or old Excel files are refused: save as .xlsx",
                      f"{suffix} files are not accepted", name, "upload.macro_or_old_format", suffix=suffix)
    if suffix not in _SUFFIXES:
        raise _refuse("Upload an .xlsx or .csv file", f"unsupported file type {suffix!r}", name,
                      "upload.unsupported_type", suffix=suffix)
    if len(data) > limits.max_bytes:
        raise _refuse("File too large", f"over {limits.max_bytes // MiB} MiB", name, "upload.too_large",
                      max_mib=limits.max_bytes // MiB)
    if not data.strip():
        raise _refuse("The file is empty", "no content", name, "upload.empty")
    if data.startswith(_OLE2):
        raise _refuse("Old Excel (.xls) or encrypted files are refused: save as .xlsx", "OLE2 file", name,
                      "upload.macro_or_old_format", suffix=".xls")
    if suffix == ".xlsx":
        return _read_xlsx(data, name, sheets, limits)
    if data.startswith(b"PK"):
        raise _refuse("This is an Excel workbook, not a CSV file: upload it as .xlsx", "zip content", name,
                      "upload.content_mismatch")
    return [_read_csv(data, name, limits)]


# ---------------------------------------------------------------- xlsx


def check_xlsx(data: bytes, name: str, limits: UploadLimits = DEFAULT_LIMITS) -> None:
    """Refuse a workbook that is malformed, macro-enabled, bomb-like or carries a DTD."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    if not data.startswith(b"PK\x03\x04"):
        raise _refuse("Not an Excel workbook", "not an .xlsx (zip) file", name, "upload.content_mismatch")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _refuse("Malformed workbook", str(exc), name, "upload.malformed", reason=str(exc)) from exc
    if len(infos) > limits.max_members:
        raise _refuse("Workbook has too many parts", f"{len(infos)} zip members", name, "upload.zip_bomb")
    total = sum(i.file_size for i in infos)
    ratio_bad = any(i.file_size > MiB and i.file_size > limits.max_ratio * max(i.compress_size, 1) for i in infos)
    if total > limits.max_unzipped_bytes or ratio_bad or total > limits.max_ratio * len(data) + MiB:
        raise _refuse("Workbook too large when unpacked", "refused: possible zip bomb", name, "upload.zip_bomb")
    names = {i.filename.lower() for i in infos}
    if any(n.endswith("vbaproject.bin") or "macrosheet" in n or (n.endswith(".bin") and "vba" in n) for n in names):
        raise _refuse("Macro-enabled workbooks are refused", "contains VBA macros", name, "upload.macro")
    if any(i.flag_bits & 0x1 for i in infos):
        raise _refuse("Encrypted workbooks are refused", "encrypted zip member", name, "upload.malformed",
                      reason="encrypted")
    if "[content_types].xml" not in names or not any(n.startswith("xl/workbook") for n in names):
        raise _refuse("Malformed workbook", "no workbook part found", name, "upload.malformed",
                      reason="no workbook part")
    for info in infos:
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        try:
            with zf.open(info) as part:
                # A DTD must come before the root element: reading up to it is enough.
                for _event, _elem in iterparse(part, events=("start",), forbid_dtd=True, forbid_entities=True,
                                               forbid_external=True):
                    break
            if info.filename == "[Content_Types].xml":
                types = zf.read(info)
                if b"vbaProject" in types or b"macroEnabled" in types:
                    raise _refuse("Macro-enabled workbooks are refused", "declares VBA macros", name,
                                  "upload.macro")
        except InputError:
            raise
        except (DefusedXmlException, ValueError) as exc:
            raise _refuse("Unsafe workbook refused", f"{info.filename}: {exc}", name, "upload.unsafe_xml",
                          part=info.filename) from exc
        except Exception as exc:  # malformed XML, CRC errors
            raise _refuse("Malformed workbook", f"{info.filename}: {exc}", name, "upload.malformed",
                          reason=f"{info.filename}: {exc}") from exc


def _read_xlsx(data: bytes, name: str, sheets: Sequence[str] | None, limits: UploadLimits) -> list[Table]:
    import openpyxl

    check_xlsx(data, name, limits)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise _refuse("Malformed workbook", str(exc), name, "upload.malformed", reason=str(exc)) from exc
    try:
        wanted = [s for s in sheets if s in wb.sheetnames] if sheets is not None else wb.sheetnames[:1]
        return [_sheet_table(wb[s], name, s, limits) for s in wanted]
    except InputError:
        raise
    except Exception as exc:  # broken cell XML found while streaming
        raise _refuse("Malformed workbook", str(exc), name, "upload.malformed", reason=str(exc)) from exc
    finally:
        wb.close()


def _sheet_table(ws, name: str, sheet: str, limits: UploadLimits) -> Table:
    rows_iter = ws.iter_rows(values_only=True, max_col=limits.max_columns + 1)
    header = [str(h).strip() if h is not None else "" for h in next(rows_iter, ())]
    table = Table(name, sheet, _trim(header, ""))
    for n, values in enumerate(rows_iter, start=2):
        _check_row(table, n, values, limits)
    return table


def _check_row(table: Table, n: int, values: Sequence[Any], limits: UploadLimits) -> None:
    if n > limits.max_scanned_rows or len(table.rows) >= limits.max_rows:
        if n <= limits.max_scanned_rows and all(_blank(v) for v in values):
            return
        raise InputError("Too many rows", [Problem(f"at most {limits.max_rows} rows", file=table.file_name,
                                                   sheet=table.sheet, row=n, code="upload.too_many_rows",
                                                   params={"max_rows": limits.max_rows})],
                         code="upload.too_many_rows", params={"max_rows": limits.max_rows})
    if len(values) > limits.max_columns and any(not _blank(v) for v in values[limits.max_columns:]):
        raise InputError("Too many columns", [Problem(f"at most {limits.max_columns} columns",
                                                      file=table.file_name, sheet=table.sheet, row=n,
                                                      code="upload.too_many_columns",
                                                      params={"max_columns": limits.max_columns})],
                         code="upload.too_many_columns", params={"max_columns": limits.max_columns})
    if any(not _blank(v) for v in values):
        table.rows.append((n, _trim(list(values[: limits.max_columns]), None)))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _trim(values: list[Any], empty: Any) -> list[Any]:
    while values and _blank(values[-1]):
        values.pop()
    return [empty if v is None else v for v in values]


# ---------------------------------------------------------------- csv


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """The text of a CSV upload and the encoding found: UTF-8 (BOM or not), UTF-16 (BOM), Windows-1252."""
    candidates = ["utf-16"] if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ["utf-8-sig", "cp1252"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text, ("utf-8" if encoding == "utf-8-sig" else encoding)
    raise _refuse("The file is not a text (CSV) file in a known encoding",
                  "use UTF-8 or Windows-1252 (Excel: CSV UTF-8 or CSV (gescheiden door lijstscheidingsteken))",
                  name, "upload.encoding")


def sniff_delimiter(text: str) -> str:
    """``;``, ``,`` or tab: the one that splits the first lines into the same, largest number of columns."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ";"
    sample = "\n".join(lines)
    best, best_score = ";", (-1.0, 0)
    for d in _DELIMITERS:
        widths = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=d)]
        if not widths or widths[0] < 2:
            continue
        score = (sum(w == widths[0] for w in widths) / len(widths), widths[0])
        if score > best_score:
            best, best_score = d, score
    return best


def _read_csv(data: bytes, name: str, limits: UploadLimits) -> Table:
    text, encoding = decode_text(data, name)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader, [])]
        table = Table(name, None, _trim(header, ""), encoding=encoding, delimiter=delimiter)
        if len(header) > limits.max_columns:
            _check_row(table, 1, header, limits)
        for n, values in enumerate(reader, start=2):
            _check_row(table, n, values, limits)
    except csv.Error as exc:
        raise InputError("Malformed CSV file", [Problem(str(exc), file=name, line=reader.line_num,
                                                        code="file.csv_error", params={"reason": str(exc)})],
                         code="upload.malformed", params={"file": name, "reason": str(exc)}) from exc
    return table
