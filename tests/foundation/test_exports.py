"""Exports never carry a live formula: one rule for CSV and Excel cells."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl

from foundation.audit import audit, read_log, to_csv
from foundation.db import connect
from foundation.exports import csv_text, safe_cell
from matching.reports import to_xlsx
from service.app import migrate_all

PAYLOADS = ['=HYPERLINK("http://example.invalid","klik")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1"]


def test_every_formula_start_is_neutralised() -> None:
    assert [safe_cell(p) for p in PAYLOADS] == ["'" + p for p in PAYLOADS]
    assert [safe_cell(v) for v in ("Zoë", "a=b", "", 5, None, -3)] == ["Zoë", "a=b", "", 5, None, -3]
    assert csv_text([["=1", "ok"]]) == "'=1,ok\r\n"


def test_audit_csv_export_neutralises_what_was_typed_at_the_login_form(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    migrate_all(con)
    for p in PAYLOADS:
        audit(con, user=None, action="login_failed", object_type="user", object_id=p, detail={"typed": p})
    rows = list(csv.DictReader(io.StringIO(to_csv(read_log(con, action="login_failed")))))
    assert sorted(r["object_id"] for r in rows) == sorted("'" + p for p in PAYLOADS)
    assert all(not r["object_id"].startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows)
    con.close()


def test_excel_reports_hold_text_not_formulas() -> None:
    data = to_xlsx(([["naam", "aantal"], [PAYLOADS[0], "3"]], [["x"], ["+1+1"]]), sheet_names=("a", "b"))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb["a"]["A2"].value == "'" + PAYLOADS[0] and wb["a"]["A2"].data_type == "s"
    assert wb["a"]["B2"].value == 3 and wb["b"]["A2"].value == "'+1+1"
