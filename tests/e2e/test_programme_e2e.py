"""The programme in a real browser: a liaison contacts an employer for a candidate's job target,
a coordinator (admin) reads the programme report and downloads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]


def new_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def test_liaison_presents_a_candidate_to_an_employer_for_a_job_target(browser, server: str, shots: Path) -> None:
    context, page = new_page(browser)
    login(page, server, "liaison")
    page.get_by_role("link", name="Te contacteren werkgevers", exact=True).click()
    assert "onder een code, nooit bij naam" in page.locator("main").inner_text()
    page.locator("a[href^='/liaison/outreach/J-']").first.click()
    main = page.locator("main")
    assert "kandidaten met dit jobdoelwit" in main.inner_text()
    assert "Werft aan voor" in main.inner_text()
    employer = page.locator("li.target h2 a").first.inner_text()
    shot(page, shots, "liaison-outreach")
    page.locator("li.target").first.get_by_label("Notitie").fill("Competentieprofiel per mail bezorgd")
    page.locator("li.target").first.get_by_role("button", name="Kandidaat voorgesteld").click()
    assert "Genoteerd op de tijdlijn van de werkgever." in page.locator(".flash.ok").inner_text()
    page.get_by_role("link", name=employer).first.click()
    timeline = page.locator("#timeline").inner_text()
    assert "Kandidaat voorgesteld" in timeline and "Competentieprofiel per mail bezorgd" in timeline
    assert "Drempels en bezorgdheden" in page.locator("main").inner_text()
    shot(page, shots, "liaison-employer")
    context.close()


def test_coordinator_reads_the_programme_report(browser, server: str, shots: Path, tmp_path: Path) -> None:
    context, page = new_page(browser)
    login(page, server, "admin")
    page.get_by_role("link", name="Projectrapport", exact=True).click()
    page.get_by_label("Van", exact=True).fill("2026-01-01")
    page.get_by_label("Tot", exact=True).fill("2026-12-31")
    page.get_by_role("button", name="Tonen").click()
    main = page.locator("main").inner_text()
    assert "Per groep" in main and "Brugge werkt 2026-1" in main and "Tewerkgesteld" in main
    assert "<5" in main and "Amina" not in main
    shot(page, shots, "admin-programme-report")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV downloaden").click()
    csv_file = tmp_path / "report.csv"
    download.value.save_as(csv_file)
    text = csv_file.read_text(encoding="utf-8")
    assert "Tewerkgesteld" in text and "P-" not in text
    context.close()
