"""A liaison's stored shortlist loses a candidate the moment that candidate withdraws consent."""

from __future__ import annotations

from pathlib import Path

from tests.live import client_for, running_server
from tests.service.world import build_world, fast_matching


def test_withdrawn_consent_hides_the_candidate_from_stored_shortlists(tmp_path: Path) -> None:
    with fast_matching():
        w = build_world(tmp_path / "w.duckdb")
        with running_server(w.db) as url, client_for(url, "liaison") as liaison, client_for(url, "coach") as coach:
            before = liaison.get(f"/api/shortlists/{w.shortlist}").json()
            ids = [c["participant_id"] for c in before["candidates"]]
            assert w.participant in ids and w.no_consent not in ids
            withdrawn = coach.put(f"/api/participants/{w.participant}/consent", json={"given": False})
            assert withdrawn.status_code == 200
            after = liaison.get(f"/api/shortlists/{w.shortlist}").json()
            assert w.participant not in [c["participant_id"] for c in after["candidates"]]
            assert len(after["candidates"]) == len(ids) - 1
            listed = liaison.get(f"/api/vacancies/{w.vacancy}/shortlists").json()
            assert all(w.participant not in [c["participant_id"] for c in sl["candidates"]] for sl in listed)
