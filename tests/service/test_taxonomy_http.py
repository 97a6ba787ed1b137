"""Taxonomy over HTTP: search says when it is lexical only; admins manage local labels."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from foundation.db import connect
from taxonomy.esco_import import import_esco
from taxonomy.store import SAMPLE_DIR
from tests.live import add_role_users, client_for, running_server

SKILL = "https://werkbrug.example/taxonomy/skill/aanpassen"
OCCUPATION = "https://werkbrug.example/taxonomy/occupation/afwasser"


@pytest.fixture(scope="module")
def url(tmp_path_factory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("taxhttp") / "tax.duckdb"
    con = connect(db)
    import_esco(con, SAMPLE_DIR)
    for uri in (SKILL, OCCUPATION):  # English only, like 58 % of ESCO's skills
        con.execute("DELETE FROM taxonomy.labels WHERE uri = ? AND lang = 'nl'", [uri])
    con.close()
    add_role_users(db)
    with running_server(Path(db)) as base:
        yield base


def test_search_without_vectors_answers_lexically_and_says_so(url: str) -> None:
    with client_for(url, "liaison") as c:
        r = c.get("/api/taxonomy/search", params={"q": "Magazijnier (m/v/x)", "top": 3, "lang": "nl"})
        assert r.status_code == 200
        hits = r.json()
        assert hits[0]["uri"].endswith("/magazijnier") and {h["mode"] for h in hits} == {"lexical"}
        assert r.headers["X-Search-Mode"] == "lexical"
        assert "werkbrug taxonomy index" in r.headers["X-Search-Notice"]
        assert "spelling" in r.headers["X-Search-Notice"]
        en = c.get("/api/taxonomy/search", params={"q": "warehouse", "lang": "en"})
        assert "ranked by spelling" in en.headers["X-Search-Notice"]


def test_admin_adds_lists_exports_and_removes_a_local_label(url: str) -> None:
    with client_for(url, "coach") as c:
        assert c.get("/api/taxonomy/labels").status_code == 403
        assert c.post("/api/taxonomy/labels", json={"uri": SKILL, "label": "x"}).status_code == 403
    with client_for(url, "admin") as c:
        r = c.post("/api/taxonomy/labels", json={"uri": SKILL, "label": "zich aanpassen"})
        assert r.status_code == 201, r.text
        added = r.json()
        assert (added["concept_type"], added["lang"], added["kind"], added["created_by"]) == (
            "skill", "nl", "preferred", "admin")
        again = c.post("/api/taxonomy/labels", json={"uri": SKILL, "label": "nog een"})
        assert again.status_code == 409
        assert c.post("/api/taxonomy/labels", json={"uri": SKILL + "-none", "label": "x"}).status_code == 404
        assert [x["label"] for x in c.get("/api/taxonomy/labels").json()] == ["zich aanpassen"]
        csv_text = c.get("/api/taxonomy/labels.csv").text
        assert csv_text.splitlines()[0].startswith("label_id,uri") and "zich aanpassen" in csv_text
        hits = c.get("/api/taxonomy/search", params={"q": "zich aanpassen", "kind": "skill", "lang": "nl"}).json()
        assert hits[0]["uri"] == SKILL and hits[0]["label"] == "zich aanpassen" and hits[0]["label_lang"] == "nl"
        page = c.get("/admin/labels")
        assert page.status_code == 200 and "zich aanpassen" in page.text and "Lokale termen" in page.text
        assert c.delete(f"/api/taxonomy/labels/{added['label_id']}").status_code == 200
        hits = c.get("/api/taxonomy/search", params={"q": "adapt to change", "kind": "skill", "lang": "nl"}).json()
        found = next(h for h in hits if h["uri"] == SKILL)
        assert found["label_lang"] == "en"  # back to ESCO's English label, marked as such
        log = c.get("/api/admin/audit", params={"object_id": SKILL}).json()
        assert {e["action"] for e in log} >= {"add_local_label", "remove_local_label"}


def test_pages_mark_labels_without_a_dutch_esco_term(url: str) -> None:
    with client_for(url, "admin") as c:
        r = c.put("/api/language-requirements", json={"occupation_uri": OCCUPATION, "listening": "A2",
                                                     "reading": "A1", "speaking": "A2", "writing": "A1"})
        assert r.status_code == 200, r.text
        page = c.get("/admin/language-requirements").text
        assert 'title="geen Nederlandse ESCO-term">EN</abbr>' in page and '<span lang="en">dishwasher</span>' in page
        english = c.get("/admin/language-requirements", params={"lang": "en"}).text
        assert ">EN</abbr>" not in english and "dishwasher" in english
