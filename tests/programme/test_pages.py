"""The programme pages over real HTTP: liaison employers, the coach's pipeline, the admin report."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO

import httpx
import openpyxl
import pytest

from tests.live import running_server
from tests.service.web import csrf_of, form_login
from tests.service.world import World, build_world, fast_matching


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    with fast_matching():
        w = build_world(tmp_path_factory.mktemp("pages") / "w.duckdb")
        with running_server(w.db) as url:
            yield w, url


def client(url: str, role: str) -> httpx.Client:
    c = httpx.Client(base_url=url, timeout=60)
    assert form_login(c, role).status_code == 303
    return c


def test_liaison_adds_an_employer_with_a_wrong_enterprise_number_then_a_right_one(site) -> None:
    _w, url = site
    c = client(url, "liaison")
    page = c.get("/liaison/employers")
    assert page.status_code == 200 and "Testwerkgever" in page.text and "Werkgevers" in page.text
    token = csrf_of(page.text)
    bad = c.post("/liaison/employers", data={"csrf_token": token, "name": "Bakkerij Peeters",
                                             "kbo": "0403.170.702", "postcode": "8000"})
    assert bad.status_code == 422 and "controlecijfers kloppen niet" in bad.text
    ok = c.post("/liaison/employers", data={"csrf_token": token, "name": "Bakkerij Peeters",
                                            "kbo": "0403.170.701", "postcode": "8000"})
    assert ok.status_code == 303
    detail = c.get(ok.headers["location"])
    assert "0403.170.701" in detail.text and "Drempels en bezorgdheden" in detail.text


def test_liaison_adds_contacts_occupations_events_and_concerns_to_an_employer(site) -> None:
    """Each employer form: bad input → the page again with the error by its field (422); good → its section."""
    w, url = site
    c = client(url, "liaison")
    base = f"/liaison/employers/{w.employer}"
    token = csrf_of(c.get(base).text)
    forms = [("contacts", {"name": ""}, "name", {"name": "Sofie Janssens", "job_role": "HR"},
              "?contacts=1#contacts", "Sofie Janssens"),
             ("occupations", {"occupation": "geen beroep"}, "occupation", {"occupation": "magazijnier"},
              "#occupations", "magazijnier"),
             ("events", {"kind": "introduction", "happened_on": "2026-13-01"}, "happened_on",
              {"kind": "introduction", "happened_on": "2026-03-02", "note": "kennismaking"}, "#timeline",
              "kennismaking"),
             ("concerns", {"code": "nope"}, "code", {"code": "transport", "note": "geen bus om 6 uur"},
              "#concerns", "geen bus om 6 uur")]
    for path, bad, field, good, anchor, shown in forms:
        r = c.post(f"{base}/{path}", data={"csrf_token": token, **bad})
        assert r.status_code == 422 and f'id="f-{field}-error"' in r.text, path
        ok = c.post(f"{base}/{path}", data={"csrf_token": token, **good})
        assert ok.status_code == 303 and ok.headers["location"] == base + anchor, path
        assert shown in c.get(ok.headers["location"]).text, path


def test_coach_sees_stage_counts_and_records_a_follow_up(site) -> None:
    w, url = site
    c = client(url, "coach")
    page = c.get(f"/coach/programme/{w.participant}")
    assert page.status_code == 200 and "Tewerkstellingen en opvolging" in page.text and "Testwerkgever" in page.text
    token = csrf_of(page.text)
    r = c.post(f"/coach/programme/{w.participant}/stage", data={"csrf_token": token, "stage": "prescreening",
                                                                  "outcome": "on_hold"})
    assert r.status_code == 422 and "Geef de reden van deze uitkomst." in r.text
    r = c.post(f"/coach/programme/{w.participant}/stage", data={"csrf_token": token, "stage": "employed",
                                                                  "on_date": "2026-01-05"})
    assert r.status_code == 303
    r = c.post(f"/coach/placements/{w.placement}/followups", data={"csrf_token": token, "months": "3",
                                                                   "still_employed": "yes", "same_employer": "yes"})
    assert r.status_code == 303
    overview = c.get("/coach/programme?stage=employed")
    assert w.participant in overview.text and "Aan het werk" in overview.text


def test_admin_reads_the_report_as_page_csv_and_excel(site) -> None:
    w, url = site
    c = client(url, "admin")
    page = c.get("/admin/programme?from=2026-01-01&to=2026-12-31")
    assert page.status_code == 200 and "Projectrapport" in page.text and "&lt;5" in page.text
    assert "Amina" not in page.text and w.participant not in page.text
    csv_text = c.get("/admin/programme.csv?from=2026-01-01&to=2026-12-31").text
    assert "Tewerkgesteld" in csv_text and "<5" in csv_text and "P-" not in csv_text
    wb = openpyxl.load_workbook(BytesIO(c.get("/admin/programme.xlsx?from=2026-01-01&to=2026-12-31").content))
    assert wb.sheetnames == ["Per groep", "Per beroepsgroep"]
    bad = c.get("/admin/programme?from=2026-13-01")
    assert bad.status_code == 422


def test_coach_records_a_placement_via_a_vacancy(site) -> None:
    from tests.service.world import OCCUPATION

    w, url = site
    c = client(url, "coach")
    token = csrf_of(c.get(f"/coach/programme/{w.participant}").text)
    form = {"csrf_token": token, "employer_id": w.employer, "occupation": OCCUPATION, "contract_type": "interim",
            "hours_per_week": "30", "starts_on": "2026-06-01"}
    bad = c.post(f"/coach/programme/{w.participant}/placements", data=form | {"vacancy_id": "V-99999"})
    assert bad.status_code == 422 and "V-99999" in bad.text
    ok = c.post(f"/coach/programme/{w.participant}/placements", data=form | {"vacancy_id": w.vacancy})
    assert ok.status_code == 303
