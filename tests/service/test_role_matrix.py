"""Every route × every role: who gets in, who gets 401/403.

Routes are read from the app, so a new route fails :func:`test_every_route_is_in_the_table`
until it is given its roles in :data:`EXPECTED`. Each call uses real objects (a participant
of the coach's caseload, the liaison's own vacancy …), so an allowed role gets past the
role check; object-level rules (other users' ids) are in ``test_object_access.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.app import create_app
from tests.live import PASSWORD, running_server
from tests.service.web import csrf_of, form_login
from tests.service.world import World, build_world, fast_matching

A, C, L, D = "assessor", "coach", "liaison", "admin"
ALL = frozenset({A, C, L, D})
PUBLIC = "public"

#: (method, path) → roles allowed (or PUBLIC: anyone, also without login).
EXPECTED: dict[tuple[str, str], frozenset[str] | str] = {
    # login, documentation
    ("POST", "/api/auth/token"): PUBLIC,
    ("GET", "/api/auth/me"): ALL,
    ("POST", "/api/auth/logout"): ALL,
    ("GET", "/openapi.json"): ALL,
    ("GET", "/docs"): ALL,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): PUBLIC,
    ("GET", "/lang/{code}"): PUBLIC,
    ("GET", "/"): ALL,
    # taxonomy
    ("GET", "/api/taxonomy/search"): ALL,
    ("GET", "/api/taxonomy/version"): ALL,
    # participants and trajectories (JSON API)
    ("POST", "/api/participants"): frozenset({A, C, D}),
    ("GET", "/api/participants"): frozenset({A, C, D}),
    ("GET", "/api/participants/{participant_id}"): frozenset({A, C, D}),
    ("PATCH", "/api/participants/{participant_id}"): frozenset({A, C, D}),
    ("GET", "/api/participants/{participant_id}/contact"): frozenset({A, C, D}),
    ("PUT", "/api/participants/{participant_id}/consent"): frozenset({C, D}),
    ("GET", "/api/participants/{participant_id}/consent"): frozenset({C, D}),
    ("GET", "/api/participants/{participant_id}/profile"): frozenset({A, C, D}),
    ("GET", "/api/participants/{participant_id}/export"): frozenset({C, D}),
    ("GET", "/api/participants/{participant_id}/trajectory"): frozenset({A, C, D}),
    ("POST", "/api/participants/{participant_id}/targets"): frozenset({C, D}),
    ("POST", "/api/participants/{participant_id}/steps"): frozenset({C, D}),
    ("PATCH", "/api/trajectory-steps/{step_id}"): frozenset({C, D}),
    ("GET", "/api/profile-schema"): ALL,
    # assessments (JSON API)
    ("GET", "/api/instruments"): frozenset({A, C, D}),
    ("GET", "/api/instrument-schema"): frozenset({A, C, D}),
    ("GET", "/api/instruments/{instrument_id}"): frozenset({A, C, D}),
    ("GET", "/api/instruments/{instrument_id}/template"): frozenset({A, C, D}),
    ("POST", "/api/assessments"): frozenset({A, C, D}),
    ("GET", "/api/assessments/{record_id}"): frozenset({A, C, D}),
    ("GET", "/api/participants/{participant_id}/assessments"): frozenset({A, C, D}),
    ("POST", "/api/assessments/import"): frozenset({A, C, D}),
    # matching (JSON API)
    ("GET", "/api/participants/{participant_id}/job-targets"): frozenset({C, D}),
    ("POST", "/api/job-targets"): frozenset({C, D}),
    ("GET", "/api/language-requirements"): frozenset({C, L, D}),
    ("PUT", "/api/language-requirements"): frozenset({D}),
    ("GET", "/api/matching/log"): frozenset({D}),
    ("POST", "/api/vacancies"): frozenset({L, D}),
    ("POST", "/api/vacancies/import"): frozenset({L, D}),
    ("GET", "/api/vacancies"): frozenset({L, D}),
    ("GET", "/api/vacancies/{vacancy_id}"): frozenset({L, D}),
    ("POST", "/api/vacancies/{vacancy_id}/confirm"): frozenset({L, D}),
    ("POST", "/api/vacancies/{vacancy_id}/close"): frozenset({L, D}),
    ("POST", "/api/vacancies/{vacancy_id}/shortlists"): frozenset({L, D}),
    ("GET", "/api/vacancies/{vacancy_id}/shortlists"): frozenset({L, D}),
    ("GET", "/api/shortlists/{shortlist_id}"): frozenset({L, D}),
    ("POST", "/api/shortlists/{shortlist_id}/confirm"): frozenset({L, D}),
    ("POST", "/api/shortlists/{shortlist_id}/candidates/{candidate}/status"): frozenset({L, D}),
    ("GET", "/api/shortlists/{shortlist_id}/history"): frozenset({L, D}),
    # administration
    ("GET", "/api/admin/users"): frozenset({D}),
    ("POST", "/api/admin/users"): frozenset({D}),
    ("POST", "/api/admin/users/{username}/active"): frozenset({D}),
    ("GET", "/api/admin/audit"): frozenset({D}),
    ("GET", "/api/admin/audit.csv"): frozenset({D}),
    ("GET", "/api/admin/audit/verify"): frozenset({D}),
    ("POST", "/api/admin/backup"): frozenset({D}),
    ("GET", "/admin/users"): frozenset({D}),
    ("POST", "/admin/users"): frozenset({D}),
    ("POST", "/admin/users/{username}/active"): frozenset({D}),
    ("POST", "/admin/users/{username}/password"): frozenset({D}),
    ("POST", "/admin/users/{username}/role"): frozenset({D}),
    ("POST", "/api/admin/users/{username}/password"): frozenset({D}),
    ("PUT", "/api/admin/users/{username}/role"): frozenset({D}),
    ("GET", "/account"): ALL,
    ("GET", "/participants/{participant_id}/intake"): frozenset({A, C}),
    ("POST", "/participants/{participant_id}/intake"): frozenset({A, C}),
    ("POST", "/account/password"): ALL,
    ("POST", "/api/account/password"): ALL,
    ("GET", "/admin/audit"): frozenset({D}),
    ("GET", "/admin/audit.csv"): frozenset({D}),
    ("GET", "/admin/language-requirements"): frozenset({D}),
    ("POST", "/admin/language-requirements"): frozenset({D}),
    # assessor pages
    ("GET", "/assessor/participants"): frozenset({A}),
    ("POST", "/assessor/participants"): frozenset({A}),
    ("GET", "/assessor/participants/{participant_id}"): frozenset({A}),
    ("GET", "/assessor/participants/{participant_id}/record/{instrument_id}"): frozenset({A}),
    ("POST", "/assessor/participants/{participant_id}/record/{instrument_id}"): frozenset({A}),
    ("GET", "/assessor/batch"): frozenset({A}),
    ("GET", "/assessor/batch/template"): frozenset({A}),
    ("POST", "/assessor/batch"): frozenset({A}),
    # coach pages
    ("GET", "/coach/participants"): frozenset({C}),
    ("POST", "/coach/participants"): frozenset({C}),
    ("GET", "/coach/participants/{participant_id}"): frozenset({C}),
    ("POST", "/coach/participants/{participant_id}/targets"): frozenset({C}),
    ("POST", "/coach/participants/{participant_id}/steps"): frozenset({C}),
    ("POST", "/coach/steps/{step_id}"): frozenset({C}),
    ("POST", "/liaison/vacancies/{vacancy_id}/close"): frozenset({L}),
    ("POST", "/account/contact"): ALL,
    ("POST", "/coach/participants/{participant_id}/consent"): frozenset({C}),
    ("GET", "/coach/participants/{participant_id}/passport"): frozenset({C}),
    # liaison pages
    ("GET", "/liaison/vacancies"): frozenset({L}),
    ("POST", "/liaison/vacancies"): frozenset({L}),
    ("POST", "/liaison/vacancies/import"): frozenset({L}),
    ("GET", "/liaison/vacancies/template.csv"): frozenset({L}),
    ("GET", "/liaison/vacancies/{vacancy_id}"): frozenset({L}),
    ("POST", "/liaison/vacancies/{vacancy_id}/confirm"): frozenset({L}),
    ("POST", "/liaison/vacancies/{vacancy_id}/edit"): frozenset({L}),
    ("POST", "/liaison/vacancies/{vacancy_id}/shortlist"): frozenset({L}),
    ("GET", "/liaison/shortlists"): frozenset({L}),
    ("GET", "/liaison/shortlists/{shortlist_id}"): frozenset({L}),
    ("POST", "/liaison/shortlists/{shortlist_id}/confirm"): frozenset({L}),
    ("POST", "/liaison/shortlists/{shortlist_id}/status"): frozenset({L}),
    # employers (programme)
    ("GET", "/api/employers"): frozenset({L, D}),
    ("POST", "/api/employers"): frozenset({L, D}),
    ("GET", "/api/employers/{employer_id}"): frozenset({L, D}),
    ("GET", "/api/employers/{employer_id}/contacts"): frozenset({L, D}),
    ("POST", "/api/employers/{employer_id}/contacts"): frozenset({L, D}),
    ("POST", "/api/employers/{employer_id}/occupations"): frozenset({L, D}),
    ("POST", "/api/employers/{employer_id}/events"): frozenset({L, D}),
    ("POST", "/api/employers/{employer_id}/concerns"): frozenset({L, D}),
    ("GET", "/liaison/employers"): frozenset({L}),
    ("POST", "/liaison/employers"): frozenset({L}),
    ("GET", "/liaison/employers/{employer_id}"): frozenset({L}),
    ("POST", "/liaison/employers/{employer_id}/contacts"): frozenset({L}),
    ("POST", "/liaison/employers/{employer_id}/occupations"): frozenset({L}),
    ("POST", "/liaison/employers/{employer_id}/events"): frozenset({L}),
    ("POST", "/liaison/employers/{employer_id}/concerns"): frozenset({L}),
    # stages, cohorts, placements, the programme report
    ("GET", "/api/cohorts"): frozenset({C, D}),
    ("POST", "/api/cohorts"): frozenset({C, D}),
    ("GET", "/api/participants/{participant_id}/pipeline"): frozenset({A, C, D}),
    ("POST", "/api/participants/{participant_id}/stages"): frozenset({C, D}),
    ("PUT", "/api/participants/{participant_id}/cohort"): frozenset({C, D}),
    ("PUT", "/api/participants/{participant_id}/people"): frozenset({C, D}),
    ("GET", "/api/participants/{participant_id}/placements"): frozenset({C, D}),
    ("POST", "/api/participants/{participant_id}/placements"): frozenset({C, D}),
    ("POST", "/api/placements/{placement_id}/followups"): frozenset({C, D}),
    ("GET", "/api/reports/programme"): frozenset({D}),
    ("GET", "/coach/programme"): frozenset({C}),
    ("GET", "/coach/programme/{participant_id}"): frozenset({C}),
    ("POST", "/coach/programme/{participant_id}/stage"): frozenset({C}),
    ("POST", "/coach/programme/{participant_id}/cohort"): frozenset({C}),
    ("POST", "/coach/programme/{participant_id}/people"): frozenset({C}),
    ("POST", "/coach/programme/{participant_id}/placements"): frozenset({C}),
    ("POST", "/coach/placements/{placement_id}/followups"): frozenset({C}),
    ("GET", "/admin/programme"): frozenset({D}),
    ("GET", "/admin/programme.csv"): frozenset({D}),
    ("GET", "/admin/programme.xlsx"): frozenset({D}),
    ("POST", "/admin/cohorts"): frozenset({D}),
    # which employers to contact
    ("GET", "/api/outreach"): frozenset({L, D}),
    ("GET", "/api/outreach/{candidate}"): frozenset({L, D}),
    ("POST", "/api/outreach/{candidate}/present"): frozenset({L, D}),
    ("GET", "/api/participants/{participant_id}/employers-to-contact"): frozenset({C, D}),
    ("GET", "/liaison/outreach"): frozenset({L}),
    ("GET", "/liaison/outreach/{candidate}"): frozenset({L}),
    ("POST", "/liaison/outreach/{candidate}/present"): frozenset({L}),
    ("GET", "/api/reports/fairness"): frozenset({D}),
    ("GET", "/admin/fairness"): frozenset({D}),
    # erasure and retention
    ("POST", "/api/participants/{participant_id}/erase"): frozenset({D}),
    ("GET", "/api/admin/retention"): frozenset({D}),
    ("GET", "/admin/erasure"): frozenset({D}),
    ("POST", "/admin/erasure"): frozenset({D}),
    # local Dutch labels for ESCO concepts
    ("GET", "/api/taxonomy/labels"): frozenset({D}),
    ("POST", "/api/taxonomy/labels"): frozenset({D}),
    ("DELETE", "/api/taxonomy/labels/{label_id}"): frozenset({D}),
    ("GET", "/api/taxonomy/labels.csv"): frozenset({D}),
    ("GET", "/admin/labels"): frozenset({D}),
    ("POST", "/admin/labels"): frozenset({D}),
    ("POST", "/admin/labels/{label_id}/remove"): frozenset({D}),
    ("GET", "/admin/labels.csv"): frozenset({D}),
}

#: Calls that end the caller's own session: each gets a fresh login.
SESSION_ENDING = {("POST", "/logout"), ("POST", "/api/auth/logout")}


def app_routes() -> set[tuple[str, str]]:
    """Every (method, path) the app serves, static mounts left out."""
    app = create_app(":memory:")
    try:
        from fastapi.routing import iter_route_contexts

        contexts = [(getattr(rc, "methods", None), rc.path) for rc in iter_route_contexts(app.routes)]
    except ImportError:  # older FastAPI: a flat route list
        contexts = [(getattr(r, "methods", None), r.path) for r in app.routes]
    return {(m, path) for methods, path in contexts if methods for m in methods if m not in ("HEAD", "OPTIONS")}


ROUTES = sorted(app_routes())


def test_every_route_is_in_the_table() -> None:
    assert set(ROUTES) - set(EXPECTED) == set(), "new route(s): add them to EXPECTED with their roles"
    assert set(EXPECTED) - set(ROUTES) == set(), "EXPECTED lists route(s) the app no longer has"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    with fast_matching():
        w = build_world(tmp_path_factory.mktemp("matrix") / "w.duckdb")
        with running_server(w.db) as url:
            yield w, url


def _fill(path: str, w: World) -> str:
    values = {"participant_id": w.participant, "record_id": w.record, "step_id": w.step, "vacancy_id": w.vacancy,
              "shortlist_id": w.shortlist, "instrument_id": "dutch-cefr", "username": "victim", "code": "en",
              "employer_id": w.employer, "placement_id": w.placement, "label_id": "1",
              "candidate": w.candidate}
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


class Clients:
    """Per role: a bearer-token API client and a cookie-session browser client (made once)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._api: dict[str | None, httpx.Client] = {}
        self._web: dict[str | None, httpx.Client] = {}

    def api(self, role: str | None, *, fresh: bool = False) -> httpx.Client:
        if fresh or role not in self._api:
            c = httpx.Client(base_url=self.url, timeout=60)
            if role:
                r = c.post("/api/auth/token", json={"username": role, "password": PASSWORD})
                c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
            if fresh:
                return c
            self._api[role] = c
        return self._api[role]

    def web(self, role: str | None, *, fresh: bool = False) -> httpx.Client:
        if fresh or role not in self._web:
            c = httpx.Client(base_url=self.url, timeout=60)
            if role:
                assert form_login(c, role).status_code == 303
            if fresh:
                return c
            self._web[role] = c
        return self._web[role]

    def close(self) -> None:
        for c in [*self._api.values(), *self._web.values()]:
            c.close()


@pytest.fixture(scope="module")
def clients(world: tuple[World, str]) -> Iterator[Clients]:
    c = Clients(world[1])
    yield c
    c.close()


def call(clients: Clients, w: World, method: str, path: str, role: str | None) -> httpx.Response:
    url = _fill(path, w)
    fresh = (method, path) in SESSION_ENDING
    if path.startswith("/api") or path in ("/openapi.json", "/docs"):
        client = clients.api(role, fresh=fresh)
        body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
        return client.request(method, url, **body)
    client = clients.web(role, fresh=fresh)
    if method == "GET":
        return client.get(url)
    token = csrf_of(client.get("/login" if role is None else "/").text)
    return client.request(method, url, data={"csrf_token": token})


@pytest.mark.parametrize("role", [None, A, C, L, D], ids=lambda r: r or "anonymous")
@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_role_matrix(world: tuple[World, str], clients: Clients, method: str, path: str, role: str | None) -> None:
    w, _url = world
    allowed = EXPECTED[(method, path)]
    r = call(clients, w, method, path, role)
    assert r.status_code < 500, r.text[:500]
    if allowed == PUBLIC:
        assert r.status_code not in (401, 403), r.text[:300]
    elif role is None:
        assert r.status_code == 401, r.text[:300]
    elif role in allowed:
        assert r.status_code not in (401, 403), r.text[:300]
    else:
        assert r.status_code == 403, r.text[:300]


def test_html_refusals_are_pages(world: tuple[World, str], clients: Clients) -> None:
    """Pages answer 401 with the login form and 403 with an error page, never with JSON."""
    w, _url = world
    anon = clients.web(None).get(f"/coach/participants/{w.participant}")
    assert anon.status_code == 401 and "<form" in anon.text and 'name="password"' in anon.text
    wrong = clients.web(L).get(f"/coach/participants/{w.participant}")
    assert wrong.status_code == 403 and ("Niet toegestaan" in wrong.text or "Not allowed" in wrong.text)


def test_the_table_is_not_trivial() -> None:
    """Guard against an EXPECTED that lets everyone in: every role is refused somewhere."""
    for role in ALL:
        assert any(v != PUBLIC and role not in v for v in EXPECTED.values()), role
    assert Path(__file__).read_text(encoding="utf-8").count("frozenset({D})") >= 10
