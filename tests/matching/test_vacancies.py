"""Vacancies: proposals from free text, confirmation, all-or-nothing batch import."""

import io

import openpyxl
import pytest

from foundation.errors import InputError, NotFoundError
from matching.vacancies import confirm_vacancy, create_vacancy, get_vacancy, import_vacancies, list_vacancies, propose
from tests.matching.helpers import occupation_by_label, skills_of

TEXT = ("Voor ons magazijn zoeken we een heftruckchauffeur. Je laadt en lost vrachtwagens met de heftruck, "
        "je houdt de voorraad bij en je werkt veilig.")


def test_proposal_finds_the_occupation_and_its_skills(con):
    occ = occupation_by_label(con, "forklift operator")
    prop = propose(con, title="Heftruckchauffeur (m/v/x)", description=TEXT, method="lexical")
    assert prop.occupations[0].uri == occ
    assert {s.uri for s in prop.skills} & set(skills_of(con, occ))
    assert all(s.why for s in prop.skills)


def test_create_and_confirm(con):
    v = create_vacancy(con, owner="liaison1", vacancy={
        "title": "Heftruckchauffeur", "description": TEXT, "employer": "Logistiek NV", "postcode": "8000",
        "hours_per_week": 30, "shifts": ["early", "late"], "dutch_level": "a2"})
    assert v.status == "proposed" and v.owner == "liaison1" and v.municipality == "Brugge"
    assert v.dutch == dict.fromkeys(("listening", "reading", "speaking", "writing"), "A2")
    with pytest.raises(InputError) as err:
        confirm_vacancy(con, vacancy_id=v.vacancy_id, by="liaison1", occupation_uris=["http://x/occ"],
                        essential_skills=[])
    assert {p.column for p in err.value.problems} == {"occupation_uris", "essential_skills"}
    assert get_vacancy(con, vacancy_id=v.vacancy_id).status == "proposed"
    occ = v.proposal.occupations[0].uri
    skills = [s.uri for s in v.proposal.skills[:5]]
    v2 = confirm_vacancy(con, vacancy_id=v.vacancy_id, by="liaison1", occupation_uris=[occ], essential_skills=skills,
                         optional_skills=[s.uri for s in v.proposal.skills[5:7]])
    assert (v2.status, v2.occupation_uris, v2.essential_skills, v2.confirmed_by) == ("confirmed", [occ], skills,
                                                                                     "liaison1")
    assert [x.vacancy_id for x in list_vacancies(con, owner="liaison1")] == [v.vacancy_id]
    assert list_vacancies(con, owner="someone else") == []
    with pytest.raises(NotFoundError):
        get_vacancy(con, vacancy_id="V-99999")


def test_bad_vacancy_fields_are_located(con):
    with pytest.raises(InputError) as err:
        create_vacancy(con, owner="l", vacancy={"title": "x", "description": "", "employer": "E", "postcode": "0001",
                                                "hours_per_week": 99, "dutch_level": "B7"})
    cols = {p.column for p in err.value.problems}
    assert {"title", "description", "postcode", "hours_per_week", "dutch_level"} <= cols
    assert con.execute("SELECT count(*) FROM matching.vacancies").fetchone()[0] == 0


CSV_OK = """title;description;employer;postcode;hours_per_week;shifts;weekends;dutch_level
Heftruckchauffeur;Laden en lossen met de heftruck;Logistiek NV;8000;38;day;nee;A2
Kok;Koken in een grootkeuken;Resto BV;8500;30;early,late;ja;
"""
CSV_BAD = """title;description;employer;postcode;hours_per_week;shifts;weekends;dutch_level
Heftruckchauffeur;Laden en lossen;Logistiek NV;8000;38;day;nee;A2
Kok;Koken;Resto BV;99999;30;evening;misschien;B9
;Schoonmaak;Net BV;9300;abc;day;nee;A1
"""


def test_csv_import_all_rows(con):
    got = import_vacancies(con, owner="liaison1", data=CSV_OK.encode(), filename="vacatures.csv")
    assert [v.title for v in got] == ["Heftruckchauffeur", "Kok"]
    assert got[1].shifts == ["early", "late"] and got[1].weekends and got[1].dutch["reading"] is None
    assert got[0].source == "file vacatures.csv row 2"


def test_csv_import_is_all_or_nothing_with_row_and_column(con):
    with pytest.raises(InputError) as err:
        import_vacancies(con, owner="liaison1", data=CSV_BAD.encode(), filename="bad.csv")
    where = {(p.row, p.column) for p in err.value.problems}
    assert {(3, "postcode"), (3, "weekends"), (3, "dutch_level"), (4, "title"), (4, "hours_per_week")} <= where
    assert any(r == 3 and c and c.startswith("shifts") for r, c in where)
    assert all(p.file == "bad.csv" for p in err.value.problems)
    assert con.execute("SELECT count(*) FROM matching.vacancies").fetchone()[0] == 0


def test_problems_name_the_columns_as_the_file_writes_them(con):
    dutch = CSV_BAD.replace("title;description;employer;postcode;hours_per_week;shifts;weekends;dutch_level",
                            "Titel;Vacaturetekst;Werkgever;Postcode;Uren per week;Ploegen;Weekendwerk;Nederlands")
    with pytest.raises(InputError) as err:
        import_vacancies(con, owner="liaison1", data=dutch.encode(), filename="fout.csv")
    where = {(p.row, p.column) for p in err.value.problems}
    assert {(3, "Postcode"), (3, "Weekendwerk"), (3, "Nederlands"), (4, "Titel"), (4, "Uren per week")} <= where
    assert all(p.params.get("column") in (None, "", p.column) for p in err.value.problems if p.params.get("column"))
    missing = "titel;werkgever;postcode;salaris\nKok;Resto;8000;2000\n"
    with pytest.raises(InputError) as err:
        import_vacancies(con, owner="liaison1", data=missing.encode(), filename="kort.csv")
    by_code = {p.code: p for p in err.value.problems}
    assert by_code["vacancy.column_missing"].column == "vacaturetekst"
    unknown = by_code["vacancy.column_unknown"]
    assert unknown.column == "salaris" and "uren_per_week" in unknown.params["allowed"]
    assert con.execute("SELECT count(*) FROM matching.vacancies").fetchone()[0] == 0


def test_excel_import_and_bad_columns(con):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["title", "description", "employer", "postcode", "salary"])
    ws.append(["Kok", "Koken", "Resto", "8000", "2000"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(InputError) as err:
        import_vacancies(con, owner="l", data=buf.getvalue(), filename="v.xlsx")
    assert [p.column for p in err.value.problems] == ["salary"]
    ws.delete_cols(5)
    buf = io.BytesIO()
    wb.save(buf)
    got = import_vacancies(con, owner="l", data=buf.getvalue(), filename="v.xlsx")
    assert len(got) == 1 and got[0].postcode == "8000"
    with pytest.raises(InputError):
        import_vacancies(con, owner="l", data=b"junk", filename="v.pdf")


HEFTRUCK = ("Wij zoeken een heftruckchauffeur voor ons magazijn in Brugge, ploegenwerk, rijbewijs B, "
            "basiskennis Nederlands.\n") + """Jouw taken:
- Je laadt en lost vrachtwagens met de heftruck.
- Je houdt de voorraad bij en werkt veilig volgens de procedures.
Wat bieden wij?
Een vast contract van 37,5 uur per week, maaltijdcheques en een aangename werksfeer.
Interesse? Stuur je cv naar jobs@logistiek.be."""


def _language_skills(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT uri FROM taxonomy.collections WHERE collection = 'language'").fetchall()}


def test_skills_are_read_from_the_text_sentence_by_sentence(con):
    prop = propose(con, title="Heftruckchauffeur (m/v/x)", description=HEFTRUCK, method="lexical")
    labels = {s.label for s in prop.skills}
    assert {"vracht laden", "vracht lossen"} <= labels
    assert "radioapparatuur gebruiken" not in labels          # essential for the occupation, not in the text
    assert not {s.uri for s in prop.skills} & _language_skills(con)
    assert not any("rijbewijs" in s.label for s in prop.skills)   # a licence is a requirement, not a skill
    sentences = {s.index: s for s in prop.sentences}
    assert all(s.sentence is not None and not sentences[s.sentence].boilerplate for s in prop.skills)
    assert {s.index for s in prop.sentences if s.boilerplate} == {3, 4}   # "Interesse?" opens a section
    assert [s.text for s in prop.sentences][3:] == [
        "Een vast contract van 37,5 uur per week, maaltijdcheques en een aangename werksfeer.",
        "Stuur je cv naar jobs@logistiek.be."]
    assert [s.score for s in prop.skills] == sorted((s.score for s in prop.skills), reverse=True)
    req = prop.requirements
    assert (req.licences, req.shifts, req.hours_per_week, req.contract) == (["B"], ["early", "late"], 37.5,
                                                                            "permanent")
    assert set(req.dutch.levels.values()) == {"A2"} and req.dutch.evidence[0].sentence == 0
    assert prop.method == "lexical" and prop.note is None


def test_a_proposal_werkbrug_reads_by_spelling_by_itself_says_so(con):
    """Without vectors the default (auto) reads by spelling: the liaison is told; the offer is skipped."""
    prop = propose(con, title="Heftruckchauffeur", description=(
        "Je laadt en lost vrachtwagens. Een heftruckattest is een plus. "
        "Wat bieden wij: een vast contract en een goede verloning."))
    assert prop.method == "lexical" and prop.note and prop.note.startswith("lexical")
    assert prop.missing_encoders
    assert [s.boilerplate for s in prop.sentences] == [False, False, True]
    assert all(s.sentence in (0, 1) for s in prop.skills)
    assert {"vracht laden", "vracht lossen", "heftrucks bedienen"} <= {s.label for s in prop.skills}
    assert propose(con, title="Heftruckchauffeur", description="Je laadt en lost vrachtwagens.",
                   method="lexical").note is None        # asked for spelling only: nothing to say


def test_language_skills_are_never_proposed_even_when_the_text_names_them(con):
    prop = propose(con, title="Kok", method="lexical",
                   description="Je spreekt Nederlands en Engels. Je kookt in een grootkeuken.")
    assert not {s.uri for s in prop.skills} & _language_skills(con)
    assert not any(s.sentence == 0 for s in prop.skills)


def test_confirmed_terms_are_stored_and_the_dutch_level_is_the_declared_requirement(con):
    from matching.vacancies import proposed_terms, vacancy_requirement

    v = create_vacancy(con, owner="l1", vacancy={"title": "Heftruckchauffeur", "description": HEFTRUCK,
                                                 "employer": "Logistiek NV", "postcode": "8000"})
    assert v.dutch == dict.fromkeys(("listening", "reading", "speaking", "writing"))   # proposed, not yet declared
    terms = proposed_terms(v)
    assert (terms["hours_per_week"], terms["licences"], terms["dutch_speaking"]) == (37.5, ["B"], "A2")
    occ = v.proposal.occupations[0].uri
    with pytest.raises(InputError) as err:
        confirm_vacancy(con, vacancy_id=v.vacancy_id, by="l1", occupation_uris=[occ],
                        essential_skills=[v.proposal.skills[0].uri],
                        terms={**terms, "licences": ["B", "Z"], "hours_per_week": "veel"})
    assert {(p.column, p.code) for p in err.value.problems} == {("licences", "vacancy.not_allowed"),
                                                                ("hours_per_week", "vacancy.hours_number")}
    assert "CE" in next(p for p in err.value.problems if p.column == "licences").params["allowed"]
    assert get_vacancy(con, vacancy_id=v.vacancy_id).status == "proposed"
    v2 = confirm_vacancy(con, vacancy_id=v.vacancy_id, by="l1", occupation_uris=[occ],
                         essential_skills=[v.proposal.skills[0].uri],
                         terms={**terms, "attests": ["heftruck"], "dutch_writing": "A1"})
    assert (v2.hours_per_week, v2.licences, v2.attests, v2.contract, v2.shifts) == (
        37.5, ["B"], ["heftruck"], "permanent", ["early", "late"])
    req = vacancy_requirement(con, vacancy=v2)
    assert (req.source, req.speaking, req.writing) == ("vacancy", "A2", "A1")


CSV_HOURS = """title;description;employer;postcode;hours_per_week;shifts;licences;attests;contract
Heftruckchauffeur;Laden en lossen met de heftruck;Logistiek NV;8000;37,5;vroeg;B;heftruck;interim
Kok;Koken in een grootkeuken;Resto BV;8500;37.5;dag, laat;;;
"""
CSV_CODED = """title;description;employer;postcode;hours_per_week;shifts;contract
Kok;Koken;Resto BV;8500;37,5 uur;avond;seizoen
"""


def test_import_accepts_decimal_comma_and_point_and_dutch_shift_words(con):
    got = import_vacancies(con, owner="l1", data=CSV_HOURS.encode(), filename="uren.csv")
    assert [v.hours_per_week for v in got] == [37.5, 37.5]
    assert (got[0].shifts, got[0].licences, got[0].attests, got[0].contract) == (["early"], ["B"], ["heftruck"],
                                                                                 "interim")
    assert got[1].shifts == ["day", "late"]


def test_import_problems_have_codes_rows_columns_and_the_allowed_values(con):
    with pytest.raises(InputError) as err:
        import_vacancies(con, owner="l1", data=CSV_CODED.encode(), filename="fout.csv")
    by_col = {p.column: p for p in err.value.problems}
    assert err.value.code == "vacancy.import_refused"
    assert {c: (p.row, p.code) for c, p in by_col.items()} == {
        "hours_per_week": (2, "vacancy.hours_number"), "shifts": (2, "vacancy.not_allowed"),
        "contract": (2, "vacancy.not_allowed")}
    assert by_col["shifts"].params["value"] == "avond" and "night" in by_col["shifts"].params["allowed"]
    assert "permanent" in by_col["contract"].params["allowed"]
    assert by_col["hours_per_week"].params == {**by_col["hours_per_week"].params, "min": 1, "max": 60}
    assert all("Input should" not in (p.params.get("allowed", "") + p.params.get("value", ""))
               for p in err.value.problems)
    assert con.execute("SELECT count(*) FROM matching.vacancies").fetchone()[0] == 0
