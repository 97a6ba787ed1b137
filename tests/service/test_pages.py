"""Form pages over HTTP: server-side checks with the message next to the field, imports with a row report."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.live import running_server
from tests.service.web import browser_for, post_form
from tests.service.world import World, build_world, fast_matching


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    with fast_matching():
        w = build_world(tmp_path_factory.mktemp("pages") / "w.duckdb")
        with running_server(w.db) as url:
            yield w, url


def _error(html: str, field: str) -> str:
    match = re.search(rf'id="f-{re.escape(field)}-error"[^>]*>(.*?)</', html, re.S)
    assert match, f"no error shown next to {field}"
    return match.group(1).strip()


def test_assessor_scores_are_checked_on_the_server(world: tuple[World, str]) -> None:
    w, url = world
    page = f"/assessor/participants/{w.participant}/record/social-skills"
    with browser_for(url, "assessor") as c:
        r = post_form(c, page, page, {"assessed_on": "2026-01-10", "item_teamwork": "9"})
        assert r.status_code == 422 and "score 9 ligt buiten de schaal 1–4" in _error(r.text, "teamwork")
        r = post_form(c, page, page, {"assessed_on": "2999-01-01", "item_teamwork": "3"})
        assert r.status_code == 422 and "in de toekomst" in _error(r.text, "assessed_on")
        r = post_form(c, page, page, {"assessed_on": "2026-01-10"})
        assert r.status_code == 422 and "Scoor minstens één item." in r.text
        ok = post_form(c, page, page, {"assessed_on": "2026-01-10", "item_teamwork": "3"})
        assert ok.status_code == 303


def test_coach_step_dates_are_checked(world: tuple[World, str]) -> None:
    w, url = world
    page = f"/coach/participants/{w.participant}"
    with browser_for(url, "coach") as c:
        r = post_form(c, page, f"{page}/steps", {"kind": "internship", "title": "Stage", "starts_on": "morgen"})
        assert r.status_code == 422 and _error(r.text, "starts_on") == "Gebruik een datum zoals 2026-09-01."
        r = post_form(c, page, f"{page}/targets", {"note": "x"})
        assert r.status_code == 422 and _error(r.text, "occupation_uri") == "Vink minstens één jobdoelwit aan."


def test_liaison_import_reports_every_bad_row_and_writes_nothing(world: tuple[World, str]) -> None:
    _w, url = world
    bad = (b"title,description,employer,postcode\n"
           b"Magazijnier,Orders verzamelen,Firma A,8000\n"
           b"Kok,Koken,Firma B,12\n"
           b"Poetshulp,Poetsen,,8500\n")
    good = b"title,description,employer,postcode\nMagazijnier,Orders verzamelen,Firma A,8000\n"
    with browser_for(url, "liaison") as c:
        before = c.get("/liaison/vacancies").text.count("/liaison/vacancies/V-")
        r = post_form(c, "/liaison/vacancies", "/liaison/vacancies/import", {},
                      files={"file": ("vacatures.csv", bad, "text/csv")})
        assert r.status_code == 422
        report = r.text[r.text.index('id="f-file-error"'):]
        assert "rij 3" in report and "rij 4" in report and "postcode" in report and "employer" in report
        assert c.get("/liaison/vacancies").text.count("/liaison/vacancies/V-") == before
        ok = post_form(c, "/liaison/vacancies", "/liaison/vacancies/import", {},
                       files={"file": ("vacatures.csv", good, "text/csv")})
        assert ok.status_code == 200 and "1 vacatures geïmporteerd." in ok.text


def test_admin_language_requirement_form(world: tuple[World, str]) -> None:
    _w, url = world
    page = "/admin/language-requirements"
    with browser_for(url, "admin") as c:
        r = post_form(c, page, page, {"key": "9333", "listening": "A2", "reading": "Z1", "speaking": "A2",
                                      "writing": "A1"})
        assert r.status_code == 422 and "Z1" in _error(r.text, "reading")
        ok = post_form(c, page, page, {"key": "9333", "listening": "A2", "reading": "A1", "speaking": "A2",
                                       "writing": "A1", "note": "magazijn"})
        assert ok.status_code == 200 and "Vereiste opgeslagen." in ok.text and "magazijn" in ok.text


def test_bad_query_input_gives_a_page_not_a_crash(world: tuple[World, str]) -> None:
    _w, url = world
    with browser_for(url, "admin") as c:
        r = c.get("/admin/audit?page=0")
        assert r.status_code == 422 and "<html" in r.text and "page" in r.text
    with browser_for(url, "assessor") as c:
        assert c.get("/assessor/batch/template?instrument=no-such-thing").status_code == 404
        r = c.get("/assessor/batch/template?instrument=dutch-cefr&participants==HYPERLINK(1)")
        assert r.status_code == 422
        ok = c.get("/assessor/batch/template?instrument=dutch-cefr")
        assert ok.status_code == 200 and ok.content[:2] == b"PK"


def test_taxonomy_search_api(world: tuple[World, str]) -> None:
    from tests.live import client_for

    _w, url = world
    with client_for(url, "liaison") as c:
        hits = c.get("/api/taxonomy/search", params={"q": "magazijnier", "kind": "occupation", "top": 3}).json()
        assert hits and hits[0]["uri"].endswith("/magazijnier") and hits[0]["label"] == "magazijnier"
        assert c.get("/api/taxonomy/search", params={"q": "x", "top": 0}).status_code == 422
        assert c.get("/api/taxonomy/version").json()["counts"]["occupations"] >= 30
