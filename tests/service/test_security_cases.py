"""The probed cases of issue 8, over real HTTP and through the CLI: each must stay fixed."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from foundation.db import connect
from matching.vacancies import create_vacancy
from service.cli import app as cli
from tests.live import client_for, running_server
from tests.service.web import browser_for, csrf_of
from tests.service.world import World, build_world, fast_matching

PUBLIC_ID = re.compile(r"^[VS]-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}$")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    with fast_matching():
        w = build_world(tmp_path_factory.mktemp("security") / "w.duckdb")
        con = connect(w.db)  # a vacancy stored under an old-style sequential id, from before random ids
        old = create_vacancy(con, owner="liaison", method="lexical", vacancy={
            "title": "Kok", "employer": "Resto", "postcode": "8000", "description": "Koken in de keuken."})
        con.execute("UPDATE matching.vacancies SET vacancy_id = 'V-00042' WHERE vacancy_id = ?", [old.vacancy_id])
        con.close()
        with running_server(w.db) as url:
            yield w, url


def _sheet(participant_id: str) -> bytes:
    """A filled-in CSV template of the Dutch grid (as `werkbrug assessment template` writes it)."""
    return ("instrument;versie;deelnemer;datum;opmerking;listening;reading;speaking;writing\n"
            f"dutch-cefr;1;{participant_id};2026-03-01;;A2;;;\n").encode()


def _audit(url: str, **where: str) -> list[list[str]]:
    with browser_for(url, "admin") as admin:
        text = admin.get("/admin/audit.csv", params=where).text
    return [line.split(",") for line in text.splitlines()[1:]]


def _import(client, participant_id: str):
    return client.post("/api/assessments/import",
                       files={"file": ("dutch.csv", _sheet(participant_id), "text/csv")})


def test_batch_import_is_limited_to_the_caseload_without_an_existence_oracle(world: tuple[World, str]) -> None:
    w, url = world
    with client_for(url, "coach2") as other:
        foreign, unknown = _import(other, w.participant), _import(other, "P-ZZZZZZ")
        assert foreign.status_code == unknown.status_code == 422
        strip = [{k: v for k, v in p.items() if k != "params"} for p in foreign.json()["problems"]]
        assert [p["message"].replace(w.participant, "P-?") for p in strip] == [
            p["message"].replace("P-ZZZZZZ", "P-?") for p in unknown.json()["problems"]]
        assert other.get(f"/api/participants/{w.participant}/assessments").status_code == 404
    with client_for(url, "coach") as own:
        ok = _import(own, w.participant)
        assert ok.status_code == 201, ok.text
        batch = ok.json()["batch_id"]
    [entry] = _audit(url, object_id=batch)
    assert entry[2:5] == ["coach", "coach", "import_assessments"] and w.participant in ",".join(entry)


def test_liaisons_see_candidate_codes_only_and_others_get_404(world: tuple[World, str]) -> None:
    w, url = world
    with client_for(url, "liaison") as liaison:
        assert liaison.get("/api/vacancies/V-00042").status_code == 200  # an old sequential id still works
        assert PUBLIC_ID.match(w.vacancy) and PUBLIC_ID.match(w.shortlist)
        sl = liaison.get(f"/api/shortlists/{w.shortlist}")
        assert sl.status_code == 200 and not re.search(r"P-[0-9A-Z]{6}", sl.text)
        new = liaison.post("/api/vacancies", json={"title": "Magazijnier", "employer": "X", "postcode": "8000",
                                                   "description": "Goederen stapelen."})
        assert PUBLIC_ID.match(new.json()["vacancy_id"]), new.json()["vacancy_id"]
    with client_for(url, "liaison2") as other:
        for own, unknown in ((f"/api/vacancies/{w.vacancy}", "/api/vacancies/V-99999"),
                             (f"/api/shortlists/{w.shortlist}", "/api/shortlists/S-999999"),
                             (f"/api/shortlists/{w.shortlist}/history", "/api/shortlists/S-999999/history")):
            a, b = other.get(own), other.get(unknown)
            assert a.status_code == b.status_code == 404
            assert a.json()["detail"].replace(w.vacancy, "?").replace(w.shortlist, "?") == (
                b.json()["detail"].replace("V-99999", "?").replace("S-999999", "?"))


def test_unknown_coach_is_422_naming_the_field(world: tuple[World, str]) -> None:
    w, url = world
    with client_for(url, "coach") as coach:
        r = coach.patch(f"/api/participants/{w.participant}", json={"changes": {"coach": "nosuchuser"}})
        assert r.status_code == 422 and r.json()["problems"][0]["column"] == "coach"
        assert coach.get(f"/api/participants/{w.participant}").json()["coach"] == "coach"
        r = coach.patch(f"/api/participants/{w.participant}", json={"changes": {"coach": "liaison"}})
        assert r.status_code == 422  # an account, but not a coach


def test_cookie_sessions_need_csrf_and_origin_to_write_to_the_api(world: tuple[World, str]) -> None:
    w, url = world
    body = {"contact": {"name": "Via de browser"}}
    with browser_for(url, "assessor") as browser:
        token = csrf_of(browser.get("/assessor/participants").text)
        assert browser.get(f"/api/participants/{w.participant}").status_code == 200  # reads are fine
        assert browser.post("/api/participants", json=body).status_code == 403
        assert browser.post("/api/participants", json=body, headers={"Origin": url}).status_code == 403
        assert browser.post("/api/participants", json=body,
                            headers={"X-CSRF-Token": token, "Origin": "https://evil.example"}).status_code == 403
        form = browser.post("/api/assessments/import", headers={"Origin": "https://evil.example"},
                            files={"file": ("x.csv", io.BytesIO(_sheet(w.participant)), "text/csv")})
        assert form.status_code == 403  # a cross-site form post of a batch import
        ok = browser.post("/api/participants", json=body, headers={"X-CSRF-Token": token, "Origin": url})
        assert ok.status_code == 201, ok.text


runner = CliRunner()


def test_cli_reads_and_writes_are_audited_with_the_acting_person(tmp_path: Path) -> None:
    with fast_matching():
        w = build_world(tmp_path / "cli.duckdb")
    db = str(w.db)

    def run(*args: str):
        return runner.invoke(cli, [*args, "--db", db], catch_exceptions=False)

    shown = run("participant", "show", w.participant, "--contact", "--json", "--by", "coach")
    assert shown.exit_code == 0 and "Amina Testperson" in shown.stdout
    assert run("profile", "export", w.participant, "--by", "coach").exit_code == 0
    assert run("participant", "show", w.participant, "--by", "coach2").exit_code == 3  # not their caseload
    sheet = tmp_path / "dutch.csv"
    sheet.write_bytes(_sheet(w.participant))
    refused = run("assessment", "import", str(sheet), "--by", "coach2")
    assert refused.exit_code == 2 and "unknown participant" in refused.output
    assert run("assessment", "import", str(sheet), "--by", "coach").exit_code == 0
    con = connect(w.db)
    rows = con.execute("""SELECT username, role, action FROM service.audit_log
                          WHERE username IN ('coach', 'coach2') ORDER BY audit_id""").fetchall()
    con.close()
    assert ("coach", "coach", "read_contact") in rows and ("coach", "coach", "export_participant") in rows
    assert ("coach", "coach", "import_assessments") in rows
    assert not any(r[0] == "coach2" and r[2] != "list_participants" for r in rows)  # refusals write nothing
