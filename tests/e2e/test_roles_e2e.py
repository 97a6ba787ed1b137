"""Each role's main path in a real browser: what the pages show after real clicks."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.e2e.conftest import login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

REVIEW_NL = "Suggestie — menselijke controle vereist"
ESCO_EN = "This service uses the ESCO classification of the European Commission."


def new_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def test_login_page_and_wrong_password(browser, server: str, shots: Path) -> None:
    context, page = new_page(browser)
    page.goto(f"{server}/login")
    page.get_by_label("Gebruikersnaam").fill("coach")
    page.get_by_label("Wachtwoord").fill("not the password")
    page.get_by_role("button", name="Aanmelden").click()
    error = page.locator("#f-password-error")
    assert error.inner_text() == "Verkeerde gebruikersnaam of wachtwoord."
    assert page.get_by_label("Wachtwoord").get_attribute("aria-invalid") == "true"
    assert ESCO_EN in page.locator("footer").inner_text()
    shot(page, shots, "login")
    context.close()


def test_assessor_registers_scores_and_gets_a_batch_error_report(browser, server: str, shots: Path,
                                                                  tmp_path: Path) -> None:
    context, page = new_page(browser)
    login(page, server, "assessor")
    page.get_by_role("link", name="Deelnemers", exact=True).click()
    # an empty registration shows the problems next to the fields
    page.get_by_role("button", name="Registreren").click()
    assert page.locator("#f-name-error").inner_text() == "Vul de naam van de deelnemer in."
    assert "Kies de trajectbegeleider." in page.locator("#f-coach-error").inner_text()
    page.get_by_role("textbox", name="Naam", exact=True).fill("Hamid Testpersoon")
    page.get_by_role("combobox", name="Trajectbegeleider", exact=True).select_option("coach")
    page.get_by_label("Postcode (woonplaats)").fill("8000")
    page.get_by_role("button", name="Registreren").click()
    assert "geregistreerd" in page.locator(".flash.ok").inner_text()   # on to the intake
    participant_id = page.url.split("/participants/", 1)[1].split("/", 1)[0]
    page.get_by_role("button", name="Bewaren").click()
    # enter Dutch levels in the form
    page.get_by_role("link", name="Taalrooster Nederlands (ERK)").click()
    page.get_by_label("Luisteren").select_option("A2.2")
    page.get_by_label("Spreken").select_option("A1.2")
    shot(page, shots, "assessor-record")
    page.get_by_role("button", name="Resultaten opslaan").click()
    assert "Resultaten opgeslagen" in page.locator(".flash.ok").inner_text()
    assert "Luisteren: A2" in page.locator("table").inner_text()
    # batch: download the template, fill it badly, upload, read the row-by-row report
    page.get_by_role("link", name="Batch-import", exact=True).click()
    page.get_by_label("Instrument").select_option("dutch-cefr")
    page.get_by_label("Deelnemersnummers (optioneel)").fill(participant_id)
    with page.expect_download() as download:
        page.get_by_role("button", name="Sjabloon downloaden").click()
    template = tmp_path / "filled.xlsx"
    download.value.save_as(template)
    wb = openpyxl.load_workbook(template)
    ws = wb.worksheets[0]
    assert ws.cell(row=2, column=1).value == participant_id
    ws.cell(row=2, column=2).value = "2026-01-12"
    ws.cell(row=2, column=4).value = "Z9"          # not a CEFR level
    ws.append(["P-ZZZZZZ", "2026-01-12", None, "A2"])  # no such participant
    wb.save(template)
    page.get_by_label("Ingevuld sjabloon (.xlsx of .csv)").set_input_files(str(template))
    page.get_by_role("button", name="Opladen en controleren").click()
    report = page.locator("#upload-report")
    assert "Er werd niets geïmporteerd" in report.inner_text()
    rows = report.locator("tbody tr").all_inner_texts()
    assert any(r.split("\t")[1:2] == ["2"] and "Z9" in r for r in rows), rows
    assert any(r.split("\t")[1:2] == ["3"] and "P-ZZZZZZ" in r for r in rows), rows
    report.scroll_into_view_if_needed()
    shot(page, shots, "assessor-batch-errors")
    page.get_by_role("link", name="Deelnemers", exact=True).click()
    shot(page, shots, "assessor-participants")
    context.close()


def test_coach_sees_job_targets_and_records_the_agreement(browser, server: str, shots: Path) -> None:
    context, page = new_page(browser)
    login(page, server, "coach")
    page.get_by_role("link", name="Mijn deelnemers", exact=True).click()
    page.locator("tbody tr", has_text="Amina Haddad").locator("a").first.click()
    assert page.locator("svg.chart").first.is_visible()
    assert "Technisch" in page.locator("svg.chart").first.inner_html()
    targets = page.locator("ol.targets > li")
    assert targets.count() >= 3
    assert REVIEW_NL in page.locator("#targets").inner_text()
    first = targets.first
    assert "Essentiële vaardigheden" in first.inner_text() and "Tekorten" in first.inner_text()
    shot(page, shots, "coach-profile")
    page.evaluate("document.getElementById('targets').scrollIntoView()")
    shot(page, shots, "coach-job-targets")
    label = first.locator("h3 label").inner_text().strip()
    first.locator("input[type=checkbox]").check()
    page.get_by_label("Notitie bij de afspraak").fill("Besproken in het feedbackgesprek.")
    page.get_by_role("button", name="Afgesproken jobdoelwitten vastleggen").click()
    assert "Jobdoelwitten vastgelegd." in page.locator(".flash.ok").inner_text()
    assert label in page.locator("#targets .tag.ok").all_inner_texts()
    # a trajectory step, first without a title
    page.get_by_label("Soort").select_option("language_course")
    page.get_by_role("button", name="Stap toevoegen").click()
    assert "Beschrijf de stap" in page.locator("#f-title-error").inner_text()
    page.get_by_label("Omschrijving").fill("NT2 A2 bij CVO Brugge")
    page.get_by_role("button", name="Stap toevoegen").click()
    assert "NT2 A2 bij CVO Brugge" in page.locator("#trajectory table").inner_text()
    page.get_by_role("link", name="Competentiepaspoort").first.click()
    assert "Competentiepaspoort" in page.locator("h1").inner_text()
    assert "Nederlands (ERK)" in page.inner_text("main")
    shot(page, shots, "coach-passport")
    context.close()


def test_liaison_confirms_a_shortlist_with_reasons(browser, server: str, shots: Path) -> None:
    context, page = new_page(browser)
    login(page, server, "liaison")
    page.get_by_role("link", name="Vacatures", exact=True).click()
    page.get_by_role("button", name="Aanmaken en beroep voorstellen").click()
    assert page.locator("#f-title-error").inner_text() == "Vul de functietitel in."
    page.get_by_role("textbox", name="Functietitel", exact=True).fill("Schoonmaker")
    page.get_by_role("textbox", name="Werkgever", exact=True).fill("Proper Brugge")
    page.get_by_role("textbox", name="Postcode van de werkplek", exact=True).fill("8000")
    page.get_by_role("textbox", name="Vacaturetekst", exact=True).fill(
        "Je reinigt kantoren en sanitair en gebruikt schoonmaakmachines.")
    page.get_by_role("button", name="Aanmaken en beroep voorstellen").click()
    assert REVIEW_NL in page.inner_text("main")
    shot(page, shots, "liaison-vacancy-confirm")
    for name in ("luisteren", "lezen", "spreken", "schrijven"):  # each Dutch level under its own name
        label = page.locator("#f-dutch label", has_text=name).bounding_box()
        select = page.get_by_label(name, exact=True).bounding_box()
        assert label["y"] + label["height"] <= select["y"] + 1 and abs(label["x"] - select["x"]) < 2, name
    page.get_by_role("button", name="Beroep en vaardigheden bevestigen").click()
    page.get_by_role("button", name="Kortlijst opstellen").click()
    assert REVIEW_NL in page.inner_text("main")
    codes = [c for c in page.locator("table.shortlist tbody tr strong").all_inner_texts() if c.startswith("K-")]
    if len(codes) < 2:  # the demo's own shortlist always has candidates
        page.get_by_role("link", name="Vacatures", exact=True).click()
        page.get_by_role("link", name="Magazijnmedewerker").click()
        page.locator("a[href^='/liaison/shortlists/']").first.click()
        codes = [c for c in page.locator("table.shortlist tbody tr strong").all_inner_texts() if c.startswith("K-")]
    assert len(codes) >= 2 and all(c.startswith("K-") for c in codes)
    shot(page, shots, "liaison-shortlist")
    # drop the second candidate without a reason: refused, with the message next to the field
    page.get_by_label(f"{codes[1]} behouden").uncheck()
    page.get_by_role("button", name="Kortlijst bevestigen").click()
    error = page.locator(f"#f-reason_{codes[1]}-error")
    assert "Geef een reden" in error.inner_text()
    page.get_by_label(f"Reden voor {codes[1]}").fill("Werkt al elders sinds vorige week.")
    page.get_by_role("button", name="Kortlijst bevestigen").click()
    assert "Bevestigd door Lotte Liaison" in page.inner_text("main")
    confirmed = page.locator("table.confirmed tbody tr")
    assert codes[1] not in confirmed.all_inner_texts()[0] and confirmed.count() == len(codes) - 1
    assert "Werkt al elders" in page.inner_text("main")
    confirmed.first.get_by_role("button", name="uitgenodigd").click()
    assert page.locator("table.confirmed tbody tr").first.locator("td.status").inner_text().startswith("uitgenodigd")
    shot(page, shots, "liaison-shortlist-confirmed")
    context.close()


def test_dutch_english_switch_and_admin_audit(browser, server: str, shots: Path) -> None:
    context, page = new_page(browser)
    login(page, server, "coach")
    page.get_by_role("link", name="Mijn deelnemers", exact=True).click()
    page.locator("tbody tr", has_text="Yonas Tesfaye").locator("a").first.click()
    page.get_by_role("link", name="EN", exact=True).click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Suggestion — human review required" in page.inner_text("main")
    assert "Job targets" in page.inner_text("main") and "Jobdoelwitten" not in page.inner_text("main")
    shot(page, shots, "coach-profile-en")
    page.get_by_role("link", name="NL", exact=True).click()
    assert REVIEW_NL in page.inner_text("main")
    context.close()
    context, page = new_page(browser)
    login(page, server, "admin")
    page.get_by_role("link", name="Auditlog", exact=True).click()
    text = page.inner_text("main")
    assert "deelnemer bekeken" in text and "jobdoelwitten gerangschikt" in text and "read_participant" not in text
    shot(page, shots, "admin-audit")
    page.get_by_role("link", name="Gebruikers", exact=True).click()
    shot(page, shots, "admin-users")
    page.get_by_role("link", name="API", exact=True).click()  # Swagger UI from the local bundle, no CDN
    # Swagger UI renders the page in the browser from /openapi.json: more than the default
    # 10 s on a loaded 2-core machine, so this one wait gets longer
    page.wait_for_selector(".swagger-ui .info", state="visible", timeout=60_000)
    assert "/api/auth/token" in page.inner_text("body")
    shot(page, shots, "api-docs")
    context.close()
