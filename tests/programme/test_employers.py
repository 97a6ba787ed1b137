"""Employers: enterprise numbers, contact persons as audited personal data, timeline, concerns, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from foundation.audit import read_log
from foundation.errors import ConflictError, InputError, NotFoundError
from matching import employers as emp
from matching.kbo import check_digits, is_valid_kbo, normalise_kbo
from service.cli import app
from tests.programme.conftest import ASSESSOR, COACH, LIAISON, WAREHOUSE

runner = CliRunner()


@pytest.mark.parametrize("raw", ["0403.170.701", "BE 0403 170 701", "403170701", "0403-170-701"])
def test_kbo_forms_of_one_valid_number(raw: str) -> None:
    assert normalise_kbo(raw) == "0403.170.701"
    assert check_digits(4031707) == 1


@pytest.mark.parametrize(("raw", "code"), [("0403.170.702", "kbo.checksum"), ("2403.170.701", "kbo.format"),
                                           ("12345", "kbo.format"), ("0403.170.70X", "kbo.format")])
def test_kbo_rejects_typing_errors_with_a_code(raw: str, code: str) -> None:
    assert not is_valid_kbo(raw)
    with pytest.raises(InputError) as info:
        normalise_kbo(raw, field="kbo")
    assert info.value.code == code and info.value.problems[0].column == "kbo"


def test_employer_with_contacts_timeline_and_concerns(con) -> None:
    e = emp.create_employer(con, actor=LIAISON, occupation_uris=[WAREHOUSE],
                            employer={"name": "Logistiek Brugge NV", "kbo": "BE0403170701", "postcode": "8000",
                                      "sector": "logistiek"})
    assert e.kbo == "0403.170.701" and e.municipality and e.occupation_uris == [WAREHOUSE]
    emp.add_contact(con, actor=LIAISON, employer_id=e.employer_id,
                    contact={"name": "Els Vermeulen", "job_role": "HR", "email": "els@example.be"})
    emp.add_event(con, actor=LIAISON, employer_id=e.employer_id, kind="workplace_visit", happened_on="2026-10-01",
                  note="rondleiding magazijn")
    emp.add_concern(con, actor=LIAISON, employer_id=e.employer_id, code="language", note="veiligheidsinstructies")
    shown = emp.get_employer(con, actor=LIAISON, employer_id=e.employer_id)
    assert [ev.kind for ev in shown.events] == ["workplace_visit"]
    assert [c.code for c in shown.concerns] == ["language"]
    assert "Els" not in shown.model_dump_json()  # contact persons only on request ...
    before = len(read_log(con, action="read_employer_contacts"))
    people = emp.get_contacts(con, actor=LIAISON, employer_id=e.employer_id)
    assert [p.name for p in people] == ["Els Vermeulen"]
    assert len(read_log(con, action="read_employer_contacts")) == before + 1  # ... and audited
    assert emp.concern_counts(con, actor=LIAISON) == {"language": 1}


def test_duplicate_kbo_conflicts_and_bad_input_writes_nothing(con) -> None:
    emp.create_employer(con, actor=LIAISON, employer={"name": "Aa", "kbo": "0403.170.701", "postcode": "8000"})
    with pytest.raises(ConflictError) as info:
        emp.create_employer(con, actor=LIAISON, employer={"name": "Bb", "kbo": "403170701", "postcode": "8000"})
    assert info.value.code == "employer.kbo_taken"
    with pytest.raises(InputError) as bad:
        emp.create_employer(con, actor=LIAISON, employer={"name": "Cc", "kbo": "0403.170.702", "postcode": "8000"})
    assert bad.value.problems[0].column == "kbo" and bad.value.problems[0].code == "kbo.checksum"
    with pytest.raises(InputError):
        emp.create_employer(con, actor=LIAISON, employer={"name": "Dd", "postcode": "0000"})
    assert con.execute("SELECT count(*) FROM matching.employers").fetchone()[0] == 1


def test_other_roles_do_not_see_employers(con) -> None:
    e = emp.create_employer(con, actor=LIAISON, employer={"name": "Aa", "postcode": "8000"})
    for who in (COACH, ASSESSOR):
        with pytest.raises(NotFoundError):
            emp.get_contacts(con, actor=who, employer_id=e.employer_id)
        with pytest.raises(NotFoundError):
            emp.list_employers(con, actor=who)
    with pytest.raises(InputError):
        emp.add_event(con, actor=LIAISON, employer_id=e.employer_id, kind="candidate_presented")
    with pytest.raises(InputError) as info:
        emp.add_concern(con, actor=LIAISON, employer_id=e.employer_id, code="weather")
    assert info.value.problems[0].column == "code"


def test_employer_cli_add_list_show(db: Path) -> None:
    r = runner.invoke(app, ["employer", "add", "Net & Proper", "--postcode", "8500", "--kbo", "0403.170.701",
                            "--occupation", WAREHOUSE, "--db", str(db), "--by", "liaison", "--json"])
    assert r.exit_code == 0, r.output
    eid = json.loads(r.stdout)["employer_id"]
    listed = runner.invoke(app, ["employer", "list", "--db", str(db), "--by", "liaison"])
    assert listed.exit_code == 0 and eid in listed.stdout
    shown = runner.invoke(app, ["employer", "show", eid, "--contacts", "--db", str(db), "--by", "liaison", "--json"])
    assert shown.exit_code == 0 and json.loads(shown.stdout)["occupation_uris"] == [WAREHOUSE]
    bad = runner.invoke(app, ["employer", "add", "Xx", "--postcode", "8500", "--kbo", "0403.170.799",
                              "--db", str(db), "--by", "liaison"])
    assert bad.exit_code == 2 and "check digits" in bad.output
