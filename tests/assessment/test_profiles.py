"""Records, corrections and the competence profile built from them, on real ESCO."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import pytest

from assessment.participants import create_participant, set_consent
from assessment.profile import CompetenceProfile, EvidenceKind, profile_json_schema
from assessment.profiles import build_profile, build_profiles, consenting_profiles, export_participant
from assessment.records import list_records, record_assessment
from assessment.scoring import experience_level
from assessment.trajectories import (
    add_trajectory_step,
    get_trajectory,
    record_agreed_targets,
    update_trajectory_step,
)
from foundation.errors import ConflictError, InputError, NotFoundError
from tests.assessment.conftest import (
    CLEAN_KITCHEN_EQUIPMENT,
    KITCHEN_PORTER,
    OPERATE_DISHWASHER,
    WAREHOUSE_WORKER,
    WORK_IN_TEAMS,
    table_counts,
)


def _participant(con, **details):
    return create_participant(con, by="assessor", details=details).participant_id


def _skill(profile: CompetenceProfile, uri: str):
    return next(s for s in profile.skills if s.uri == uri)


def test_assessed_record_becomes_skill_levels_with_evidence(con) -> None:
    pid = _participant(con)
    rec = record_assessment(con, participant_id=pid, instrument_id="kitchen-hospitality", assessor="ann",
                            assessed_on="2026-10-01", scores={"dishwasher": 3, "clean_equipment": 4, "waste": ""})
    assert rec.scores == {"dishwasher": 3, "clean_equipment": 4}
    profile = build_profile(con, participant_id=pid)
    dish = _skill(profile, OPERATE_DISHWASHER)
    assert dish.level == pytest.approx(0.75) and dish.confidence == pytest.approx(0.9)
    assert dish.evidence_kind == EvidenceKind.assessed and dish.label == "vaatwasmachine bedienen"
    assert dish.evidence[0].record_id == rec.record_id and dish.evidence[0].items == ["dishwasher"]
    # clean_equipment (weight 1, score 4) and dishwasher (weight 0.5, score 3) both inform this skill.
    clean = _skill(profile, CLEAN_KITCHEN_EQUIPMENT)
    assert clean.level == pytest.approx((1 * 1.0 + 0.5 * 0.75) / 1.5, abs=1e-4)
    assert sorted(clean.evidence[0].items) == ["clean_equipment", "dishwasher"]


def test_experience_gives_essential_skills_as_weaker_evidence(con) -> None:
    pid = _participant(con, experience=[{"occupation_uri": KITCHEN_PORTER, "years": 2}])
    essential = {r[0] for r in con.execute(
        "SELECT skill_uri FROM taxonomy.occupation_skills WHERE occupation_uri = ? AND relation_type = 'essential'",
        [KITCHEN_PORTER]).fetchall()}
    profile = build_profile(con, participant_id=pid)
    assert {s.uri for s in profile.skills} == essential
    for s in profile.skills:
        assert s.evidence_kind == EvidenceKind.experience
        assert s.level == pytest.approx(experience_level(2)) and s.confidence == pytest.approx(0.5)
        assert s.evidence[0].occupation_uri == KITCHEN_PORTER
    assert profile.experience[0].label  # Dutch preferred label from ESCO
    # An assessment of a skill replaces the experience evidence for the level, and says so.
    record_assessment(con, participant_id=pid, instrument_id="kitchen-hospitality", assessor="ann",
                      assessed_on=date.today(), scores={"dishwasher": 1})
    dish = _skill(build_profile(con, participant_id=pid), OPERATE_DISHWASHER)
    assert dish.evidence_kind == EvidenceKind.assessed and dish.level == pytest.approx(0.25)
    assert {e.kind for e in dish.evidence} == {EvidenceKind.assessed, EvidenceKind.experience}


def test_observation_grid_gives_observed_transversal_skills(con) -> None:
    pid = _participant(con)
    record_assessment(con, participant_id=pid, instrument_id="social-skills", assessor="ann",
                      assessed_on="2026-09-01", scores={"teamwork": 4, "stress": 2})
    team = _skill(build_profile(con, participant_id=pid), WORK_IN_TEAMS)
    assert team.evidence_kind == EvidenceKind.observed
    assert team.level == pytest.approx(1.0) and team.confidence == pytest.approx(0.8)


def test_correction_replaces_the_record_and_keeps_the_old_version(con) -> None:
    pid = _participant(con)
    first = record_assessment(con, participant_id=pid, instrument_id="kitchen-hospitality", assessor="ann",
                              assessed_on="2026-10-01", scores={"dishwasher": 0})
    fixed = record_assessment(con, participant_id=pid, instrument_id="kitchen-hospitality", assessor="ann",
                              assessed_on="2026-10-01", scores={"dishwasher": 4}, corrects=first.record_id)
    assert _skill(build_profile(con, participant_id=pid), OPERATE_DISHWASHER).level == pytest.approx(1.0)
    records = list_records(con, participant_id=pid)
    assert [r.record_id for r in records] == [first.record_id, fixed.record_id]
    assert records[0].superseded_by == fixed.record_id
    assert [r.record_id for r in list_records(con, participant_id=pid, current_only=True)] == [fixed.record_id]
    before = table_counts(con)
    with pytest.raises(ConflictError, match=fixed.record_id):
        record_assessment(con, participant_id=pid, instrument_id="kitchen-hospitality", assessor="ann",
                          assessed_on="2026-10-01", scores={"dishwasher": 2}, corrects=first.record_id)
    with pytest.raises(InputError, match="same participant and instrument"):
        record_assessment(con, participant_id=pid, instrument_id="cleaning", assessor="ann",
                          assessed_on="2026-10-01", scores={"glass": 2}, corrects=fixed.record_id)
    with pytest.raises(NotFoundError):
        record_assessment(con, participant_id=pid, instrument_id="cleaning", assessor="ann",
                          assessed_on="2026-10-01", scores={"glass": 2}, corrects="R-NOTHERE")
    assert table_counts(con) == before


def test_two_tests_of_one_skill_combine_by_recency(con) -> None:
    pid = _participant(con)
    for day, score in (("2025-06-01", 2), ("2026-06-01", 4)):
        record_assessment(con, participant_id=pid, instrument_id="kitchen-hospitality", assessor="ann",
                          assessed_on=day, scores={"dishwasher": score})
    dish = _skill(build_profile(con, participant_id=pid), OPERATE_DISHWASHER)
    w_old, w_new = 0.9 * 0.5, 0.9  # 365 days apart: half weight
    assert dish.level == pytest.approx((w_old * 0.5 + w_new * 1.0) / (w_old + w_new), abs=1e-4)
    assert len(dish.evidence) == 2


def test_dutch_levels_most_recent_per_sub_skill(con) -> None:
    pid = _participant(con)
    record_assessment(con, participant_id=pid, instrument_id="dutch-cefr", assessor="ann",
                      assessed_on="2026-01-10", scores={"listening": "A1.2", "reading": "a1.1", "speaking": "A1"})
    last = record_assessment(con, participant_id=pid, instrument_id="dutch-cefr", assessor="ann",
                             assessed_on="2026-06-10", scores={"listening": "A2.1", "writing": "A0"})
    dutch = build_profile(con, participant_id=pid).dutch
    assert (dutch.listening, dutch.reading, dutch.speaking, dutch.writing) == ("A2.1", "A1.1", "A1", "A0")
    assert dutch.record_id == last.record_id
    # Dutch never enters the skills list: matching compares it with a declared requirement only.
    assert build_profile(con, participant_id=pid).skills == []


@pytest.mark.parametrize(
    ("kwargs", "error", "column"),
    [
        ({"participant_id": "P-NOPE00"}, NotFoundError, "participant_id"),
        ({"instrument_id": "juggling"}, NotFoundError, "instrument_id"),
        ({"scores": {"unicycle": 2}}, InputError, "unicycle"),
        ({"scores": {"dishwasher": 5}}, InputError, "dishwasher"),
        ({"scores": {"dishwasher": 2.5}}, InputError, "dishwasher"),
        ({"scores": {"dishwasher": "goed"}}, InputError, "dishwasher"),
        ({"scores": {}}, InputError, None),
        ({"assessed_on": "01/10/2026"}, InputError, "assessed_on"),
        ({"assessed_on": date.today() + timedelta(days=3)}, InputError, "assessed_on"),
        ({"instrument_id": "dutch-cefr", "scores": {"listening": "B3"}}, InputError, "listening"),
        ({"instrument_id": "dutch-cefr", "scores": {"listening": 3}}, InputError, "listening"),
    ],
)
def test_bad_records_are_rejected_and_write_nothing(con, kwargs, error, column) -> None:
    pid = _participant(con)
    args = {"participant_id": pid, "instrument_id": "kitchen-hospitality", "assessor": "ann",
            "assessed_on": "2026-10-01", "scores": {"dishwasher": 3}} | kwargs
    before = table_counts(con)
    with pytest.raises(error) as info:
        record_assessment(con, **args)
    assert column in [p.column for p in info.value.problems]
    assert table_counts(con) == before


def test_profile_never_holds_protected_or_contact_data(con) -> None:
    pid = create_participant(
        con, by="assessor", details={"languages": ["fa"], "experience_text": "Kabul bakery", "postcode": "9300"},
        contact={"name": "Zahra Rezai", "phone": "0499 11 22 33"},
        protected={"nationality": "Afghan", "country_of_origin": "Afghanistan", "gender": "f",
                   "date_of_birth": "1988-02-03"},
    ).participant_id
    text = build_profile(con, participant_id=pid).model_dump_json()
    for secret in ("Zahra", "0499", "Afghan", "1988", "Kabul", '"fa"'):
        assert secret not in text
    fields = set(profile_json_schema()["properties"])
    assert not fields & {"name", "nationality", "country_of_origin", "gender", "date_of_birth", "age",
                         "religion", "languages", "contact"}
    assert json.loads(text)["mobility"]["postcode"] == "9300"


def test_consenting_profiles_and_export(con) -> None:
    yes = create_participant(con, by="a", consent=True, contact={"name": "Ali"}).participant_id
    no = create_participant(con, by="a").participant_id
    record_assessment(con, participant_id=no, instrument_id="cleaning", assessor="ann",
                      assessed_on="2026-10-01", scores={"glass": 3})
    assert consenting_profiles(con) == [build_profile(con, participant_id=yes)]
    set_consent(con, participant_id=yes, given=False, by="coach")
    assert consenting_profiles(con) == []
    first = record_assessment(con, participant_id=no, instrument_id="cleaning", assessor="ann",
                              assessed_on="2026-10-02", scores={"glass": 1})
    record_assessment(con, participant_id=no, instrument_id="cleaning", assessor="ann",
                      assessed_on="2026-10-02", scores={"glass": 2}, corrects=first.record_id)
    exported = export_participant(con, participant_id=yes)
    assert exported["contact"]["name"] == "Ali"
    assert [c["given"] for c in exported["consent_history"]] == [True, False]
    other = export_participant(con, participant_id=no)
    assert len(other["assessment_records"]) == 3  # corrected versions included
    json.dumps(other)  # JSON-ready
    with pytest.raises(NotFoundError):
        export_participant(con, participant_id="P-NOPE00")


def test_trajectory_is_append_only(con) -> None:
    pid = _participant(con)
    record_agreed_targets(con, participant_id=pid, occupation_uris=[KITCHEN_PORTER], note="eerste gesprek", by="coach")
    record_agreed_targets(con, participant_id=pid, occupation_uris=[WAREHOUSE_WORKER, KITCHEN_PORTER], note="na stage",
                          by="coach")
    step = add_trajectory_step(con, participant_id=pid, kind="language_course", title="NT2 A2", by="coach",
                               starts_on=date(2026, 9, 1))
    update_trajectory_step(con, step_id=step.step_id, status="completed", by="coach", ends_on=date(2026, 12, 1))
    add_trajectory_step(con, participant_id=pid, kind="twe", title="Art. 60 bij OCMW", by="coach")
    traj = get_trajectory(con, participant_id=pid)
    assert traj.agreed_targets.occupation_uris == [WAREHOUSE_WORKER, KITCHEN_PORTER]
    assert len(traj.target_history) == 2
    assert [s.status for s in traj.steps] == ["completed", "planned"]
    assert [h["status"] for h in traj.steps[0].history] == ["planned", "completed"]
    assert build_profile(con, participant_id=pid).agreed_targets == [WAREHOUSE_WORKER, KITCHEN_PORTER]
    with pytest.raises(InputError):
        record_agreed_targets(con, participant_id=pid, occupation_uris=["http://x/occ"], note=None, by="coach")
    with pytest.raises(InputError):
        add_trajectory_step(con, participant_id=pid, kind="holiday", title="x", by="coach")
    with pytest.raises(InputError):
        update_trajectory_step(con, step_id=step.step_id, by="coach", ends_on=date(2026, 1, 1))
    with pytest.raises(NotFoundError):
        update_trajectory_step(con, step_id="S-NOPE", by="coach", status="ongoing")


def test_bulk_profiles_equal_single_profiles(con) -> None:
    a = _participant(con, experience=[{"occupation_uri": KITCHEN_PORTER, "years": 4}])
    b = _participant(con, experience=[{"occupation_uri": WAREHOUSE_WORKER, "years": 1}])
    c = _participant(con)
    record_assessment(con, participant_id=a, instrument_id="kitchen-hospitality", assessor="ann",
                      assessed_on="2026-10-01", scores={"dishwasher": 2})
    record_assessment(con, participant_id=c, instrument_id="dutch-cefr", assessor="ann",
                      assessed_on="2026-10-01", scores={"reading": "B1"})
    record_agreed_targets(con, participant_id=b, occupation_uris=[WAREHOUSE_WORKER], note=None, by="coach")
    bulk = build_profiles(con, participant_ids=[c, "P-NOPE00", a, b])
    assert bulk == [build_profile(con, participant_id=pid) for pid in (c, a, b)]
    assert bulk[2].agreed_targets == [WAREHOUSE_WORKER] and bulk[0].dutch.reading == "B1"


def test_simultaneous_corrections_store_exactly_one(con) -> None:
    pid = _participant(con)
    first = record_assessment(con, participant_id=pid, instrument_id="cleaning", assessor="ann",
                              assessed_on="2026-10-01", scores={"glass": 1})
    outcomes: list[str] = []

    def correct(score: int) -> None:
        cursor = con.cursor()
        try:
            record_assessment(cursor, participant_id=pid, instrument_id="cleaning", assessor="ann",
                              assessed_on="2026-10-01", scores={"glass": score}, corrects=first.record_id)
            outcomes.append("stored")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            cursor.close()

    threads = [threading.Thread(target=correct, args=(s,)) for s in (2, 3, 4, 0)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 3 + ["stored"]
    records = list_records(con, participant_id=pid)
    assert len(records) == 2 and records[0].superseded_by == records[1].record_id
