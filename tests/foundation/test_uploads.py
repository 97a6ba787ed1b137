"""The one safe upload reader: hostile files refused before parsing, Belgian CSV files read."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from foundation.errors import InputError
from foundation.uploads import UploadLimits, column_letter, read_tables, sniff_delimiter, to_number


def _xlsx(rows: list[list], *, title: str = "Blad1") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rezip(data: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, (replace or {}).get(item.filename, zin.read(item)))
        for name, content in (add or {}).items():
            zout.writestr(name, content)
    return out.getvalue()


def _code(data: bytes, name: str, **kw) -> str:
    with pytest.raises(InputError) as info:
        read_tables(data, file_name=name, **kw)
    assert info.value.problems[0].file == name
    return info.value.code


XXE = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>"""


def test_hostile_workbooks_are_refused_before_parsing() -> None:
    good = _xlsx([["a", "b"], [1, 2]])
    assert _code(good, "macro.xlsm") == "upload.macro_or_old_format"
    assert _code(_rezip(good, add={"xl/vbaProject.bin": b"\0" * 64}), "vba.xlsx") == "upload.macro"
    assert _code(_rezip(good, replace={"xl/worksheets/sheet1.xml": XXE}), "xxe.xlsx") == "upload.unsafe_xml"
    assert _code(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "old.xlsx") == "upload.macro_or_old_format"
    assert _code(b"a;b\n1;2\n", "text.xlsx") == "upload.content_mismatch"
    assert _code(good, "workbook.csv") == "upload.content_mismatch"
    assert _code(b"PK\x03\x04 not a zip", "broken.xlsx") == "upload.malformed"
    assert _code(good, "notes.exe") == "upload.unsupported_type"
    assert _code(good, "big.xlsx", limits=UploadLimits(max_bytes=100)) == "upload.too_large"
    bomb = _rezip(good, add={"xl/media/zeros.xml": b"<a>" + b" " * (30 * 2**20) + b"</a>"})
    assert len(bomb) < 2**20
    assert _code(bomb, "bomb.xlsx") == "upload.zip_bomb"
    many = _rezip(good, add={f"xl/extra{i}.xml": b"<a/>" for i in range(20)})
    assert _code(many, "many.xlsx", limits=UploadLimits(max_members=10)) == "upload.zip_bomb"


def test_row_and_column_limits() -> None:
    limits = UploadLimits(max_rows=3, max_columns=4)
    assert _code(b"a;b\n" + b"1;2\n" * 4, "rows.csv", limits=limits) == "upload.too_many_rows"
    assert _code(_xlsx([["a"], *[[i] for i in range(5)]]), "rows.xlsx", limits=limits) == "upload.too_many_rows"
    assert _code(b"a;b\n1;2;3;4;5;6\n", "wide.csv", limits=limits) == "upload.too_many_columns"
    (table,) = read_tables(b"a;b\n1;2\n\n;\n3;4\n", file_name="ok.csv", limits=limits)
    assert table.rows == [(2, ["1", "2"]), (5, ["3", "4"])]  # blank rows skipped, numbers as the user sees them


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_as_belgian_offices_make_it(encoding: str, delimiter: str) -> None:
    rows = [["naam", "uren", "opmerking"], ["Zoë Brugge", "37,5", "één, twee"], ["Jan", "38", "café"]]
    buf = io.StringIO()
    import csv

    csv.writer(buf, delimiter=delimiter).writerows(rows)
    (table,) = read_tables(buf.getvalue().encode(encoding), file_name="lijst.csv")
    assert table.delimiter == delimiter
    assert [table.header, *(v for _, v in table.rows)] == rows
    assert to_number(table.rows[0][1][1]) == 37.5


def test_sniffing_is_not_fooled_by_commas_in_semicolon_files() -> None:
    text = "id;tekst, met komma's, veel;x\n1;a, b, c, d, e;2\n2;f;3\n"
    assert sniff_delimiter(text) == ";"


def test_numbers_and_letters() -> None:
    assert [to_number(v) for v in ("37,5", "37.5", "4", " 12 ", "B1.1", "", 3)] == [37.5, 37.5, 4, 12, "B1.1", "", 3]
    assert [column_letter(i) for i in (0, 2, 25, 26, 27, 701, 702)] == ["A", "C", "Z", "AA", "AB", "ZZ", "AAA"]


def test_undecodable_and_binary_csv_refused() -> None:
    assert _code(b"a;b\n\x00\x01\x02;\x81\x8d\n", "bin.csv") == "upload.encoding"
    assert _code(b"   \n", "empty.csv") == "upload.empty"
