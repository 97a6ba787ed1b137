"""Which employers to contact: job targets → employers within commute, open vacancies first, with reasons."""

from __future__ import annotations

import pytest

from assessment.participants import create_participant
from assessment.trajectories import record_agreed_targets
from foundation.errors import InputError, NotFoundError
from foundation.keys import secret_key
from matching.employers import create_employer, get_employer
from matching.outreach import (
    employers_to_contact,
    outreach_candidates,
    outreach_code,
    present_candidate,
    resolve_code,
)
from matching.vacancies import confirm_vacancy, create_vacancy
from taxonomy.store import occupation_skills
from tests.programme.conftest import ADMIN, COACH, LIAISON

OCC = "https://werkbrug.example/taxonomy/occupation/"
PICKER, MOVER, DISHWASHER = OCC + "orderpicker", OCC + "verhuizer", OCC + "afwasser"


def person(con, *, consent: bool = True, targets=(PICKER,), postcode: str = "8000") -> str:
    pid = create_participant(con, by="assessor", consent=consent, details={
        "coach": "coach", "postcode": postcode, "transport_modes": ["bike"], "max_commute_minutes": 75}).participant_id
    record_agreed_targets(con, participant_id=pid, occupation_uris=list(targets), note=None, by="coach")
    return pid


def employer(con, name: str, postcode: str, occupations: list[str]) -> str:
    return create_employer(con, actor=LIAISON, occupation_uris=occupations,
                           employer={"name": name, "postcode": postcode}).employer_id


def test_employers_within_commute_exact_and_close_with_open_vacancies_first(con) -> None:
    pid = person(con)
    person(con, targets=(PICKER, DISHWASHER))
    person(con, consent=False)                     # does not count as a candidate
    near_exact = employer(con, "Orders Brugge", "8000", [PICKER])
    close = employer(con, "Verhuis Sint-Andries", "8200", [MOVER])        # same ISCO unit group 9333
    with_vacancy = employer(con, "Distributie Oostkamp", "8020", [PICKER])
    employer(con, "Orders Genk", "3600", [PICKER])  # too far by bike
    employer(con, "Keuken Brugge", "8000", [DISHWASHER])  # not a job target of pid
    v = create_vacancy(con, owner="liaison", method="lexical", vacancy={
        "title": "Orderpicker", "employer": "Distributie Oostkamp", "postcode": "8020", "employer_id": with_vacancy,
        "description": "Orders verzamelen met een handscanner."})
    skills = [u for u, rel in occupation_skills(con, PICKER) if rel == "essential"][:3]
    confirm_vacancy(con, vacancy_id=v.vacancy_id, by="liaison", occupation_uris=[PICKER], essential_skills=skills)
    got = employers_to_contact(con, actor=COACH, participant_id=pid)
    assert [s.employer_id for s in got] == [with_vacancy, near_exact, close]
    assert got[0].open_vacancies == [v.vacancy_id] and got[0].exact and not got[2].exact
    assert got[1].candidates == 2 and got[2].candidates == 2
    codes = [r.code for r in got[2].reasons]
    assert codes[0] == "outreach.same_isco" and "outreach.commute" in codes and codes[-1] == "outreach.candidates"
    assert got[2].reasons[0].params["isco"] == "9333"
    assert employers_to_contact(con, actor=ADMIN, participant_id=pid) == got


def test_liaisons_see_consenting_candidates_under_a_code_and_present_them(con) -> None:
    pid = person(con)
    hidden = person(con, consent=False)
    target = employer(con, "Orders Brugge", "8000", [PICKER])
    key = secret_key(con)
    codes = [c.code for c in outreach_candidates(con, actor=LIAISON)]
    assert codes == [outreach_code(key, pid)] and outreach_code(key, pid) != outreach_code(b"x" * 32, pid)
    assert resolve_code(con, code=codes[0]) == pid
    with pytest.raises(NotFoundError):
        resolve_code(con, code=outreach_code(key, hidden))
    with pytest.raises(NotFoundError):
        employers_to_contact(con, actor=LIAISON, participant_id=hidden)
    assert [s.employer_id for s in employers_to_contact(con, actor=LIAISON, participant_id=pid)] == [target]
    with pytest.raises(InputError):
        present_candidate(con, actor=LIAISON, participant_id=pid, employer_id=target, occupation_uri=DISHWASHER)
    present_candidate(con, actor=LIAISON, participant_id=pid, employer_id=target, occupation_uri=PICKER,
                      note="cv en competentieprofiel bezorgd")
    events = get_employer(con, actor=LIAISON, employer_id=target).events
    assert [e.kind for e in events] == ["candidate_presented"] and events[0].occupation_uri == PICKER
    assert pid not in events[0].model_dump_json()
    with pytest.raises(NotFoundError):
        present_candidate(con, actor=COACH, participant_id=pid, employer_id=target, occupation_uri=PICKER)
