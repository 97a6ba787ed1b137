"""At 390 px the lists, the vacancy edit form and the close question fit without sideways scrolling."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize(("role", "paths"), [
    ("liaison", ["/liaison/vacancies?q=a&sort=title", "/liaison/shortlists?sort=status"]),
    ("admin", ["/admin/audit?q=vacancy&sort=oldest"]),
    ("coach", ["/coach/participants"]),
])
def test_lists_fit_a_phone(browser, server: str, role: str, paths: list[str]) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, server, role)
    try:
        for path in paths:
            page.goto(server + path)
            assert page.locator("form[role=search], form[action='/coach/participants']").count() >= 1
            assert _width(page) <= 390, path
    finally:
        context.close()


def test_the_vacancy_edit_form_and_close_question_fit_a_phone(browser, server: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, server, "liaison")
    try:
        page.goto(f"{server}/liaison/vacancies?status=confirmed")
        link = page.locator("a[href^='/liaison/vacancies/V-']").first.get_attribute("href")
        page.goto(server + link)
        page.locator("#edit > summary").click()
        page.locator("#close > summary").click()
        assert page.locator("#f-title").is_visible() and page.get_by_text("Ja, sluit deze vacature af").is_visible()
        assert _width(page) <= 390
    finally:
        context.close()
