"""ESCO labels without a Dutch term are marked "EN" on the passport and the intake page, as elsewhere."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from foundation.db import connect
from taxonomy.store import occupation_skills
from tests.live import running_server
from tests.service.web import browser_for, csrf_of
from tests.service.world import OCCUPATION, World, build_world, fast_matching

AFWASSER = "https://werkbrug.example/taxonomy/occupation/afwasser"
BASE = {"hours_per_week": "38", "max_commute_minutes": "45", "postcode": "8000", "transport": ["bike"]}
TAG_NL = '<abbr class="label-lang" title="geen Nederlandse ESCO-term">EN</abbr>'


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str, str]]:
    with fast_matching():
        w = build_world(tmp_path_factory.mktemp("label-tags") / "w.duckdb")
        con = connect(w.db)
        skill = next(u for u, rel in occupation_skills(con, OCCUPATION) if rel == "essential")  # declared by P1
        for uri in (skill, AFWASSER):  # English only, like 58 % of ESCO's skills
            con.execute("DELETE FROM taxonomy.labels WHERE uri = ? AND lang = 'nl'", [uri])
        english = con.execute("SELECT label FROM taxonomy.labels WHERE uri = ? AND lang = 'en' AND kind = "
                              "'preferred'", [skill]).fetchone()[0]
        con.close()
        with running_server(w.db) as url:
            yield w, url, english


def _save_experience(c, pid: str) -> None:
    page = c.get(f"/participants/{pid}/intake").text
    r = c.post(f"/participants/{pid}/intake", data={**BASE, "exp_label_0": "dishwasher", "exp_uri_0": AFWASSER,
                                                    "exp_years_0": "2", "csrf_token": csrf_of(page)})
    assert r.status_code == 303, r.text


def test_the_passport_marks_english_only_terms(world) -> None:
    w, url, english = world
    with browser_for(url, "coach") as c:
        _save_experience(c, w.participant)
        html = c.get(f"/coach/participants/{w.participant}/passport").text
        table = html[html.index("<h2>Competenties</h2>"):]
        assert re.search(rf'<span lang="en">{re.escape(english)}</span>\s*{re.escape(TAG_NL)}', table)
        work = html[html.index("<h2>Werkervaring</h2>"):]
        assert re.search(rf'<span lang="en">dishwasher</span>\s*{re.escape(TAG_NL)}', work)
        c.cookies.set("werkbrug_lang", "en")
        en = c.get(f"/coach/participants/{w.participant}/passport").text
        assert english in en and "dishwasher" in en and 'class="label-lang"' not in en


def test_the_intake_marks_english_only_occupations_in_the_lists_and_the_choices(world) -> None:
    w, url, _english = world
    with browser_for(url, "coach") as c:
        _save_experience(c, w.participant)
        page = c.get(f"/participants/{w.participant}/intake").text
        field = page[page.index('id="f-exp_label_0"'):]
        field = field[:field.index("</div>")]
        assert 'value="dishwasher"' in field and TAG_NL in field
        assert 'data-lang-title="geen Nederlandse ESCO-term"' in page           # the picker's results get it too
        r = c.post(f"/participants/{w.participant}/intake", data={
            **BASE, "exp_label_0": "dishwash", "exp_uri_0": "", "exp_years_0": "2", "csrf_token": csrf_of(page)})
        assert r.status_code == 422
        choices = r.text[r.text.index('class="choices"'):]
        choices = choices[:choices.index("</fieldset>")]
        assert AFWASSER in choices and TAG_NL in choices
        c.cookies.set("werkbrug_lang", "en")
        english = c.get(f"/participants/{w.participant}/intake").text
        assert 'data-lang-title="no English ESCO term"' in english and ">EN</abbr>" not in english


def test_the_competence_charts_mark_english_only_terms(world) -> None:
    w, url, english = world
    mark = '<tspan class="label-lang" font-size="11" fill="#5b6472">EN<title>geen Nederlandse ESCO-term</title></tspan>'
    with browser_for(url, "coach") as c:
        for page in (f"/coach/participants/{w.participant}", f"/coach/participants/{w.participant}/passport"):
            html = c.get(page).text
            charts = [svg for svg in re.findall(r'<svg class="chart chart-(?:wide|narrow)".*?</svg>', html, re.S)
                      if english[:20] in svg]  # the competence chart, wide and for phones (not the overview)
            assert len(charts) == 2, page
            for svg in charts:
                assert re.search(rf">{re.escape(english[:20])}[^<]* {re.escape(mark)}</text>", svg), page
                assert f"{english} (EN)" in svg  # the text alternative says it too
        c.cookies.set("werkbrug_lang", "en")
        assert 'class="label-lang"' not in c.get(f"/coach/participants/{w.participant}").text.split("<svg", 1)[1]
