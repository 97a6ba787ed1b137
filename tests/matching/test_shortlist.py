"""Shortlists: consent, commute and availability filters, confirmation and status history."""

import pytest

from assessment.participants import create_participant, set_consent
from foundation.errors import ConflictError, InputError, NotFoundError
from matching.log import read_log
from matching.shortlist import (
    candidate_history,
    confirm_shortlist,
    make_shortlist,
    set_candidate_status,
)
from matching.vacancies import confirm_vacancy, create_vacancy
from tests.matching.helpers import occupation_by_label, profile, skills_of


@pytest.fixture
def vacancy(con):
    occ = occupation_by_label(con, "forklift operator")
    v = create_vacancy(con, owner="liaison", vacancy={
        "title": "heftruckchauffeur", "description": "magazijn", "employer": "X", "postcode": "8000",
        "hours_per_week": 30, "shifts": ["early"], "dutch_level": "A2"})
    return confirm_vacancy(con, vacancy_id=v.vacancy_id, by="liaison", occupation_uris=[occ],
                           essential_skills=skills_of(con, occ)[:8])


def test_commute_and_availability_filters(con, vacancy):
    ess = vacancy.essential_skills
    early = {"availability": {"hours_per_week": 38, "shifts": ["day", "early"]}}
    people = [
        profile("P-near", ess[:4], postcode="8200", modes=["bike"], **early),               # ~5 km by bike
        profile("P-far-bike", ess, postcode="8500", modes=["bike"], **early),               # ~44 km: 4 h
        profile("P-far-car", ess[:3], postcode="8500", modes=["car"], max_minutes=120, **early),
        profile("P-no-early", ess, postcode="8000", **{"availability": {"shifts": ["day"]}}),
        profile("P-parttime", ess, postcode="8000", **{"availability": {"hours_per_week": 20, "shifts": ["early"]}}),
        profile("P-nowhere", ess[:2], **early),                                              # no postcode: kept
    ]
    sl = make_shortlist(con, vacancy_id=vacancy.vacancy_id, requested_by="liaison", profiles=people)
    ids = [c.participant_id for c in sl.candidates]
    assert set(ids) == {"P-near", "P-far-car", "P-nowhere"}
    assert sl.considered == 6 and sl.filtered_out == {"commute": 1, "availability": 2}
    near = next(c for c in sl.candidates if c.participant_id == "P-near")
    assert 0 < near.commute_minutes <= 45 and near.distance_km < 10
    nowhere = next(c for c in sl.candidates if c.participant_id == "P-nowhere")
    assert nowhere.commute_minutes is None and "shortlist.flag.commute_unknown" in nowhere.flags
    scores = [c.score for c in sl.candidates]
    assert scores == sorted(scores, reverse=True)


def test_language_gap_is_flagged_not_filtered(con, vacancy):
    ess = vacancy.essential_skills
    early = {"availability": {"shifts": ["early"]}}
    people = [profile("P-a2", ess[:4], postcode="8000", dutch=dict.fromkeys(
                  ("listening", "reading", "speaking", "writing"), "A2"), **early),
              profile("P-c1", ess[:4], postcode="8000", dutch=dict.fromkeys(
                  ("listening", "reading", "speaking", "writing"), "C1"), **early),
              profile("P-a1", ess[:4], postcode="8000", dutch=dict.fromkeys(
                  ("listening", "reading", "speaking", "writing"), "A1"), **early)]
    sl = make_shortlist(con, vacancy_id=vacancy.vacancy_id, requested_by="liaison", profiles=people)
    by = {c.participant_id: c for c in sl.candidates}
    assert set(by) == {"P-a2", "P-c1", "P-a1"}
    assert by["P-a2"].score == by["P-c1"].score > by["P-a1"].score
    assert by["P-a1"].language.requirement_source == "vacancy"
    assert [i.gap_levels for i in by["P-a1"].language.items] == [1, 1, 1, 1]
    assert "shortlist.flag.dutch_below_requirement" in by["P-a1"].flags


def test_only_consenting_participants_and_pseudonymised(con, vacancy):
    ess = vacancy.essential_skills
    details = {"postcode": "8000", "transport_modes": ["bike"], "shifts": ["early"], "declared_skills": ess[:5]}
    yes = create_participant(con, by="a", consent=True, details=details, contact={"name": "Samira Haddad"})
    no = create_participant(con, by="a", consent=False, details=details, contact={"name": "Yonas Tesfaye"})
    withdrawn = create_participant(con, by="a", consent=True, details=details, contact={"name": "Mina Noor"})
    set_consent(con, participant_id=withdrawn.participant_id, given=False, by="coach")
    sl = make_shortlist(con, vacancy_id=vacancy.vacancy_id, requested_by="liaison")
    assert [c.participant_id for c in sl.candidates] == [yes.participant_id]
    text = sl.model_dump_json()
    assert no.participant_id not in text and withdrawn.participant_id not in text
    assert "Samira" not in text and "Haddad" not in text
    set_consent(con, participant_id=yes.participant_id, given=False, by="coach")      # the cache must notice
    set_consent(con, participant_id=no.participant_id, given=True, by="coach")
    again = make_shortlist(con, vacancy_id=vacancy.vacancy_id, requested_by="liaison")
    assert [c.participant_id for c in again.candidates] == [no.participant_id]


def test_confirmation_needs_a_person_and_reasons(con, vacancy):
    ess = vacancy.essential_skills
    early = {"availability": {"shifts": ["early"]}}
    people = [profile(f"P-{i}", ess[: 8 - i], postcode="8000", **early) for i in range(4)]
    sl = make_shortlist(con, vacancy_id=vacancy.vacancy_id, requested_by="liaison", profiles=people)
    order = [c.participant_id for c in sl.candidates]
    assert order == ["P-0", "P-1", "P-2", "P-3"] and sl.status == "suggested"
    with pytest.raises(ConflictError):
        set_candidate_status(con, shortlist_id=sl.shortlist_id, participant_id="P-0", status="contacted", by="l")
    with pytest.raises(InputError) as err:
        confirm_shortlist(con, shortlist_id=sl.shortlist_id, confirmed_by="Els", ordered_participant_ids=["P-1", "P-0"])
    named = {p.column for p in err.value.problems}
    assert named == {"reasons.P-1", "reasons.P-2", "reasons.P-3"}   # moved up; two removed
    with pytest.raises(InputError):
        confirm_shortlist(con, shortlist_id=sl.shortlist_id, confirmed_by=" ", ordered_participant_ids=order)
    with pytest.raises(InputError):
        confirm_shortlist(con, shortlist_id=sl.shortlist_id, confirmed_by="Els", ordered_participant_ids=["P-x"],
                          reasons=dict.fromkeys(order, "r"))
    done = confirm_shortlist(con, shortlist_id=sl.shortlist_id, confirmed_by="Els",
                             ordered_participant_ids=["P-1", "P-0"],
                             reasons={"P-1": "sterke stage-ervaring", "P-2": "verhuist", "P-3": "andere job"})
    assert done.status == "confirmed" and done.confirmed_by == "Els" and done.confirmed_order == ["P-1", "P-0"]
    assert done.reasons["P-2"] == "verhuist"
    with pytest.raises(ConflictError):
        confirm_shortlist(con, shortlist_id=sl.shortlist_id, confirmed_by="Els", ordered_participant_ids=order)


def test_candidate_status_history_is_append_only(con, vacancy):
    people = [profile("P-1", vacancy.essential_skills, postcode="8000", availability={"shifts": ["early"]})]
    sl = make_shortlist(con, vacancy_id=vacancy.vacancy_id, requested_by="liaison", profiles=people)
    confirm_shortlist(con, shortlist_id=sl.shortlist_id, confirmed_by="Els", ordered_participant_ids=["P-1"])
    for status in ("contacted", "invited", "rejected"):
        set_candidate_status(con, shortlist_id=sl.shortlist_id, participant_id="P-1", status=status, by="liaison",
                             note=f"{status} by phone")
    hist = candidate_history(con, shortlist_id=sl.shortlist_id, participant_id="P-1")
    assert [h.status for h in hist] == ["contacted", "invited", "rejected"]
    assert [h.seq for h in hist] == sorted(h.seq for h in hist)
    with pytest.raises(InputError):
        set_candidate_status(con, shortlist_id=sl.shortlist_id, participant_id="P-1", status="married", by="l")
    with pytest.raises(NotFoundError):
        set_candidate_status(con, shortlist_id=sl.shortlist_id, participant_id="P-2", status="hired", by="l")


def test_unconfirmed_vacancy_gets_no_shortlist_and_requests_are_logged(con, vacancy):
    v = create_vacancy(con, owner="liaison", vacancy={"title": "kok", "description": "keuken", "employer": "R",
                                                      "postcode": "8000"})
    with pytest.raises(ConflictError):
        make_shortlist(con, vacancy_id=v.vacancy_id, requested_by="liaison", profiles=[])
    sl = make_shortlist(con, vacancy_id=vacancy.vacancy_id, requested_by="liaison2", profiles=[
        profile("P-1", vacancy.essential_skills, postcode="8000", availability={"shifts": ["early"]})])
    rows = read_log(con, kind="shortlist", input_id=vacancy.vacancy_id)
    assert len(rows) == 1 and rows[0].requested_by == "liaison2" and rows[0].log_id == sl.log_id
    assert rows[0].outputs == [{"id": "P-1", "score": pytest.approx(sl.candidates[0].score), "rank": 1}]


def test_shortlist_and_job_target_give_the_same_score(con):
    from matching.job_targets import job_targets

    occ = occupation_by_label(con, "forklift operator")
    ess, opt = skills_of(con, occ), skills_of(con, occ, "optional")
    v = create_vacancy(con, owner="liaison", vacancy={"title": "heftruckchauffeur", "description": "magazijn",
                                                      "employer": "X", "postcode": "8000"})
    v = confirm_vacancy(con, vacancy_id=v.vacancy_id, by="liaison", occupation_uris=[occ], essential_skills=ess,
                        optional_skills=opt)
    dutch = dict.fromkeys(("listening", "reading", "speaking", "writing"), "A1")
    p = profile("P-1", ess[::2] + opt[:2] + skills_of(con, occupation_by_label(con, "cook"))[:3], postcode="8000",
                dutch=dutch, experience=[{"occupation_uri": occ, "years": 1}], preferred_occupations=[occ])
    sl = make_shortlist(con, vacancy_id=v.vacancy_id, requested_by="liaison", profiles=[p])
    target = next(t for t in job_targets(con, profile=p, top=5, log=False).targets if t.occupation_uri == occ)
    cand = sl.candidates[0]
    assert cand.score == pytest.approx(target.score, abs=1e-6)
    assert cand.parts.values == pytest.approx(target.parts.values, abs=1e-6)
    assert cand.skill_counts == target.skill_counts
    assert [s.uri for s in cand.supporting_skills] == [s.uri for s in target.supporting_skills]
    every = [s.uri for s in cand.supporting_skills] + [m.uri for m in cand.missing_essential]
    assert len(every) == len(set(every))


def test_language_skills_are_never_scored(con, vacancy):
    dutch_skill = con.execute(
        """SELECT c.uri FROM taxonomy.collections c JOIN taxonomy.labels l ON l.uri = c.uri WHERE
           c.collection = 'language' AND l.lang = 'nl' AND l.kind = 'preferred'
           AND l.label = 'Nederlands'""").fetchone()
    assert dutch_skill
    v = confirm_vacancy(con, vacancy_id=vacancy.vacancy_id, by="liaison", occupation_uris=vacancy.occupation_uris,
                        essential_skills=[*vacancy.essential_skills, dutch_skill[0]])
    people = [profile("P-1", v.essential_skills[:4], postcode="8000", availability={"shifts": ["early"]}),
              profile("P-2", [*v.essential_skills[:4], dutch_skill[0]], postcode="8000",
                      availability={"shifts": ["early"]})]
    sl = make_shortlist(con, vacancy_id=v.vacancy_id, requested_by="liaison", profiles=people)
    a, b = sl.candidates
    assert a.score == b.score and a.skill_counts.required == len(vacancy.essential_skills)
    shown = {s.uri for c in sl.candidates for s in c.supporting_skills} | {
        m.uri for c in sl.candidates for m in c.missing_essential}
    assert dutch_skill[0] not in shown
