"""Reading vacancy texts: sentences, boilerplate, compounds and the structured requirements (no database)."""

from matching.vacancies.proposals import quote
from matching.vacancies.requirements import (
    attests,
    contract,
    dutch_levels,
    hours_per_week,
    is_requirement,
    licences,
    read_requirements,
    shifts,
)
from matching.vacancies.text import CompoundSplitter, segment

HEFTRUCK = ("Wij zoeken een heftruckchauffeur voor ons magazijn in Brugge, ploegenwerk, rijbewijs B, "
            "basiskennis Nederlands.")

PRODUCTIE = """Over ons
Voedingsbedrijf Vandewiele uit Roeselare maakt al 60 jaar soepen en sauzen voor heel Europa.

Jouw taken
• Je bedient de verpakkingslijn en controleert de kwaliteit van de producten.
• Je reinigt de machines volgens de HACCP-richtlijnen.

Jouw profiel
• Je spreekt vlot Nederlands en hebt basiskennis schrijven.
• Je bent bereid om in 3 ploegen te werken en af en toe op zaterdag.
• Een VCA-attest is een troef.

Wat bieden wij?
Een interimcontract van 37,5 uur per week met perspectief op een vast contract, maaltijdcheques en ecocheques.

Wij selecteren op basis van competenties, ongeacht leeftijd, geslacht of afkomst.
Interesse? Solliciteer via jobs@vandewiele.be."""

CHAUFFEUR = """Voor onze klant, een transportbedrijf in Kortrijk, zoeken we een chauffeur CE voor nationaal transport.
Je bent in het bezit van een rijbewijs C/CE en code 95. Je bent bereid tot nachtwerk.
Je begrijpt eenvoudige instructies in het Nederlands.
Voltijdse job, contract van onbepaalde duur."""

SCHOONMAAK = """Schoonmaakster/schoonmaker (m/v/x) voor kantoren in Aalst, deeltijds 20u/week, ook in het weekend.
Kennis van het Nederlands is een plus. Je werkt zelfstandig en nauwkeurig."""


def test_sentences_sections_and_boilerplate():
    segs = segment(PRODUCTIE)
    text = {s.text: s for s in segs}
    assert not text["Je bedient de verpakkingslijn en controleert de kwaliteit van de producten."].boilerplate
    assert text["Je spreekt vlot Nederlands en hebt basiskennis schrijven."].section == "profile"
    company = next(s for s in segs if s.text.startswith("Voedingsbedrijf"))
    assert company.boilerplate and company.section == "company"
    assert all(s.boilerplate for s in segs if "maaltijdcheques" in s.text or "ongeacht" in s.text
               or "Solliciteer" in s.text)
    assert [s.index for s in segs] == list(range(len(segs)))
    assert segment(HEFTRUCK)[0].clauses == ("Wij zoeken een heftruckchauffeur voor ons magazijn in Brugge",
                                            "ploegenwerk", "rijbewijs B", "basiskennis Nederlands.")


def test_a_header_inside_a_line_opens_its_section():
    segs = segment("Je bedient de verpakkingslijn. Wat bieden wij? Maaltijdcheques en een vast contract.\n"
                   "Een fijne werksfeer met collega's.")
    assert [(s.text, s.boilerplate) for s in segs] == [
        ("Je bedient de verpakkingslijn.", False), ("Maaltijdcheques en een vast contract.", True),
        ("Een fijne werksfeer met collega's.", True)]
    assert [s.index for s in segs] == [0, 1, 2]


def test_a_header_before_a_colon_opens_its_section():
    segs = segment("Je laadt en lost vrachtwagens. Wat bieden wij: een vast contract en een goede verloning.\n"
                   "Een fijne werksfeer.\nProfiel: je hebt een heftruckattest.\nNederlands: minstens B1.")
    assert [(s.text, s.section, s.boilerplate) for s in segs] == [
        ("Je laadt en lost vrachtwagens.", "body", False),
        ("een vast contract en een goede verloning.", "offer", True),
        ("Een fijne werksfeer.", "offer", True),
        ("je hebt een heftruckattest.", "profile", False),
        ("Nederlands: minstens B1.", "profile", False)]
    assert read_requirements(segs).contract == "permanent"     # terms are read from the offer too


def test_a_long_sentence_is_quoted_up_to_a_whole_word():
    assert quote(HEFTRUCK) == "Wij zoeken een heftruckchauffeur voor ons magazijn in Brugge, ploegenwerk…"
    assert len(quote(HEFTRUCK)) <= 80 and quote("Je laadt en lost.") == "Je laadt en lost."
    assert quote("x" * 100) == "x" * 79 + "…"


def test_compound_splitter_uses_the_vocabulary():
    split = CompoundSplitter(["heftruck", "chauffeur", "magazijn", "medewerker", "ploeg", "werk", "verpakking",
                              "lijn", "boek", "houding"])
    assert split.split("heftruckchauffeur") == ("heftruck", "chauffeur")
    assert split.split("magazijnmedewerker") == ("magazijn", "medewerker")
    assert split.split("verpakkingslijn") == ("verpakking", "lijn")          # linking s
    assert split.split("boekhouding") == ("boek", "houding")
    assert split.split("chauffeur") == ("chauffeur",)
    assert split.split("zonnepaneel") == ("zonnepaneel",)                   # parts not in the vocabulary
    assert split.expand("Heftruckchauffeur gezocht") == "heftruckchauffeur heftruck chauffeur gezocht"


def test_dutch_level_as_declared_cefr_requirement():
    assert dutch_levels("basiskennis Nederlands") == dict.fromkeys(("listening", "reading", "speaking", "writing"),
                                                                    "A2")
    assert set(dutch_levels("Je spreekt vlot Nederlands.").values()) == {"B2"}
    assert dutch_levels("vlot Nederlands spreken, basiskennis Nederlands schrijven") == {
        "speaking": "B2", "listening": "B2", "writing": "A2"}
    assert dutch_levels("Nederlands: minstens B1") == dict.fromkeys(("listening", "reading", "speaking", "writing"),
                                                                     "B1")
    assert dutch_levels("Goede mondelinge kennis van het Nederlands en basis schriftelijk") == {
        "speaking": "B1", "listening": "B1", "writing": "A2", "reading": "A2"}
    assert dutch_levels("Kennis van het Nederlands is een plus.") is None      # a wish, not a requirement
    assert dutch_levels("Je spreekt Nederlands en Engels.") is None            # no level stated
    assert dutch_levels("Je werkt met de heftruck.") is None


def test_licences_attests_shifts_hours_contract():
    assert licences(HEFTRUCK) == ["B"]
    assert licences("Je bent in het bezit van een rijbewijs C/CE en code 95.") == ["C", "CE"]
    assert licences("Gezocht: CE-chauffeur") == ["CE"]
    assert licences("Je hebt een rijbewijs.") == ["B"]
    assert licences("Je werkt met de heftruck.") == []
    assert attests("Je hebt een heftruckattest en bij voorkeur VCA.") == ["heftruck", "VCA"]
    assert attests("VOL-VCA is verplicht") == ["VOL-VCA"]
    assert attests("Je bent in het bezit van een rijbewijs C/CE en code 95.") == ["code 95"]
    assert shifts("ploegenwerk") == (["early", "late"], None)
    assert shifts("Je werkt in 3 ploegen en af en toe op zaterdag.") == (["early", "late", "night"], True)
    assert shifts("Je bent bereid tot nachtwerk.") == (["night"], None)
    assert hours_per_week("Een contract van 37,5 uur per week.") == 37.5
    assert hours_per_week("38u/week") == 38.0
    assert hours_per_week("deeltijds 20u/week") == 20.0
    assert hours_per_week("Voltijdse job") == 38.0
    assert hours_per_week("Je hebt 5 jaar ervaring.") is None
    assert contract("contract van onbepaalde duur") == "permanent"
    assert contract("Een interimcontract met perspectief op een vast contract") == "interim"
    assert contract("Je werkt zelfstandig.") is None
    assert is_requirement("rijbewijs B") and is_requirement("basiskennis Nederlands")
    assert not is_requirement("ploegenwerk") and not is_requirement("je laadt en lost vrachtwagens")


def test_requirements_of_whole_vacancies_with_the_sentence_they_come_from():
    req = read_requirements(segment(HEFTRUCK))
    assert (req.licences, req.shifts, req.dutch.levels["speaking"]) == (["B"], ["early", "late"], "A2")
    assert req.evidence["licences"].sentence == 0

    req = read_requirements(segment(PRODUCTIE))
    assert req.dutch.levels == {"listening": "B2", "reading": "B2", "speaking": "B2", "writing": "A2"}
    assert (req.shifts, req.weekends, req.hours_per_week, req.contract) == (["early", "late", "night"], True, 37.5,
                                                                            "interim")
    assert req.attests == ["HACCP", "VCA"]
    assert "ploegen" in req.evidence["shifts"].text and "37,5" in req.evidence["hours_per_week"].text

    req = read_requirements(segment(CHAUFFEUR))
    assert (req.licences, req.attests, req.shifts) == (["C", "CE"], ["code 95"], ["night"])
    assert (req.hours_per_week, req.contract) == (38.0, "permanent")
    assert req.dutch.levels == {"listening": "A2", "reading": None, "speaking": None, "writing": None}

    req = read_requirements(segment(SCHOONMAAK))
    assert req.dutch.levels == dict.fromkeys(("listening", "reading", "speaking", "writing"))
    assert (req.hours_per_week, req.weekends, req.licences) == (20.0, True, [])
