"""The matching and vacancy routes over real HTTP (uvicorn), with real logins and roles."""

from pathlib import Path

from assessment.participants import create_participant
from foundation.db import connect
from service.users import create_user
from tests.live import PASSWORD, add_role_users, client_for, running_server
from tests.matching.helpers import occupation_by_label, skills_of


def _setup(db: Path) -> tuple[str, str, list[str]]:
    add_role_users(db)
    con = connect(db)
    create_user(con, username="liaison2", password=PASSWORD, role="liaison")
    occ = occupation_by_label(con, "forklift operator")
    ess = skills_of(con, occ)
    pid = create_participant(con, by="assessor", consent=True, contact={"name": "Hidden Name"}, details={
        "postcode": "8200", "transport_modes": ["bike"], "declared_skills": ess[:6]}).participant_id
    create_participant(con, by="assessor", consent=False, details={
        "postcode": "8000", "declared_skills": ess})
    con.close()
    return pid, occ, ess


def test_job_targets_routes(mdb: Path):
    pid, occ, _ = _setup(mdb)
    with running_server(mdb) as url:
        with client_for(url, "coach") as coach:
            r = coach.get(f"/api/participants/{pid}/job-targets", params={"top": 5})
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["targets"][0]["occupation_uri"] == occ and len(body["targets"]) == 5
            t = body["targets"][0]
            expected = {"parts", "supporting_skills", "missing_essential", "language", "open_vacancies", "next_steps"}
            assert expected <= set(t)
            assert coach.get(f"/api/participants/{pid}/job-targets", params={"top": 0}).status_code == 422
            assert coach.get("/api/participants/P-NOPE/job-targets").status_code == 404
            bad = coach.post("/api/job-targets", json={"profile": {"participant_id": "x", "skills": [
                {"uri": "u", "level": 7, "confidence": 0.5, "evidence_kind": "assessed"}]}})
            assert bad.status_code == 422
            ok = coach.post("/api/job-targets", json={"profile": {"participant_id": "adhoc"}, "top": 3})
            assert ok.status_code == 200 and len(ok.json()["targets"]) == 3
            assert coach.put("/api/language-requirements", json={
                "isco_code": "83", "listening": "A2", "reading": "A2", "speaking": "A2", "writing": "A1"}
            ).status_code == 403
        with client_for(url, "liaison") as liaison:
            assert liaison.get(f"/api/participants/{pid}/job-targets").status_code == 403
        with client_for(url, None) as anon:
            assert anon.get(f"/api/participants/{pid}/job-targets").status_code == 401
        with client_for(url, "admin") as admin:
            bad = admin.put("/api/language-requirements", json={
                "isco_code": "83", "listening": "X1", "reading": "A2", "speaking": "A2", "writing": "A1"})
            assert bad.status_code == 422 and bad.json()["problems"][0]["column"] == "listening"
            ok = admin.put("/api/language-requirements", json={
                "isco_code": "83", "listening": "B1", "reading": "A2", "speaking": "A2", "writing": "A1"})
            assert ok.status_code == 200 and ok.json()["source"] == "isco 83"
            log = admin.get("/api/matching/log", params={"kind": "job_targets", "input_id": pid}).json()
            assert len(log) == 1 and log[0]["requested_by"] == "coach"


def test_vacancy_and_shortlist_routes(mdb: Path):
    pid, occ, ess = _setup(mdb)
    vacancy = {"title": "Heftruckchauffeur", "description": "Laden en lossen met de heftruck in ons magazijn.",
               "employer": "Logistiek NV", "postcode": "8000", "dutch_level": "A2"}
    with running_server(mdb) as url:
        with client_for(url, "coach") as coach:
            assert coach.post("/api/vacancies", json=vacancy).status_code == 403
        with client_for(url, "liaison") as liaison:
            bad = liaison.post("/api/vacancies", json={**vacancy, "postcode": "0001", "hours_per_week": 0})
            assert bad.status_code == 422
            r = liaison.post("/api/vacancies", json=vacancy)
            assert r.status_code == 201, r.text
            v = r.json()
            assert v["owner"] == "liaison" and v["proposal"]["occupations"][0]["uri"] == occ
            vid = v["vacancy_id"]
            nl, en = (liaison.get(f"/api/vacancies/{vid}", headers={"Accept-Language": lg}).json()["proposal"]
                      for lg in ("nl", "en"))               # the proposal's labels in the reader's language
            assert (nl["occupations"][0]["label"], en["occupations"][0]["label"]) == ("heftruckchauffeur",
                                                                                     "forklift operator")
            assert [s["uri"] for s in nl["skills"]] == [s["uri"] for s in en["skills"]]
            assert any(a["label"] != b["label"] for a, b in zip(nl["skills"], en["skills"], strict=True))
            early = liaison.post(f"/api/vacancies/{vid}/shortlists", headers={"Accept-Language": "nl"})
            assert early.status_code == 409   # not confirmed yet, said in words
            assert early.json()["code"] == "shortlist.vacancy_not_confirmed"
            assert early.json()["detail"].startswith(f"Bevestig eerst de beroepen en vaardigheden van vacature {vid}")
            bad = liaison.post(f"/api/vacancies/{vid}/confirm", json={"occupation_uris": [occ],
                                                                       "essential_skills": ["nope"]})
            assert bad.status_code == 422 and bad.json()["problems"][0]["column"] == "essential_skills"
            ok = liaison.post(f"/api/vacancies/{vid}/confirm", json={"occupation_uris": [occ],
                                                                      "essential_skills": ess[:8]})
            assert ok.status_code == 200 and ok.json()["status"] == "confirmed"
            r = liaison.post(f"/api/vacancies/{vid}/shortlists", params={"top": 10})
            assert r.status_code == 201, r.text
            sl = r.json()
            [code] = [c["candidate"] for c in sl["candidates"]]                   # the other did not consent
            assert code.startswith("K-") and pid not in r.text and "participant_id" not in r.text
            assert "Hidden Name" not in r.text
            sid = sl["shortlist_id"]
            assert liaison.post(f"/api/shortlists/{sid}/confirm", json={"ordered_candidates": []}
                                ).status_code == 422                              # removal without a reason
            done = liaison.post(f"/api/shortlists/{sid}/confirm", json={"ordered_candidates": [code]})
            assert done.status_code == 200 and done.json()["status"] == "confirmed"
            assert done.json()["confirmed_order"] == [code]
            st = liaison.post(f"/api/shortlists/{sid}/candidates/{code}/status", json={"status": "invited"})
            assert st.status_code == 201 and st.json()["candidate"] == code
            assert liaison.post(f"/api/shortlists/{sid}/candidates/{code}/status",
                                json={"status": "maybe"}).status_code == 422
            assert liaison.post(f"/api/shortlists/{sid}/candidates/{pid}/status",
                                json={"status": "invited"}).status_code == 404  # never by participant id
            history = liaison.get(f"/api/shortlists/{sid}/history")
            assert [h["status"] for h in history.json()] == ["invited"] and pid not in history.text
            csv = "title,description,employer,postcode\nKok,Koken,Resto,8000\n,Koken,Resto,12345\n"
            imp = liaison.post("/api/vacancies/import", files={"file": ("v.csv", csv.encode(), "text/csv")})
            assert imp.status_code == 422
            assert {(p.get("row"), p.get("column")) for p in imp.json()["problems"]} >= {(3, "title"),
                                                                                         (3, "postcode")}
            assert [x["vacancy_id"] for x in liaison.get("/api/vacancies").json()] == [vid]
        with client_for(url, "liaison2") as other:
            assert other.get(f"/api/vacancies/{vid}").status_code == 404       # as if it did not exist
            assert other.get(f"/api/shortlists/{sid}").status_code == 404
            assert other.get("/api/vacancies").json() == []
        with client_for(url, "admin") as admin:
            assert admin.get(f"/api/vacancies/{vid}").status_code == 200
            assert admin.get("/api/vacancies/V-99999").status_code == 404
            log = admin.get("/api/matching/log", params={"kind": "shortlist"}).json()
            assert log[0]["input_ids"] == [vid] and log[0]["outputs"][0]["id"] == pid
