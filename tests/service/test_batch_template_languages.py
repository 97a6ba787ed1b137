"""The batch template in the reader's language, downloaded from the page, filled in and imported back.

A template downloaded in Dutch imports, and so does one in English (the import reads both).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import openpyxl
import pytest

from tests.live import running_server
from tests.service.web import browser_for, post_form
from tests.service.world import World, build_world, fast_matching


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    with fast_matching():
        w = build_world(tmp_path_factory.mktemp("batch-template") / "w.duckdb")
        with running_server(w.db) as url:
            yield w, url


def _download(c, lang: str, fmt: str, participant: str) -> bytes:
    c.cookies.set("werkbrug_lang", lang)
    r = c.get("/assessor/batch/template", params={"instrument": "cleaning", "participants": participant,
                                                  "format": fmt})
    assert r.status_code == 200
    return r.content


def _upload(c, name: str, data: bytes):
    return post_form(c, "/assessor/batch", "/assessor/batch", {}, files={"file": (name, data, "text/plain")})


@pytest.mark.parametrize(("lang", "header", "sheet", "saved"), [
    ("nl", ["Deelnemer-ID", "Datum (JJJJ-MM-DD)", "Opmerking"], "Uitleg", "opgeslagen (batch"),
    ("en", ["Participant ID", "Date (YYYY-MM-DD)", "Comment"], "Instructions", "stored (batch"),
])
def test_the_excel_template_speaks_the_readers_language_and_imports_back(world, lang, header, sheet, saved) -> None:
    w, url = world
    with browser_for(url, "assessor") as c:
        wb = openpyxl.load_workbook(io.BytesIO(_download(c, lang, "xlsx", w.participant)))
        assert wb.sheetnames == ["Scores", sheet]
        ws = wb["Scores"]
        assert [cell.value for cell in ws[1]][:3] == header
        assert ws["A2"].value == w.participant
        ws["B2"] = f"2026-0{3 if lang == 'nl' else 4}-02"
        ws["D2"] = 3
        filled = io.BytesIO()
        wb.save(filled)
        r = _upload(c, f"filled-{lang}.xlsx", filled.getvalue())
        assert r.status_code == 200, r.text
        assert saved in r.text and 'class="flash ok"' in r.text


@pytest.mark.parametrize(("lang", "header"), [
    ("nl", ["instrument", "versie", "deelnemer", "datum", "opmerking"]),
    ("en", ["instrument", "version", "participant", "date", "comment"]),
])
def test_the_csv_template_speaks_the_readers_language_and_imports_back(world, lang, header) -> None:
    w, url = world
    with browser_for(url, "assessor") as c:
        text = _download(c, lang, "csv", w.participant).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert rows[0][:5] == header
        rows[1][3] = f"1{5 if lang == 'nl' else 6}/05/2026"                       # a Belgian date
        rows[1][5] = "2"
        out = io.StringIO()
        csv.writer(out, delimiter=";").writerows(rows)
        r = _upload(c, f"filled-{lang}.csv", out.getvalue().encode("utf-8-sig"))
        assert r.status_code == 200, r.text
        assert 'class="flash ok"' in r.text and "Nothing was imported" not in r.text


@pytest.mark.parametrize(("lang", "first"), [("nl", ["nummer", "uri", "soort", "taal"]),
                                             ("en", ["label_id", "uri", "concept_type", "lang"])])
def test_the_local_labels_csv_page_download_has_headers_in_the_readers_language(world, lang, first) -> None:
    _w, url = world
    with browser_for(url, "admin") as c:
        c.cookies.set("werkbrug_lang", lang)
        rows = list(csv.reader(io.StringIO(c.get("/admin/labels.csv").text)))
        assert rows[0][:4] == first and len(rows[0]) == 10


@pytest.mark.parametrize(("lang", "first"), [("nl", "titel;vacaturetekst;werkgever;postcode;uren_per_week;ploegen"),
                                             ("en", "title;description;employer;postcode;hours_per_week;shifts")])
def test_the_vacancy_import_template_speaks_the_readers_language_and_imports_back(world, lang, first) -> None:
    _w, url = world
    with browser_for(url, "liaison") as c:
        c.cookies.set("werkbrug_lang", lang)
        page = c.get("/liaison/vacancies").text
        assert 'href="/liaison/vacancies/template.csv"' in page
        header = c.get("/liaison/vacancies/template.csv").content.decode("utf-8-sig").splitlines()[0]
        assert header.startswith(first)
        columns = header.split(";")
        row = dict.fromkeys(columns, "")
        row.update({columns[0]: f"Poetshulp {lang}", columns[1]: "Kantoren poetsen.", columns[2]: "Net BV",
                    columns[3]: "8000", columns[4]: "19,5", columns[5]: "vroeg;laat"})
        out = io.StringIO()
        csv.writer(out, delimiter=";").writerows([columns, [row[k] for k in columns]])
        filled = out.getvalue().encode("cp1252")                                  # as Belgian Excel saves it
        r = post_form(c, "/liaison/vacancies", "/liaison/vacancies/import", {},
                      files={"file": ("vacatures.csv", filled, "text/csv")})
        assert r.status_code == 200, r.text
        assert f"Poetshulp {lang}" in c.get("/liaison/vacancies", params={"q": f"poetshulp {lang}"}).text
        stored = [v for v in c.get("/api/vacancies").json() if v["title"] == f"Poetshulp {lang}"]
        assert stored and stored[0]["hours_per_week"] == 19.5 and stored[0]["shifts"] == ["early", "late"]
