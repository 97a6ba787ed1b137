"""Every role × every kind of object it must not reach: 404, exactly like an id that does not exist.

The role matrix (``test_role_matrix.py``) checks who gets past the role check; this one checks
the objects behind it, through the JSON API, the pages and the CLI: a coach and another coach's
participant (and that participant's records and steps), a liaison and another liaison's vacancy
and shortlist, a liaison and a candidate who is not (or no longer) on their shortlist. Each
refusal is compared with the answer for an unknown id: same status, same message but for the id.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from service.cli import app as cli
from tests.live import client_for, running_server
from tests.service.web import browser_for, csrf_of
from tests.service.world import World, build_world, fast_matching

UNKNOWN = {"participant": "P-ZZZZZZ", "record": "R-ZZZZZZZZ", "step": "S-ZZZZZZZZ", "vacancy": "V-ZZZZZZZZZZ",
           "shortlist": "S-ZZZZZZZZZZ", "candidate": "K-FFFFFFFF"}

#: (who, what, method, path) through the JSON API; ``{id}`` is the object (or the unknown id).
API: list[tuple[str, str, str, str, dict | None]] = [
    *[("coach2", "participant", m, p, b) for m, p, b in (
        ("GET", "/api/participants/{id}", None), ("PATCH", "/api/participants/{id}", {"changes": {}}),
        ("GET", "/api/participants/{id}/contact", None), ("GET", "/api/participants/{id}/profile", None),
        ("PUT", "/api/participants/{id}/consent", {"given": False}), ("GET", "/api/participants/{id}/consent", None),
        ("GET", "/api/participants/{id}/export", None), ("GET", "/api/participants/{id}/trajectory", None),
        ("POST", "/api/participants/{id}/targets", {"occupation_uris": ["x"]}),
        ("POST", "/api/participants/{id}/steps", {"kind": "training", "title": "x"}),
        ("GET", "/api/participants/{id}/assessments", None), ("GET", "/api/participants/{id}/job-targets", None),
        ("POST", "/api/assessments", {"participant_id": "{id}", "instrument_id": "dutch-cefr",
                                      "assessed_on": "2026-01-01", "scores": {"listening": "A1"}}),
    )],
    ("coach2", "record", "GET", "/api/assessments/{id}", None),
    ("coach2", "step", "PATCH", "/api/trajectory-steps/{id}", {"status": "stopped"}),
    *[("liaison2", "vacancy", m, p, b) for m, p, b in (
        ("GET", "/api/vacancies/{id}", None), ("POST", "/api/vacancies/{id}/close", None),
        ("POST", "/api/vacancies/{id}/confirm", {"occupation_uris": [], "essential_skills": []}),
        ("POST", "/api/vacancies/{id}/shortlists", None), ("GET", "/api/vacancies/{id}/shortlists", None),
    )],
    *[("liaison2", "shortlist", m, p, b) for m, p, b in (
        ("GET", "/api/shortlists/{id}", None), ("GET", "/api/shortlists/{id}/history", None),
        ("POST", "/api/shortlists/{id}/confirm", {"ordered_candidates": []}),
        ("POST", "/api/shortlists/{id}/candidates/K-00000000/status", {"status": "invited"}),
    )],
    ("liaison", "candidate", "POST", "/api/shortlists/{shortlist}/candidates/{id}/status", {"status": "invited"}),
    ("liaison", "candidate", "GET", "/api/shortlists/{shortlist}/history?candidate={id}", None),
]

#: (who, what, method, path) through the pages (posts carry the form's CSRF token).
PAGES: list[tuple[str, str, str, str]] = [
    ("coach2", "participant", "GET", "/coach/participants/{id}"),
    ("coach2", "participant", "GET", "/coach/participants/{id}/passport"),
    ("coach2", "participant", "POST", "/coach/participants/{id}/consent"),
    ("coach2", "participant", "POST", "/coach/participants/{id}/targets"),
    ("coach2", "participant", "POST", "/coach/participants/{id}/steps"),
    ("liaison2", "vacancy", "GET", "/liaison/vacancies/{id}"),
    ("liaison2", "vacancy", "POST", "/liaison/vacancies/{id}/confirm"),
    ("liaison2", "vacancy", "POST", "/liaison/vacancies/{id}/shortlist"),
    ("liaison2", "shortlist", "GET", "/liaison/shortlists/{id}"),
    ("liaison2", "shortlist", "POST", "/liaison/shortlists/{id}/confirm"),
    ("liaison2", "shortlist", "POST", "/liaison/shortlists/{id}/status"),
]


def _objects(w: World, candidate: str) -> dict[str, str]:
    return {"participant": w.participant, "record": w.record, "step": w.step, "vacancy": w.vacancy,
            "shortlist": w.shortlist, "candidate": candidate}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str, str]]:
    with fast_matching():
        w = build_world(tmp_path_factory.mktemp("objects-matrix") / "w.duckdb")
        with running_server(w.db) as url:
            with client_for(url, "liaison") as liaison:  # a code that is on no shortlist of this vacancy
                codes = [c["candidate"] for c in liaison.get(f"/api/shortlists/{w.shortlist}").json()["candidates"]]
            candidate = "K-00000000" if "K-00000000" not in codes else "K-11111111"
            yield w, url, candidate


def _api(client: httpx.Client, method: str, path: str, body: dict | None, ids: dict[str, str], key: str
         ) -> httpx.Response:
    fill = {"id": ids[key], "shortlist": ids["shortlist"]}
    url = path.format(**fill)
    if body is not None:
        body = {k: (v.format(**fill) if isinstance(v, str) else v) for k, v in body.items()}
    return client.request(method, url, json=body)


def _same_but_id(refused: str, unknown: str, real_id: str, unknown_id: str) -> bool:
    return refused.replace(real_id, "?") == unknown.replace(unknown_id, "?")


@pytest.mark.parametrize(("who", "what", "method", "path", "body"), API,
                         ids=[f"{w} {m} {p}" for w, _k, m, p, _b in API])
def test_api_objects_out_of_reach_are_not_found(world, who, what, method, path, body) -> None:
    w, url, candidate = world
    real = _objects(w, candidate)
    with client_for(url, who) as client:
        refused = _api(client, method, path, body, real, what)
        unknown = _api(client, method, path, body, {**real, what: UNKNOWN[what]}, what)
    assert refused.status_code == unknown.status_code == 404, (refused.text, unknown.text)
    assert _same_but_id(refused.text, unknown.text, real[what], UNKNOWN[what]), (refused.text, unknown.text)


@pytest.mark.parametrize(("who", "what", "method", "path"), PAGES, ids=[f"{w} {m} {p}" for w, _k, m, p in PAGES])
def test_pages_objects_out_of_reach_are_not_found(world, who, what, method, path) -> None:
    w, url, candidate = world
    real = _objects(w, candidate)
    with browser_for(url, who) as browser:
        token = csrf_of(browser.get("/").text)
        answers = []
        for object_id in (real[what], UNKNOWN[what]):
            target = path.format(id=object_id)
            r = browser.get(target) if method == "GET" else browser.post(target, data={
                "csrf_token": token, "given": "0", "occupation_uri": "x", "kind": "training", "title": "x",
                "candidate": "K-00000000", "status": "invited", "confirmed_by": "X"})
            answers.append(r)
    assert [r.status_code for r in answers] == [404, 404]
    assert _same_but_id(answers[0].text, answers[1].text, real[what], UNKNOWN[what])


runner = CliRunner()

#: (who, what, command): the CLI with ``--by`` someone who may not reach the object.
CLI: list[tuple[str, str, list[str]]] = [
    ("coach2", "participant", ["participant", "show", "{id}", "--contact"]),
    ("coach2", "participant", ["participant", "consent", "{id}", "--withdraw"]),
    ("coach2", "participant", ["profile", "show", "{id}"]),
    ("coach2", "participant", ["profile", "export", "{id}"]),
    ("coach2", "participant", ["assessment", "record", "{id}", "dutch-cefr", "-s", "listening=A1"]),
    ("coach2", "participant", ["match", "targets", "{id}"]),
    ("liaison2", "vacancy", ["vacancy", "show", "{id}"]),
    ("liaison2", "vacancy", ["vacancy", "confirm", "{id}", "--occupation", "x", "--skill", "y"]),
    ("liaison2", "vacancy", ["match", "shortlist", "{id}"]),
]


@pytest.fixture(scope="module")
def cli_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    with fast_matching():
        return build_world(tmp_path_factory.mktemp("objects-cli") / "w.duckdb")


@pytest.mark.parametrize(("who", "what", "command"), CLI, ids=[" ".join(c[:2]) + f" {w}" for w, _k, c in CLI])
def test_cli_objects_out_of_reach_are_not_found(cli_world: World, who: str, what: str, command: list[str]) -> None:
    real = _objects(cli_world, "")[what]
    results = []
    for object_id in (real, UNKNOWN[what]):
        args = [a.format(id=object_id) for a in command]
        with fast_matching():
            results.append(runner.invoke(cli, [*args, "--db", str(cli_world.db), "--by", who]))
    assert [r.exit_code for r in results] == [3, 3], [r.output for r in results]
    assert _same_but_id(results[0].output, results[1].output, real, UNKNOWN[what])


def test_the_matrix_covers_every_kind_of_object(tmp_path: Path) -> None:
    kinds = {what for _w, what, *_ in API} | {what for _w, what, *_ in PAGES} | {what for _w, what, _c in CLI}
    assert kinds == set(UNKNOWN)
