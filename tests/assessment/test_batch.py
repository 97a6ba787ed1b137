"""Excel/CSV batches: template → filled → import, all-or-nothing, hostile files refused."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from assessment.batch import import_batch
from assessment.batch_template import write_template
from assessment.participants import create_participants
from assessment.profiles import build_profile
from assessment.records import list_records
from foundation.errors import ConflictError, InputError, NotFoundError
from tests.assessment.conftest import OPERATE_DISHWASHER, table_counts


def _people(con, n: int) -> list[str]:
    return [p.participant_id for p in create_participants(con, by="assessor", entries=[{}] * n)]


def _fill(template: Path, out: Path, rows: list[dict]) -> Path:
    """Fill the template as an assessor would: by header, row by row."""
    wb = openpyxl.load_workbook(template)
    ws = wb["Scores"]
    cols = {str(c.value).split(" | ")[0]: c.column for c in ws[1]}
    cols["participant"], cols["date"], cols["comment"] = 1, 2, 3
    for r, values in enumerate(rows, start=2):
        for key, value in values.items():
            ws.cell(row=r, column=cols[key], value=value)
    wb.save(out)
    return out


def test_template_is_understandable(tmp_path: Path) -> None:
    path = write_template("kitchen-hospitality", tmp_path / "keuken.xlsx", participant_ids=["P-AAAAAA"])
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Scores", "Uitleg"]
    header = [c.value for c in wb["Scores"][1]]
    assert header[:3] == ["Deelnemer-ID", "Datum (JJJJ-MM-DD)", "Opmerking"]
    assert "dishwasher | Vaatwasmachine vullen, bedienen en leegmaken" in header
    assert wb["Scores"]["A2"].value == "P-AAAAAA"
    info = [[c for c in row if c is not None] for row in wb["Uitleg"].iter_rows(values_only=True)]
    assert info[0] == ["Instrument", "kitchen-hospitality"] and info[1] == ["Versie", "1"]
    assert [4, "Zelfstandig, vlot en veilig; kan het uitleggen"] in info       # in the assessor's language
    english = openpyxl.load_workbook(write_template("kitchen-hospitality", tmp_path / "kitchen.xlsx", lang="en"))
    assert english.sheetnames == ["Scores", "Instructions"]
    assert [c.value for c in english["Scores"][1]][:3] == ["Participant ID", "Date (YYYY-MM-DD)", "Comment"]
    info_en = [[c for c in row if c is not None] for row in english["Instructions"].iter_rows(values_only=True)]
    assert info_en[1] == ["Version", "1"] and [4, "Independently, fluently and safely; can explain it"] in info_en
    assert wb["Scores"].data_validations.dataValidation  # the scale is enforced while typing
    with pytest.raises(NotFoundError):
        write_template("juggling", tmp_path / "x.xlsx")
    with pytest.raises(InputError):
        write_template("cleaning", tmp_path / "x.ods")
    with pytest.raises(InputError, match="participant id"):
        write_template("cleaning", tmp_path / "x.xlsx", participant_ids=['=HYPERLINK("http://evil","x")'])
    assert not (tmp_path / "x.xlsx").exists()


def test_round_trip_xlsx(con, tmp_path: Path) -> None:
    a, b, untouched = _people(con, 3)
    template = write_template("kitchen-hospitality", tmp_path / "t.xlsx", participant_ids=[a, b, untouched])
    filled = _fill(template, tmp_path / "filled.xlsx", [
        {"participant": a, "date": date(2026, 10, 1), "dishwasher": 4, "waste": 2, "comment": "vlot"},
        {"participant": b, "date": "2026-10-02", "dishwasher": 1},
    ])
    report = import_batch(con, path=filled, assessor="ann")
    assert report.n_records == 2 and report.instrument_id == "kitchen-hospitality"
    rec_a = list_records(con, participant_id=a)[0]
    assert rec_a.scores == {"dishwasher": 4, "waste": 2} and rec_a.comment == "vlot"
    assert rec_a.batch_id == report.batch_id and rec_a.assessor == "ann"
    assert list_records(con, participant_id=untouched) == []
    dish = next(s for s in build_profile(con, participant_id=b).skills if s.uri == OPERATE_DISHWASHER)
    assert dish.level == pytest.approx(0.25)
    before = table_counts(con)
    with pytest.raises(ConflictError, match=report.batch_id):
        import_batch(con, path=filled, assessor="ann")
    # Re-saving the workbook changes its bytes, not its content: still a duplicate.
    wb = openpyxl.load_workbook(filled)
    wb.save(tmp_path / "resaved.xlsx")
    with pytest.raises(ConflictError):
        import_batch(con, path=tmp_path / "resaved.xlsx", assessor="bert")
    assert table_counts(con) == before


def test_round_trip_csv_with_semicolons_and_belgian_dates(con, tmp_path: Path) -> None:
    a, b = _people(con, 2)
    template = write_template("dutch-cefr", tmp_path / "taal.csv", participant_ids=[a, b])
    lines = template.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "instrument;versie;deelnemer;datum;opmerking;listening;reading;speaking;writing"
    lines[1] = f"dutch-cefr;1;{a};15/09/2026;;A2.1;a1.2;A2;"
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_batch(con, path=template, assessor="ann")
    assert report.n_records == 1  # b's row was left empty
    dutch = build_profile(con, participant_id=a).dutch
    assert (dutch.listening, dutch.reading, dutch.speaking, dutch.writing) == ("A2.1", "A1.2", "A2", None)
    assert dutch.assessed_on == date(2026, 9, 15)


def test_every_problem_is_reported_and_nothing_written(con, tmp_path: Path) -> None:
    a, b = _people(con, 2)
    template = write_template("kitchen-hospitality", tmp_path / "t.xlsx")
    filled = _fill(template, tmp_path / "bad.xlsx", [
        {"participant": a, "date": date(2026, 10, 1), "dishwasher": 4},
        {"participant": "P-NOBODY", "date": date(2026, 10, 1), "dishwasher": 2},
        {"participant": b, "date": date(2026, 10, 1), "dishwasher": 7, "waste": "goed"},
        {"participant": b, "date": "gisteren", "recipe": 2},
        {"participant": a, "date": date(2026, 10, 1), "recipe": 3},
    ])
    before = table_counts(con)
    with pytest.raises(InputError) as info:
        import_batch(con, path=filled, assessor="ann")
    got = {(p.sheet, p.row, p.column) for p in info.value.problems}
    assert got == {
        ("Scores", 3, "Deelnemer-ID"),
        ("Scores", 4, "D (dishwasher)"),
        ("Scores", 4, "J (waste)"),
        ("Scores", 5, "Datum (JJJJ-MM-DD)"),
        ("Scores", 6, "Deelnemer-ID"),  # same participant and day twice in one sheet
    }
    assert "outside the scale 0–4" in str(info.value)
    assert table_counts(con) == before


def test_one_bad_row_among_500_writes_nothing(con, tmp_path: Path) -> None:
    ids = _people(con, 500)
    rows = [{"participant": pid, "date": date(2026, 10, 1), "floors": i % 5, "glass": (i + 2) % 5}
            for i, pid in enumerate(ids)]
    rows.insert(321, {"participant": ids[0], "date": date(2026, 10, 2), "glass": -1})
    filled = _fill(write_template("cleaning", tmp_path / "t.xlsx"), tmp_path / "big.xlsx", rows)
    before = table_counts(con)
    with pytest.raises(InputError) as info:
        import_batch(con, path=filled, assessor="ann")
    assert [(p.row, p.column) for p in info.value.problems] == [(323, "G (glass)")]
    assert table_counts(con) == before
    # Fixing the row imports all 501.
    wb = openpyxl.load_workbook(filled)
    wb["Scores"]["G323"] = 0
    wb.save(filled)
    assert import_batch(con, path=filled, assessor="ann").n_records == 501


def test_wrong_headers_and_unknown_instrument(con, tmp_path: Path) -> None:
    (pid,) = _people(con, 1)
    path = _fill(write_template("cleaning", tmp_path / "t.xlsx"), tmp_path / "x.xlsx",
                 [{"participant": pid, "date": date(2026, 10, 1), "glass": 3}])
    wb = openpyxl.load_workbook(path)
    wb["Scores"]["E1"] = "juggling | Jongleren"
    wb.save(tmp_path / "header.xlsx")
    with pytest.raises(InputError, match="header row") as info:
        import_batch(con, path=tmp_path / "header.xlsx", assessor="ann")
    assert (info.value.problems[0].row, info.value.problems[0].column) == (1, "E")
    wb = openpyxl.load_workbook(path)
    wb["Uitleg"]["B1"] = "juggling"
    wb.save(tmp_path / "instr.xlsx")
    with pytest.raises(InputError, match="Unknown instrument"):
        import_batch(con, path=tmp_path / "instr.xlsx", assessor="ann")
    csv_path = tmp_path / "mixed.csv"
    csv_path.write_text(f"instrument,deelnemer,datum,glass\ncleaning,{pid},2026-10-01,3\n"
                        f"dutch-cefr,{pid},2026-10-01,3\n", encoding="utf-8")
    with pytest.raises(InputError, match="one instrument"):
        import_batch(con, path=csv_path, assessor="ann")
    assert list_records(con, participant_id=pid) == []


def _rezip(src: Path, dst: Path, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = (replace or {}).get(item.filename, zin.read(item))
            zout.writestr(item, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>"""


def test_hostile_and_malformed_workbooks_are_refused(con, tmp_path: Path) -> None:
    (pid,) = _people(con, 1)
    good = _fill(write_template("cleaning", tmp_path / "t.xlsx"), tmp_path / "good.xlsx",
                 [{"participant": pid, "date": date(2026, 10, 1), "glass": 3}])
    cases = {
        "macro.xlsm": good.read_bytes(),
        "vba.xlsx": _rezip(good, tmp_path / "vba.xlsx", add={"xl/vbaProject.bin": b"\x00" * 64}).read_bytes(),
        "bomb.xlsx": _rezip(good, tmp_path / "bomb.xlsx", replace={"xl/worksheets/sheet1.xml": BOMB}).read_bytes(),
        "garbage.xlsx": b"PK\x03\x04 this is not really a zip",
        "text.xlsx": b"Deelnemer-ID;Datum\n",
        "old.xls": b"\xd0\xcf\x11\xe0" + b"\x00" * 100,
        "notes.txt": b"hello",
    }
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr("hello.txt", "no workbook here")
    cases["other-zip.xlsx"] = zbuf.getvalue()
    before = table_counts(con)
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(InputError) as info:
            import_batch(con, path=tmp_path / name, assessor="ann")
        assert info.value.problems and info.value.problems[0].file == name, name
    assert table_counts(con) == before
    assert import_batch(con, path=good, assessor="ann").n_records == 1


def test_stray_cells_blank_rows_and_odd_dates(con, tmp_path: Path) -> None:
    a, b = _people(con, 2)
    template = write_template("cleaning", tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(template)
    ws = wb["Scores"]
    ws.append([a, date(2026, 10, 1), None, 3])
    for _ in range(20):
        ws.append([])  # blank rows between entries are fine
    ws.append([b, date(1926, 10, 1), None, 3])
    ws.cell(row=2, column=14, value="extra")  # a cell right of the last item, without a header
    wb.save(tmp_path / "odd.xlsx")
    with pytest.raises(InputError) as info:
        import_batch(con, path=tmp_path / "odd.xlsx", assessor="ann")
    assert {(p.row, p.column) for p in info.value.problems} == {(2, "N"), (23, "Datum (JJJJ-MM-DD)")}
    csv_path = tmp_path / "extra.csv"
    csv_path.write_text(f"instrument;deelnemer;datum;glass\ncleaning;{a};2026-10-01;3;4\n", encoding="utf-8")
    with pytest.raises(InputError, match="without a header"):
        import_batch(con, path=csv_path, assessor="ann")
    assert list_records(con, participant_id=a) == []


def _excel_csv(template: Path, rows: list[list], *, encoding: str = "cp1252") -> bytes:
    """The Scores sheet as Belgian Excel saves it with "CSV (gescheiden door lijstscheidingsteken)"."""
    ws = openpyxl.load_workbook(template)["Scores"]
    header = [c.value for c in ws[1]]
    lines = [";".join(header), *(";".join(str(v) for v in row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-8"])
def test_csv_saved_from_the_excel_template_imports(con, tmp_path: Path, encoding: str) -> None:
    a, b = _people(con, 2)
    template = write_template("kitchen-hospitality", tmp_path / "keuken.xlsx")
    items = [str(c.value).split(" | ")[0] for c in openpyxl.load_workbook(template)["Scores"][1]][3:]
    data = _excel_csv(template, [[a, "1/10/2026", "goed, vlot", *(["3"] * len(items))],
                                 [b, "02/10/2026", "café", "2", *([""] * (len(items) - 1))]], encoding=encoding)
    assert "é".encode(encoding.removesuffix("-sig")) in data
    report = import_batch(con, path=Path("keuken.csv"), data=data, assessor="ann")
    assert report.instrument_id == "kitchen-hospitality" and report.n_records == 2


def test_csv_report_names_the_right_column_letters(con, tmp_path: Path) -> None:
    (a,) = _people(con, 1)
    template = write_template("cleaning", tmp_path / "schoon.csv", participant_ids=[a])
    header = template.read_text(encoding="utf-8-sig").splitlines()[0].split(";")
    row = ["cleaning", "1", a, "2026-10-01", "", *([""] * (len(header) - 5))]
    row[5] = "9"  # the first item: column F in the file
    template.write_text(";".join(header) + "\n" + ";".join(row) + "\n", encoding="cp1252")
    with pytest.raises(InputError) as info:
        import_batch(con, path=template, assessor="ann")
    assert [p.column for p in info.value.problems] == [f"F ({header[5]})"]
