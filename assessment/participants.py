"""Participants: pseudonymous records, consent, contact details and protected attributes apart.

A participant is known to ranking code only by a random id such as ``P-7F3K2A``. Contact
details live in ``assessment.contacts`` and protected attributes (nationality, country of
origin, gender, date of birth) in ``assessment.protected_attributes``: both are read only by
:func:`get_contact`, :func:`get_protected_attributes` and the GDPR export, never by
:mod:`assessment.profiles`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb
from pydantic import BaseModel, ValidationError

from assessment.common import bulk_insert, invalid, require_participant, utcnow
from assessment.participant_models import (
    ConsentEvent,
    Contact,
    ExperienceEntry,
    Participant,
    ParticipantDetails,
    ProtectedAttributes,
)
from foundation.db import limit_offset, transaction
from foundation.errors import InputError, NotFoundError, Problem
from foundation.ids import new_id

_COLUMNS = (
    "coach", "postcode", "transport_modes", "max_commute_minutes", "hours_per_week", "shifts",
    "weekends", "preferred_sectors", "preferred_occupations", "experience_text", "education_level",
    "diploma_recognition", "languages", "declared_skills",
)


def _check_uris(con: duckdb.DuckDBPyConnection, details: ParticipantDetails) -> None:
    """Every referenced ESCO occupation and skill must exist in the taxonomy."""
    problems: list[Problem] = []
    occ = [e.occupation_uri for e in details.experience] + details.preferred_occupations
    if not occ and not details.declared_skills:
        return
    known_occ = {r[0] for r in con.execute(
        "SELECT uri FROM taxonomy.occupations WHERE uri IN (SELECT unnest(?))", [occ]).fetchall()}
    known_sk = {r[0] for r in con.execute(
        "SELECT uri FROM taxonomy.skills WHERE uri IN (SELECT unnest(?))", [details.declared_skills]).fetchall()}
    for i, e in enumerate(details.experience):
        if e.occupation_uri not in known_occ:
            problems.append(Problem(f"unknown ESCO occupation {e.occupation_uri}",
                                    column=f"experience.{i}.occupation_uri", code="esco.unknown_occupation",
                                    params={"uri": e.occupation_uri}))
    for i, uri in enumerate(details.preferred_occupations):
        if uri not in known_occ:
            problems.append(Problem(f"unknown ESCO occupation {uri}", column=f"preferred_occupations.{i}",
                                    code="esco.unknown_occupation", params={"uri": uri}))
    for i, uri in enumerate(details.declared_skills):
        if uri not in known_sk:
            problems.append(Problem(f"unknown ESCO skill {uri}", column=f"declared_skills.{i}",
                                    code="esco.unknown_skill", params={"uri": uri}))
    if problems:
        raise InputError("The participant refers to unknown ESCO concepts", problems,
                         code="participant.unknown_concepts")


def _values(details: ParticipantDetails) -> list[Any]:
    d = details.model_dump(mode="json")
    return [d[c] for c in _COLUMNS]


def _write_side_tables(con, participant_id: str, details: ParticipantDetails | None,
                       contact: Contact | None, protected: ProtectedAttributes | None) -> None:
    if details is not None:
        con.execute("DELETE FROM assessment.experience WHERE participant_id = ?", [participant_id])
        for i, e in enumerate(details.experience):
            con.execute(
                "INSERT INTO assessment.experience VALUES (?, ?, ?, ?, ?)",
                [participant_id, i, e.occupation_uri, e.years, e.description],
            )
    if contact is not None:
        con.execute("DELETE FROM assessment.contacts WHERE participant_id = ?", [participant_id])
        con.execute("INSERT INTO assessment.contacts VALUES (?, ?, ?, ?, ?, ?)",
                    [participant_id, contact.name, contact.phone, contact.email, contact.address, contact.referrer])
    if protected is not None:
        con.execute("DELETE FROM assessment.protected_attributes WHERE participant_id = ?", [participant_id])
        con.execute("INSERT INTO assessment.protected_attributes VALUES (?, ?, ?, ?, ?)",
                    [participant_id, protected.nationality, protected.country_of_origin, protected.gender,
                     protected.date_of_birth])


def _parse(model: type[BaseModel], value: Any, what: str) -> Any:
    if value is None or isinstance(value, model):
        return value
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise invalid(f"Invalid {what}", exc, code="participant.invalid") from exc


def check_details(*, details: dict[str, Any] | None, contact: dict[str, Any] | None = None) -> None:
    """Raise :class:`InputError` with a located problem per wrong field of ``details`` and ``contact``."""
    problems = []
    for model, value, what in ((ParticipantDetails, details, "participant"), (Contact, contact, "contact details")):
        try:
            _parse(model, value, what)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError("Invalid participant", problems, code="participant.invalid")


def create_participant(
    con: duckdb.DuckDBPyConnection,
    *,
    by: str,
    details: ParticipantDetails | dict[str, Any] | None = None,
    contact: Contact | dict[str, Any] | None = None,
    protected: ProtectedAttributes | dict[str, Any] | None = None,
    consent: bool = False,
) -> Participant:
    """Register a participant under a new random id; returns the stored participant.

    ``details`` holds the editable fields (:class:`ParticipantDetails`); ``contact`` and
    ``protected`` go to their own tables. ``consent=True`` records consent given by ``by``.
    """
    entry = {"details": details, "contact": contact, "protected": protected, "consent": consent}
    return create_participants(con, by=by, entries=[entry])[0]


def create_participants(con: duckdb.DuckDBPyConnection, *, by: str, entries: list[dict[str, Any]]) -> list[Participant]:
    """Register several participants at once (an intake list): all of them, or none.

    Each entry is a dict with optional keys ``details``, ``contact``, ``protected`` and
    ``consent`` as in :func:`create_participant`. Problems are located by ``row`` (1-based).
    """
    parsed, problems = [], []
    for n, entry in enumerate(entries, start=1):
        try:
            d = _parse(ParticipantDetails, entry.get("details") or {}, "participant")
            c = _parse(Contact, entry.get("contact"), "contact details")
            p = _parse(ProtectedAttributes, entry.get("protected"), "protected attributes")
            _check_uris(con, d)
        except InputError as exc:
            for prob in exc.problems:
                prob.row = n if len(entries) > 1 else None
            problems += exc.problems
            continue
        parsed.append((d, c, p, bool(entry.get("consent"))))
    if problems:
        raise InputError("Invalid participant data", problems, code="participant.invalid")
    now = utcnow()
    with transaction(con):
        taken = {r[0] for r in con.execute("SELECT participant_id FROM assessment.participants").fetchall()}
        ids: list[str] = []
        rows: dict[str, list[dict[str, Any]]] = {t: [] for t in (
            "participants", "experience", "contacts", "protected_attributes", "participant_history", "consent_events")}
        for d, c, p, consent in parsed:
            pid = new_id("P")
            while pid in taken:
                pid = new_id("P")
            taken.add(pid)
            ids.append(pid)
            rows["participants"].append({"participant_id": pid, **dict(zip(_COLUMNS, _values(d), strict=True)),
                                         "created_at": now, "created_by": by, "updated_at": now})
            rows["experience"] += [{"participant_id": pid, "position": i, "occupation_uri": e.occupation_uri,
                                    "years": e.years, "description": e.description}
                                   for i, e in enumerate(d.experience)]
            if c is not None:
                rows["contacts"].append({"participant_id": pid, **c.model_dump()})
            if p is not None:
                rows["protected_attributes"].append({"participant_id": pid, **p.model_dump()})
            rows["participant_history"].append({"participant_id": pid, "changed_at": now, "changed_by": by,
                                                "fields": ["created"]})
            if consent:
                rows["consent_events"].append({"participant_id": pid, "seq": 1, "given": True, "at_time": now,
                                               "by_user": by, "note": None})
        for table, values in rows.items():
            bulk_insert(con, f"assessment.{table}", values)
    found = {p.participant_id: p for p in _rows_to_participants(
        con, con.execute(_SELECT + " WHERE p.participant_id IN (SELECT unnest(?))", [ids]).fetchall())}
    return [found[i] for i in ids]


def update_participant(
    con: duckdb.DuckDBPyConnection,
    *,
    participant_id: str,
    by: str,
    changes: dict[str, Any] | None = None,
    contact: Contact | dict[str, Any] | None = None,
    protected: ProtectedAttributes | dict[str, Any] | None = None,
) -> Participant:
    """Change some fields of a participant (``changes`` maps field → new value).

    The change is logged (fields, who, when) in ``assessment.participant_history``.
    """
    current = get_participant(con, participant_id=participant_id)
    changes = dict(changes or {})
    unknown = sorted(set(changes) - set(ParticipantDetails.model_fields))
    if unknown:
        raise InputError("Unknown participant field(s)",
                         [Problem("not a participant field", column=f, code="participant.not_a_field")
                          for f in unknown],
                         code="participant.unknown_fields", params={"fields": unknown})
    merged = current.model_dump(include=set(ParticipantDetails.model_fields)) | changes
    details = _parse(ParticipantDetails, merged, "participant")
    contact = _parse(Contact, contact, "contact details")
    protected = _parse(ProtectedAttributes, protected, "protected attributes")
    _check_uris(con, details)
    fields = sorted(changes) + (["contact"] if contact else []) + (["protected"] if protected else [])
    now = utcnow()
    with transaction(con):
        con.execute(
            f"""UPDATE assessment.participants SET {", ".join(f"{c} = ?" for c in _COLUMNS)}, updated_at = ?
                WHERE participant_id = ?""",
            [*_values(details), now, participant_id],
        )
        _write_side_tables(con, participant_id, details if "experience" in changes else None, contact, protected)
        con.execute("INSERT INTO assessment.participant_history VALUES (?, ?, ?, ?)",
                    [participant_id, now, by, fields])
    return get_participant(con, participant_id=participant_id)


_SELECT = f"""
    SELECT p.participant_id, {", ".join("p." + c for c in _COLUMNS)}, p.created_at, p.created_by, p.updated_at,
           c.given, c.at_time
    FROM assessment.participants p
    LEFT JOIN (SELECT participant_id, given, at_time FROM assessment.consent_events
               QUALIFY row_number() OVER (PARTITION BY participant_id ORDER BY seq DESC) = 1) c
           USING (participant_id)
"""


def _experience(con, ids: list[str]) -> dict[str, list[ExperienceEntry]]:
    out: dict[str, list[ExperienceEntry]] = {}
    for pid, uri, years, desc in con.execute(
        """SELECT participant_id, occupation_uri, years, description FROM assessment.experience
           WHERE participant_id IN (SELECT unnest(?)) ORDER BY participant_id, position""", [ids]
    ).fetchall():
        out.setdefault(pid, []).append(ExperienceEntry(occupation_uri=uri, years=years, description=desc))
    return out


def _rows_to_participants(con, rows) -> list[Participant]:
    exp = _experience(con, [r[0] for r in rows])
    out = []
    for r in rows:
        d = dict(zip(("participant_id", *_COLUMNS, "created_at", "created_by", "updated_at"), r[:-2], strict=True))
        d["experience"] = exp.get(r[0], [])
        d["consent"] = bool(r[-2])
        d["consent_changed_at"] = r[-1]
        out.append(Participant.model_validate(d))
    return out


def get_participant(con: duckdb.DuckDBPyConnection, *, participant_id: str) -> Participant:
    """One participant (no contact data), or :class:`NotFoundError`."""
    rows = con.execute(_SELECT + " WHERE p.participant_id = ?", [participant_id]).fetchall()
    if not rows:
        raise NotFoundError(f"Unknown participant {participant_id!r}",
                            [Problem("no such participant", column="participant_id", code="participant.no_such")],
                            code="participant.not_found")
    return _rows_to_participants(con, rows)[0]


def get_participants(con: duckdb.DuckDBPyConnection, *, participant_ids: list[str]) -> list[Participant]:
    """Several participants in the order asked; unknown ids are left out."""
    rows = con.execute(_SELECT + " WHERE p.participant_id IN (SELECT unnest(?))", [list(participant_ids)]).fetchall()
    found = {p.participant_id: p for p in _rows_to_participants(con, rows)}
    return [found[i] for i in participant_ids if i in found]


def list_participants(
    con: duckdb.DuckDBPyConnection,
    *,
    coach: str | None = None,
    consenting_only: bool = False,
    search: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    order: str = "newest",
) -> list[Participant]:
    """Participants (``order``: newest, oldest, name or id; ties by id); filter on coach, consent, id/name."""
    where, params = _filters(coach, consenting_only, search)
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY " + PARTICIPANT_ORDERS.get(order, PARTICIPANT_ORDERS["newest"])
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += limit_offset(limit, offset)
    return _rows_to_participants(con, con.execute(sql, params).fetchall())


#: The orders a participant list may be sorted in (a whitelist: never SQL from a request); ties by id.
PARTICIPANT_ORDERS = {
    "newest": "p.created_at DESC, p.participant_id",
    "oldest": "p.created_at, p.participant_id",
    "id": "p.participant_id",
    "name": "(SELECT k.name FROM assessment.contacts k WHERE k.participant_id = p.participant_id) NULLS LAST, "
            "p.participant_id",
}


def count_participants(con: duckdb.DuckDBPyConnection, *, coach: str | None = None, consenting_only: bool = False,
                       search: str | None = None) -> int:
    """How many participants :func:`list_participants` finds without a limit."""
    where, params = _filters(coach, consenting_only, search)
    sql = "SELECT count(*) FROM (" + _SELECT + (" WHERE " + " AND ".join(where) if where else "") + ")"
    return int(con.execute(sql, params).fetchone()[0])


def _filters(coach: str | None, consenting_only: bool, search: str | None) -> tuple[list[str], list]:
    where, params = [], []
    if coach is not None:
        where.append("p.coach = ?")
        params.append(coach)
    if consenting_only:
        where.append("coalesce(c.given, false)")
    if search:
        where.append(
            """(p.participant_id ILIKE ? OR p.participant_id IN
                (SELECT participant_id FROM assessment.contacts WHERE name ILIKE ?))"""
        )
        params += [f"%{search}%", f"%{search}%"]
    return where, params


def _consent_event(con, participant_id: str, given: bool, by: str, note: str | None, at: datetime) -> None:
    seq = con.execute("SELECT nextval('assessment.event_seq')").fetchone()[0]
    con.execute("INSERT INTO assessment.consent_events VALUES (?, ?, ?, ?, ?, ?)",
                [participant_id, seq, given, at, by, note])


def set_consent(
    con: duckdb.DuckDBPyConnection, *, participant_id: str, given: bool, by: str, note: str | None = None
) -> Participant:
    """Give or withdraw consent to share the pseudonymised profile with employers.

    Every change is kept (``consent_history``); the latest event is the current state.
    """
    require_participant(con, participant_id)
    with transaction(con):
        _consent_event(con, participant_id, bool(given), by, note, utcnow())
    return get_participant(con, participant_id=participant_id)


def consent_history(con: duckdb.DuckDBPyConnection, *, participant_id: str) -> list[ConsentEvent]:
    """All consent events of one participant, oldest first."""
    require_participant(con, participant_id)
    return [
        ConsentEvent(given=g, at=at, by=by, note=note)
        for g, at, by, note in con.execute(
            """SELECT given, at_time, by_user, note FROM assessment.consent_events
               WHERE participant_id = ? ORDER BY seq""", [participant_id]
        ).fetchall()
    ]


def get_contact(con: duckdb.DuckDBPyConnection, *, participant_id: str) -> Contact:
    """Contact details of one participant (empty when none were given)."""
    require_participant(con, participant_id)
    row = con.execute(
        "SELECT name, phone, email, address, referrer FROM assessment.contacts WHERE participant_id = ?",
        [participant_id],
    ).fetchone()
    return Contact(**dict(zip(Contact.model_fields, row, strict=True))) if row else Contact()


def contact_names(con: duckdb.DuckDBPyConnection, *, participant_ids: list[str]) -> dict[str, str | None]:
    """The names of several participants (for staff listings), by id."""
    return dict(con.execute("SELECT participant_id, name FROM assessment.contacts WHERE participant_id IN "
                            "(SELECT unnest(?))", [list(participant_ids)]).fetchall())


def get_protected_attributes(con: duckdb.DuckDBPyConnection, *, participant_id: str) -> ProtectedAttributes:
    """Protected attributes of one participant, for fairness monitoring only."""
    require_participant(con, participant_id)
    row = con.execute(
        """SELECT nationality, country_of_origin, gender, date_of_birth
           FROM assessment.protected_attributes WHERE participant_id = ?""",
        [participant_id],
    ).fetchone()
    return ProtectedAttributes(**dict(zip(ProtectedAttributes.model_fields, row, strict=True))) if row else (
        ProtectedAttributes())


def participant_history(con: duckdb.DuckDBPyConnection, *, participant_id: str) -> list[dict[str, Any]]:
    """The change log of one participant, oldest first."""
    require_participant(con, participant_id)
    return [
        {"changed_at": at, "changed_by": by, "fields": list(fields)}
        for at, by, fields in con.execute(
            """SELECT changed_at, changed_by, fields FROM assessment.participant_history
               WHERE participant_id = ? ORDER BY changed_at""", [participant_id]
        ).fetchall()
    ]
