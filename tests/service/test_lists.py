"""Long lists are paged, sortable and searchable; nothing silently stops at a limit."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from assessment.participants import create_participant
from foundation.db import connect
from tests.live import running_server
from tests.service.web import browser_for
from tests.service.world import World, build_world, fast_matching

EXTRA = 57


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    with fast_matching():
        w = build_world(tmp_path_factory.mktemp("lists") / "w.duckdb")
        con = connect(w.db)
        for i in range(EXTRA):
            create_participant(con, by="assessor", consent=True, contact={"name": f"Persoon {i:03d}"},
                               details={"coach": "coach"})
        con.close()
        with running_server(w.db) as url:
            yield w, url


def _ids(html: str, role: str) -> list[str]:
    return re.findall(rf'href="/{role}/participants/(P-[0-9A-Z]+)"', html)


@pytest.mark.parametrize("role", ["assessor", "coach"])
def test_every_participant_is_reachable_page_by_page(world: tuple[World, str], role: str) -> None:
    _w, url = world
    with browser_for(url, role) as c:
        first = c.get(f"/{role}/participants?sort=name").text
        total = int(re.search(r"(\d+) gevonden", first).group(1))
        assert total >= EXTRA and "Pagina 1 van 2" in first and 'rel="next"' in first
        seen = list(dict.fromkeys(_ids(first, role)))
        second = c.get(f"/{role}/participants?sort=name&page=2").text
        seen += list(dict.fromkeys(_ids(second, role)))
        assert len(seen) == len(set(seen)) == total
        names = re.findall(r"Persoon (\d{3})", first)
        assert names == sorted(names)                                     # sorted by name
        found = c.get(f"/{role}/participants?q=Persoon 04").text
        assert re.search(r"\b10 gevonden", found) and "Persoon 049" in found
        search = re.search(r'<form method="get" action="([^"]+)" role="search".*?</form>', found, re.S)
        assert search and search.group(1) == f"/{role}/participants"     # the search stays on this list
        assert 'value="Persoon 04"' in search.group(0) and "Zoek op naam of deelnemersnummer" in search.group(0)
        newest = c.get(f"/{role}/participants?sort=newest").text
        assert '<option value="newest" selected>' in newest
