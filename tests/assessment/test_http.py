"""The participant and assessment API over real HTTP (uvicorn on a real database file)."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from tests.assessment.conftest import KITCHEN_PORTER, OPERATE_DISHWASHER
from tests.live import add_role_users, client_for, running_server

pytestmark = pytest.mark.xdist_group("assessment-http")


@pytest.fixture(scope="module")
def url(esco_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("assessment-http") / "werkbrug.duckdb"
    shutil.copy(esco_db_file, db)
    add_role_users(db)
    with running_server(db) as base:
        yield base


def _new(client, **body) -> str:
    r = client.post("/api/participants", json=body)
    assert r.status_code == 201, r.text
    return r.json()["participant_id"]


def test_roles_guard_every_route(url: str) -> None:
    with client_for(url, "assessor") as assessor:
        pid = _new(assessor)
    routes = [("get", "/api/participants"), ("post", "/api/participants"), ("get", f"/api/participants/{pid}"),
              ("get", f"/api/participants/{pid}/profile"), ("get", "/api/instruments"),
              ("post", "/api/assessments"), ("post", "/api/assessments/import"),
              ("get", f"/api/participants/{pid}/assessments"), ("put", f"/api/participants/{pid}/consent"),
              ("get", f"/api/participants/{pid}/export")]
    with client_for(url, None) as anon, client_for(url, "liaison") as liaison:
        for method, path in routes:
            assert getattr(anon, method)(path).status_code == 401, path
            assert getattr(liaison, method)(path).status_code == 403, path
    with client_for(url, "assessor") as assessor:
        assert assessor.put(f"/api/participants/{pid}/consent", json={"given": True}).status_code == 403
        assert assessor.get(f"/api/participants/{pid}/export").status_code == 403
    with client_for(url, "coach") as coach:
        r = coach.put(f"/api/participants/{pid}/consent", json={"given": True, "note": "signed form"})
        assert r.status_code == 200 and r.json()["consent"] is True


def test_participant_routes(url: str) -> None:
    with client_for(url, "coach") as coach:
        pid = _new(coach, coach="coach", postcode="8500", transport_modes=["ebike_moped"],
                   experience=[{"occupation_uri": KITCHEN_PORTER, "years": 1}],
                   contact={"name": "Mariam Yusuf"}, protected={"gender": "f"})
        got = coach.get(f"/api/participants/{pid}").json()
        assert got["postcode"] == "8500" and "Mariam" not in str(got)
        assert coach.get(f"/api/participants/{pid}/contact").json()["name"] == "Mariam Yusuf"
        mine = coach.get("/api/participants", params={"coach": "coach"}).json()
        assert pid in [p["participant_id"] for p in mine]
        found = coach.get("/api/participants", params={"search": "mariam"}).json()
        assert [p["participant_id"] for p in found] == [pid]
        r = coach.patch(f"/api/participants/{pid}", json={"changes": {"hours_per_week": 20}})
        assert r.status_code == 200 and r.json()["hours_per_week"] == 20
        bad = coach.patch(f"/api/participants/{pid}", json={"changes": {"postcode": "B8500"}})
        assert bad.status_code == 422 and bad.json()["problems"][0]["column"] == "postcode"
        bad = coach.post("/api/participants", json={"experience": [{"occupation_uri": "http://x/nope", "years": 1}]})
        assert bad.status_code == 422 and bad.json()["problems"][0]["column"] == "experience.0.occupation_uri"
        assert coach.post("/api/participants", json={"religion": "x"}).status_code == 422
        assert coach.get("/api/participants/P-NOPE00").status_code == 404
        r = coach.post(f"/api/participants/{pid}/targets", json={"occupation_uris": [KITCHEN_PORTER], "note": "ok"})
        assert r.status_code == 201
        step = coach.post(f"/api/participants/{pid}/steps", json={"kind": "internship", "title": "Stage keuken"})
        assert step.status_code == 201
        done = coach.patch(f"/api/trajectory-steps/{step.json()['step_id']}", json={"status": "completed"})
        assert done.json()["status"] == "completed"
        traj = coach.get(f"/api/participants/{pid}/trajectory").json()
        assert traj["agreed_targets"]["occupation_uris"] == [KITCHEN_PORTER] and len(traj["steps"]) == 1
        profile = coach.get(f"/api/participants/{pid}/profile").json()
        assert profile["agreed_targets"] == [KITCHEN_PORTER] and profile["skills"]
        assert all(s["evidence_kind"] == "experience" for s in profile["skills"])
        export = coach.get(f"/api/participants/{pid}/export").json()
        assert export["contact"]["name"] == "Mariam Yusuf" and export["protected_attributes"]["gender"] == "f"
        assert "skills" in coach.get("/api/profile-schema").json()["properties"]


def test_record_and_bad_records(url: str) -> None:
    with client_for(url, "assessor") as c:
        pid = _new(c)
        body = {"participant_id": pid, "instrument_id": "kitchen-hospitality", "assessed_on": "2026-10-01",
                "scores": {"dishwasher": 3}}
        first = c.post("/api/assessments", json=body)
        assert first.status_code == 201 and first.json()["assessor"] == "assessor"
        rid = first.json()["record_id"]
        bad = [
            ({"participant_id": "P-NOPE00"}, 404),
            ({"instrument_id": "juggling"}, 404),
            ({"scores": {"unicycle": 1}}, 422),
            ({"scores": {"dishwasher": 5}}, 422),
            ({"instrument_id": "dutch-cefr", "scores": {"speaking": "B3"}}, 422),
            ({"assessed_on": "yesterday"}, 422),
            ({"corrects": "R-NOTHERE"}, 404),
        ]
        for change, code in bad:
            r = c.post("/api/assessments", json=body | change)
            assert r.status_code == code, (change, r.text)
        fix = c.post("/api/assessments", json=body | {"scores": {"dishwasher": 4}, "corrects": rid})
        assert fix.status_code == 201
        assert c.post("/api/assessments", json=body | {"corrects": rid}).status_code == 409
        records = c.get(f"/api/participants/{pid}/assessments").json()
        assert [r["record_id"] for r in records] == [rid, fix.json()["record_id"]]
        assert records[0]["superseded_by"] == fix.json()["record_id"]
        dish = next(s for s in c.get(f"/api/participants/{pid}/profile").json()["skills"]
                    if s["uri"] == OPERATE_DISHWASHER)
        assert dish["level"] == 1.0
        assert c.get(f"/api/assessments/{rid}").json()["scores"] == {"dishwasher": 3}


def test_template_upload_round_trip(url: str) -> None:
    with client_for(url, "assessor") as c:
        a, b = _new(c), _new(c)
        assert {"cleaning", "dutch-cefr"} <= {i["id"] for i in c.get("/api/instruments").json()}
        assert c.get("/api/instruments/social-skills").json()["kind"] == "observation"
        assert c.get("/api/instruments/juggling").status_code == 404
        t = c.get("/api/instruments/cleaning/template", params={"participant": [a, b]})
        assert t.status_code == 200 and "attachment" in t.headers["content-disposition"]
        wb = openpyxl.load_workbook(io.BytesIO(t.content))
        ws = wb["Scores"]
        assert [ws["A2"].value, ws["A3"].value] == [a, b]
        for row in (2, 3):
            ws.cell(row=row, column=2, value=date(2026, 10, 1))
            ws.cell(row=row, column=4, value=2)
        ws.cell(row=3, column=5, value=8)  # floor_machine out of scale
        buf = io.BytesIO()
        wb.save(buf)
        bad = c.post("/api/assessments/import", files={"file": ("schoonmaak.xlsx", buf.getvalue())},
                     headers={"Accept-Language": "en-GB,en;q=0.9"})
        assert bad.status_code == 422
        assert bad.json()["problems"] == [{"message": "score 8 is outside the scale 0–4", "file": "schoonmaak.xlsx",
                                           "sheet": "Scores", "row": 3, "column": "E (floor_machine)",
                                           "code": "records.score_out_of_scale",
                                           "params": {"value": "8", "min": 0, "max": 4}}]
        assert bad.json()["code"] == "batch.nothing_imported" and bad.json()["params"]["count"] == 1
        nl = c.post("/api/assessments/import?lang=nl", files={"file": ("schoonmaak.xlsx", buf.getvalue())})
        assert nl.json()["detail"] == "schoonmaak.xlsx: 1 probleem; er is niets geïmporteerd"
        assert nl.json()["problems"][0]["message"] == "score 8 ligt buiten de schaal 0–4"
        assert c.get(f"/api/participants/{a}/assessments").json() == []
        ws.cell(row=3, column=5, value=3)
        buf = io.BytesIO()
        wb.save(buf)
        ok = c.post("/api/assessments/import", files={"file": ("schoonmaak.xlsx", buf.getvalue())})
        assert ok.status_code == 201 and ok.json()["n_records"] == 2
        dup = c.post("/api/assessments/import", files={"file": ("kopie.xlsx", buf.getvalue())})
        assert dup.status_code == 409
        macro = c.post("/api/assessments/import", files={"file": ("schoonmaak.xlsm", buf.getvalue())})
        assert macro.status_code == 422
        csv = c.get("/api/instruments/dutch-cefr/template", params={"format": "csv"})
        assert csv.text.lstrip("\ufeff").startswith("instrument;versie;deelnemer")
        body = csv.text + f"dutch-cefr;1;{a};2026-10-01;;A1.2;A1;;\n"
        ok = c.post("/api/assessments/import", files={"file": ("taal.csv", body.encode())})
        assert ok.status_code == 201, ok.text
        assert c.get(f"/api/participants/{a}/profile").json()["dutch"]["listening"] == "A1.2"
