"""Spreadsheets with broken cells for the two batch imports (assessments, vacancies), as CSV or Excel.

The headers are the real ones (an instrument's template with real participant ids, the vacancy
import columns, in Dutch or English); the cells mix plausible values with hostile ones (typed
Excel cells: huge numbers, dates in year 1, formulas, booleans; text with NUL bytes; the same
participant twice); a CSV may come in a legacy encoding or with a broken byte.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from tests.service.hostile_values import HOSTILE_FLOATS, HOSTILE_INTS, HOSTILE_STRINGS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PLAUSIBLE = ["A1", "A2", "B1", "B2", "C1", "C2", "1", "2", "3", "4", "5", "ja", "nee", "yes", "no", "2026-01-15",
             "15/01/2026", "38", "8000", "8500", "day;night", "B;C", "VCA", "permanent", "Magazijnier", "Brugge"]
SAFE_XLSX_STRINGS = [s for s in HOSTILE_STRINGS if s.isprintable() and "\ud800" not in s and "\udfff" not in s]


def cells(plausible: list[str], *, typed: bool) -> st.SearchStrategy[Any]:
    """One cell: mostly plausible, sometimes hostile (typed values only for Excel)."""
    options: list[st.SearchStrategy[Any]] = [st.sampled_from(plausible)] * 4
    options.append(st.sampled_from(SAFE_XLSX_STRINGS if typed else HOSTILE_STRINGS))
    options.append(st.none())
    if typed:
        options += [st.sampled_from(HOSTILE_INTS[:-1]), st.sampled_from(HOSTILE_FLOATS),
                    st.sampled_from([dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.datetime(1900, 1, 1, 12)]),
                    st.booleans(), st.sampled_from(["=1/0", "=A1", "=HYPERLINK(\"x\")", "=NA()"])]
    return st.one_of(options)


@st.composite
def sheet(draw: st.DrawFn, headers: list[str], fixed: dict[str, list[str]], name: str) -> tuple[str, bytes, str]:
    """A filled sheet: (file name, bytes, content type). ``fixed`` gives the real values of some columns."""
    typed = draw(st.booleans())
    headers = list(headers)
    if draw(st.integers(0, 9)) == 0:
        headers = headers[:-1] if draw(st.booleans()) else [*headers, headers[-1]]  # a column missing or twice
    rows = []
    careful = draw(st.booleans())  # a sheet right but for one cell (so the import's writes run), or many wrong
    for _ in range(draw(st.integers(1, 4))):
        broken = draw(st.integers(0, 3 * len(headers))) if careful else -1
        rows.append([draw(st.sampled_from(fixed[h]) if h in fixed and i != broken and (careful or draw(st.booleans()))
                          else cells(PLAUSIBLE, typed=typed)) for i, h in enumerate(headers)])
    if draw(st.integers(0, 4)) == 0:
        rows.append(list(rows[0]))  # the same row twice in one batch
    if typed:
        return f"{name}.xlsx", _xlsx(headers, rows), XLSX
    text = io.StringIO()
    csv.writer(text, delimiter=draw(st.sampled_from([";", ","]))).writerows([headers, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]))
    data = text.getvalue().encode(encoding, errors="surrogatepass" if encoding.startswith("utf-8") else "replace")
    if draw(st.integers(0, 9)) == 0:
        data = data[: len(data) // 2] + b"\xff\xfe\x00" + data[len(data) // 2:]
    return f"{name}.csv", data, "text/csv"


def _xlsx(headers: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload_headers(pool: Any) -> list[tuple[str, tuple[str, ...], tuple[list[str], dict[str, list[str]]]]]:
    """(path, roles that may import, (headers, real values per column)) of each import and sheet kind."""
    from assessment.batch_template import write_template
    from assessment.instrument import load_instruments
    from matching.vacancies.importing import DUTCH_COLUMNS, IMPORT_COLUMNS

    people = [p for p in pool.ids.get("participant_id", []) if p.startswith("P-")][:3]
    out = []
    for instrument in ("dutch-cefr", "kitchen-hospitality", "social-skills"):
        for lang in ("nl", "en"):
            with tempfile.TemporaryDirectory() as tmp:
                path = write_template(instrument, Path(tmp) / "t.csv", participant_ids=people, lang=lang)
                headers = next(csv.reader(io.StringIO(path.read_text("utf-8-sig")), delimiter=";"))
            inst = load_instruments()[instrument]
            scale = ([str(v) for v in range(inst.scale.min, inst.scale.max + 1)] if inst.scale
                     else ["A1", "A2", "B1", "B2.1", "C1", ""])
            fixed = {headers[0]: [instrument], headers[1]: ["1"], headers[2]: people, headers[3]: ["2026-01-15"],
                     headers[4]: ["", "ok"], **{h: [*scale, ""] for h in headers[5:]}}
            out.append(("/api/assessments/import", ("assessor", "coach", "admin"), (headers, fixed)))
    for columns in (list(IMPORT_COLUMNS), [DUTCH_COLUMNS[c] for c in IMPORT_COLUMNS]):
        plausible = ["Magazijnier", "Orders verzamelen en stapelen.", "Testbedrijf", "8000", "38", "day", "nee", "A2",
                     "A2", "", "B1", "", "B", "VCA", "interim"]
        out.append(("/api/vacancies/import", ("liaison", "admin"),
                    (columns, {c: [v] for c, v in zip(columns, plausible, strict=True)})))
    return out
