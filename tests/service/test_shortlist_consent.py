"""Withdrawn consent ends every liaison access to the candidate at once, through the JSON API."""

from __future__ import annotations

from pathlib import Path

from tests.live import client_for, running_server
from tests.service.world import build_world, fast_matching


def test_withdrawn_consent_ends_shortlist_history_and_status_access(tmp_path: Path) -> None:
    with fast_matching():
        w = build_world(tmp_path / "w.duckdb")
        with running_server(w.db) as url, client_for(url, "liaison") as liaison, client_for(url, "coach") as coach:
            before = liaison.get(f"/api/shortlists/{w.shortlist}")
            codes = [c["candidate"] for c in before.json()["candidates"]]
            assert len(codes) == 2 and all(c.startswith("K-") for c in codes)
            for pid in (w.participant, w.other_participant, w.no_consent):
                assert pid not in before.text  # never the global participant id
            done = liaison.post(f"/api/shortlists/{w.shortlist}/confirm", json={"ordered_candidates": codes})
            assert done.status_code == 200, done.text
            for code in codes:
                r = liaison.post(f"/api/shortlists/{w.shortlist}/candidates/{code}/status",
                                 json={"status": "contacted"})
                assert r.status_code == 201, r.text
            assert coach.put(f"/api/participants/{w.participant}/consent", json={"given": False}).status_code == 200

            after = liaison.get(f"/api/shortlists/{w.shortlist}").json()
            [gone] = set(codes) - {c["candidate"] for c in after["candidates"]}
            assert after["withdrawn"] == 1 and gone not in after["confirmed_order"]
            assert gone not in {e["candidate"] for e in after["history"]}
            history = liaison.get(f"/api/shortlists/{w.shortlist}/history")
            assert history.status_code == 200 and gone not in history.text and len(history.json()) == 1
            assert liaison.get(f"/api/shortlists/{w.shortlist}/history", params={"candidate": gone}).status_code == 404
            status = liaison.post(f"/api/shortlists/{w.shortlist}/candidates/{gone}/status", json={"status": "hired"})
            assert status.status_code == 404
            listed = liaison.get(f"/api/vacancies/{w.vacancy}/shortlists").text
            assert gone not in listed and w.participant not in listed
            with client_for(url, "coach") as own:  # the coach's passport no longer prints contact details
                sheet = own.get(f"/coach/participants/{w.participant}/passport?contact=1")
                assert "+32 470" not in sheet.text
