"""The refusals at the door (401, 403, 404, 405, 429, CSRF) and the field errors of new accounts, participants,
trajectory steps and vacancies, over real HTTP: each with its code and its text in the reader's language (Dutch
unless asked), nothing written."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live import PASSWORD
from tests.service.fuzzing import table_counts, tokens
from tests.service.web import browser_for, form_login, post_form
from tests.service.world import World, served_world

EN = {"Accept-Language": "en"}


class Served:
    def __init__(self, world: World, url: str, con, token: dict[str, str]) -> None:
        self.world, self.url, self.con, self.token = world, url, con, token

    def call(self, role: str | None, method: str, path: str, *, headers: dict | None = None, **kw) -> httpx.Response:
        auth = {"Authorization": f"Bearer {self.token[role]}"} if role else {}
        return httpx.request(method, self.url + path, headers={**auth, **(headers or {})}, timeout=60, **kw)

    def counts(self) -> dict[str, int]:
        """Rows per table, leaving out the logs (a refusal may be logged, a page read) and the login tokens."""
        logs = ("audit", "request_log", "service.tokens")
        return {t: n for t, n in table_counts(self.con.cursor()).items() if not any(w in t for w in logs)}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served_world(Path(tmp_path_factory.mktemp("refusals")) / "w.duckdb") as (world, url, con):
        yield Served(world, url, con, tokens(url))


def _error(html: str, field: str) -> str:
    match = re.search(rf'id="f-{re.escape(field)}-error"[^>]*>(.*?)</', html, re.S)
    assert match, f"no error shown next to {field}"
    return match.group(1).strip()


def _english(client: httpx.Client) -> None:
    client.get("/lang/en")


# ---- 401, 403, CSRF, 429 ----------------------------------------------------------------------


def test_not_logged_in_is_coded_in_the_readers_language(served: Served) -> None:
    r = served.call(None, "GET", "/api/auth/me")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.json() == {"detail": "U bent niet aangemeld.", "code": "auth.not_logged_in"}
    assert served.call(None, "GET", "/api/auth/me", headers=EN).json()["detail"] == "Not logged in."
    assert served.call(None, "GET", "/api/auth/me?lang=en").json()["detail"] == "Not logged in."
    page = httpx.get(f"{served.url}/coach/participants")
    assert page.status_code == 401 and "Meld u aan om deze pagina te zien." in page.text  # the login form


def test_a_role_refusal_is_coded_in_the_readers_language(served: Served) -> None:
    r = served.call("coach", "GET", "/api/admin/users")
    assert r.status_code == 403
    assert r.json() == {"detail": "Uw rol mag dit niet doen.", "code": "auth.role"}
    assert served.call("coach", "GET", "/api/admin/users", headers=EN).json()["detail"] == "Your role may not do this."
    with browser_for(served.url, "coach") as c:
        page = c.get("/admin/audit")
        assert page.status_code == 403 and "Uw rol mag deze pagina of dit dossier niet openen." in page.text
        _english(c)
        assert "Your role may not open this page or this record." in c.get("/admin/audit").text


def test_a_cookie_session_may_not_write_to_the_api(served: Served) -> None:
    before = served.counts()
    with browser_for(served.url, "admin") as c:
        r = c.post("/api/admin/users", json={"username": "via.cookie", "password": "lang genoeg", "role": "coach"})
        assert r.status_code == 403 and r.json()["code"] == "auth.cookie_write"
        assert r.json()["detail"] == ("Met een browsersessie kan niet naar de API geschreven worden: "
                                      "gebruik een bearer-token.")
        en = c.post("/api/admin/users", headers=EN, json={"username": "via.cookie", "password": "lang genoeg",
                                                          "role": "coach"})
        assert en.json()["detail"] == "Cookie sessions may not write to the API: use a bearer token."
    assert served.counts() == before


def test_a_form_without_its_csrf_token_says_so_in_the_readers_language(served: Served) -> None:
    before = served.counts()
    with browser_for(served.url, "admin") as c:
        r = c.post("/admin/users", data={"username": "no.token", "password": "lang genoeg", "role": "coach"})
        assert r.status_code == 403 and "text/html" in r.headers["content-type"]
        assert "Het formulier is verlopen of kwam niet van deze site." in r.text
        _english(c)
        en = c.post("/admin/users", data={"username": "no.token", "password": "lang genoeg", "role": "coach",
                                          "csrf_token": "0" * 64})
        assert en.status_code == 403 and "The form expired or did not come from this site." in en.text
    with httpx.Client(base_url=served.url) as anon:
        login = anon.post("/login", data={"username": "coach", "password": PASSWORD})
        assert login.status_code == 403 and "Het formulier is verlopen" in login.text
    assert served.counts() == before


def test_a_wrong_password_is_coded_in_the_readers_language(served: Served) -> None:
    body = {"username": "assessor", "password": "not the password"}
    r = served.call(None, "POST", "/api/auth/token", json=body)
    assert r.status_code == 401
    assert r.json() == {"detail": "Verkeerde gebruikersnaam of wachtwoord.", "code": "auth.wrong_password"}
    assert served.call(None, "POST", "/api/auth/token", json=body, headers=EN).json()["detail"] == (
        "Wrong username or password.")
    with httpx.Client(base_url=served.url) as c:
        _english(c)
        page = form_login(c, "assessor", "not the password")
        assert page.status_code == 401 and _error(page.text, "password") == "Wrong username or password."


def test_too_many_attempts_is_coded_with_the_wait_in_the_readers_language(served: Served) -> None:
    body = {"username": "ghost", "password": "guess"}
    assert [served.call(None, "POST", "/api/auth/token", json=body).status_code for _ in range(5)] == [401] * 5
    r = served.call(None, "POST", "/api/auth/token", json=body)
    wait = int(r.headers["retry-after"])
    assert r.status_code == 429 and wait > 0 and r.json() == {
        "detail": f"Te veel mislukte pogingen. Probeer opnieuw over {wait} seconden.", "code": "auth.too_many_attempts"}
    en = served.call(None, "POST", "/api/auth/token", json=body, headers=EN)
    assert en.status_code == 429
    assert re.fullmatch(r"Too many failed attempts\. Try again in \d+ seconds\.", en.json()["detail"])
    with httpx.Client(base_url=served.url) as c:
        page = form_login(c, "ghost", "guess")
        assert page.status_code == 429 and int(page.headers["retry-after"]) > 0
        assert re.search(r"Te veel mislukte pogingen\. Probeer opnieuw over \d+ seconden\.", page.text)


# ---- new accounts ------------------------------------------------------------------------------


def test_a_new_account_with_broken_rules_names_each_field_in_the_api(served: Served) -> None:
    before = served.counts()
    r = served.call("admin", "POST", "/api/admin/users", json={"username": "a b", "password": "kort",
                                                               "role": "coach"})
    assert r.status_code == 422 and r.json()["code"] == "accounts.not_created"
    assert r.json()["detail"] == "Het account werd niet aangemaakt"
    problems = {p["column"]: (p["code"], p["message"]) for p in r.json()["problems"]}
    assert problems["username"] == ("accounts.username_space", "een gebruikersnaam mag geen spatie bevatten")
    assert problems["password"] == ("accounts.password_short", "gebruik minstens 8 tekens")
    en = served.call("admin", "POST", "/api/admin/users", headers=EN,
                     json={"username": "ab", "password": "kort", "role": "coach"})
    assert [(p["column"], p["message"]) for p in en.json()["problems"]] == [
        ("password", "use at least 8 characters")]
    dup = served.call("admin", "POST", "/api/admin/users", json={"username": "coach", "password": "lang genoeg",
                                                                 "role": "coach"})
    assert dup.status_code == 409 and dup.json()["code"] == "accounts.username_taken"
    assert dup.json()["detail"] == "De gebruikersnaam coach bestaat al."
    assert [(p["column"], p["message"]) for p in dup.json()["problems"]] == [
        ("username", "Deze gebruikersnaam bestaat al.")]
    assert served.counts() == before


def test_a_new_account_with_broken_rules_names_each_field_on_the_page(served: Served) -> None:
    before = served.counts()
    with browser_for(served.url, "admin") as c:
        r = post_form(c, "/admin/users", "/admin/users", {"username": "a b", "password": "kort", "role": ""})
        assert r.status_code == 422
        assert _error(r.text, "username") == "een gebruikersnaam mag geen spatie bevatten"
        assert _error(r.text, "password") == "gebruik minstens 8 tekens"
        assert _error(r.text, "role") == "Kies een rol."
        wrong = post_form(c, "/admin/users", "/admin/users", {"username": "baas", "password": "lang genoeg",
                                                              "role": "baas"})
        assert wrong.status_code == 422 and _error(wrong.text, "role") == "&#39;baas&#39; is geen rol"
        dup = post_form(c, "/admin/users", "/admin/users", {"username": "coach", "password": "lang genoeg",
                                                            "role": "coach"})
        assert dup.status_code == 422 and _error(dup.text, "username") == "Deze gebruikersnaam bestaat al."
        _english(c)
        en = post_form(c, "/admin/users", "/admin/users", {"username": "a b", "password": "kort", "role": ""})
        assert _error(en.text, "password") == "use at least 8 characters" and _error(en.text, "role") == (
            "Choose a role.")
    assert served.counts() == before


# ---- trajectory steps --------------------------------------------------------------------------


def test_a_step_with_wrong_fields_names_each_on_the_page(served: Served) -> None:
    page = f"/coach/participants/{served.world.participant}"
    before = served.counts()
    bad = {"kind": "", "title": "  ", "status": "planned", "starts_on": "1 sept", "ends_on": "morgen"}
    with browser_for(served.url, "coach") as c:
        r = post_form(c, page, f"{page}/steps", bad)
        assert r.status_code == 422
        assert _error(r.text, "kind") == "Kies het soort stap."
        assert _error(r.text, "title") == "Beschrijf de stap, bv. de opleiding of de werkgever."
        assert _error(r.text, "starts_on") == _error(r.text, "ends_on") == "Gebruik een datum zoals 2026-09-01."
        order = post_form(c, page, f"{page}/steps", {**bad, "kind": "training", "title": "Heftruck",
                                                     "starts_on": "2026-09-01", "ends_on": "2026-08-01"})
        assert order.status_code == 422 and _error(order.text, "ends_on") == "ligt vóór de begindatum"
        _english(c)
        en = post_form(c, page, f"{page}/steps", bad)
        assert _error(en.text, "kind") == "Choose the kind of step."
        assert _error(en.text, "title") == "Describe the step, e.g. the course or the employer."
        assert _error(en.text, "starts_on") == "Use a date like 2026-09-01."
    assert served.counts() == before
    with browser_for(served.url, "coach") as c:
        ok = post_form(c, page, f"{page}/steps", {**bad, "kind": "training", "title": "Heftruck",
                                                  "starts_on": "2026-09-01", "ends_on": ""})
        assert ok.status_code == 303


def test_a_step_with_wrong_fields_names_each_in_the_api(served: Served) -> None:
    path = f"/api/participants/{served.world.participant}/steps"
    before = served.counts()
    for title in ("", "   "):
        r = served.call("coach", "POST", path, json={"kind": "training", "title": title})
        assert r.status_code == 422 and r.json()["code"] == "trajectory.invalid_step"
        assert [(p["column"], p["code"], p["message"]) for p in r.json()["problems"]] == [
            ("title", "trajectory.title_missing", "Beschrijf de stap, bv. de opleiding of de werkgever.")]
    en = served.call("coach", "POST", path, headers=EN, json={"kind": "training", "title": " "})
    assert en.json()["problems"][0]["message"] == "Describe the step, e.g. the course or the employer."
    assert served.counts() == before


def test_job_targets_need_at_least_one_in_the_api_too(served: Served) -> None:
    before = served.counts()
    r = served.call("coach", "POST", f"/api/participants/{served.world.participant}/targets",
                    json={"occupation_uris": []})
    assert r.status_code == 422 and r.json()["code"] == "trajectory.targets_missing"
    assert [(p["column"], p["message"]) for p in r.json()["problems"]] == [
        ("occupation_uris", "Vink minstens één jobdoelwit aan.")]
    assert served.counts() == before


# ---- vacancies -----------------------------------------------------------------------------------


def test_a_vacancy_with_empty_words_names_each_field_on_the_page(served: Served) -> None:
    before = served.counts()
    empty = {"title": "  ", "employer": " ", "postcode": "8000", "hours_per_week": "38", "description": " "}
    with browser_for(served.url, "liaison") as c:
        r = post_form(c, "/liaison/vacancies", "/liaison/vacancies", empty)
        assert r.status_code == 422
        assert _error(r.text, "title") == "Vul de functietitel in."
        assert _error(r.text, "employer") == "Vul de werkgever in."
        assert _error(r.text, "description") == "Plak of schrijf de vacaturetekst."
        _english(c)
        en = post_form(c, "/liaison/vacancies", "/liaison/vacancies", empty)
        assert _error(en.text, "title") == "Enter the job title."
    assert served.counts() == before


# ---- the framework's 404 and 405 -----------------------------------------------------------------


def test_an_unknown_api_address_or_method_is_coded_in_the_readers_language(served: Served) -> None:
    for role in (None, "admin"):
        r = served.call(role, "GET", "/api/no-such-thing")
        assert r.status_code == 404
        assert r.json() == {"detail": "Dit adres bestaat niet.", "code": "request.not_found"}
        assert served.call(role, "GET", "/api/no-such-thing", headers=EN).json()["detail"] == (
            "This address does not exist.")
    wrong = served.call("admin", "DELETE", "/api/participants")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "GET, POST"
    assert wrong.json() == {"detail": "Dit adres aanvaardt geen DELETE-verzoek.", "code": "request.method_not_allowed"}
    en = served.call("admin", "DELETE", "/api/participants?lang=en")
    assert en.json()["detail"] == "This address does not accept a DELETE request."


def test_an_unknown_page_or_method_shows_the_error_page_in_the_readers_language(served: Served) -> None:
    with browser_for(served.url, "coach") as c:
        page = c.get("/no-such-page")
        assert page.status_code == 404 and "text/html" in page.headers["content-type"]
        assert "Niet gevonden" in page.text and "Not Found" not in page.text
        wrong = c.delete("/coach/participants")
        assert wrong.status_code == 405 and wrong.headers["allow"] == "GET, POST"
        assert "Dit adres aanvaardt geen DELETE-verzoek." in wrong.text and "Method Not Allowed" not in wrong.text
        assert "<h1>Kan niet op dit adres</h1>" in wrong.text and "Er ging iets mis" not in wrong.text
        _english(c)
        assert "This page or record does not exist, or you may not see it." in c.get("/no-such-page").text
        wrong = c.delete("/coach/participants")
        assert "This address does not accept a DELETE request." in wrong.text
        assert "<h1>Not possible at this address</h1>" in wrong.text


def test_a_405_allows_every_method_of_its_address(served: Served) -> None:
    """``Allow`` names what the address answers (RFC 9110), not only the first route at the path."""
    paths = served.call("admin", "GET", "/openapi.json").json()["paths"]
    several = {path: {m.upper() for m in operations} for path, operations in paths.items() if len(operations) > 1}
    assert len(several) >= 10
    for path, methods in several.items():
        address = re.sub(r"\{\w+\}", "x1", path)
        refused = next(m for m in ("DELETE", "PUT", "PATCH", "POST") if m not in methods)
        r = served.call("admin", refused, address)
        assert r.status_code == 405, (path, r.status_code)
        assert set(r.headers["allow"].split(", ")) == methods, (path, r.headers["allow"])


# ---- registering a participant -------------------------------------------------------------------


def test_a_registration_without_a_name_or_coach_is_refused_by_the_api_as_by_the_page(served: Served) -> None:
    before = served.counts()
    r = served.call("assessor", "POST", "/api/participants",
                    json={"coach": " ", "contact": {"name": "  "}})
    assert r.status_code == 422 and r.json()["code"] == "participant.invalid"
    problems = {p["column"]: (p["code"], p["message"]) for p in r.json()["problems"]}
    assert problems["name"] == ("participant.name_missing", "Vul de naam van de deelnemer in.")
    assert problems["coach"] == ("participant.coach_missing", "Kies de trajectbegeleider.")
    assert set(problems) == {"name", "coach"}
    unknown = served.call("assessor", "POST", "/api/participants", headers=EN,
                          json={"coach": "nosuchcoach", "contact": {"phone": "0470 11 22 33"}})
    assert unknown.status_code == 422
    assert [(p["column"], p["code"], p["message"]) for p in unknown.json()["problems"]] == [
        ("name", "participant.name_missing", "Enter the participant's name."),
        ("coach", "participant.unknown_coach", "nosuchcoach is not an active coach.")]
    assert served.counts() == before
    # without any contact details or coach: a pseudonymous registration, not yet in a caseload
    bare = served.call("assessor", "POST", "/api/participants", json={"postcode": "8000"})
    assert bare.status_code == 201 and bare.json()["coach"] is None


def test_a_registration_without_a_name_or_coach_is_refused_on_the_page(served: Served) -> None:
    before = served.counts()
    with browser_for(served.url, "assessor") as c:
        r = post_form(c, "/assessor/participants", "/assessor/participants", {"name": " ", "coach": ""})
        assert r.status_code == 422
        assert _error(r.text, "name") == "Vul de naam van de deelnemer in."
        assert _error(r.text, "coach") == "Kies de trajectbegeleider."
        unknown = post_form(c, "/assessor/participants", "/assessor/participants",
                            {"name": "Nieuwe Deelnemer", "coach": "nosuchcoach"})
        assert unknown.status_code == 422 and _error(unknown.text, "coach") == (
            "nosuchcoach is geen actieve trajectbegeleider.")
        _english(c)
        en = post_form(c, "/assessor/participants", "/assessor/participants", {"name": "", "coach": ""})
        assert _error(en.text, "name") == "Enter the participant&#39;s name."
        assert _error(en.text, "coach") == "Choose the coach (trajectbegeleider)."
    with browser_for(served.url, "coach") as c:
        mine = post_form(c, "/coach/participants", "/coach/participants", {"name": "\t", "postcode": "8000"})
        assert mine.status_code == 422 and _error(mine.text, "name") == "Vul de naam van de deelnemer in."
    assert served.counts() == before


def test_an_edit_keeps_the_registration_rules_in_the_api(served: Served) -> None:
    path = f"/api/participants/{served.world.participant}"
    before = served.counts()
    shown = served.call("coach", "GET", path).json()
    r = served.call("coach", "PATCH", path, json={"changes": {"coach": " "}, "contact": {"name": " ", "phone": "050"}})
    assert r.status_code == 422 and r.json()["code"] == "participant.invalid"
    problems = {p["column"]: (p["code"], p["message"]) for p in r.json()["problems"]}
    assert problems == {"name": ("participant.name_missing", "Vul de naam van de deelnemer in."),
                        "coach": ("participant.coach_missing", "Kies de trajectbegeleider.")}
    unknown = served.call("coach", "PATCH", path, headers=EN, json={"changes": {"coach": "nosuchcoach"}})
    assert unknown.status_code == 422
    assert [(p["column"], p["code"], p["message"]) for p in unknown.json()["problems"]] == [
        ("coach", "participant.unknown_coach", "nosuchcoach is not an active coach.")]
    assert served.counts() == before and served.call("coach", "GET", path).json() == shown
