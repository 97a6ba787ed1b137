"""The programme pipeline: stages with dates, prescreening outcomes, cohorts, people involved.

Stages follow "Brugge werkt": registered (aangemeld), prescreening, selected (geselecteerd),
assessment, feedback talk (terugkoppeling), trajectory (traject), mediation (bemiddeling),
employed (aan het werk), left the programme (uitgestroomd). Stage events are append-only;
the latest by date is the current stage. Each public function takes the acting person and
does the caseload check, the change and its audit entry in one transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import duckdb
from pydantic import BaseModel

from assessment.access import require_participant
from assessment.common import day_or_today, new_id, utcnow
from foundation.actor import Role, User
from foundation.audit import audit
from foundation.db import transaction
from foundation.errors import ConflictError, InputError, NotFoundError, Problem


class Stage(StrEnum):
    registered = "registered"        # aangemeld
    prescreening = "prescreening"
    selected = "selected"            # geselecteerd
    assessment = "assessment"
    feedback = "feedback"            # terugkoppeling: job targets discussed
    trajectory = "trajectory"        # traject: individual trajectory agreed
    mediation = "mediation"          # bemiddeling: employers contacted
    employed = "employed"            # aan het werk
    left = "left"                    # uitgestroomd


STAGES = list(Stage)


class PrescreeningOutcome(StrEnum):
    selected = "selected"
    not_selected = "not_selected"
    on_hold = "on_hold"


class PrescreeningReason(StrEnum):
    motivation = "motivation"
    dutch_progress = "dutch_progress"
    availability = "availability"
    already_working = "already_working"
    other = "other"


REFERRER_ORGS = ("OCMW", "VDAB", "other")
EDIT_ROLES = (Role.coach, Role.admin)
PURPOSE = {Role.coach: "coaching", Role.admin: "administration", Role.assessor: "assessment"}


class StageEvent(BaseModel):
    stage: Stage
    on_date: date
    outcome: PrescreeningOutcome | None = None
    reason: PrescreeningReason | None = None
    note: str | None = None
    by: str
    at: datetime


class People(BaseModel):
    referrer_org: str | None = None
    referrer_name: str | None = None
    teacher: str | None = None


class Cohort(BaseModel):
    cohort_id: str
    name: str
    starts_on: date | None
    members: int = 0


class Pipeline(BaseModel):
    """A participant's place in the programme."""

    participant_id: str
    coach: str | None
    stage: Stage | None
    since: date | None
    cohort: Cohort | None
    people: People
    history: list[StageEvent]


def _error(message: str, column: str, message_code: str, **params) -> InputError:
    return InputError(message, [Problem(message, column=column, code=message_code, params=params)],
                      code=message_code, params=params)


def require_visible(con: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str,
                    roles: tuple[Role, ...] = (Role.assessor, Role.coach, Role.admin)) -> str | None:
    """The participant's coach, if ``actor`` may reach them (:func:`assessment.access.require_participant`)."""
    return require_participant(con, actor=actor, participant_id=participant_id, roles=frozenset(roles)).coach


def _enum(kind, value, column: str, message_code: str):
    if value in (None, ""):
        return None
    try:
        return kind(value)
    except ValueError:
        raise _error(f"unknown value {value!r}", column, message_code, value=str(value)) from None


def record_stage(
    con: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str, stage: Stage | str,
    on_date: date | str | None = None, outcome: str | None = None, reason: str | None = None,
    note: str | None = None,
) -> Pipeline:
    """Record that the participant reached ``stage`` on ``on_date`` (prescreening: with outcome and reason)."""
    stage = _enum(Stage, stage, "stage", "stage.unknown")
    if stage is None:
        raise _error("Choose a stage", "stage", "stage.unknown", value="")
    outcome = _enum(PrescreeningOutcome, outcome, "outcome", "stage.outcome")
    reason = _enum(PrescreeningReason, reason, "reason", "stage.reason")
    if stage == Stage.prescreening and outcome is None:
        raise _error("A prescreening needs its outcome", "outcome", "stage.outcome_needed")
    if stage != Stage.prescreening and (outcome or reason):
        raise _error("Only a prescreening has an outcome", "outcome", "stage.outcome_only_prescreening")
    if outcome in (PrescreeningOutcome.not_selected, PrescreeningOutcome.on_hold) and reason is None:
        raise _error("Give the reason of this outcome", "reason", "stage.reason_needed")
    day = day_or_today(on_date, "on_date")
    with transaction(con):
        require_visible(con, actor=actor, participant_id=participant_id, roles=EDIT_ROLES)
        seq = con.execute("SELECT nextval('assessment.event_seq')").fetchone()[0]
        con.execute("INSERT INTO assessment.stage_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [participant_id, seq, stage.value, day, outcome and outcome.value, reason and reason.value,
                     (note or "").strip()[:2000] or None, actor.username, utcnow()])
        audit(con, user=actor, action="record_stage", object_type="participant", object_id=participant_id,
              purpose=PURPOSE[actor.role], detail={"stage": stage.value, "on_date": day.isoformat()})
    return _pipeline(con, participant_id)


def set_people(con: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str,
               referrer_org: str | None = None, referrer_name: str | None = None,
               teacher: str | None = None) -> Pipeline:
    """Who is involved: the referrer (OCMW or VDAB) and the teacher (the coach is the caseload's)."""
    if referrer_org not in (None, "", *REFERRER_ORGS):
        raise _error(f"unknown referrer {referrer_org!r}", "referrer_org", "stage.referrer_org",
                     value=str(referrer_org))
    values = [(v or "").strip()[:200] or None for v in (referrer_org, referrer_name, teacher)]
    with transaction(con):
        require_visible(con, actor=actor, participant_id=participant_id, roles=EDIT_ROLES)
        con.execute("DELETE FROM assessment.programme_people WHERE participant_id = ?", [participant_id])
        con.execute("INSERT INTO assessment.programme_people VALUES (?, ?, ?, ?, ?, ?)",
                    [participant_id, *values, actor.username, utcnow()])
        audit(con, user=actor, action="set_programme_people", object_type="participant", object_id=participant_id,
              purpose=PURPOSE[actor.role])
    return _pipeline(con, participant_id)


def create_cohort(con: duckdb.DuckDBPyConnection, *, actor: User, name: str,
                  starts_on: date | str | None = None) -> Cohort:
    """A new intake group (cohort), e.g. "Brugge werkt 2026-1"."""
    if actor.role not in EDIT_ROLES:
        raise NotFoundError("Unknown cohort", code="cohort.not_found")
    name = (name or "").strip()
    if len(name) < 2:
        raise _error("Give the intake group a name", "name", "cohort.name")
    day = day_or_today(starts_on, "starts_on") if starts_on else None
    with transaction(con):
        if con.execute("SELECT 1 FROM assessment.cohorts WHERE lower(name) = lower(?)", [name]).fetchone():
            raise ConflictError(f"An intake group {name!r} exists already",
                                [Problem("already exists", column="name", code="cohort.exists", params={"name": name})],
                                code="cohort.exists", params={"name": name})
        cid = new_id("G")
        con.execute("INSERT INTO assessment.cohorts VALUES (?, ?, ?, ?, ?)", [cid, name, day, actor.username, utcnow()])
        audit(con, user=actor, action="create_cohort", object_type="cohort", object_id=cid,
              purpose="administration", detail={"name": name})
    return Cohort(cohort_id=cid, name=name, starts_on=day)


def list_cohorts(con: duckdb.DuckDBPyConnection) -> list[Cohort]:
    """Every intake group with its size (no personal data), newest first."""
    return [Cohort(cohort_id=r[0], name=r[1], starts_on=r[2], members=r[3]) for r in con.execute(
        """SELECT c.cohort_id, c.name, c.starts_on, count(m.participant_id) FROM assessment.cohorts c
           LEFT JOIN assessment.cohort_members m USING (cohort_id)
           GROUP BY ALL ORDER BY c.starts_on DESC NULLS LAST, c.name""").fetchall()]


def assign_cohort(con: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str, cohort_id: str) -> Pipeline:
    """Put the participant in an intake group (one group per participant)."""
    with transaction(con):
        require_visible(con, actor=actor, participant_id=participant_id, roles=EDIT_ROLES)
        if not con.execute("SELECT 1 FROM assessment.cohorts WHERE cohort_id = ?", [cohort_id]).fetchone():
            raise _error(f"unknown intake group {cohort_id!r}", "cohort_id", "cohort.unknown", value=cohort_id)
        con.execute("DELETE FROM assessment.cohort_members WHERE participant_id = ?", [participant_id])
        con.execute("INSERT INTO assessment.cohort_members VALUES (?, ?, ?, ?)",
                    [participant_id, cohort_id, actor.username, utcnow()])
        audit(con, user=actor, action="assign_cohort", object_type="participant", object_id=participant_id,
              purpose=PURPOSE[actor.role], detail={"cohort_id": cohort_id})
    return _pipeline(con, participant_id)


def get_pipeline(con: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str) -> Pipeline:
    """The participant's stage, history, cohort and people involved (the read is audited)."""
    with transaction(con):
        require_visible(con, actor=actor, participant_id=participant_id)
        audit(con, user=actor, action="read_pipeline", object_type="participant", object_id=participant_id,
              purpose=PURPOSE.get(actor.role, "other"))
    return _pipeline(con, participant_id)


def _pipeline(con, participant_id: str) -> Pipeline:
    coach = con.execute("SELECT coach FROM assessment.participants WHERE participant_id = ?",
                        [participant_id]).fetchone()[0]
    history = [StageEvent(stage=r[0], on_date=r[1], outcome=r[2], reason=r[3], note=r[4], by=r[5], at=r[6])
               for r in con.execute(
                   """SELECT stage, on_date, outcome, reason, note, by_user, at_time FROM assessment.stage_events
                      WHERE participant_id = ? ORDER BY on_date, seq""", [participant_id]).fetchall()]
    cohort = con.execute("""SELECT c.cohort_id, c.name, c.starts_on FROM assessment.cohort_members m
                            JOIN assessment.cohorts c USING (cohort_id) WHERE m.participant_id = ?""",
                         [participant_id]).fetchone()
    people = con.execute("""SELECT referrer_org, referrer_name, teacher FROM assessment.programme_people
                            WHERE participant_id = ?""", [participant_id]).fetchone()
    return Pipeline(participant_id=participant_id, coach=coach, stage=history[-1].stage if history else None,
                    since=history[-1].on_date if history else None,
                    cohort=Cohort(cohort_id=cohort[0], name=cohort[1], starts_on=cohort[2]) if cohort else None,
                    people=People(**dict(zip(("referrer_org", "referrer_name", "teacher"), people, strict=True)))
                    if people else People(), history=history)


class StageRow(BaseModel):
    participant_id: str
    stage: Stage | None
    since: date | None
    cohort_id: str | None


def stage_overview(
    con: duckdb.DuckDBPyConnection, *, actor: User, stage: str | None = None, cohort_id: str | None = None,
) -> tuple[list[StageRow], dict[str, int], dict[str, int]]:
    """The actor's caseload by current stage and cohort: rows (filtered) and counts (of the unfiltered list)."""
    if actor.role not in (Role.coach, Role.admin):
        raise NotFoundError("Unknown participant", code="participant.not_found")
    coach_filter = "WHERE p.coach = ? OR p.coach IS NULL" if actor.role == Role.coach else ""
    rows = con.execute(
        f"""SELECT p.participant_id, s.stage, s.on_date, m.cohort_id FROM assessment.participants p
            LEFT JOIN (SELECT participant_id, stage, on_date FROM assessment.stage_events
                       QUALIFY row_number() OVER (PARTITION BY participant_id ORDER BY on_date DESC, seq DESC) = 1) s
                   USING (participant_id)
            LEFT JOIN assessment.cohort_members m USING (participant_id)
            {coach_filter} ORDER BY p.participant_id""",
        [actor.username] if coach_filter else []).fetchall()
    every = [StageRow(participant_id=r[0], stage=r[1], since=r[2], cohort_id=r[3]) for r in rows]
    by_stage = {s.value: 0 for s in STAGES} | {"": 0}
    by_cohort: dict[str, int] = {}
    for r in every:
        by_stage[r.stage.value if r.stage else ""] += 1
        by_cohort[r.cohort_id or ""] = by_cohort.get(r.cohort_id or "", 0) + 1
    shown = [r for r in every if (stage is None or (r.stage.value if r.stage else "") == stage)
             and (cohort_id is None or (r.cohort_id or "") == cohort_id)]
    return shown, by_stage, by_cohort
