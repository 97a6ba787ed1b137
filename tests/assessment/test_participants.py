"""Participants: pseudonymous ids, validation, consent history, caseload filters."""

from __future__ import annotations

import re
from datetime import date

import pytest

from assessment.participants import (
    consent_history,
    create_participant,
    get_contact,
    get_participant,
    get_protected_attributes,
    list_participants,
    participant_history,
    set_consent,
    update_participant,
)
from foundation.errors import InputError, NotFoundError
from tests.assessment.conftest import KITCHEN_PORTER, table_counts


def test_ids_are_random_and_not_derived_from_the_name(con) -> None:
    a = create_participant(con, by="assessor", contact={"name": "Yonas Tesfaye"})
    b = create_participant(con, by="assessor", contact={"name": "Yonas Tesfaye"})
    assert a.participant_id != b.participant_id
    for p in (a, b):
        assert re.fullmatch(r"P-[2-9A-HJ-NP-Z]{6}", p.participant_id)
    assert get_contact(con, participant_id=a.participant_id).name == "Yonas Tesfaye"
    assert "Yonas" not in get_participant(con, participant_id=a.participant_id).model_dump_json()


def test_create_and_read_back_all_fields(con) -> None:
    p = create_participant(
        con, by="assessor",
        details={
            "coach": "coach", "postcode": "8500", "transport_modes": ["bike", "public_transport"],
            "max_commute_minutes": 40, "hours_per_week": 30, "shifts": ["early", "late"], "weekends": True,
            "preferred_sectors": ["horeca"], "preferred_occupations": [KITCHEN_PORTER],
            "experience_text": "ሰርሐ ኣብ ቤት መግቢ 3 ዓመት", "experience": [{"occupation_uri": KITCHEN_PORTER, "years": 3}],
            "education_level": "primary", "diploma_recognition": "not_applicable", "languages": ["TI", "ar"],
        },
        protected={"nationality": "Eritrean", "gender": "m", "date_of_birth": "1990-05-01"},
    )
    got = get_participant(con, participant_id=p.participant_id)
    assert got == p
    assert got.transport_modes == ["bike", "public_transport"] and got.shifts == ["early", "late"]
    assert got.experience[0].years == 3 and got.languages == ["ti", "ar"]
    assert got.consent is False
    prot = get_protected_attributes(con, participant_id=p.participant_id)
    assert (prot.nationality, prot.date_of_birth) == ("Eritrean", date(1990, 5, 1))


@pytest.mark.parametrize(
    ("details", "column"),
    [
        ({"postcode": "80000"}, "postcode"),
        ({"transport_modes": ["rocket"]}, "transport_modes.0"),
        ({"languages": ["Arabic"]}, "languages"),
        ({"hours_per_week": 80}, "hours_per_week"),
        ({"experience": [{"occupation_uri": "http://data.europa.eu/esco/occupation/nope", "years": 1}]},
         "experience.0.occupation_uri"),
        ({"preferred_occupations": ["http://data.europa.eu/esco/occupation/nope"]}, "preferred_occupations.0"),
        ({"declared_skills": ["http://data.europa.eu/esco/skill/nope"]}, "declared_skills.0"),
        ({"nationality": "x"}, "nationality"),
    ],
)
def test_bad_input_is_located_and_writes_nothing(con, details, column) -> None:
    before = table_counts(con)
    with pytest.raises(InputError) as info:
        create_participant(con, by="assessor", details=details, consent=True)
    assert column in [p.column for p in info.value.problems]
    assert table_counts(con) == before


def test_update_logs_history_and_validates(con) -> None:
    p = create_participant(con, by="assessor", details={"postcode": "8000"})
    q = update_participant(con, participant_id=p.participant_id, by="coach",
                           changes={"postcode": "8500", "coach": "coach"}, contact={"phone": "0470"})
    assert q.postcode == "8500" and q.coach == "coach"
    with pytest.raises(InputError):
        update_participant(con, participant_id=p.participant_id, by="coach", changes={"religion": "x"})
    with pytest.raises(InputError):
        update_participant(con, participant_id=p.participant_id, by="coach", changes={"postcode": "B-8000"})
    assert get_participant(con, participant_id=p.participant_id).postcode == "8500"
    exp = [{"occupation_uri": KITCHEN_PORTER, "years": 1.5}]
    r = update_participant(con, participant_id=p.participant_id, by="coach", changes={"experience": exp})
    assert [(e.occupation_uri, e.years) for e in r.experience] == [(KITCHEN_PORTER, 1.5)]
    assert r.postcode == "8500"  # untouched fields stay
    history = participant_history(con, participant_id=p.participant_id)
    assert [h["fields"] for h in history] == [["created"], ["coach", "postcode", "contact"], ["experience"]]
    with pytest.raises(NotFoundError):
        update_participant(con, participant_id="P-NOPE00", by="coach", changes={})


def test_consent_is_withdrawable_and_kept_as_history(con) -> None:
    p = create_participant(con, by="assessor", details={"coach": "coach"}, consent=True)
    other = create_participant(con, by="assessor", details={"coach": "someone"})
    assert [x.participant_id for x in list_participants(con, consenting_only=True)] == [p.participant_id]
    set_consent(con, participant_id=p.participant_id, given=False, by="coach", note="withdrawn by phone")
    assert list_participants(con, consenting_only=True) == []
    set_consent(con, participant_id=other.participant_id, given=True, by="coach")
    assert [x.participant_id for x in list_participants(con, consenting_only=True)] == [other.participant_id]
    events = consent_history(con, participant_id=p.participant_id)
    assert [e.given for e in events] == [True, False] and events[1].note == "withdrawn by phone"
    with pytest.raises(NotFoundError):
        set_consent(con, participant_id="P-NOPE00", given=True, by="coach")


def test_list_filters_by_coach_and_search(con) -> None:
    a = create_participant(con, by="a", details={"coach": "coach"}, contact={"name": "Amina Haidari"})
    b = create_participant(con, by="a", details={"coach": "other"}, contact={"name": "Omar Said"})
    assert [p.participant_id for p in list_participants(con, coach="coach")] == [a.participant_id]
    assert [p.participant_id for p in list_participants(con, search="omar")] == [b.participant_id]
    assert [p.participant_id for p in list_participants(con, search=a.participant_id[2:])] == [a.participant_id]
    assert len(list_participants(con)) == 2
