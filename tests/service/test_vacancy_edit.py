"""A liaison edits a confirmed vacancy and closes it in the browser (real app over HTTP)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.live import client_for, running_server
from tests.service.web import browser_for, csrf_of, post_form
from tests.service.world import World, build_world, fast_matching


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    with fast_matching():
        w = build_world(tmp_path_factory.mktemp("vacancy-edit") / "w.duckdb")
        with running_server(w.db) as url:
            yield w, url


def _new_confirmed(c) -> tuple[str, str, list[str]]:
    """A new confirmed vacancy of the liaison: (id, occupation, confirmed skills)."""
    r = post_form(c, "/liaison/vacancies", "/liaison/vacancies", {
        "title": "Magazijnier", "employer": "Depot NV", "postcode": "8000", "hours_per_week": "38",
        "description": "Je verzamelt orders en stapelt goederen in het magazijn. Je werkt met een heftruck."})
    assert r.status_code == 303, r.text
    vid = r.headers["location"].rsplit("/", 1)[1]
    page = c.get(f"/liaison/vacancies/{vid}").text
    occ = re.search(r'name="occupation_uris" value="([^"]+)"', page).group(1)
    skills = re.findall(r'name="essential_skills" value="([^"]+)"', page)[:2]
    ok = c.post(f"/liaison/vacancies/{vid}/confirm", data={"occupation_uris": occ, "essential_skills": skills,
                                                          "hours_per_week": "38", "csrf_token": csrf_of(page)})
    assert ok.status_code == 303
    return vid, occ, skills


def _edit_form(c, vid: str) -> dict:
    """The edit form as the page fills it (checked boxes, typed values, chosen options)."""
    html = c.get(f"/liaison/vacancies/{vid}").text
    form = html[html.index(f'action="/liaison/vacancies/{vid}/edit"'):]
    form = form[:form.index("</form>")]
    data: dict = {"csrf_token": csrf_of(html)}
    for name, value in re.findall(r'<input[^>]*name="(\w+)" value="([^"]*)" checked', form):
        data.setdefault(name, []).append(value)
    for name, value in re.findall(r'<input id="f-\w+" name="(\w+)" type="text" value="([^"]*)"', form):
        data[name] = value
    data["hours_per_week"] = re.search(r'name="hours_per_week" inputmode="decimal" value="([^"]*)"', form).group(1)
    data["description"] = re.search(r'name="description"[^>]*>([^<]*)</textarea>', form).group(1)
    return data


def test_the_liaison_edits_a_confirmed_vacancy(world: tuple[World, str]) -> None:
    _w, url = world
    with browser_for(url, "liaison") as c:
        vid, occ, skills = _new_confirmed(c)
        page = c.get(f"/liaison/vacancies/{vid}").text
        assert "Deze vacature wijzigen" in page and f'action="/liaison/vacancies/{vid}/edit"' in page
        data = _edit_form(c, vid)
        assert data["title"] == "Magazijnier" and data["essential_skills"] == skills
        data.update(title="Magazijnier-heftruckchauffeur", postcode="8200", hours_per_week="30,5",
                    description="Heftruck rijden in het magazijn.", essential_skills=skills[:1],
                    dutch_speaking="B1", licences=["B"], attests=["heftruck"], shifts=["early", "late"],
                    contract="interim", weekends="1")
        r = c.post(f"/liaison/vacancies/{vid}/edit", data=data)
        assert r.status_code == 303 and r.headers["location"].endswith("?saved=edited")
        html = c.get(r.headers["location"]).text
        assert "Wijzigingen opgeslagen." in html and "Magazijnier-heftruckchauffeur" in html
        assert "30,5" in html and "spreken B1" in html and "vroege ploeg" in html and "Contract" in html
        stored = c.get(f"/api/vacancies/{vid}").json()
        assert stored["postcode"] == "8200" and stored["essential_skills"] == skills[:1]
        assert stored["description"] == "Heftruck rijden in het magazijn." and stored["licences"] == ["B"]
        assert stored["attests"] == ["heftruck"] and stored["weekends"] and stored["status"] == "confirmed"
        assert stored["occupation_uris"] == [occ] and stored["dutch"]["speaking"] == "B1"


@pytest.mark.parametrize(("lang", "words"), [
    ("nl", ("Functietitel:", "Postcode van de werkplek:", "Uren per week:", "Vereiste vaardigheden:")),
    ("en", ("Job title:", "Postcode of the workplace:", "Hours per week:", "Required skills:")),
])
def test_a_wrong_edit_names_each_field_in_the_readers_language_and_changes_nothing(
        world: tuple[World, str], lang: str, words: tuple[str, ...]) -> None:
    _w, url = world
    with browser_for(url, "liaison") as c:
        vid, _occ, skills = _new_confirmed(c)
        c.cookies.set("werkbrug_lang", lang)
        data = _edit_form(c, vid)
        data.update(title="", postcode="80", hours_per_week="veel", essential_skills=[])
        r = c.post(f"/liaison/vacancies/{vid}/edit", data=data)
        assert r.status_code == 422
        summary = r.text[r.text.index('class="error-summary"'):]
        summary = summary[:summary.index("</div>")]
        for word in words:
            assert word in summary, word
        assert 'href="#f-postcode"' in summary and 'id="f-postcode-error"' in r.text
        assert 'id="edit" class="panel no-print" open' in r.text                # the form stays open
        stored = c.get(f"/api/vacancies/{vid}").json()
        assert stored["title"] == "Magazijnier" and stored["postcode"] == "8000"
        assert stored["essential_skills"] == skills and stored["hours_per_week"] == 38


def test_closing_asks_first_then_the_vacancy_shows_closed_and_gets_no_shortlists(world: tuple[World, str]) -> None:
    _w, url = world
    with browser_for(url, "liaison") as c:
        vid, _occ, _skills = _new_confirmed(c)
        page = c.get(f"/liaison/vacancies/{vid}").text
        confirm = page[page.index('<details id="close"'):]
        confirm = confirm[:confirm.index("</details>")]
        assert "Deze vacature afsluiten…" in confirm and "Ja, sluit deze vacature af" in confirm
        assert f'action="/liaison/vacancies/{vid}/close"' in confirm          # the button sits behind the question
        r = post_form(c, f"/liaison/vacancies/{vid}", f"/liaison/vacancies/{vid}/close", {})
        assert r.status_code == 303
        html = c.get(r.headers["location"]).text
        assert "Vacature afgesloten" in html and "Deze vacature is afgesloten" in html
        assert "<strong>gesloten</strong>" in html
        assert f"/liaison/vacancies/{vid}/shortlist" not in html and f"/liaison/vacancies/{vid}/edit" not in html
        before = len(c.get(f"/api/vacancies/{vid}/shortlists").json())
        token = csrf_of(html)
        pulled = c.post(f"/liaison/vacancies/{vid}/shortlist", data={"csrf_token": token})
        assert pulled.status_code == 409 and "is afgesloten" in pulled.text and "is closed" not in pulled.text
        assert len(c.get(f"/api/vacancies/{vid}/shortlists").json()) == before
        edited = c.post(f"/liaison/vacancies/{vid}/edit", data={**_edit_form_closed(vid), "csrf_token": token})
        assert edited.status_code == 409 and "afgesloten" in edited.text
        assert "gesloten" in c.get("/liaison/vacancies").text


def _edit_form_closed(vid: str) -> dict:
    return {"title": "Nieuw", "employer": "Depot NV", "postcode": "8000", "description": "Tekst",
            "occupation_uris": [], "essential_skills": []}


def test_another_liaison_cannot_edit(world: tuple[World, str]) -> None:
    w, url = world
    with browser_for(url, "liaison2") as other:
        r = post_form(other, "/liaison/vacancies", f"/liaison/vacancies/{w.vacancy}/edit", {"title": "Overgenomen"})
        assert r.status_code == 404


def test_the_api_edits_the_words_too_and_pages_the_list(world: tuple[World, str]) -> None:
    _w, url = world
    with browser_for(url, "liaison") as page_client:
        vid, occ, skills = _new_confirmed(page_client)
    with client_for(url, "liaison") as c:
        body = {"occupation_uris": [occ], "essential_skills": skills,
                "details": {"title": "Orderpicker", "description": "Orders nemen.", "employer": "Depot NV",
                            "postcode": "8000"}}
        r = c.post(f"/api/vacancies/{vid}/confirm", json=body)
        assert r.status_code == 200 and r.json()["title"] == "Orderpicker"
        bad = c.post(f"/api/vacancies/{vid}/confirm", json={**body, "details": {**body["details"], "postcode": "1"}})
        assert bad.status_code == 422 and c.get(f"/api/vacancies/{vid}").json()["postcode"] == "8000"
        page = c.get("/api/vacancies", params={"q": "orderpicker", "sort": "title", "limit": 1}).json()
        assert [v["vacancy_id"] for v in page] == [vid]


def test_the_liaison_adds_a_skill_by_name_or_picks_it_from_the_closest_terms(world: tuple[World, str]) -> None:
    _w, url = world
    with browser_for(url, "liaison") as c:
        vid, _occ, skills = _new_confirmed(c)
        data = _edit_form(c, vid)
        vague = c.post(f"/liaison/vacancies/{vid}/edit", data={**data, "add_skill": "magazijn"})
        assert vague.status_code == 422
        assert "Vereiste vaardigheid toevoegen (ESCO): Kies een van de ESCO-termen hieronder." in vague.text
        offered = re.findall(r'name="add_skill_uri" value="([^"]+)"', vague.text)
        new = next(u for u in offered if u not in skills)
        assert c.get(f"/api/vacancies/{vid}").json()["essential_skills"] == skills     # nothing saved yet
        picked = c.post(f"/liaison/vacancies/{vid}/edit", data={**data, "add_skill": "magazijn",
                                                                "add_skill_uri": new})
        assert picked.status_code == 303
        assert c.get(f"/api/vacancies/{vid}").json()["essential_skills"] == [*skills, new]
        c.cookies.set("werkbrug_lang", "en")
        english = c.post(f"/liaison/vacancies/{vid}/edit", data={**_edit_form(c, vid), "add_skill": "qqqxxzz"})
        assert english.status_code == 422 and re.search(
            r"Add a required skill \(ESCO\): (Pick one of the ESCO terms below|Nothing found in ESCO)", english.text)
