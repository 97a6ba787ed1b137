"""Each list page and the API offer exactly the sort orders the service layer knows (one whitelist per list)."""

from __future__ import annotations

import typing
from collections.abc import Iterator

import pytest

from assessment.participants import PARTICIPANT_ORDERS
from foundation.audit import LOG_ORDERS
from matching.shortlist_index import SHORTLIST_ORDERS
from matching.vacancies.store import VACANCY_ORDERS
from tests.live import running_server
from tests.service.test_cefr_choices import options
from tests.service.web import browser_for
from tests.service.world import World, build_world, fast_matching


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    with fast_matching():
        w = build_world(tmp_path_factory.mktemp("sort") / "w.duckdb")
        with running_server(w.db) as url:
            yield w, url


@pytest.mark.parametrize(("role", "page", "orders"), [
    ("assessor", "/assessor/participants", PARTICIPANT_ORDERS), ("coach", "/coach/participants", PARTICIPANT_ORDERS),
    ("liaison", "/liaison/vacancies", VACANCY_ORDERS), ("liaison", "/liaison/shortlists", SHORTLIST_ORDERS),
    ("admin", "/admin/audit", LOG_ORDERS)])
def test_a_list_page_offers_the_orders_of_its_service(world: tuple[World, str], role: str, page: str,
                                                      orders: dict[str, str]) -> None:
    _w, url = world
    with browser_for(url, role) as c:
        r = c.get(page)
    assert r.status_code == 200
    assert set(options(r.text, "sort")) == set(orders)


def test_the_vacancy_api_sorts_by_the_same_orders() -> None:
    from service.routers.vacancies import get_vacancies

    sort = typing.get_type_hints(get_vacancies, include_extras=False)["sort"]
    assert set(typing.get_args(sort)) == set(VACANCY_ORDERS)
