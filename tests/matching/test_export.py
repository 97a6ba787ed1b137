"""A GDPR access export holds the rankings, shortlists and status history about the participant, and no one else's."""

import pytest

from assessment.participants import create_participant
from foundation.audit import audit
from matching.export import full_export, participant_matching_records
from matching.job_targets import job_targets_for_participant
from matching.shortlist import confirm_shortlist, make_shortlist, set_candidate_status
from matching.vacancies import confirm_vacancy, create_vacancy
from service.users import Role, User
from tests.matching.helpers import occupation_by_label, skills_of


@pytest.fixture
def two_candidates_on_a_shortlist(con):
    occ = occupation_by_label(con, "forklift operator")
    v = create_vacancy(con, owner="liaison", vacancy={
        "title": "heftruckchauffeur", "description": "magazijn", "employer": "X", "postcode": "8000",
        "hours_per_week": 30, "shifts": ["early"], "dutch_level": "A2"})
    ess = skills_of(con, occ)[:8]
    confirm_vacancy(con, vacancy_id=v.vacancy_id, by="liaison", occupation_uris=[occ], essential_skills=ess)
    details = {"postcode": "8000", "transport_modes": ["bike"], "shifts": ["early"]}
    me = create_participant(con, by="a", consent=True, details={**details, "declared_skills": ess[:6]})
    other = create_participant(con, by="a", consent=True, details={**details, "declared_skills": ess[:3]})
    sl = make_shortlist(con, vacancy_id=v.vacancy_id, requested_by="liaison")
    order = [c.participant_id for c in sl.candidates]
    assert set(order) == {me.participant_id, other.participant_id}
    confirm_shortlist(con, shortlist_id=sl.shortlist_id, confirmed_by="Lies Liaison", ordered_participant_ids=order,
                      reasons={})
    set_candidate_status(con, shortlist_id=sl.shortlist_id, participant_id=me.participant_id, status="contacted",
                         by="liaison", note="gebeld")
    job_targets_for_participant(con, participant_id=me.participant_id, requested_by="coach", top=3)
    return me.participant_id, other.participant_id, sl.shortlist_id


def test_matching_records_of_one_participant(con, two_candidates_on_a_shortlist):
    me, other, shortlist_id = two_candidates_on_a_shortlist
    got = participant_matching_records(con, participant_id=me)
    kinds = sorted(r["kind"] for r in got["ranking_requests"])
    assert kinds == ["job_targets", "shortlist"]
    shortlist_request = next(r for r in got["ranking_requests"] if r["kind"] == "shortlist")
    assert [o["id"] for o in shortlist_request["outputs"]] == [me]          # not the other candidate's row
    targets_request = next(r for r in got["ranking_requests"] if r["kind"] == "job_targets")
    assert len(targets_request["outputs"]) == 3
    assert [s["shortlist_id"] for s in got["shortlists"]] == [shortlist_id]
    assert got["shortlists"][0]["in_confirmed_shortlist"] is True
    assert [(c["status"], c["note"]) for c in got["candidate_status"]] == [("contacted", "gebeld")]
    assert other not in str(got)
    theirs = participant_matching_records(con, participant_id=other)
    assert theirs["candidate_status"] == [] and me not in str(theirs)


def test_full_export_adds_matching_and_access_log(con, two_candidates_on_a_shortlist):
    from service.users import ensure_schema

    ensure_schema(con)
    me, _, _ = two_candidates_on_a_shortlist
    audit(con, user=User("coach", "Koen", Role.coach), action="read_participant", object_type="participant",
          object_id=me, purpose="coaching", detail=None)
    data = full_export(con, participant_id=me)
    assert data["participant"]["participant_id"] == me
    assert len(data["matching"]["ranking_requests"]) == 2
    assert [(e["username"], e["action"]) for e in data["access_log"]] == [("coach", "read_participant")]
