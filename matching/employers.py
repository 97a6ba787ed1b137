"""Employers in the region: company data, contact persons, occupations, timeline, concerns.

Employers are the programme's shared network: every liaison (and an admin) works on them;
``owner`` is the liaison who looks after one. Company data is not personal data, but the
contact persons are (employees' names, phones, e-mails): every read of them is audited.
Each public function takes the acting person and does the check, the change and its audit
entry in one transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import duckdb
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assessment.common import day_or_today, new_id, problems_from, utcnow
from foundation.actor import Role, User
from foundation.audit import Purpose, audit
from foundation.db import transaction
from foundation.errors import ConflictError, InputError, NotFoundError, Problem
from matching import geo
from matching.kbo import normalise_kbo

EMPLOYER_ROLES = (Role.liaison, Role.admin)


class EventKind(StrEnum):
    """What happened between the programme and an employer (the timeline)."""

    introduction = "introduction"              # kennismaking
    workplace_visit = "workplace_visit"        # bedrijfsbezoek
    job_shadowing = "job_shadowing"
    diversity_action = "diversity_action"      # diversiteitsactie
    meet_and_greet = "meet_and_greet"
    twe_offered = "twe_offered"                # TWE place offered (art. 60 §7)
    internship_offered = "internship_offered"  # stageplaats aangeboden
    candidate_presented = "candidate_presented"  # a candidate for a job target was proposed
    other = "other"


class ConcernCode(StrEnum):
    """Thresholds and concerns an employer raises (drempels en bezorgdheden)."""

    language = "language"
    attitude = "attitude"
    paperwork = "paperwork"          # work permit, administration
    transport = "transport"
    childcare = "childcare"
    safety = "safety"
    skills = "skills"
    colleagues = "colleagues"        # acceptance on the work floor
    other = "other"


class EmployerInput(BaseModel):
    """What a liaison enters for an employer."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=200)
    kbo: str | None = Field(None, max_length=30, description="Enterprise number (KBO/BCE), e.g. 0123.456.749.")
    sector: str | None = Field(None, max_length=100)
    postcode: geo.BelgianPostcode

    @field_validator("kbo")
    @classmethod
    def _kbo(cls, value: str | None) -> str | None:
        return normalise_kbo(value) if value else None


class ContactInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    job_role: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=50)
    email: str | None = Field(None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ContactPerson(ContactInput):
    contact_id: str


class Event(BaseModel):
    event_id: str
    kind: EventKind
    happened_on: date
    occupation_uri: str | None
    note: str | None
    by: str
    at: datetime


class Concern(BaseModel):
    concern_id: str
    code: ConcernCode
    note: str | None
    raised_on: date
    by: str


class Employer(BaseModel):
    """An employer with what a liaison sees on its page (contact persons only on request)."""

    employer_id: str
    name: str
    kbo: str | None
    sector: str | None
    postcode: str
    municipality: str | None
    owner: str
    created_at: datetime
    occupation_uris: list[str] = []
    events: list[Event] = []
    concerns: list[Concern] = []
    open_vacancies: list[str] = []


def _error(message: str, column: str, message_code: str, **params) -> InputError:
    return InputError(message, [Problem(message, column=column, code=message_code, params=params)],
                      code=message_code, params=params)


def _require_role(actor: User, employer_id: str | None = None) -> None:
    if actor.role not in EMPLOYER_ROLES:
        raise NotFoundError(f"Unknown employer {employer_id!r}",
                            [Problem("no such employer", column="employer_id", code="employer.unknown")],
                            code="employer.not_found", params={"employer_id": employer_id or ""})


def _require_employer(con: duckdb.DuckDBPyConnection, actor: User, employer_id: str) -> None:
    _require_role(actor, employer_id)
    if con.execute("SELECT 1 FROM matching.employers WHERE employer_id = ?", [employer_id]).fetchone() is None:
        raise NotFoundError(f"Unknown employer {employer_id!r}",
                            [Problem("no such employer", column="employer_id", code="employer.unknown")],
                            code="employer.not_found", params={"employer_id": employer_id})


def _parse(model, value, what: str):
    if isinstance(value, model):
        return value
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        problems = problems_from(exc)
        for p in problems:  # an InputError raised inside a validator keeps its code
            p.code = p.code or f"{what}.invalid"
        raise InputError(f"Invalid {what}", problems, code=f"{what}.invalid") from None


def _check_occupations(con, uris: list[str], column: str) -> None:
    known = {r[0] for r in con.execute(
        "SELECT uri FROM taxonomy.occupations WHERE uri IN (SELECT unnest(?))", [uris]).fetchall()}
    bad = [Problem(f"unknown ESCO occupation {u}", column=f"{column}.{i}", code="esco.unknown_occupation",
                   params={"uri": u}) for i, u in enumerate(uris) if u not in known]
    if bad:
        raise InputError("Unknown ESCO occupation(s)", bad, code="esco.unknown_occupation",
                         params={"uri": [p.params["uri"] for p in bad]})


def create_employer(
    con: duckdb.DuckDBPyConnection, *, actor: User, employer: EmployerInput | dict,
    occupation_uris: list[str] | None = None, owner: str | None = None,
) -> Employer:
    """Register an employer (a second one with the same enterprise number is a conflict)."""
    _require_role(actor)
    e = _parse(EmployerInput, employer, "employer")
    uris = list(dict.fromkeys(occupation_uris or []))
    _check_occupations(con, uris, "occupation_uris")
    now = utcnow()
    with transaction(con):
        if e.kbo and con.execute("SELECT 1 FROM matching.employers WHERE kbo = ?", [e.kbo]).fetchone():
            raise ConflictError(f"An employer with enterprise number {e.kbo} exists already",
                                [Problem("already registered", column="kbo", code="employer.kbo_taken",
                                         params={"kbo": e.kbo})], code="employer.kbo_taken", params={"kbo": e.kbo})
        eid = new_id("W")
        con.execute("INSERT INTO matching.employers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [eid, e.name, e.kbo, e.sector, e.postcode, owner or actor.username, actor.username, now, now])
        for uri in uris:
            con.execute("INSERT INTO matching.employer_occupations VALUES (?, ?, ?, ?)",
                        [eid, uri, actor.username, now])
        audit(con, user=actor, action="create_employer", object_type="employer", object_id=eid,
              purpose=Purpose.employer_contact)
    return _employer(con, eid)


def list_employers(con: duckdb.DuckDBPyConnection, *, actor: User, search: str | None = None) -> list[Employer]:
    """Every employer (company data only), by name."""
    _require_role(actor)
    ids = [r[0] for r in con.execute(
        """SELECT employer_id FROM matching.employers
           WHERE ?::VARCHAR IS NULL OR name ILIKE ? OR kbo ILIKE ? ORDER BY lower(name), employer_id""",
        [search or None, f"%{search}%", f"%{search}%"]).fetchall()]
    return [_employer(con, i) for i in ids]


def get_employer(con: duckdb.DuckDBPyConnection, *, actor: User, employer_id: str) -> Employer:
    """One employer with occupations, timeline, concerns and open vacancies (no contact persons)."""
    _require_employer(con, actor, employer_id)
    return _employer(con, employer_id)


def get_contacts(con: duckdb.DuckDBPyConnection, *, actor: User, employer_id: str) -> list[ContactPerson]:
    """The employer's contact persons: personal data, so the read is audited."""
    with transaction(con):
        _require_employer(con, actor, employer_id)
        rows = con.execute(
            """SELECT contact_id, name, job_role, phone, email FROM matching.employer_contacts
               WHERE employer_id = ? ORDER BY created_at, contact_id""", [employer_id]).fetchall()
        audit(con, user=actor, action="read_employer_contacts", object_type="employer", object_id=employer_id,
              purpose=Purpose.employer_contact, detail={"contacts": len(rows)})
    return [ContactPerson(contact_id=r[0], name=r[1], job_role=r[2], phone=r[3], email=r[4]) for r in rows]


def add_contact(con: duckdb.DuckDBPyConnection, *, actor: User, employer_id: str,
                contact: ContactInput | dict) -> ContactPerson:
    """Add a contact person to an employer."""
    c = _parse(ContactInput, contact, "contact")
    with transaction(con):
        _require_employer(con, actor, employer_id)
        cid = new_id("C", 8)
        con.execute("INSERT INTO matching.employer_contacts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [cid, employer_id, c.name, c.job_role, c.phone, c.email, actor.username, utcnow()])
        audit(con, user=actor, action="add_employer_contact", object_type="employer", object_id=employer_id,
              purpose=Purpose.employer_contact, detail={"contact_id": cid})
    return ContactPerson(contact_id=cid, **c.model_dump())


def add_occupations(con: duckdb.DuckDBPyConnection, *, actor: User, employer_id: str,
                    occupation_uris: list[str]) -> Employer:
    """Record occupations (ESCO) the employer hires for."""
    uris = list(dict.fromkeys(occupation_uris))
    if not uris:
        raise _error("Choose at least one occupation", "occupation_uris", "employer.no_occupation")
    _check_occupations(con, uris, "occupation_uris")
    with transaction(con):
        _require_employer(con, actor, employer_id)
        now = utcnow()
        for uri in uris:
            con.execute("INSERT OR IGNORE INTO matching.employer_occupations VALUES (?, ?, ?, ?)",
                        [employer_id, uri, actor.username, now])
        audit(con, user=actor, action="add_employer_occupations", object_type="employer", object_id=employer_id,
              purpose=Purpose.employer_contact, detail={"occupations": uris})
    return _employer(con, employer_id)


def insert_event(con, *, actor: User, employer_id: str, kind: EventKind, happened_on: date,
                 occupation_uri: str | None = None, participant_id: str | None = None, note: str | None = None) -> str:
    """Append a timeline entry inside the caller's transaction (no checks: callers check)."""
    eid = new_id("E", 8)
    con.execute("INSERT INTO matching.employer_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [eid, employer_id, kind.value, happened_on, occupation_uri, participant_id, note, actor.username,
                 utcnow()])
    return eid


def add_event(
    con: duckdb.DuckDBPyConnection, *, actor: User, employer_id: str, kind: EventKind | str,
    happened_on: date | str | None = None, note: str | None = None, occupation_uri: str | None = None,
) -> Event:
    """Add an entry to the employer's timeline (introduction, visit, job shadowing, …)."""
    try:
        kind = EventKind(kind)
    except ValueError:
        raise _error(f"unknown kind {kind!r}", "kind", "employer.event_kind", kind=str(kind)) from None
    if kind == EventKind.candidate_presented:
        raise _error("Present candidates from the participant's outreach list", "kind", "employer.event_kind",
                     kind=kind.value)
    day = day_or_today(happened_on, "happened_on")
    if occupation_uri:
        _check_occupations(con, [occupation_uri], "occupation_uri")
    with transaction(con):
        _require_employer(con, actor, employer_id)
        event_id = insert_event(con, actor=actor, employer_id=employer_id, kind=kind, happened_on=day,
                                occupation_uri=occupation_uri or None, note=(note or "").strip()[:2000] or None)
        audit(con, user=actor, action="add_employer_event", object_type="employer", object_id=employer_id,
              purpose=Purpose.employer_contact, detail={"event_id": event_id, "kind": kind.value})
    return next(e for e in _events(con, employer_id) if e.event_id == event_id)


def add_concern(
    con: duckdb.DuckDBPyConnection, *, actor: User, employer_id: str, code: ConcernCode | str,
    note: str | None = None, raised_on: date | str | None = None,
) -> Concern:
    """Record a threshold or concern the employer raised (coded, with free text)."""
    try:
        code = ConcernCode(code)
    except ValueError:
        raise _error(f"unknown concern {code!r}", "code", "employer.concern_code", value=str(code)) from None
    day = day_or_today(raised_on, "raised_on")
    with transaction(con):
        _require_employer(con, actor, employer_id)
        cid = new_id("B", 8)
        con.execute("INSERT INTO matching.employer_concerns VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [cid, employer_id, code.value, (note or "").strip()[:2000] or None, day, actor.username, utcnow()])
        audit(con, user=actor, action="add_employer_concern", object_type="employer", object_id=employer_id,
              purpose=Purpose.employer_contact, detail={"concern_id": cid, "code": code.value})
    return Concern(concern_id=cid, code=code, note=note or None, raised_on=day, by=actor.username)


def concern_counts(con: duckdb.DuckDBPyConnection, *, actor: User) -> dict[str, int]:
    """How often each concern was raised, over all employers (for adjusting the programme)."""
    _require_role(actor)
    return dict(con.execute(
        "SELECT code, count(*) FROM matching.employer_concerns GROUP BY code ORDER BY count(*) DESC, code").fetchall())


def _events(con, employer_id: str) -> list[Event]:
    return [Event(event_id=r[0], kind=r[1], happened_on=r[2], occupation_uri=r[3], note=r[4], by=r[5], at=r[6])
            for r in con.execute(
                """SELECT event_id, kind, happened_on, occupation_uri, note, by_user, at_time
                   FROM matching.employer_events WHERE employer_id = ?
                   ORDER BY happened_on DESC, at_time DESC, event_id""", [employer_id]).fetchall()]


def _employer(con, employer_id: str) -> Employer:
    r = con.execute("""SELECT employer_id, name, kbo, sector, postcode, owner, created_at FROM matching.employers
                       WHERE employer_id = ?""", [employer_id]).fetchone()
    occupations = [x[0] for x in con.execute(
        "SELECT occupation_uri FROM matching.employer_occupations WHERE employer_id = ? ORDER BY occupation_uri",
        [employer_id]).fetchall()]
    concerns = [Concern(concern_id=c[0], code=c[1], note=c[2], raised_on=c[3], by=c[4]) for c in con.execute(
        """SELECT concern_id, code, note, raised_on, by_user FROM matching.employer_concerns WHERE employer_id = ?
           ORDER BY raised_on DESC, concern_id""", [employer_id]).fetchall()]
    vacancies = [x[0] for x in con.execute(
        """SELECT vacancy_id FROM matching.vacancies WHERE employer_id = ? AND status <> 'closed'
           ORDER BY vacancy_id""", [employer_id]).fetchall()]
    municipality = geo.place(r[4]).municipality if geo.known_postcode(r[4]) else None
    return Employer(employer_id=r[0], name=r[1], kbo=r[2], sector=r[3], postcode=r[4], municipality=municipality,
                    owner=r[5], created_at=r[6], occupation_uris=occupations, events=_events(con, employer_id),
                    concerns=concerns, open_vacancies=vacancies)


def link_vacancy(con: duckdb.DuckDBPyConnection, *, actor: User, vacancy_id: str, employer_id: str) -> Employer:
    """Say which employer a vacancy belongs to (the liaison who owns the vacancy, or an admin)."""
    with transaction(con):
        _require_employer(con, actor, employer_id)
        row = con.execute("SELECT owner FROM matching.vacancies WHERE vacancy_id = ?", [vacancy_id]).fetchone()
        if row is None or (actor.role != Role.admin and row[0] != actor.username):
            raise NotFoundError(f"Unknown vacancy {vacancy_id!r}",
                                [Problem("no such vacancy", column="vacancy_id", code="vacancy.no_such")],
                                code="vacancy.not_found", params={"id": vacancy_id})
        con.execute("UPDATE matching.vacancies SET employer_id = ? WHERE vacancy_id = ?", [employer_id, vacancy_id])
        audit(con, user=actor, action="link_vacancy_employer", object_type="vacancy", object_id=vacancy_id,
              purpose=Purpose.employer_contact, detail={"employer_id": employer_id})
    return _employer(con, employer_id)


def find_occupation(con: duckdb.DuckDBPyConnection, text: str, *, column: str = "occupation") -> str:
    """The ESCO occupation a person typed: a URI, or a preferred or alternative label (nl or en)."""
    text = (text or "").strip()
    if not text:
        raise _error("Enter an occupation", column, "employer.no_occupation")
    row = con.execute(
        """SELECT o.uri FROM taxonomy.occupations o WHERE o.uri = ?
           UNION ALL
           SELECT * FROM (SELECT l.uri FROM taxonomy.labels l JOIN taxonomy.occupations o ON o.uri = l.uri
                          WHERE lower(l.label) = lower(?) ORDER BY l.kind = 'preferred' DESC, l.uri) LIMIT 1""",
        [text, text]).fetchone()
    if row is None:
        raise _error(f"No ESCO occupation is called {text!r}", column, "employer.unknown_occupation", text=text)
    return row[0]


def employer_options(con: duckdb.DuckDBPyConnection, *, actor: User) -> list[tuple[str, str]]:
    """(id, name) of every employer, for choosing one when recording a placement (coaches too)."""
    if actor.role not in (*EMPLOYER_ROLES, Role.coach):
        raise NotFoundError("Unknown employer", code="employer.not_found", params={"employer_id": ""})
    return [tuple(r) for r in con.execute(
        "SELECT employer_id, name FROM matching.employers ORDER BY lower(name), employer_id").fetchall()]
