"""Follow-up over HTTP: steps edited with history; the coach sees where the participant was proposed;
the liaison sees how to reach the coach once a candidate is contacted (never the participant); vacancies close."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from foundation.db import connect
from matching.shortlist import confirm_shortlist, get_shortlist, set_candidate_status
from tests.live import running_server
from tests.service.web import browser_for, post_form
from tests.service.world import World, build_world, fast_matching


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    with fast_matching():
        w = build_world(tmp_path_factory.mktemp("followup") / "w.duckdb")
        con = connect(w.db)
        ids = [c.participant_id for c in get_shortlist(con, shortlist_id=w.shortlist).candidates]
        assert w.participant in ids
        confirm_shortlist(con, shortlist_id=w.shortlist, confirmed_by="Lotte", ordered_participant_ids=ids)
        set_candidate_status(con, shortlist_id=w.shortlist, participant_id=w.participant, status="contacted",
                             by="liaison")
        con.close()
        with running_server(w.db) as url:
            yield w, url


def test_a_step_is_marked_done_with_owner_and_its_history_kept(world: tuple[World, str]) -> None:
    w, url = world
    page = f"/coach/participants/{w.participant}"
    with browser_for(url, "coach") as c:
        bad = post_form(c, page, f"/coach/steps/{w.step}", {"status": "completed", "starts_on": "1 sept",
                                                             "ends_on": "", "owner": "", "note": ""})
        assert bad.status_code == 422 and f'id="f-starts_on_{w.step}-error"' in bad.text
        assert "Gebruik een datum zoals 2026-09-01." in bad.text  # as for a new step (assessment.trajectories)
        r = post_form(c, page, f"/coach/steps/{w.step}", {"status": "completed", "starts_on": "2026-09-01",
                                                           "ends_on": "2026-12-15", "owner": "CVO Brugge",
                                                           "note": "Examen gehaald"})
        assert r.status_code == 303
        html = c.get(page).text
        row = html[html.index(f'id="step-{w.step}"'):]
        row = row[:row.index("</tr>")]
        assert "afgerond" in row and "CVO Brugge" in row and "Examen gehaald" in row
        assert row.count("<li>") == 2                              # planned, then done: both kept
        assert "Kinderopvang" in html and "Mobiliteitshulp" in html  # the kinds a coach needs
    with browser_for(url, "coach2") as other:
        assert post_form(other, "/coach/participants", f"/coach/steps/{w.step}",
                         {"status": "stopped"}).status_code == 404


def test_the_coach_sees_where_the_participant_was_proposed(world: tuple[World, str]) -> None:
    w, url = world
    with browser_for(url, "coach") as c:
        html = c.get(f"/coach/participants/{w.participant}").text
        section = html[html.index('id="proposed"'):html.index('id="trajectory"')]
        assert "Magazijnier" in section and "Testbedrijf" in section and "gecontacteerd" in section.lower()


def test_the_liaison_sees_the_coach_not_the_participant(world: tuple[World, str]) -> None:
    w, url = world
    with browser_for(url, "coach") as c:
        assert post_form(c, "/account", "/account/contact", {"contact": "050 44 55 66"}).status_code == 303
    with browser_for(url, "liaison") as c:
        html = c.get(f"/liaison/shortlists/{w.shortlist}").text
        assert "050 44 55 66" in html and "Trajectbegeleider:" in html
        assert "+32 470 11 22 33" not in html and "Amina" not in html
        assert len(re.findall("050 44 55 66", html)) == 1          # only the contacted candidate's coach


def test_the_liaison_closes_a_vacancy(world: tuple[World, str]) -> None:
    w, url = world
    with browser_for(url, "liaison2") as other:
        assert post_form(other, "/liaison/vacancies", f"/liaison/vacancies/{w.vacancy}/close", {}).status_code == 404
    with browser_for(url, "liaison") as c:
        page = f"/liaison/vacancies/{w.vacancy}"
        assert post_form(c, page, f"/liaison/vacancies/{w.vacancy}/close", {}).status_code == 303
        html = c.get(page).text
        assert "afgesloten" in html.lower() or "gesloten" in html.lower()
        assert f"/liaison/vacancies/{w.vacancy}/shortlist" not in html
