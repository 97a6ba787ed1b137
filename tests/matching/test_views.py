"""The liaison's views copy every field of what they show (Shortlist, Candidate, StatusEvent) but participant ids."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from assessment.participants import create_participant
from matching.shortlist import Candidate, Shortlist, StatusEvent, make_shortlist
from matching.vacancies import confirm_vacancy, create_vacancy
from matching.views import CandidateView, ShortlistView, StatusView, shortlist_view
from tests.matching.helpers import occupation_by_label, skills_of

#: Fields a view shows differently: candidates under codes, order and reasons keyed by code.
RECODED = {"candidates", "confirmed_order", "reasons"}


def _fields(model: type[BaseModel]) -> dict[str, object]:
    return {k: f.annotation for k, f in model.model_fields.items()}


@pytest.mark.parametrize(("stored", "view"), [(Candidate, CandidateView), (StatusEvent, StatusView)])
def test_a_view_has_every_field_but_the_participant_id(stored: type[BaseModel], view: type[BaseModel]) -> None:
    expected = {k: a for k, a in _fields(stored).items() if k != "participant_id"} | {"candidate": str}
    assert _fields(view) == expected


def test_the_shortlist_view_has_every_field_of_a_shortlist() -> None:
    stored, view = _fields(Shortlist), _fields(ShortlistView)
    missing = sorted(set(stored) - set(view))
    assert not missing, f"ShortlistView lacks {missing}: add them, or shortlist_view drops them silently"
    assert {k: a for k, a in stored.items() if k not in RECODED} == {k: view[k] for k in stored if k not in RECODED}


def test_shortlist_view_keeps_every_value_but_the_participant_ids(con) -> None:
    occ = occupation_by_label(con, "forklift operator")
    v = create_vacancy(con, owner="liaison", vacancy={
        "title": "heftruckchauffeur", "description": "magazijn", "employer": "X", "postcode": "8000",
        "hours_per_week": 30, "shifts": ["early"], "dutch_level": "A2"})
    v = confirm_vacancy(con, vacancy_id=v.vacancy_id, by="liaison", occupation_uris=[occ],
                        essential_skills=skills_of(con, occ)[:8])
    details = {"postcode": "8000", "transport_modes": ["bike"], "shifts": ["early"],
               "declared_skills": v.essential_skills[:5]}
    p = create_participant(con, by="a", consent=True, details=details)
    sl = make_shortlist(con, vacancy_id=v.vacancy_id, requested_by="liaison")
    shown = shortlist_view(con, sl)
    assert shown.model_dump(include=set(Shortlist.model_fields) - RECODED) == sl.model_dump(
        exclude=RECODED)
    [c] = shown.candidates
    assert c.model_dump(exclude={"candidate"}) == sl.candidates[0].model_dump(exclude={"participant_id"})
    assert p.participant_id not in shown.model_dump_json()
