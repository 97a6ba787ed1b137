"""Object-level rules: caseloads, own vacancies, consent, pseudonyms, the passport, the audit trail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from foundation.db import connect
from tests.live import running_server
from tests.service.web import browser_for, csrf_of, post_form
from tests.service.world import World, build_world, fast_matching


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    with fast_matching():
        w = build_world(tmp_path_factory.mktemp("objects") / "w.duckdb")
        with running_server(w.db) as url:
            yield w, url


def _audit(url_world: tuple[World, str], **where: str) -> list[tuple]:
    """Audit rows, read through a second cursor of the running app (the file is locked by it)."""
    _w, url = url_world
    with browser_for(url, "admin") as admin:
        csv_text = admin.get("/admin/audit.csv", params=where).text
    return [tuple(line.split(",")[:8]) for line in csv_text.splitlines()[1:]]


def test_coach_sees_only_their_caseload(world: tuple[World, str]) -> None:
    w, url = world
    with browser_for(url, "coach2") as other:
        listing = other.get("/coach/participants").text
        assert w.other_participant in listing and w.participant not in listing
        for path in ("", "/passport"):
            assert other.get(f"/coach/participants/{w.participant}{path}").status_code == 404
        r = post_form(other, "/coach/participants", f"/coach/participants/{w.participant}/consent", {"given": "0"})
        assert r.status_code == 404
    with browser_for(url, "coach") as coach:
        page = coach.get(f"/coach/participants/{w.participant}")
        assert page.status_code == 200 and "Amina Testperson" in page.text


def test_liaison_works_only_on_own_vacancies(world: tuple[World, str]) -> None:
    w, url = world
    with browser_for(url, "liaison2") as other:
        assert w.vacancy not in other.get("/liaison/vacancies").text
        assert other.get(f"/liaison/vacancies/{w.vacancy}").status_code == 404
        assert other.get(f"/liaison/shortlists/{w.shortlist}").status_code == 404
        token = csrf_of(other.get("/liaison/vacancies").text)
        for action in (f"/liaison/vacancies/{w.vacancy}/shortlist", f"/liaison/shortlists/{w.shortlist}/confirm"):
            assert other.post(action, data={"csrf_token": token}).status_code == 404


def test_liaison_sees_consenting_candidates_under_a_code_only(world: tuple[World, str]) -> None:
    w, url = world
    with browser_for(url, "liaison") as liaison:
        page = liaison.get(f"/liaison/shortlists/{w.shortlist}").text
    codes = set(re.findall(r"K-[0-9A-F]{8}", page))
    assert len(codes) == 2  # the two consenting participants; never the one without consent
    for secret in (w.participant, w.other_participant, w.no_consent, "Amina", "Yonas", "Samir", "+32 470"):
        assert secret not in page
    assert "Suggestie — menselijke controle vereist" in page


def test_passport_has_no_protected_attributes_and_contacts_only_with_consent(world: tuple[World, str]) -> None:
    w, url = world
    with browser_for(url, "coach") as coach:
        plain = coach.get(f"/coach/participants/{w.participant}/passport").text
        assert "+32 470" not in plain and "Competentiepaspoort" in plain
        assert "A2" in plain  # Dutch CEFR levels from the record
        with_contact = coach.get(f"/coach/participants/{w.participant}/passport?contact=1").text
        assert "+32 470 11 22 33" in with_contact
        refused = coach.get(f"/coach/participants/{w.no_consent}/passport?contact=1").text
        assert "+32 470" not in refused and "Samir" not in refused
    for word in ("nationality", "nationaliteit:", "gender:", "date_of_birth", "geboortedatum"):
        assert word not in plain.lower()


def test_reads_and_rankings_are_audited(world: tuple[World, str]) -> None:
    w, url = world
    with browser_for(url, "coach") as coach:
        assert coach.get(f"/coach/participants/{w.participant}").status_code == 200
    rows = _audit(world, object_id=w.participant)
    actions = {(r[2], r[3], r[4], r[7]) for r in rows}  # username, role, action, purpose
    assert ("coach", "coach", "read_participant", "coaching") in actions
    assert ("coach", "coach", "rank_job_targets", "matching") in actions
    with browser_for(url, "liaison") as liaison:
        liaison.get(f"/liaison/shortlists/{w.shortlist}")
    assert any(r[4] == "read_shortlist" and r[2] == "liaison" for r in _audit(world, object_id=w.shortlist))


def test_nothing_updates_or_deletes_the_audit_log() -> None:
    """The log is append-only: no code in the repository updates or deletes its rows."""
    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"(UPDATE|DELETE\s+FROM|TRUNCATE|DROP\s+TABLE)\s+service\.audit_log", re.I)
    offenders = [p for p in root.glob("*/**/*.py") if ".venv" not in p.parts and "tests" not in p.parts
                 and pattern.search(p.read_text(encoding="utf-8", errors="ignore"))]
    offenders += [p for p in root.glob("*/migrations/*.sql") if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_audit_rows_keep_who_role_when_what_why(tmp_path: Path) -> None:
    from foundation.audit import audit, read_log
    from service.app import migrate_all
    from service.users import Role, User

    con = connect(tmp_path / "a.duckdb")
    migrate_all(con)
    audit(con, user=User("k", "K", Role.coach), action="read_participant", object_type="participant",
          object_id="P-1", purpose="coaching", detail={"why": "feedback talk"})
    [entry] = read_log(con, action="read_participant")
    assert (entry.username, entry.role, entry.action, entry.object_id, entry.purpose) == (
        "k", "coach", "read_participant", "P-1", "coaching")
    assert entry.occurred_at is not None and entry.detail == {"why": "feedback talk"}


def test_the_audit_chain_detects_a_changed_entry(tmp_path: Path) -> None:
    from foundation.audit import audit, verify_chain
    from service.app import migrate_all
    from service.users import Role, User

    con = connect(tmp_path / "a.duckdb")
    migrate_all(con)
    for n in range(4):
        audit(con, user=User("a", "A", Role.admin), action="read_audit_log", object_id=str(n), detail={"n": n})
    assert verify_chain(con) == []
    second = con.execute("SELECT audit_id FROM service.audit_log ORDER BY audit_id LIMIT 1 OFFSET 1").fetchone()[0]
    con.execute("UPDATE service.audit_log SET username = 'someone else' WHERE audit_id = ?", [second])
    assert verify_chain(con) == [second]
    con.execute("DELETE FROM service.audit_log WHERE audit_id = ?", [second])
    assert verify_chain(con) == [second + 1]  # the entry after a removed one no longer follows


def test_json_api_keeps_liaisons_to_their_own_vacancies(world: tuple[World, str]) -> None:
    from tests.live import client_for

    w, url = world
    with client_for(url, "liaison") as own:
        assert own.get(f"/api/vacancies/{w.vacancy}").status_code == 200
    with client_for(url, "liaison2") as other:
        assert w.vacancy not in other.get("/api/vacancies").text
        for path in (f"/api/vacancies/{w.vacancy}", f"/api/shortlists/{w.shortlist}",
                     f"/api/vacancies/{w.vacancy}/shortlists"):
            assert other.get(path).status_code in (403, 404), path


def test_json_api_keeps_coaches_to_their_caseload(world: tuple[World, str]) -> None:
    from tests.live import client_for

    w, url = world
    with client_for(url, "coach2") as other:
        assert w.participant not in other.get("/api/participants").text
        assert w.participant not in other.get("/api/participants", params={"coach": "coach"}).text
        for path in (f"/api/participants/{w.participant}", f"/api/participants/{w.participant}/contact",
                     f"/api/participants/{w.participant}/profile", f"/api/participants/{w.participant}/trajectory",
                     f"/api/participants/{w.participant}/assessments", f"/api/assessments/{w.record}"):
            assert other.get(path).status_code == 404, path
        assert other.patch(f"/api/trajectory-steps/{w.step}", json={"status": "stopped"}).status_code == 404
    with client_for(url, "coach") as own:
        assert own.get(f"/api/participants/{w.participant}/contact").json()["name"] == "Amina Testperson"
        assert w.other_participant not in own.get("/api/participants").text
    rows = _audit(world, object_id=w.participant)
    assert any(r[2] == "coach" and r[4] == "read_contact" and r[7] == "coaching" for r in rows)


def test_unassigned_participants_are_open_to_coaches_for_intake(world: tuple[World, str]) -> None:
    from tests.live import client_for

    _w, url = world
    with client_for(url, "assessor") as assessor:
        created = assessor.post("/api/participants", json={"contact": {"name": "Nieuwe Instromer"}})
        pid = created.json()["participant_id"]
    with client_for(url, "coach2") as coach:
        assert coach.get(f"/api/participants/{pid}").status_code == 200
        assert pid not in coach.get("/api/participants").text  # not in the caseload listing
        assert coach.patch(f"/api/participants/{pid}", json={"changes": {"coach": "coach2"}}).status_code == 200
        assert pid in coach.get("/api/participants").text
    with client_for(url, "coach") as other:
        assert other.get(f"/api/participants/{pid}").status_code == 404


def test_json_api_rankings_respect_caseloads_and_are_audited(world: tuple[World, str]) -> None:
    from tests.live import client_for

    w, url = world
    with client_for(url, "coach2") as other:
        assert other.get(f"/api/participants/{w.participant}/job-targets").status_code == 404
    with client_for(url, "coach") as own:
        assert own.get(f"/api/participants/{w.participant}/job-targets", params={"top": 3}).status_code == 200
    assert any(r[4] == "rank_job_targets" and r[7] == "matching" for r in _audit(world, object_id=w.participant))
    with client_for(url, "liaison") as liaison:
        assert liaison.get(f"/api/shortlists/{w.shortlist}").status_code == 200
    assert any(r[4] == "read_shortlist" and r[2] == "liaison" for r in _audit(world, object_id=w.shortlist))
