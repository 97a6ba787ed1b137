"""``werkbrug demo``: a demo database with invented people, served with one login per role.

The taxonomy is the real ESCO download when one is found (a given path, the ``esco`` setting or
``../shared/esco``), else the small taxonomy shipped with werkbrug. Participants, assessments
and vacancies are invented and written through the assessment and matching libraries. An
existing demo database is reused as it is: ESCO is neither imported nor embedded again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from foundation.db import connect, transaction
from foundation.settings import Settings

DEMO_MARKER = "demo_built"

#: Settings ``werkbrug demo`` uses unless they are set: lexical vacancy search and related-skill
#: credit from ESCO's hierarchy, so a first start needs no sentence vectors of all of ESCO.
FAST_SETTINGS = {"vacancy_search": "lexical", "matching_encoder": None}

#: (role, username, password, display name): printed by ``werkbrug demo`` and shown on its login page.
DEMO_USERS = (
    ("assessor", "assessor", "demo-assessor", "Ilse Assessor"),
    ("coach", "coach", "demo-coach", "Koen Coach"),
    ("liaison", "liaison", "demo-liaison", "Lotte Liaison"),
    ("admin", "admin", "demo-admin", "Arne Admin"),
    ("coach", "coach2", "demo-coach2", "Mira Coach"),
)


@dataclass(frozen=True)
class DemoInfo:
    """What was built: the taxonomy used, the logins, and how long it took."""

    db: Path
    taxonomy: str
    logins: list[tuple[str, str, str]]
    seconds: float
    reused: bool


def demo_logins() -> list[tuple[str, str, str]]:
    """One ``(role, username, password)`` per role."""
    seen: set[str] = set()
    out = []
    for role, username, password, _name in DEMO_USERS:
        if role not in seen:
            seen.add(role)
            out.append((role, username, password))
    return out


def _built(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        row = con.execute("SELECT value FROM service.settings WHERE key = ?", [DEMO_MARKER]).fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def demo_settings(base: Settings, *, db: Path, esco: Path | None = None) -> Settings:
    """``base`` for the demo: its database file, and :data:`FAST_SETTINGS` where not set explicitly."""
    fast = {k: v for k, v in FAST_SETTINGS.items() if k not in base.model_fields_set}
    return base.model_copy(update={**fast, "db": Path(db), "esco": esco or base.esco})


def build_demo(
    db: str | Path, *, esco: str | Path | None = None, sample: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> DemoInfo:
    """Create (or reuse) the demo database ``db``."""
    from service.app import migrate_all
    from taxonomy.esco_import import import_esco
    from taxonomy.store import SAMPLE_DIR, default_esco_path

    start = time.monotonic()
    db = Path(db)
    con = connect(db)
    try:
        migrate_all(con)
        existing = _built(con)
        if existing:
            progress(f"reusing {db}")
            return DemoInfo(db, existing, demo_logins(), time.monotonic() - start, True)
        source = None if sample else default_esco_path(esco)
        if source is None or not Path(source).exists():
            source = SAMPLE_DIR
        progress(f"importing the taxonomy from {source}")
        report = import_esco(con, source)
        taxonomy = f"ESCO {report.esco_version}" if source != SAMPLE_DIR else "sample taxonomy"
        _search_vectors(con, progress)
        progress("creating demo accounts")
        _users(con)
        progress("inventing participants, assessments and vacancies")
        fill_demo_data(con, progress=progress)
        with transaction(con):
            con.execute("INSERT INTO service.settings (key, value) VALUES (?, ?)", [DEMO_MARKER, taxonomy])
        return DemoInfo(db, taxonomy, demo_logins(), time.monotonic() - start, False)
    finally:
        con.close()


def _search_vectors(con: duckdb.DuckDBPyConnection, progress: Callable[[str], None]) -> None:
    """The occupation vectors the demo's searches use: the fast encoder only (e5 takes ~15 min)."""
    from taxonomy.encoders import get_encoder
    from taxonomy.index import ensure_vectors
    from taxonomy.search import SEARCH_ENCODERS

    encoder = get_encoder(SEARCH_ENCODERS[0])
    progress(f"embedding occupation labels for search ({encoder.name})")
    ensure_vectors(con, concept_type="occupation", encoder=encoder, progress=False, on_progress=lambda n, total: (
        progress(f"embedding occupation labels for search ({encoder.name}): {n:,}/{total:,}")))


def _users(con: duckdb.DuckDBPyConnection) -> None:
    from service.users import create_user

    for role, username, password, name in DEMO_USERS:
        if not con.execute("SELECT 1 FROM service.users WHERE username = ?", [username]).fetchone():
            create_user(con, username=username, password=password, role=role, display_name=name)


#: Invented people: (name, coach, postcode, consent, technical instrument, Dutch levels L/R/S/W).
DEMO_PEOPLE = (
    ("Amina Haddad", "coach", "8000", True, "kitchen-hospitality", ("A2", "A2", "A2", "A1.2")),
    ("Yonas Tesfaye", "coach", "8200", True, "warehouse-logistics", ("A2", "A1.2", "A2", "A1")),
    ("Farid Rahimi", "coach", "8310", True, "construction", ("B1", "A2", "B1", "A2")),
    ("Hewan Girma", "coach", "8400", True, "care-childcare", ("B1", "B1", "B1", "A2")),
    ("Olena Kovalenko", "coach", "8500", True, "cleaning", ("A2", "A2", "A1.2", "A1.2")),
    ("Samir Nazari", "coach", "8000", False, "production-metal", ("A1.2", "A1.1", "A1.2", "A1")),
    ("Awa Diallo", "coach2", "9300", True, "warehouse-logistics", ("A2", "A2", "A2", "A2")),
    ("Tsegay Berhe", "coach2", "8500", True, "construction", ("A1.2", "A1", "A2", "A1")),
    ("Nour Al-Khatib", "coach2", "9300", True, "kitchen-hospitality", ("B1", "A2", "B1", "A2")),
    ("Mohammed Saleh", "coach2", "8800", False, "cleaning", ("A2", "A1.2", "A2", "A1.1")),
)


def fill_demo_data(con: duckdb.DuckDBPyConnection, *, progress: Callable[[str], None] = lambda m: None) -> None:
    """Invented participants, assessments and vacancies (through the library functions)."""
    import random
    from datetime import date, timedelta

    from assessment.instrument import load_instruments
    from assessment.participants import create_participant
    from assessment.records import record_assessment
    from taxonomy.store import existing_uris

    rng = random.Random(20261122)
    instruments = load_instruments()
    social = instruments.get("social-skills")
    known = existing_uris(con, [u for i in instruments.values() for u in i.occupations])
    for n, (name, coach, postcode, consent, technical, dutch) in enumerate(DEMO_PEOPLE):
        ins = instruments.get(technical)
        experience = []
        if ins and ins.occupations and ins.occupations[0] in known and n % 3 == 0:
            experience = [{"occupation_uri": ins.occupations[0], "years": 1 + n % 4,
                           "description": "in het land van herkomst"}]
        p = create_participant(
            con, by="assessor",
            details={"coach": coach, "postcode": postcode, "transport_modes": ["bike", "public_transport"],
                     "max_commute_minutes": 45, "experience": experience,
                     "preferred_occupations": [u for u in (ins.occupations[:1] if ins else []) if u in known]},
            contact={"name": name, "phone": f"+32 470 00 0{n:02d} 00", "referrer": "OCMW" if n % 2 else "VDAB"},
            consent=consent,
        )
        day = date.today() - timedelta(days=7 + 3 * n)
        if ins:
            record_assessment(con, participant_id=p.participant_id, instrument_id=ins.id, assessor="assessor",
                              assessed_on=day, scores={i.id: rng.randint(2, ins.scale.max) for i in ins.items})
        if social:
            record_assessment(con, participant_id=p.participant_id, instrument_id=social.id, assessor="assessor",
                              assessed_on=day, scores={i.id: rng.randint(2, social.scale.max) for i in social.items})
        record_assessment(con, participant_id=p.participant_id, instrument_id="dutch-cefr", assessor="assessor",
                          assessed_on=day, scores=dict(zip(("listening", "reading", "speaking", "writing"), dutch,
                                                           strict=True)))
    progress(f"{len(DEMO_PEOPLE)} participants with assessments")
    _demo_vacancies(con, progress=progress)
    from service.demo_programme import fill_programme_demo

    fill_programme_demo(con, progress=progress)


#: Invented vacancies: (title, employer, postcode, text, confirm, pull a shortlist).
DEMO_VACANCIES = (
    ("Magazijnmedewerker", "Logistiek Brugge NV", "8000",
     "Je pickt orders met een handscanner, stapelt goederen op paletten en meldt beschadigde goederen. "
     "Dagploeg, 38 uur.", True, True),
    ("Keukenhulp", "Brasserie 't Zand", "8000",
     "Je helpt bij het voorbereiden van groenten, de afwas en het schoonhouden van de keuken. "
     "Je werkt hygiënisch en volgt de voedselveiligheidsregels.", True, False),
    ("Schoonmaker kantoren", "Net & Proper Kortrijk", "8500",
     "Je reinigt kantoren en sanitair, gebruikt schoonmaakmachines en volgt de veiligheidsvoorschriften.",
     False, False),
)


def _demo_vacancies(con: duckdb.DuckDBPyConnection, *, progress: Callable[[str], None]) -> None:
    """Invented vacancies of the demo liaison: one to confirm, one confirmed, one with a shortlist."""
    from matching.config import MatchingConfig
    from matching.shortlist import make_shortlist
    from matching.vacancies import confirm_vacancy, create_vacancy
    from taxonomy.store import occupation_skills

    for title, employer, postcode, text, confirm, pull in DEMO_VACANCIES:
        v = create_vacancy(con, owner="liaison", method="lexical", vacancy={
            "title": title, "employer": employer, "postcode": postcode, "description": text})
        if confirm and v.proposal.occupations:
            occupation = next((o for o in v.proposal.occupations if o.label.lower() == title.lower()),
                              v.proposal.occupations[0])
            essential = [u for u, rel in occupation_skills(con, occupation.uri) if rel == "essential"]
            proposed = [s.uri for s in v.proposal.skills if s.uri in essential]
            confirm_vacancy(con, vacancy_id=v.vacancy_id, by="liaison", occupation_uris=[occupation.uri],
                            essential_skills=(proposed or essential)[:10] or [s.uri for s in v.proposal.skills[:8]])
            if pull:
                make_shortlist(con, vacancy_id=v.vacancy_id, requested_by="liaison", top=10,
                               config=MatchingConfig(encoder=None))
    progress(f"{len(DEMO_VACANCIES)} vacancies")
