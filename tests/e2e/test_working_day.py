"""A working day in Dutch, in a real browser, on a desktop (1280 px) and a phone (390 px), on the
demo database built from the real ESCO files (the session's ``demo_db_file``): intake with
experience (occupation picker) and mobility → assessment → job targets → agreed target and
steps → vacancy → shortlist → contacted → the coach sees it.

The desktop run's screenshots are the README's "working day" pictures: refresh them with
``WERKBRUG_SCREENSHOTS=docs/screenshots pytest tests/e2e/test_working_day.py``.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import PASSWORDS, login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.esco, pytest.mark.xdist_group("browser")]
WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture(scope="module")
def searching(server: str) -> str:
    """The server after one occupation search: the first loads the sentence encoder and ESCO's label
    vectors (most of a minute on a busy machine); the picker in the browser then answers at once."""
    with httpx.Client(base_url=server, timeout=600) as c:
        token = c.post("/api/auth/token", json={"username": "assessor", "password": PASSWORDS["assessor"]})
        c.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        assert c.get("/api/taxonomy/search", params={"q": "magazijnier"}).status_code == 200
    return server


def _page(browser, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-BE")
    context.set_default_timeout(20_000)
    return context, context.new_page()


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_working_day(browser, searching: str, demo_db_file: Path, shots: Path, device: str) -> None:
    if "ESCO" not in _taxonomy(demo_db_file):
        pytest.skip("the real ESCO files are not available (../shared/esco or $WERKBRUG_ESCO)")
    server = searching
    width = WIDTHS[device]
    snap = (lambda page, name: shot(page, shots, name)) if device == "desktop" else (lambda page, name: None)
    name = f"Fatima Werkdag {device}"

    # assessor: register, intake with experience and mobility, a Dutch assessment
    context, page = _page(browser, width)
    login(page, server, "assessor")
    page.goto(f"{server}/assessor/participants")
    page.get_by_role("textbox", name="Naam", exact=True).fill(name)
    page.get_by_role("combobox", name="Trajectbegeleider", exact=True).select_option("coach")
    page.get_by_label("Postcode (woonplaats)").fill("8000")
    page.locator("#f-consent").check()
    page.get_by_role("button", name="Registreren").click()
    assert "geregistreerd" in page.locator(".flash.ok").inner_text()
    pid = page.url.split("/participants/", 1)[1].split("/", 1)[0]
    picker = page.get_by_role("combobox", name="Beroep 1", exact=True)
    picker.press_sequentially("magazijnier", delay=20)
    option = page.locator("#f-exp_label_0-list [role=option]").first
    option.wait_for()
    option.click()
    assert page.locator("input[name=exp_uri_0]").input_value().startswith("http")
    page.get_by_label("Jaren").first.fill("2")
    page.get_by_role("combobox", name="Gewenst beroep 1").press_sequentially("magazijnier", delay=20)
    page.locator("#f-pref_label_0-list [role=option]").first.click()
    page.get_by_label("Fiets", exact=True).check()
    page.get_by_label("Langste woon-werkverplaatsing (minuten, enkel)").fill("45")
    page.get_by_label("Hoogst behaalde opleiding").select_option("lower_secondary")
    _fits(page, width)
    picker.scroll_into_view_if_needed()  # the picture: experience from the picker, preferences, availability
    snap(page, "day-1-intake")
    page.get_by_role("button", name="Bewaren").click()
    assert "Profiel bewaard." in page.locator(".flash.ok").inner_text()
    page.get_by_role("link", name="Taalrooster Nederlands (ERK)").click()
    for sub in ("Luisteren", "Spreken", "Lezen"):
        page.get_by_label(sub).select_option("A2.2")
    page.get_by_role("button", name="Resultaten opslaan").click()
    assert "Resultaten opgeslagen" in page.locator(".flash.ok").inner_text()
    _fits(page, width)
    context.close()

    # coach: job targets, an agreed target with a note, a step that starts
    context, page = _page(browser, width)
    login(page, server, "coach")
    page.goto(f"{server}/coach/participants/{pid}")
    targets = page.locator("ol.targets > li")
    assert targets.count() >= 1
    _fits(page, width)
    targets.first.scroll_into_view_if_needed()
    snap(page, "day-2-job-targets")
    targets.first.locator("input[type=checkbox]").check()
    page.get_by_label("Notitie bij de afspraak").fill("Wil graag in een magazijn werken, liefst in de dagploeg.")
    page.get_by_role("button", name="Afgesproken jobdoelwitten vastleggen").click()
    assert "Wil graag in een magazijn werken" in page.locator("#agreed").inner_text()
    page.get_by_label("Soort").select_option("mobility")
    page.get_by_label("Omschrijving").fill("Lening elektrische fiets")
    page.get_by_label("Wie voert het uit").last.fill("Mobiliteitspunt Brugge")
    page.get_by_role("button", name="Stap toevoegen").click()
    row = page.locator("#trajectory tbody tr", has_text="Lening elektrische fiets")
    row.get_by_text("Wijzigen").click()
    row.get_by_label("Status").select_option("ongoing")
    row.get_by_role("button", name="Stap bewaren").click()
    row = page.locator("#trajectory tbody tr", has_text="Lening elektrische fiets")
    assert "gestart" in row.inner_text() and "Mobiliteitspunt Brugge" in row.inner_text()
    _fits(page, width)
    snap(page, "day-3-trajectory")
    context.close()

    # liaison: a vacancy, its shortlist, confirmed, every candidate contacted
    context, page = _page(browser, width)
    login(page, server, "liaison")
    page.goto(f"{server}/liaison/vacancies")
    page.get_by_role("textbox", name="Functietitel", exact=True).fill("Magazijnier")
    page.get_by_role("textbox", name="Werkgever", exact=True).fill("Logistiek Zeebrugge")
    page.get_by_label("Postcode van de werkplek").fill("8000")
    page.get_by_label("Vacaturetekst").fill("Je verzamelt orders, laadt en lost vrachtwagens en houdt de voorraad bij.")
    page.get_by_role("button", name="Aanmaken en beroep voorstellen").click()
    page.get_by_role("button", name="Beroep en vaardigheden bevestigen").click()
    page.get_by_role("button", name="Kortlijst opstellen").click()
    assert page.locator("table.shortlist tbody tr strong").count() >= 1
    _fits(page, width)
    page.get_by_role("button", name="Kortlijst bevestigen").click()
    rows = page.locator("table.confirmed tbody tr")
    for i in range(rows.count()):
        page.locator("table.confirmed tbody tr").nth(i).get_by_role("button", name="gecontacteerd").click()
    assert "Trajectbegeleider: Koen Coach" in page.inner_text("main")  # the liaison sees whom to call
    _fits(page, width)
    snap(page, "day-4-shortlist-contacted")
    context.close()

    # coach: sees where the participant was proposed and that the employer made contact
    context, page = _page(browser, width)
    login(page, server, "coach")
    page.goto(f"{server}/coach/participants/{pid}#proposed")
    proposed = page.locator("#proposed").inner_text()
    assert "Magazijnier" in proposed and "Logistiek Zeebrugge" in proposed and "gecontacteerd" in proposed
    page.locator("#proposed").scroll_into_view_if_needed()
    _fits(page, width)
    snap(page, "day-5-coach-sees-contact")
    context.close()


def _taxonomy(db: Path) -> str:
    """Which taxonomy the demo was built on ("ESCO 1.1.1" or "sample taxonomy")."""
    from foundation.db import connect
    from service.demo import DEMO_MARKER

    con = connect(db, read_only=True)
    try:
        return con.execute("SELECT value FROM service.settings WHERE key = ?", [DEMO_MARKER]).fetchone()[0]
    finally:
        con.close()
