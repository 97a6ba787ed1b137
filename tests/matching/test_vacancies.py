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
