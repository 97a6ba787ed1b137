"""Intake in the browser (over HTTP, without JavaScript): every profile field matching uses, saved or not at all."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from assessment.participants import get_participant
from foundation.db import connect
from tests.live import running_server
from tests.service.web import browser_for, csrf_of
from tests.service.world import World, build_world, fast_matching

AFWASSER = "https://werkbrug.example/taxonomy/occupation/afwasser"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    with fast_matching():
        w = build_world(tmp_path_factory.mktemp("intake") / "w.duckdb")
        with running_server(w.db) as url:
            yield w, url


def _post(c, pid: str, data: dict):
    page = c.get(f"/participants/{pid}/intake")
    assert page.status_code == 200
    return c.post(f"/participants/{pid}/intake", data={**data, "csrf_token": csrf_of(page.text)})


FILLED = {"exp_label_0": "afwasser", "exp_uri_0": "", "exp_years_0": "1,5", "pref_label_0": "", "pref_uri_0": "",
          "sector": ["94", "91"], "hours_per_week": "30", "shift": ["early", "day"], "weekends": "1",
          "postcode": "8200", "transport": ["bike", "public_transport"], "max_commute_minutes": "50",
          "education_level": "lower_secondary", "diploma_recognition": "pending", "languages": "ar, fr",
          "experience_text": "Twee jaar in een restaurant in Aleppo."}


def test_registration_leads_to_the_intake_and_every_field_is_saved(world: tuple[World, str]) -> None:
    w, url = world
    with browser_for(url, "assessor") as c:
        page = c.get("/assessor/participants")
        r = c.post("/assessor/participants", data={"name": "Nieuwe Deelnemer", "coach": "coach", "postcode": "",
                                                   "csrf_token": csrf_of(page.text)})
        assert r.status_code == 303 and r.headers["location"].endswith("/intake?new=1")
        pid = re.search(r"/participants/(P-[0-9A-Z]+)/intake", r.headers["location"]).group(1)
        form = c.get(r.headers["location"]).text
        assert "Werkervaring" in form and "Mobiliteit" in form and 'src="/static/picker.js"' in form
        saved = _post(c, pid, FILLED)
        assert saved.status_code == 303, saved.text
    con = connect(w.db)
    try:
        p = get_participant(con, participant_id=pid)
    finally:
        con.close()
    assert [(e.occupation_uri, e.years) for e in p.experience] == [(AFWASSER, 1.5)]
    assert (p.hours_per_week, p.shifts, p.weekends) == (30, ["early", "day"], True)
    assert (p.postcode, p.max_commute_minutes, sorted(p.transport_modes)) == ("8200", 50, ["bike", "public_transport"])
    assert (p.education_level, p.diploma_recognition, p.languages) == ("lower_secondary", "pending", ["ar", "fr"])
    assert p.preferred_sectors == ["94", "91"]


def test_the_coach_goes_from_intake_to_job_targets(world: tuple[World, str]) -> None:
    w, url = world
    with browser_for(url, "coach") as c:
        r = _post(c, w.participant, {**FILLED, "pref_label_0": "afwasser"})
        assert r.status_code == 303 and r.headers["location"].endswith("?saved=intake#targets")
        page = c.get(r.headers["location"].split("#")[0]).text
        assert "Profiel bewaard." in page and "afwasser" in page


def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(world: tuple[World, str]) -> None:
    w, url = world
    con = connect(w.db)
    try:
        before = get_participant(con, participant_id=w.other_participant).model_dump()
    finally:
        con.close()
    with browser_for(url, "coach") as c:
        assert c.get(f"/participants/{w.other_participant}/intake").status_code == 404   # not in the caseload
    with browser_for(url, "assessor") as c:
        r = _post(c, w.other_participant, {**FILLED, "exp_years_0": "veel", "postcode": "82", "exp_label_1": "zzqx",
                                           "exp_uri_1": "", "exp_years_1": "2", "max_commute_minutes": "lang"})
        assert r.status_code == 422
        assert re.search(r'id="f-exp_years_0-error"[^>]*>Geef het aantal jaren als getal', r.text)
        assert 'id="f-max_commute_minutes-error"' in r.text
        assert 'id="f-exp_label_1-error"' in r.text
    con = connect(w.db)
    try:
        assert get_participant(con, participant_id=w.other_participant).model_dump() == before
    finally:
        con.close()
