"""The shortlist confirmation page names what is wrong by field, in the reader's language, from the service's rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.live import client_for, running_server
from tests.service.web import browser_for, post_form
from tests.service.world import build_world, fast_matching

TEXTS = {
    "nl": ("Vul uw naam in: een kortlijst wordt bevestigd door een persoon met naam.",
           "Geef een reden: kandidaat {code} is uit het voorstel gehaald."),
    "en": ("Enter your name: a named person confirms a shortlist.",
           "Give a reason: candidate {code} was removed from the suggestion."),
}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_confirming_without_a_name_or_a_reason_is_refused_per_field(tmp_path: Path, lang: str) -> None:
    with fast_matching():
        w = build_world(tmp_path / "w.duckdb")
        with running_server(w.db) as url:
            with client_for(url, "liaison") as api:
                codes = [c["candidate"] for c in api.get(f"/api/shortlists/{w.shortlist}").json()["candidates"]]
            assert len(codes) == 2
            page = f"/liaison/shortlists/{w.shortlist}"
            with browser_for(url, "liaison") as c:
                c.cookies.set("werkbrug_lang", lang)
                unnamed = post_form(c, page, f"{page}/confirm", {
                    "confirmed_by": " ", **{f"keep_{k}": "1" for k in codes},
                    **{f"position_{k}": str(n) for n, k in enumerate(codes, start=1)}})
                assert unnamed.status_code == 422
                assert TEXTS[lang][0] in unnamed.text and 'id="f-confirmed_by-error"' in unnamed.text
                dropped = post_form(c, page, f"{page}/confirm", {
                    "confirmed_by": "Lotte", f"keep_{codes[0]}": "1", f"position_{codes[0]}": "1"})
                assert dropped.status_code == 422
                assert TEXTS[lang][1].format(code=codes[1]) in dropped.text
                assert f'id="f-reason_{codes[1]}-error"' in dropped.text
            with client_for(url, "liaison") as api:
                assert api.get(f"/api/shortlists/{w.shortlist}").json()["status"] == "suggested"
