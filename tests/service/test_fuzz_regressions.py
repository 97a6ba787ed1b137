"""The requests the value fuzzer (``tests/service/fuzzing.py``) found to give a 5xx or a partial write,
each replayed over real HTTP: a 4xx naming the field in the reader's language, nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live import PASSWORD
from tests.service.fuzzing import table_counts, tokens
from tests.service.web import browser_for, csrf_of
from tests.service.world import World, served_world


class Served:
    def __init__(self, world: World, url: str, con, token: dict[str, str]) -> None:
        self.world, self.url, self.con, self.token = world, url, con, token

    def call(self, role: str, method: str, path: str, *, lang: str = "nl", **kw) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token[role]}", "Accept-Language": lang}
        return httpx.request(method, self.url + path, headers=headers, timeout=60, **kw)

    def counts(self) -> dict[str, int]:
        return {t: n for t, n in table_counts(self.con.cursor()).items() if "audit" not in t}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served_world(Path(tmp_path_factory.mktemp("fuzzreg")) / "w.duckdb") as (world, url, con):
        yield Served(world, url, con, tokens(url))


@pytest.mark.parametrize("code", ["H¼Í", "J-ÄÄÄÄÄÄ", "\u202e"])
def test_outreach_code_with_non_ascii_text_is_not_found(served: Served, code: str) -> None:
    """``hmac.compare_digest`` refuses non-ASCII text: a 500 before the codes were compared as bytes."""
    r = served.call("liaison", "GET", f"/api/outreach/{code}")
    assert r.status_code == 404, r.text
    r = served.call("admin", "POST", f"/api/outreach/{code}/present",
                    json={"employer_id": served.world.employer, "occupation_uri": "x"})
    assert r.status_code == 404, r.text


@pytest.mark.parametrize("label_id", [2**63, 2**127, 10**400, -(2**127) - 1])
def test_local_label_id_beyond_bigint_is_not_found(served: Served, label_id: int) -> None:
    """An id past 128 bits was a 500 from the query (DuckDB binds no such integer); it names no label there is."""
    r = served.call("admin", "DELETE", f"/api/taxonomy/labels/{label_id}")
    assert r.status_code == 404, r.text
    body = r.json()
    assert body["code"] == "taxonomy.local_label_not_found"
    assert body["detail"] == f"Geen lokale term nr. {label_id}"  # Dutch, naming the id


@pytest.mark.parametrize("path", ["/api/admin/audit", "/api/vacancies"])
@pytest.mark.parametrize("offset", [2**63, 10**30, 10**400])
def test_offset_past_bigint_reads_nothing(served: Served, path: str, offset: int) -> None:
    """An offset past BIGINT was a 500 from DuckDB's OFFSET; past the end of any table, it reads nothing."""
    r = served.call("admin", "GET", path, params={"offset": offset, "limit": 5})
    assert (r.status_code, r.json()) == (200, []), r.text


def test_audit_page_past_bigint_shows_the_last_page(served: Served) -> None:
    """The audit page read its rows before clamping the page number: a 500 for ``?page=10**30``."""
    with browser_for(served.url, "admin") as browser:
        r = browser.get("/admin/audit", params={"page": 10**30})
    assert r.status_code == 200, r.text


def test_common_refusals_name_the_field_in_dutch(served: Served) -> None:
    """The 4xx bodies the fuzzer sees most, read with ``Accept-Language: nl``: the field named, the text Dutch."""
    w = served.world
    r = served.call("assessor", "POST", "/api/assessments", json={
        "participant_id": w.participant, "instrument_id": "dutch-cefr", "assessed_on": "0001-01-01",
        "scores": {"listening": "Z9"}})
    assert r.status_code == 422
    problems = {p["column"]: p["message"] for p in r.json()["problems"]}
    assert problems["listening"].startswith("'Z9' is geen taalniveau")
    assert problems["assessed_on"] == "0001-01-01 ligt vóór 2000-01-01: een tikfout?"
    r = served.call("assessor", "GET", "/api/participants/P-AAAAAA")
    assert r.status_code == 404 and r.json()["detail"].startswith("Niet gevonden")
    r = served.call("coach", "POST", f"/api/participants/{w.participant}/steps", json={
        "kind": "language_course", "title": "NT2", "starts_on": "9999-12-31", "ends_on": "0001-01-01"})
    assert r.status_code == 422 and r.json()["problems"][0]["column"] == "ends_on"
    assert r.json()["detail"] == "Een stap kan niet eindigen voor hij begint."


def test_unknown_vacancy_postcode_is_said_in_dutch(served: Served) -> None:
    """The vacancy's postcode check raised a plain ``ValueError``: its text stayed English for Dutch readers."""
    before = served.counts()
    r = served.call("liaison", "POST", "/api/vacancies", json={
        "title": "Magazijnier", "employer": "Testbedrijf", "postcode": "0000", "description": "Orders verzamelen."})
    assert r.status_code == 422
    [item] = r.json()["detail"]
    assert item["loc"] == ["body", "postcode"] and item["code"] == "geo.postcode_unknown"
    assert item["message"] == "'0000' is geen Belgische postcode waarvan we de ligging kennen"
    assert served.counts() == before


@pytest.mark.parametrize("headers", [["titel", "vacaturetekst", "werkgever", "postcode", "postcode"],
                                     ["title", "titel", "description", "employer", "postcode"]])
def test_vacancy_import_with_a_column_twice_is_refused_naming_it(served: Served, headers: list[str]) -> None:
    """A column twice (or in both languages) was read as one, silently dropping the other's cells."""
    row = {"titel": "Magazijnier", "title": "Heftruckchauffeur", "vacaturetekst": "Orders verzamelen.",
           "description": "Orders verzamelen.", "werkgever": "Testbedrijf", "employer": "Testbedrijf"}
    cells = [row.get(h, "8000" if headers.count(h) == 1 else "8500") for h in headers]
    data = (";".join(headers) + "\r\n" + ";".join(cells) + "\r\n").encode()
    before = served.counts()
    r = served.call("liaison", "POST", "/api/vacancies/import", files={"file": ("v.csv", data, "text/csv")})
    assert r.status_code == 422, r.text
    twice = [p for p in r.json()["problems"] if p["code"] == "vacancy.column_twice"]
    column = "postcode" if headers.count("postcode") == 2 else "titel"  # named as the file writes it last
    assert [p["column"] for p in twice] == [column]
    assert twice[0]["message"] == f"de kolom '{column}' staat er meer dan één keer: laat er één over."
    assert served.counts() == before


def _fresh_admin(served: Served, name: str) -> str:
    """A throwaway admin account (its token), so a refusal that fails does not lock out the module's admin."""
    from service.users import create_user, issue_token

    create_user(served.con.cursor(), username=name, password=PASSWORD, role="admin")
    token = issue_token(served.con.cursor(), username=name)
    served.token[name] = token
    return token


def _audited(served: Served, action: str, username: str) -> int:
    return served.con.cursor().execute("SELECT count(*) FROM service.audit_log WHERE action = ? AND object_id = ?",
                                       [action, username]).fetchone()[0]


def test_admin_cannot_switch_off_their_own_account(served: Served) -> None:
    """An admin could switch themselves off (the last admin locked out); the page hid the button, the API not."""
    _fresh_admin(served, "zelfuit")
    before = served.counts()
    r = served.call("zelfuit", "POST", "/api/admin/users/zelfuit/active", json={"active": False})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["detail"] == "Het account werd niet gewijzigd"
    [problem] = body["problems"]
    assert (problem["column"], problem["code"]) == ("active", "accounts.own_active")
    assert problem["message"] == "je kan je eigen account niet uitschakelen: vraag het aan een andere beheerder"
    assert served.counts() == before and _audited(served, "set_user_active", "zelfuit") == 0
    assert served.call("zelfuit", "GET", "/api/auth/me").status_code == 200
    r = served.call("zelfuit", "POST", "/api/admin/users/zelfuit/active", json={"active": True})
    assert r.status_code == 200 and r.json()["active"] is True  # switching on stays allowed (a no-op here)


@pytest.mark.parametrize("value", ["", " ", "\x00", "ja", "true", "=HYPERLINK(\"x\")"])
def test_account_form_reads_only_on_or_off(served: Served, value: str) -> None:
    """The page read every value but "1" as off: a stray value switched the account off without a word."""
    from service.users import create_user

    if not served.con.cursor().execute("SELECT 1 FROM service.users WHERE username = 'aanuit'").fetchone():
        create_user(served.con.cursor(), username="aanuit", password=PASSWORD, role="coach")
    with browser_for(served.url, "admin") as browser:
        csrf, before = csrf_of(browser.get("/admin/users").text), served.counts()
        r = browser.post("/admin/users/aanuit/active", data={"active": value, "csrf_token": csrf},
                         headers={"Accept-Language": "nl"})
    assert r.status_code == 422, r.text
    assert 'lang="nl"' in r.text and "kies of het account aan of uit staat" in r.text
    assert served.counts() == before and _audited(served, "set_user_active", "aanuit") == 0
    assert served.con.cursor().execute("SELECT active FROM service.users WHERE username = 'aanuit'").fetchone() == (
        True,)


def test_admin_cannot_reset_their_own_password_without_the_current_one(served: Served) -> None:
    """The admin reset skipped the current password for the admin's own account: a stolen session could take it."""
    _fresh_admin(served, "zelfww")
    hashed = "SELECT password_hash FROM service.users WHERE username = 'zelfww'"
    old, before = served.con.cursor().execute(hashed).fetchone(), served.counts()
    r = served.call("zelfww", "POST", "/api/admin/users/zelfww/password", json={"password": "een nieuw wachtwoord"})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["detail"] == "Het wachtwoord werd niet gewijzigd"
    assert [(p["column"], p["code"]) for p in body["problems"]] == [("password", "accounts.own_password")]
    assert body["problems"][0]["message"].startswith("dit is je eigen account: wijzig je wachtwoord")
    assert served.counts() == before and _audited(served, "reset_password", "zelfww") == 0
    assert served.con.cursor().execute(hashed).fetchone() == old
    assert served.call("zelfww", "GET", "/api/auth/me").status_code == 200
