"""A small, real werkbrug database for service tests: users, participants, records, a vacancy, a shortlist."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from foundation.db import connect
from service.app import migrate_all
from service.users import create_user
from taxonomy.esco_import import import_esco
from taxonomy.store import SAMPLE_DIR, occupation_skills
from tests.live import PASSWORD, add_role_users

#: Fast settings: lexical vacancy search, related-skill credit from the hierarchy only.
FAST_ENV = {"WERKBRUG_VACANCY_SEARCH": "lexical", "WERKBRUG_MATCHING_ENCODER": "none"}
OCCUPATION = "https://werkbrug.example/taxonomy/occupation/magazijnier"


@dataclass(frozen=True)
class World:
    db: Path
    participant: str        # in coach's caseload, consenting
    other_participant: str  # in coach2's caseload, consenting
    no_consent: str         # in coach's caseload, no consent
    record: str
    step: str
    vacancy: str            # owned by liaison, confirmed
    shortlist: str          # of that vacancy
    employer: str = ""      # an employer of the region
    placement: str = ""     # participant's placement with that employer
    candidate: str = ""     # participant's outreach code (J-…), with agreed job targets


@contextlib.contextmanager
def fast_matching() -> Iterator[None]:
    """Set :data:`FAST_ENV` for the block (the server runs in this process)."""
    old = {k: os.environ.get(k) for k in FAST_ENV}
    os.environ.update(FAST_ENV)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def served_world(db: Path) -> Iterator[tuple[World, str, object]]:
    """:func:`build_world` at ``db`` served over real HTTP with :func:`fast_matching`: the world, the base URL
    and the app's own connection (to look at the tables)."""
    from service.app import create_app
    from tests.live import running_server

    with fast_matching():
        world = build_world(db)
        app = create_app(world.db)
        with running_server(world.db, app=app) as url:
            yield world, url, app.state.db


def build_world(db: Path, *, taxonomy: Path = SAMPLE_DIR) -> World:
    """Import the sample taxonomy and write a few objects through the library functions."""
    from assessment.participants import create_participant
    from assessment.records import record_assessment
    from assessment.trajectories import add_trajectory_step
    from matching.config import MatchingConfig
    from matching.shortlist import make_shortlist
    from matching.vacancies import confirm_vacancy, create_vacancy

    add_role_users(db)
    con = connect(db)
    migrate_all(con)
    import_esco(con, taxonomy)
    for username, role in (("coach2", "coach"), ("liaison2", "liaison"), ("victim", "assessor")):
        create_user(con, username=username, password=PASSWORD, role=role)
    skills = [u for u, rel in occupation_skills(con, OCCUPATION) if rel == "essential"]

    def person(coach: str, name: str, consent: bool) -> str:
        return create_participant(
            con, by="assessor", consent=consent, contact={"name": name, "phone": "+32 470 11 22 33"},
            details={"coach": coach, "postcode": "8000", "declared_skills": skills[:4],
                     "transport_modes": ["bike"], "max_commute_minutes": 60},
        ).participant_id

    p1 = person("coach", "Amina Testperson", True)
    p2 = person("coach2", "Yonas Otherperson", True)
    p3 = person("coach", "Samir Noconsent", False)
    record = record_assessment(con, participant_id=p1, instrument_id="dutch-cefr", assessor="assessor",
                               assessed_on="2026-01-15", scores={"listening": "A2", "speaking": "A2"})
    step = add_trajectory_step(con, participant_id=p1, kind="language_course", title="NT2 A2", by="coach")
    v = create_vacancy(con, owner="liaison", method="lexical", vacancy={
        "title": "Magazijnier", "employer": "Testbedrijf", "postcode": "8000",
        "description": "Orders verzamelen en goederen stapelen in het magazijn."})
    confirm_vacancy(con, vacancy_id=v.vacancy_id, by="liaison", occupation_uris=[OCCUPATION],
                    essential_skills=skills[:6])
    sl = make_shortlist(con, vacancy_id=v.vacancy_id, requested_by="liaison", config=MatchingConfig(encoder=None))
    employer, placement, candidate = _programme(con, p1)
    con.close()
    return World(db, p1, p2, p3, record.record_id, step.step_id, v.vacancy_id, sl.shortlist_id, employer, placement,
                 candidate)


def _programme(con, participant: str) -> tuple[str, str, str]:
    """An employer of the region, a placement of ``participant`` there, their outreach code."""
    from assessment.trajectories import record_agreed_targets
    from foundation.keys import secret_key
    from matching.employers import create_employer
    from matching.outreach import outreach_code
    from matching.placements import record_placement
    from service.users import Role, User

    record_agreed_targets(con, participant_id=participant, occupation_uris=[OCCUPATION], note=None, by="coach")
    employer = create_employer(con, actor=User("liaison", "liaison", Role.liaison), occupation_uris=[OCCUPATION],
                               employer={"name": "Testwerkgever", "postcode": "8000"}).employer_id
    placement = record_placement(con, actor=User("coach", "coach", Role.coach), participant_id=participant, placement={
        "employer_id": employer, "occupation_uri": OCCUPATION, "contract_type": "interim", "hours_per_week": 38,
        "starts_on": "2026-01-05"}).placement_id
    return employer, placement, outreach_code(secret_key(con), participant)
