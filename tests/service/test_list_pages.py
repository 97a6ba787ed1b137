"""Vacancies, shortlists, the candidates of a long shortlist and the audit log: paged, sortable, searchable.

Over HTTP with the real app, in Dutch and English; the same pager and sort list as the participants.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest

from assessment.participants import create_participant
from foundation.actor import Role, User
from foundation.audit import Purpose, audit
from foundation.db import connect
from matching.config import MatchingConfig
from matching.shortlist import confirm_shortlist, make_shortlist
from matching.vacancies import confirm_vacancy, create_vacancy
from matching.vacancies.models import Proposal, parse_input
from matching.vacancies.store import insert_vacancy
from taxonomy.store import occupation_skills
from tests.live import running_server
from tests.service.web import browser_for
from tests.service.world import OCCUPATION, World, build_world, fast_matching

EXTRA, CANDIDATES, NOISE = 57, 56, 120


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str, str]]:
    with fast_matching():
        w = build_world(tmp_path_factory.mktemp("list-pages") / "w.duckdb")
        con = connect(w.db)
        empty = Proposal(method="lexical", occupations=[], skills=[])
        for i in range(EXTRA):
            v = parse_input({"title": f"Vacature {i:03d}", "employer": f"Bedrijf {i % 7}", "postcode": "8000",
                             "description": "Tekst."})
            insert_vacancy(con, "liaison", v, empty, "test")
        con.execute("UPDATE matching.vacancies SET status = 'closed' WHERE title IN ('Vacature 001', 'Vacature 002')")
        for i in range(55):  # shortlists of liaison's confirmed vacancy: copies of the world's one
            con.execute("""INSERT INTO matching.shortlists (shortlist_id, vacancy_id, created_by, created_at,
                               suggestion, status)
                           SELECT ?, vacancy_id, created_by, created_at - to_minutes(?), suggestion, status
                           FROM matching.shortlists WHERE shortlist_id = ?""", [f"S-COPY{i:04d}", i + 1, w.shortlist])
        skills = [u for u, rel in occupation_skills(con, OCCUPATION) if rel == "essential"]
        for i in range(CANDIDATES):
            create_participant(con, by="assessor", consent=True, contact={"name": f"Kandidaat {i:03d}"},
                               details={"coach": "coach", "postcode": "8000", "declared_skills": skills[:4],
                                        "transport_modes": ["bike"], "max_commute_minutes": 60})
        long_v = create_vacancy(con, owner="liaison", method="lexical", vacancy={
            "title": "Lange lijst", "employer": "Groot NV", "postcode": "8000", "description": "Orders verzamelen."})
        confirm_vacancy(con, vacancy_id=long_v.vacancy_id, by="liaison", occupation_uris=[OCCUPATION],
                        essential_skills=skills[:6])
        sl = make_shortlist(con, vacancy_id=long_v.vacancy_id, requested_by="liaison", top=80,
                            config=MatchingConfig(encoder=None))
        confirm_shortlist(con, shortlist_id=sl.shortlist_id, confirmed_by="Lotte",
                          ordered_participant_ids=[c.participant_id for c in sl.candidates])
        admin = User("admin", "admin", Role.admin)
        for i in range(NOISE):
            audit(con, user=admin, action="read_participant", object_type="participant", object_id=f"P-NOISE{i % 9}",
                  purpose=Purpose.administration, detail={"n": i})
        con.close()
        with running_server(w.db) as url:
            yield w, url, sl.shortlist_id


def _found(html: str, word: str = "gevonden") -> int:
    return int(re.search(rf"(\d+) {word}", html).group(1))


def test_vacancies_page_by_page_sorted_searched_and_filtered(world) -> None:
    _w, url, _sl = world
    with browser_for(url, "liaison") as c:
        first = c.get("/liaison/vacancies?sort=title").text
        total = _found(first)
        assert total >= EXTRA and "Pagina 1 van 2" in first and 'rel="next"' in first
        ids = re.findall(r'href="/liaison/vacancies/(V-[0-9A-Z]+)"', first)
        second = c.get("/liaison/vacancies?sort=title&page=2").text
        assert 'rel="prev"' in second and "Pagina 2 van 2" in second
        ids += re.findall(r'href="/liaison/vacancies/(V-[0-9A-Z]+)"', second)
        assert len(ids) == len(set(ids)) == total                          # every vacancy once, none lost
        titles = re.findall(r">(Vacature \d{3})</a>", first)
        assert titles == sorted(titles) and len(titles) >= 40
        found = c.get("/liaison/vacancies?q=vacature 04").text
        assert _found(found) == 10 and "Vacature 049" in found and "Vacature 050" not in found
        closed = c.get("/liaison/vacancies?status=closed").text
        assert _found(closed) == 2 and "Vacature 001" in closed and "Vacature 003" not in closed
        c.cookies.set("werkbrug_lang", "en")
        english = c.get("/liaison/vacancies").text
        assert "Page 1 of 2" in english and f"{total} found" in english and "Next" in english
    with browser_for(url, "liaison2") as other:
        assert _found(other.get("/liaison/vacancies").text) == 0            # another liaison's list


def test_the_liaisons_shortlists_are_listed_paged_and_searched(world) -> None:
    w, url, long_sl = world
    with browser_for(url, "liaison") as c:
        first = c.get("/liaison/shortlists").text
        assert _found(first) == 57 and "Pagina 1 van 2" in first            # the world's, 55 copies, the long one
        shown = list(dict.fromkeys(re.findall(r'href="/liaison/shortlists/(S-[0-9A-Z]+)"', first)))
        shown += re.findall(r'href="/liaison/shortlists/(S-[0-9A-Z]+)"', c.get("/liaison/shortlists?page=2").text)
        assert len(set(shown)) == 57 and {w.shortlist, long_sl} <= set(shown)
        assert shown[0] == long_sl                                          # newest first
        oldest = re.findall(r'href="/liaison/shortlists/(S-[0-9A-Z]+)"', c.get("/liaison/shortlists?sort=oldest").text)
        assert oldest[0] == "S-COPY0054" and oldest[1] == "S-COPY0053"
        found = c.get("/liaison/shortlists?q=groot").text
        assert _found(found) == 1 and long_sl in found
        assert 'href="/liaison/shortlists"' in c.get("/liaison/vacancies").text   # reachable from the menu
    with browser_for(url, "liaison2") as other:
        assert _found(other.get("/liaison/shortlists").text) == 0


def test_a_long_confirmed_shortlist_shows_its_candidates_a_page_at_a_time(world) -> None:
    _w, url, long_sl = world
    with browser_for(url, "liaison") as c:
        first = c.get(f"/liaison/shortlists/{long_sl}").text
        total = _found(first)
        assert total > 50 and "Pagina 1 van 2" in first
        codes = re.findall(r'<tr id="c-(K-[0-9A-Z]+)"><td>(\d+)</td>', first)
        second = re.findall(r'<tr id="c-(K-[0-9A-Z]+)"><td>(\d+)</td>',
                            c.get(f"/liaison/shortlists/{long_sl}?page=2").text)
        assert [int(n) for _c, n in codes + second] == list(range(1, total + 1))   # numbered on across pages
        assert len({code for code, _n in codes + second}) == total
        table = first[first.index('<table class="shortlist confirmed">'):]
        table = table[:table.index("</table>")]
        rows = table.count('<tr id="c-')
        assert table.count("vereiste vaardigheden aangetoond") == rows   # each confirmed row says what it shows


def test_the_audit_log_is_paged_sorted_and_searched(world) -> None:
    _w, url, _sl = world
    with browser_for(url, "admin") as c:
        first = c.get("/admin/audit").text
        total = _found(first)
        assert total > 100 and "Pagina 1 van" in first and 'rel="next"' in first
        found = c.get("/admin/audit?q=p-noise3&action=read_participant").text
        assert _found(found) == len([i for i in range(NOISE) if i % 9 == 3])
        assert "P-NOISE4" not in found
        ids_new = re.findall(r'<span translate="no">(P-NOISE\d)</span>', c.get("/admin/audit?q=noise").text)
        ids_old = re.findall(r'<span translate="no">(P-NOISE\d)</span>', c.get("/admin/audit?q=noise&sort=oldest").text)
        assert ids_new[0] == "P-NOISE2" and ids_old[0] == "P-NOISE0"        # entry 119 is P-NOISE2, entry 0 P-NOISE0


@pytest.mark.parametrize(("lang", "words"), [("nl", "Deelnemer bekeken"), ("en", "participant viewed")])
def test_the_audit_search_finds_actions_by_their_text_in_the_readers_language(world, lang, words) -> None:
    _w, url, _sl = world
    with browser_for(url, "admin") as c:
        c.cookies.set("werkbrug_lang", lang)
        word = "gevonden" if lang == "nl" else "found"
        action = {"action": "read_participant"}      # (readings of the log hold the searched words too)
        every = _found(c.get("/admin/audit", params=action).text, word)
        found = c.get("/admin/audit", params={**action, "q": words}).text
        assert every >= NOISE and _found(found, word) == every
        other = {"nl": "participant viewed", "en": "deelnemer bekeken"}[lang]     # the other language's words
        assert _found(c.get("/admin/audit", params={**action, "q": other}).text, word) == 0


@pytest.mark.parametrize(("lang", "header"), [
    ("nl", ["nummer", "tijdstip", "gebruikersnaam", "rol", "handeling", "soort object", "object", "doel", "details"]),
    ("en", ["audit_id", "occurred_at", "username", "role", "action", "object_type", "object_id", "purpose",
            "detail"]),
])
def test_the_audit_csv_has_headers_in_the_readers_language_and_follows_the_search(world, lang, header) -> None:
    _w, url, _sl = world
    with browser_for(url, "admin") as c:
        c.cookies.set("werkbrug_lang", lang)
        page = c.get("/admin/audit?q=p-noise3").text
        link = re.search(r'href="(/admin/audit\.csv\?[^"]*)"', page).group(1).replace("&amp;", "&")
        assert "q=p-noise3" in link
        rows = list(csv.reader(io.StringIO(c.get(link).text)))
        assert rows[0] == header
        noise = [r for r in rows[1:] if r[4] == "read_participant"]        # besides the readings of the log itself
        assert len(noise) == len([i for i in range(NOISE) if i % 9 == 3]) and {r[6] for r in noise} == {"P-NOISE3"}
