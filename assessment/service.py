"""The assessment domain's service layer: participants, consent, trajectories, profiles.

Every function is keyword-only, takes the acting person (``actor``) and does, in one
transaction: the object-level check (:mod:`assessment.access`), the action and its audit
entry (who, role, what, purpose), for reads and writes alike. The JSON API, the web pages
and the CLI call these and nothing below them. Assessment records and batch imports are in
:mod:`assessment.service_records`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from assessment import participants as store
from assessment import trajectories
from assessment.access import (
    COACHING,
    READ,
    REGISTER,
    caseload_filter,
    not_found,
    purpose_of,
    registering_coach,
    require_participant,
)
from assessment.participant_models import ConsentEvent, Contact, Participant, ProtectedAttributes
from assessment.profile import CompetenceProfile
from assessment.profiles import build_profile
from assessment.records import Record, list_records
from assessment.trajectories import AgreedTargets, Trajectory, TrajectoryStep
from foundation.actor import Role, User, find_user
from foundation.audit import Purpose, audit
from foundation.db import transaction
from foundation.errors import ForbiddenError, InputError, NotFoundError, Problem


def forbidden(actor: User) -> ForbiddenError:
    """A role-level refusal (the role may never do this; says nothing about any object)."""
    return ForbiddenError("Your role may not do this", code="access.forbidden", params={"role": str(actor.role)})


def require_role(actor: User, roles: frozenset[Role]) -> None:
    if actor.role not in roles:
        raise forbidden(actor)


def _check_coach(cursor: duckdb.DuckDBPyConnection, coach: Any) -> None:
    """A participant's coach must be an active coach account (else they fall out of every caseload)."""
    if coach is None:
        return
    user = find_user(cursor, username=str(coach))
    if user is None or user.role != Role.coach:
        raise InputError(f"coach: {coach!r} is not a coach", [Problem(
            f"{coach!r} is not an active coach account", column="coach", code="participant.unknown_coach",
            params={"coach": str(coach)})], code="participant.unknown_coach", params={"coach": str(coach)})


def _log(cursor, actor: User, action: str, participant_id: str | None, *, purpose: Purpose | None = None,
         detail: dict[str, Any] | None = None) -> None:
    audit(cursor, user=actor, action=action, object_type="participant", object_id=participant_id,
          purpose=purpose or purpose_of(actor), detail=detail)


# ---------------------------------------------------------------- participants


def _registration_problems(cursor: duckdb.DuckDBPyConnection, *, details: dict[str, Any],
                           contact: Contact | dict[str, Any] | None) -> list[Problem]:
    """Every broken rule of a registration, each a coded problem naming its field.

    Contact details, when given, name the participant; a coach, when given, is chosen (not
    blank) and an active coach account. A registration without contact details or coach
    (pseudonymous, not yet in a caseload) is allowed; the fields' formats are the models' own.
    """
    problems: list[Problem] = []
    raw = contact.model_dump() if isinstance(contact, Contact) else contact
    try:
        store.check_details(details=details, contact=raw)
    except InputError as exc:
        problems += exc.problems
    if isinstance(raw, dict) and not str(raw.get("name") or "").strip():
        problems.append(Problem("enter the participant's name", column="name", code="participant.name_missing"))
    coach = details.get("coach")
    if isinstance(coach, str) and not coach.strip():
        problems.append(Problem("choose the coach", column="coach", code="participant.coach_missing"))
    elif isinstance(coach, str) and not any(p.column == "coach" for p in problems):
        try:
            _check_coach(cursor, coach)
        except InputError as exc:
            problems += exc.problems
    return problems


def register_participant(
    cursor: duckdb.DuckDBPyConnection, *, actor: User, details: dict[str, Any] | None = None,
    contact: Contact | dict[str, Any] | None = None, protected: ProtectedAttributes | dict[str, Any] | None = None,
    consent: bool = False,
) -> Participant:
    """Register a participant under a new random id (the rules: :func:`_registration_problems`).

    A coach registers into their own caseload (``details.coach`` is theirs, or left out).
    Every broken rule is one :class:`InputError` (``participant.invalid``); nothing is written.
    """
    require_role(actor, REGISTER)
    details = dict(details or {})
    if coach := registering_coach(actor, details.get("coach")):
        details["coach"] = coach
    with transaction(cursor):
        if problems := _registration_problems(cursor, details=details, contact=contact):
            raise InputError("Invalid participant", problems, code="participant.invalid")
        p = store.create_participant(cursor, by=actor.username, details=details, contact=contact,
                                     protected=protected, consent=consent)
        _log(cursor, actor, "create_participant", p.participant_id, detail={"consent": bool(consent)})
    return p


def count_participants(cursor: duckdb.DuckDBPyConnection, *, actor: User, coach: str | None = None,
                       consenting_only: bool = False, search: str | None = None) -> int:
    """How many participants :func:`list_participants` finds for the actor (a number, no personal data)."""
    require_role(actor, READ)
    return store.count_participants(cursor, coach=caseload_filter(actor, coach), consenting_only=consenting_only,
                                    search=search)


def list_participants(
    cursor: duckdb.DuckDBPyConnection, *, actor: User, coach: str | None = None, consenting_only: bool = False,
    search: str | None = None, limit: int | None = 200, offset: int = 0, order: str = "newest",
) -> list[tuple[Participant, str | None]]:
    """(participant, name) pairs in ``order`` (newest first by default); a coach sees only their caseload."""
    require_role(actor, READ)
    with transaction(cursor):
        coach = caseload_filter(actor, coach)
        people = store.list_participants(cursor, coach=coach, consenting_only=consenting_only, search=search,
                                         limit=limit, offset=offset, order=order)
        names = store.contact_names(cursor, participant_ids=[p.participant_id for p in people])
        _log(cursor, actor, "list_participants", None,
             detail={"coach": coach, "search": search, "shown": len(people)})
    return [(p, names.get(p.participant_id)) for p in people]


def show_participant(cursor: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str) -> Participant:
    with transaction(cursor):
        p = require_participant(cursor, actor=actor, participant_id=participant_id)
        _log(cursor, actor, "read_participant", participant_id)
    return p


def edit_participant(
    cursor: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str, changes: dict[str, Any] | None = None,
    contact: Contact | dict[str, Any] | None = None, protected: ProtectedAttributes | dict[str, Any] | None = None,
) -> Participant:
    """Change some fields (every change is kept in the participant's history).

    The rules of a registration hold for what changes: new contact details name the participant,
    and a new coach is chosen and an active coach account (``None`` takes the coach away)."""
    with transaction(cursor):
        require_participant(cursor, actor=actor, participant_id=participant_id)
        coach = {"coach": changes["coach"]} if "coach" in (changes or {}) else {}
        problems = _registration_problems(cursor, details=coach, contact=contact)
        if problems:
            raise InputError("Invalid participant", problems, code="participant.invalid")
        p = store.update_participant(cursor, participant_id=participant_id, by=actor.username, changes=changes,
                                     contact=contact, protected=protected)
        _log(cursor, actor, "update_participant", participant_id,
             detail={"fields": sorted(changes or {}), "contact": contact is not None,
                     "protected": protected is not None})
    return p


def read_contact(cursor: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str) -> Contact:
    with transaction(cursor):
        require_participant(cursor, actor=actor, participant_id=participant_id)
        contact = store.get_contact(cursor, participant_id=participant_id)
        _log(cursor, actor, "read_contact", participant_id)
    return contact


def change_consent(
    cursor: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str, given: bool, note: str | None = None,
) -> Participant:
    """Give or withdraw consent to share the pseudonymised profile with employers.

    Withdrawal takes effect at once: from the next request on, no liaison reaches the
    candidate on any shortlist (see :mod:`matching.service`).
    """
    with transaction(cursor):
        require_participant(cursor, actor=actor, participant_id=participant_id, roles=COACHING)
        p = store.set_consent(cursor, participant_id=participant_id, given=given, by=actor.username, note=note)
        _log(cursor, actor, "set_consent", participant_id, detail={"given": bool(given)})
    return p


def read_consent_history(cursor: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str
                         ) -> list[ConsentEvent]:
    with transaction(cursor):
        require_participant(cursor, actor=actor, participant_id=participant_id, roles=COACHING)
        events = store.consent_history(cursor, participant_id=participant_id)
        _log(cursor, actor, "read_consent", participant_id)
    return events


def read_profile(cursor: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str,
                 lang: str = "nl") -> CompetenceProfile:
    """The competence profile (``werkbrug.profile/1``) that matching reads, its labels in ``lang``."""
    with transaction(cursor):
        require_participant(cursor, actor=actor, participant_id=participant_id)
        profile = build_profile(cursor, participant_id=participant_id, lang=lang)
        _log(cursor, actor, "read_profile", participant_id)
    return profile


@dataclass(frozen=True)
class ParticipantFile:
    """What a participant's page shows: the person, contact, records, profile and trajectory."""

    participant: Participant
    contact: Contact
    records: list[Record]
    profile: CompetenceProfile
    trajectory: Trajectory


def participant_file(cursor: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str) -> ParticipantFile:
    """Everything a staff page shows about one participant, read (and audited) once."""
    with transaction(cursor):
        p = require_participant(cursor, actor=actor, participant_id=participant_id)
        result = ParticipantFile(
            participant=p, contact=store.get_contact(cursor, participant_id=participant_id),
            records=list_records(cursor, participant_id=participant_id),
            profile=build_profile(cursor, participant_id=participant_id),
            trajectory=trajectories.get_trajectory(cursor, participant_id=participant_id))
        _log(cursor, actor, "read_participant", participant_id)
    return result


@dataclass(frozen=True)
class Passport:
    participant: Participant
    profile: CompetenceProfile
    contact: Contact | None


def passport(cursor: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str, with_contact: bool = False
             ) -> Passport:
    """A printable competence passport: no protected attributes; contact details only with consent."""
    with transaction(cursor):
        p = require_participant(cursor, actor=actor, participant_id=participant_id, roles=COACHING)
        show = bool(with_contact) and p.consent
        result = Passport(participant=p, profile=build_profile(cursor, participant_id=participant_id),
                          contact=store.get_contact(cursor, participant_id=participant_id) if show else None)
        _log(cursor, actor, "print_passport", participant_id, purpose=Purpose.passport,
             detail={"contact_details": show})
    return result


# ---------------------------------------------------------------- trajectories


def read_trajectory(cursor: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str) -> Trajectory:
    with transaction(cursor):
        require_participant(cursor, actor=actor, participant_id=participant_id)
        t = trajectories.get_trajectory(cursor, participant_id=participant_id)
        _log(cursor, actor, "read_trajectory", participant_id)
    return t


def agree_targets(
    cursor: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str, occupation_uris: list[str],
    note: str | None = None,
) -> AgreedTargets:
    """Record the job targets (ESCO occupations) agreed with the participant."""
    with transaction(cursor):
        require_participant(cursor, actor=actor, participant_id=participant_id, roles=COACHING)
        targets = trajectories.record_agreed_targets(cursor, participant_id=participant_id,
                                                     occupation_uris=occupation_uris, note=note, by=actor.username)
        _log(cursor, actor, "record_agreed_targets", participant_id, detail={"occupations": targets.occupation_uris})
    return targets


def add_step(
    cursor: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str, kind: str, title: str,
    status: str = "planned", starts_on: date | str | None = None, ends_on: date | str | None = None,
    note: str | None = None, owner: str | None = None,
) -> TrajectoryStep:
    """Add a trajectory step (training, Dutch course, internship, TWE …); ``owner``: who carries it out.

    The rules and their field problems: :func:`assessment.trajectories.add_trajectory_step`."""
    with transaction(cursor):
        require_participant(cursor, actor=actor, participant_id=participant_id, roles=COACHING)
        step = trajectories.add_trajectory_step(cursor, participant_id=participant_id, kind=kind, title=title,
                                                by=actor.username, status=status, starts_on=starts_on,
                                                ends_on=ends_on, note=note, owner=owner)
        _log(cursor, actor, "add_trajectory_step", participant_id, detail={"step_id": step.step_id})
    return step


def step_participant(cursor: duckdb.DuckDBPyConnection, *, actor: User, step_id: str) -> str:
    """The participant a trajectory step belongs to, if the actor may reach them (else "not found")."""
    pid = trajectories.step_participant(cursor, step_id=step_id)
    if pid is None:
        raise not_found("trajectory step", step_id, "step_id")
    try:
        require_participant(cursor, actor=actor, participant_id=pid, roles=COACHING)
    except NotFoundError:
        raise not_found("trajectory step", step_id, "step_id") from None
    return pid


def edit_step(
    cursor: duckdb.DuckDBPyConnection, *, actor: User, step_id: str, status: str | None = None,
    starts_on: date | str | None = None, ends_on: date | str | None = None, note: str | None = None,
    owner: str | None = None,
) -> TrajectoryStep:
    """Change a step's status, dates, owner or note (a new event; the old state stays)."""
    with transaction(cursor):
        pid = step_participant(cursor, actor=actor, step_id=step_id)
        step = trajectories.update_trajectory_step(cursor, step_id=step_id, by=actor.username, status=status,
                                                   starts_on=starts_on, ends_on=ends_on, note=note, owner=owner)
        _log(cursor, actor, "update_trajectory_step", pid, detail={"step_id": step_id, "status": status})
    return step
