"""Title normalisation rules on a small hand-made label vocabulary (no ESCO needed)."""

from __future__ import annotations

import pytest

from taxonomy.titles import TitleNormaliser, clean

LABELS = [
    "verkoper", "schoonmaker", "kapper", "monteur", "directeur", "lesgever", "leraar",
    "docent", "technoloog", "heftruckchauffeur", "heftruck", "chauffeur", "magazijn",
    "medewerker", "magazijnmedewerker", "lasser", "kok", "boekhouder", "borduurder",
    "software developer", "waiter", "administratief medewerker", "koning",
]


@pytest.fixture(scope="module")
def norm() -> TitleNormaliser:
    return TitleNormaliser(LABELS)


@pytest.mark.parametrize(("typed", "expected"), [
    ("Verkoopster (m/v/x)", "verkoper"),
    ("schoonmaakster M/V/X", "schoonmaker"),
    ("kapster h/f", "kapper"),
    ("monteuse (M/V)", "monteur"),
    ("directrice", "directeur"),
    ("lesgeefster", "lesgever"),
    ("lerares", "leraar"),
    ("docente", "docent"),
    ("technologe", "technoloog"),
    ("borduurster", "borduurder"),
    ("waitress", "waiter"),
])
def test_female_forms_become_the_label_form(norm, typed, expected) -> None:
    assert norm.normalise(typed) == expected


@pytest.mark.parametrize(("typed", "expected"), [
    ("Junior Lasser (m/v/x)", "lasser"),
    ("Ervaren boekhouder - interim", "boekhouder"),
    ("Vacature: medior kok voor ons team in Kortrijk", "kok"),
    ("Heftruckchauffeur voor ons magazijn in Brugge", "heftruckchauffeur magazijn"),
    ("Senior Software Developer (m/f/d)", "software developer"),
    ("Startende administratief medewerker, regio Gent (voltijds)", "administratief medewerker"),
    ("hoofdkok", "kok"),
])
def test_seniority_employer_words_places_and_tags_go(norm, typed, expected) -> None:
    assert norm.normalise(typed) == expected


def test_one_typo_is_fixed_in_long_words_only(norm) -> None:
    assert norm.normalise("heftruckchaufeur") == "heftruckchauffeur"
    assert norm.normalise("magazijnmedeweker") == "magazijnmedewerker"
    assert norm.normalise("kining") == "kining"  # short words are left alone: too many neighbours
    assert norm.normalise("xyzzyplugh") == "xyzzyplugh"


def test_lexical_text_joins_and_splits_compounds(norm) -> None:
    assert norm.lexical("heftruck-chauffeur") == "heftruck chauffeur heftruckchauffeur"
    assert norm.lexical("Magazijn medewerker") == "magazijn medewerker magazijnmedewerker"
    assert norm.lexical("magazijnlasser") == "magazijnlasser magazijn lasser"
    assert norm.lexical("lasser") == "lasser"


def test_nothing_is_removed_when_only_noise_is_left(norm) -> None:
    assert norm.normalise("Junior (m/v/x)") == "junior"
    assert norm.normalise("vacature") == "vacature"


def test_clean_removes_tags_and_keeps_parenthesised_words() -> None:
    assert clean("Operator (chemisch) - M/V/X") == "operator chemisch"
    assert clean("QA/RA-medewerker") == "qa ra medewerker"
    assert clean("m/v lasser h/f/x") == "lasser"
