"""A phone (390 px) never scrolls sideways; the passport prints on A4 from its first page."""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image

from tests.e2e.conftest import login

ROLES = ("assessor", "coach", "liaison", "admin")
SKIP = ("/logout", "/lang/", "/static/", "/docs", "/api/", ".csv", ".xlsx", "/template")


def _local_links(page, url: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    return [h for h in hrefs if h.startswith("/") and not any(s in h for s in SKIP)]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_phone(browser, server: str, role: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, server, role)
    seen, queue, too_wide = set(), ["/"], {}
    while queue and len(seen) < 25:
        path = queue.pop(0)
        if urlsplit(path).path in seen:
            continue
        seen.add(urlsplit(path).path)
        page.goto(server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[path] = width
        queue += _local_links(page, server)
    context.close()
    assert len(seen) > 2 and too_wide == {}


def _ink(png: Path) -> float:
    """The share of non-white pixels of a page image."""
    img = Image.open(png).convert("L")
    hist = img.histogram()
    return 1 - sum(hist[245:]) / (img.width * img.height)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_passport_prints_on_a4_from_the_first_page(browser, server: str, tmp_path: Path, lang: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    login(page, server, "coach")
    page.goto(f"{server}/coach/participants")
    link = page.locator("a[href^='/coach/participants/P-']").first.get_attribute("href")
    page.goto(f"{server}{link}/passport?lang={lang}")
    page.emulate_media(media="print")
    pdf = tmp_path / f"passport-{lang}.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    context.close()
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages
    first = Image.open(pages[0])
    assert abs(first.height / first.width - 297 / 210) < 0.02  # A4 portrait
    assert _ink(pages[0]) > 0.04, "the first printed page is mostly blank"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert ("Competentiepaspoort" if lang == "nl" else "Competence passport") in text
