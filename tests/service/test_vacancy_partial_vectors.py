"""A vacancy read with some of its skill encoders missing says which one on the confirm page."""

from __future__ import annotations

import os
from pathlib import Path

from foundation.db import connect
from matching.vacancies.skills import skill_labels
from taxonomy.encoders import get_encoder
from taxonomy.index import text_vectors
from tests.live import running_server
from tests.service.web import browser_for, post_form
from tests.service.world import build_world, fast_matching

TEXT = "Je laadt en lost vrachtwagens met de heftruck en je houdt de voorraad bij."


def test_the_confirm_page_names_the_encoder_left_out(tmp_path: Path) -> None:
    with fast_matching():
        w = build_world(tmp_path / "w.duckdb")
    con = connect(w.db)
    try:  # USE vectors for every skill label of the sample, as `taxonomy index --skills` stores them; no e5
        text_vectors(con, skill_labels(con)["label"].tolist(), encoder=get_encoder("use-multilingual"))
    finally:
        con.close()
    with fast_matching():
        os.environ["WERKBRUG_VACANCY_SEARCH"] = "hybrid"
        with running_server(w.db) as url, browser_for(url, "liaison") as c:
            r = post_form(c, "/liaison/vacancies", "/liaison/vacancies",
                          {"title": "Heftruckchauffeur", "employer": "Logistiek NV", "postcode": "8000",
                           "hours_per_week": "38", "description": TEXT})
            assert r.status_code == 303, r.text
            page = c.get(r.headers["location"]).text
            c.cookies.set("werkbrug_lang", "en")
            english = c.get(r.headers["location"]).text
    assert "Gelezen zonder e5-small" in page and "Alleen de schrijfwijze" not in page
    assert "Read without e5-small" in english
    # the word table is no vector: its own sentence, never its part name in the list of encoders
    assert "Gelezen zonder de woordentabel Nederlands–Engels" in page and "translation" not in page
    assert "Read without the Dutch–English word table" in english
