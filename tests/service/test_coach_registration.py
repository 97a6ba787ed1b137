"""A coach registers a participant in the browser, into their own caseload, and goes on to the first job targets."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from assessment import service
from assessment.participants import get_participant
from foundation.actor import Role, User
from foundation.db import connect
from foundation.errors import ForbiddenError
from tests.live import running_server
from tests.service.web import browser_for, csrf_of
from tests.service.world import World, build_world, fast_matching

COACH = User("coach", "coach", Role.coach)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    with fast_matching():
        w = build_world(tmp_path_factory.mktemp("coach-registration") / "w.duckdb")
        with running_server(w.db) as url:
            yield w, url


def _register(c: httpx.Client, data: dict) -> httpx.Response:
    page = c.get("/coach/participants")
    assert page.status_code == 200 and 'action="/coach/participants"' in page.text
    return c.post("/coach/participants", data={**data, "csrf_token": csrf_of(page.text)})


def test_a_coach_registers_into_their_caseload_and_goes_on_to_job_targets(world: tuple[World, str]) -> None:
    w, url = world
    with browser_for(url, "coach") as c:
        r = _register(c, {"name": "Nieuwe Deelnemer", "postcode": "8000", "consent": "1", "coach": "coach2"})
        assert r.status_code == 303 and r.headers["location"].endswith("/intake?new=1")
        pid = re.search(r"/participants/(P-[0-9A-Z]+)/intake", r.headers["location"]).group(1)
        intake = c.get(r.headers["location"]).text
        assert "Werkervaring" in intake
        saved = c.post(f"/participants/{pid}/intake", data={
            "exp_label_0": "afwasser", "exp_uri_0": "", "exp_years_0": "2", "hours_per_week": "30",
            "shift": ["day"], "postcode": "8000", "transport": ["bike"], "max_commute_minutes": "45",
            "csrf_token": csrf_of(intake)})
        assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=intake#targets")
        targets = c.get(saved.headers["location"].split("#")[0])
        assert targets.status_code == 200 and 'id="targets"' in targets.text
        assert pid in c.get("/coach/participants?q=Nieuwe").text
    con = connect(w.db)
    try:
        p = get_participant(con, participant_id=pid)
    finally:
        con.close()
    assert p.coach == "coach" and p.consent                          # the form's "coach2" is not a field of it
    with browser_for(url, "coach2") as other:
        assert other.get(f"/coach/participants/{pid}").status_code == 404


@pytest.mark.parametrize(("lang", "text", "postcode"), [
    ("nl", "Vul de naam van de deelnemer in.", "'80' is geen Belgische postcode: geef 4 cijfers, bv. 8000"),
    ("en", "Enter the participant's name.", "'80' is not a Belgian postcode: give 4 digits, e.g. 8000"),
])
def test_a_registration_without_a_name_is_refused_in_the_readers_language(
    world, lang: str, text: str, postcode: str,
) -> None:
    """Every wrong field is named at once; the postcode by the one format rule of the profile."""
    w, url = world
    before = _participant_count(w)
    with browser_for(url, "coach") as c:
        c.cookies.set("werkbrug_lang", lang)
        r = _register(c, {"name": " ", "postcode": "80"})
        assert r.status_code == 422
        assert text.replace("'", "&#39;") in r.text and 'id="f-postcode-error"' in r.text
        assert postcode.replace("'", "&#39;") in r.text
    assert _participant_count(w) == before


def _participant_count(w: World) -> int:
    con = connect(w.db)
    try:
        return con.execute("SELECT count(*) FROM assessment.participants").fetchone()[0]
    finally:
        con.close()


def test_the_service_keeps_a_coach_to_their_own_caseload(world: tuple[World, str]) -> None:
    w, _url = world
    con = connect(w.db)
    try:
        with pytest.raises(ForbiddenError) as refused:
            service.register_participant(con, actor=COACH, details={"coach": "coach2"}, contact={"name": "X"})
        assert refused.value.code == "participant.own_caseload"
        mine = service.register_participant(con, actor=COACH, details={}, contact={"name": "Y"})
        assert mine.coach == "coach"
    finally:
        con.close()
