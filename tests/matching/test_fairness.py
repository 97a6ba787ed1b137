"""Fairness by construction: protected attributes never change a ranking or a score."""

from datetime import date

from assessment.participants import create_participant, update_participant
from matching.features import ALLOWED_FEATURES, PROTECTED_ATTRIBUTES, ranking_features
from matching.job_targets import job_targets_for_participant
from matching.shortlist import make_shortlist
from matching.vacancies import confirm_vacancy, create_vacancy
from tests.matching.helpers import occupation_by_label, skills_of

FIRST = [
    {"name": "Amina Yusuf", "nationality": "Somalia", "country_of_origin": "Somalia", "gender": "female",
     "date_of_birth": date(1996, 3, 1)},
    {"name": "Tesfay Gebre", "nationality": "Eritrea", "country_of_origin": "Eritrea", "gender": "male",
     "date_of_birth": date(1979, 8, 12)},
    {"name": "Olena Koval", "nationality": "Ukraine", "country_of_origin": "Ukraine", "gender": "female",
     "date_of_birth": date(2003, 1, 30)},
    {"name": "Ahmad Rahimi", "nationality": "Afghanistan", "country_of_origin": "Afghanistan", "gender": "x",
     "date_of_birth": date(1990, 6, 6)},
]


def _split(attrs: dict) -> tuple[dict, dict]:
    return {"name": attrs["name"]}, {k: v for k, v in attrs.items() if k != "name"}


def test_allow_list_excludes_protected_attributes():
    assert not ALLOWED_FEATURES & PROTECTED_ATTRIBUTES
    raw = {"participant_id": "P-1", "name": "X", "gender": "f", "age": 30, "nationality": "SY", "religion": "y",
           "skills": [], "dutch": {"listening": "A2"}}
    f = ranking_features(raw)
    assert f.dutch["listening"] == "A2"
    assert not {"name", "gender", "age", "nationality", "religion"} & set(vars(f))


def test_changing_name_nationality_origin_gender_and_age_changes_nothing(con):
    occ = occupation_by_label(con, "forklift operator")
    ess = skills_of(con, occ)
    ids = []
    for i, attrs in enumerate(FIRST):
        contact, protected = _split(attrs)
        p = create_participant(con, by="assessor", consent=True, contact=contact, protected=protected, details={
            "postcode": "8000", "transport_modes": ["bike"], "declared_skills": ess[i: i + 4 + i],
        })
        ids.append(p.participant_id)
    v = create_vacancy(con, owner="liaison", vacancy={"title": "heftruckchauffeur", "description": "magazijn",
                                                      "employer": "X", "postcode": "8200"})
    confirm_vacancy(con, vacancy_id=v.vacancy_id, by="liaison", occupation_uris=[occ], essential_skills=ess[:8])

    def run():
        targets = {pid: [(t.occupation_uri, t.score, t.parts) for t in
                         job_targets_for_participant(con, participant_id=pid, top=10, log=False).targets]
                   for pid in ids}
        sl = make_shortlist(con, vacancy_id=v.vacancy_id, requested_by="liaison", top=10)
        return targets, [(c.participant_id, c.score, c.parts) for c in sl.candidates]

    before = run()
    assert len(before[1]) == len(ids)
    for pid, attrs in zip(ids, reversed(FIRST), strict=True):   # everyone gets someone else's attributes
        contact, protected = _split(attrs)
        update_participant(con, participant_id=pid, by="assessor", contact=contact, protected=protected)
    after = run()
    assert after == before
    text = make_shortlist(con, vacancy_id=v.vacancy_id, requested_by="liaison").model_dump_json()
    for attrs in FIRST:
        assert attrs["name"] not in text and attrs["nationality"] not in text
