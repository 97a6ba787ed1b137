"""The liaison's vacancy pages over HTTP: skills per sentence, requirements to confirm, import errors in words."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.live import running_server
from tests.service.web import browser_for, csrf_of, post_form
from tests.service.world import World, build_world, fast_matching

TEXT = ("Wij zoeken een heftruckchauffeur voor ons magazijn in Brugge, ploegenwerk, rijbewijs B, "
        "basiskennis Nederlands.\nJouw taken:\n- Je laadt en lost vrachtwagens met de heftruck.\n"
        "Wat bieden wij?\nEen vast contract van 37,5 uur per week en maaltijdcheques.")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    with fast_matching():
        w = build_world(tmp_path_factory.mktemp("vacancy-pages") / "w.duckdb")
        with running_server(w.db) as url:
            yield w, url


def _checked(html: str, name: str) -> set[str]:
    return set(re.findall(rf'name="{name}" value="([^"]+)" checked', html))


def test_confirm_page_shows_skills_per_sentence_and_the_terms_read_from_the_text(world):
    _w, url = world
    with browser_for(url, "liaison") as c:
        r = post_form(c, "/liaison/vacancies", "/liaison/vacancies",
                      {"title": "Heftruckchauffeur", "employer": "Logistiek NV", "postcode": "8000",
                       "hours_per_week": "38", "description": TEXT})
        assert r.status_code == 303, r.text
        page = c.get(r.headers["location"]).text
        assert "Zin 2" in page and "Je laadt en lost vrachtwagens met de heftruck." in page
        assert "Overgeslagen zinnen" in page and "maaltijdcheques" in page
        assert "Voorwaarden" in page and _checked(page, "licences") == {"B"}
        assert _checked(page, "shifts") == {"early", "late"}
        assert re.search(r'name="dutch_speaking".*?<option value="A2" selected>', page, re.S)
        assert 'name="hours_per_week" inputmode="decimal" value="37,5"' in page
        assert "Nederlands" not in "".join(re.findall(r'name="essential_skills"[^>]*>\s*([^<]+)', page))

        vid = r.headers["location"].rsplit("/", 1)[1]
        occ = re.search(r'name="occupation_uris" value="([^"]+)"', page).group(1)
        skill = re.search(r'name="essential_skills" value="([^"]+)"', page).group(1)
        form = {"occupation_uris": occ, "essential_skills": skill, "hours_per_week": "zeer veel",
                "licences": ["B", "CE"], "shifts": ["early"], "dutch_speaking": "A2", "csrf_token": csrf_of(page)}
        bad = c.post(f"/liaison/vacancies/{vid}/confirm", data=form)
        assert bad.status_code == 422 and "geen aantal uren" in bad.text
        ok = c.post(f"/liaison/vacancies/{vid}/confirm", data={**form, "hours_per_week": "37,5"})
        assert ok.status_code == 303
        shown = c.get(f"/liaison/vacancies/{vid}").text
        assert "37,5" in shown and "B, CE" in shown and "vroege ploeg" in shown and "spreken A2" in shown


def test_import_errors_name_row_and_column_with_the_allowed_values(world):
    _w, url = world
    bad = (b"title;description;employer;postcode;hours_per_week;shifts\n"
           b"Kok;Koken in een grootkeuken;Resto BV;8500;37,5;avond\n")
    with browser_for(url, "liaison") as c:
        r = post_form(c, "/liaison/vacancies", "/liaison/vacancies/import", {},
                      files={"file": ("vacatures.csv", bad, "text/csv")})
        assert r.status_code == 422
        report = r.text[r.text.index('id="f-file-error"'):]
        assert "rij 2" in report and "avond" in report
        assert "is niet toegelaten; kies uit: day, early, late, night" in report
        assert "Input should" not in report
        assert "Toegelaten waarden per kolom" in r.text and "dag, vroeg, laat, nacht" in r.text
