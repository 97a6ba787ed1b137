"""The individual trajectory: agreed job targets and steps (training, course, internship, TWE …).

Both are append-only: a new agreement on job targets adds a row (the latest one counts),
and every change of a step's status adds an event (the latest event per step counts).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import duckdb
from pydantic import BaseModel

from assessment.common import require_participant, utcnow
from foundation.db import transaction
from foundation.errors import InputError, NotFoundError, Problem
from foundation.ids import new_id


class StepKind(StrEnum):
    training = "training"
    language_course = "language_course"
    internship = "internship"
    twe = "twe"  # Temporary Work Experience (art. 60 §7)
    volunteering = "volunteering"
    job_club = "job_club"
    job_application = "job_application"  # job-application training
    childcare = "childcare"
    mobility = "mobility"                # e.g. an e-bike or moped loan, a driving licence
    other = "other"


class StepStatus(StrEnum):
    planned = "planned"
    ongoing = "ongoing"
    completed = "completed"
    stopped = "stopped"


class AgreedTargets(BaseModel):
    occupation_uris: list[str]
    note: str | None = None
    by: str
    at: datetime


class TrajectoryStep(BaseModel):
    """The current state of one step, with its full history."""

    step_id: str
    kind: StepKind
    title: str
    status: StepStatus
    starts_on: date | None = None
    ends_on: date | None = None
    note: str | None = None
    owner: str | None = None         # who carries the step out
    by: str
    at: datetime
    history: list[dict] = []


class Trajectory(BaseModel):
    participant_id: str
    agreed_targets: AgreedTargets | None = None
    target_history: list[AgreedTargets] = []
    steps: list[TrajectoryStep] = []


def record_agreed_targets(
    con: duckdb.DuckDBPyConnection, *, participant_id: str, occupation_uris: list[str], note: str | None, by: str
) -> AgreedTargets:
    """Record the job targets (ESCO occupations) agreed with the participant: at least one, each an occupation."""
    require_participant(con, participant_id)
    uris = list(dict.fromkeys(occupation_uris))
    if not uris:
        raise InputError("Agree on at least one job target",
                         [Problem("no job target", column="occupation_uris", code="trajectory.targets_missing")],
                         code="trajectory.targets_missing")
    known = {r[0] for r in con.execute(
        "SELECT uri FROM taxonomy.occupations WHERE uri IN (SELECT unnest(?))", [uris]).fetchall()}
    bad = [Problem(f"unknown ESCO occupation {u}", column=f"occupation_uris.{i}", code="esco.unknown_occupation",
                   params={"uri": u})
           for i, u in enumerate(uris) if u not in known]
    if bad:
        raise InputError("Job targets must be ESCO occupations", bad, code="trajectory.targets_not_occupations")
    now = utcnow()
    with transaction(con):
        seq = con.execute("SELECT nextval('assessment.event_seq')").fetchone()[0]
        con.execute("INSERT INTO assessment.agreed_targets VALUES (?, ?, ?, ?, ?, ?)",
                    [participant_id, seq, uris, note, by, now])
    return AgreedTargets(occupation_uris=uris, note=note, by=by, at=now)


def _check_dates(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise InputError("A step cannot end before it starts",
                         [Problem("before starts_on", column="ends_on", code="trajectory.before_start")],
                         code="trajectory.ends_before_start")


def _member(kind: type[StrEnum], value: StrEnum | str, column: str, problems: list[Problem],
            missing: str | None = None) -> StrEnum | None:
    """``value`` as a member of ``kind``; else ``None`` and a problem naming ``column`` (``missing``: the code for
    an empty value)."""
    try:
        return kind(value)
    except ValueError as exc:
        if missing and not str(value).strip():
            problems.append(Problem("empty", column=column, code=missing))
        else:
            problems.append(Problem(str(exc), column=column, code="validation.enum",
                                    params={"input": str(value), "expected": [m.value for m in kind]}))
        return None


def _refuse(problems: list[Problem]) -> None:
    """One :class:`InputError` ``trajectory.invalid_step`` carrying every problem (none: nothing)."""
    if problems:
        raise InputError("The trajectory step is not valid: " + "; ".join(f"{p.column}: {p.message}" for p in problems),
                         problems, code="trajectory.invalid_step")


def _day(value: date | str | None, column: str, problems: list[Problem]) -> date | None:
    """A step's date: a date, ``YYYY-MM-DD`` text or nothing (empty text too); else a problem naming ``column``."""
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(Problem(f"{text!r} is not a date (YYYY-MM-DD)", column=column, code="trajectory.date_invalid",
                                params={"value": text}))
        return None


_EVENT_COLUMNS = "step_id, seq, participant_id, kind, title, status, starts_on, ends_on, note, by_user, at_time, owner"


def add_trajectory_step(
    con: duckdb.DuckDBPyConnection, *, participant_id: str, kind: StepKind | str, title: str, by: str,
    status: StepStatus | str = StepStatus.planned, starts_on: date | str | None = None,
    ends_on: date | str | None = None, note: str | None = None, owner: str | None = None,
) -> TrajectoryStep:
    """Add a step to the participant's trajectory; returns it with its new ``step_id``.

    Every field that is wrong is one problem naming it: ``kind`` (none chosen, or not a :class:`StepKind`),
    ``status``, ``title`` (empty), ``starts_on``/``ends_on`` (not a ``YYYY-MM-DD`` date; empty text is no
    date), then an end before the start.
    """
    require_participant(con, participant_id)
    problems: list[Problem] = []
    kind = _member(StepKind, kind, "kind", problems, missing="trajectory.kind_missing")
    status = _member(StepStatus, status, "status", problems)
    if not title.strip():
        problems.append(Problem("empty", column="title", code="trajectory.title_missing"))
    starts_on, ends_on = _day(starts_on, "starts_on", problems), _day(ends_on, "ends_on", problems)
    _refuse(problems)
    _check_dates(starts_on, ends_on)
    step_id = new_id("S", 8)
    with transaction(con):
        con.execute(f"INSERT INTO assessment.trajectory_events ({_EVENT_COLUMNS}) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, "
                    "?, ?, ?)", [step_id, participant_id, kind.value, title.strip(), status.value, starts_on, ends_on,
                                 note, by, utcnow(), owner])
    return _step(con, step_id)


def update_trajectory_step(
    con: duckdb.DuckDBPyConnection, *, step_id: str, by: str, status: StepStatus | str | None = None,
    starts_on: date | str | None = None, ends_on: date | str | None = None, note: str | None = None,
    owner: str | None = None,
) -> TrajectoryStep:
    """Change a step's status, dates, owner or note (a new event; the old state stays in the history).

    A date left out (or empty text) keeps the step's; a wrong one is a problem naming its field."""
    cur = _step(con, step_id)
    problems: list[Problem] = []
    new_status = _member(StepStatus, status, "status", problems) if status is not None else cur.status
    starts_on, ends_on = _day(starts_on, "starts_on", problems), _day(ends_on, "ends_on", problems)
    _refuse(problems)
    starts, ends = starts_on or cur.starts_on, ends_on or cur.ends_on
    _check_dates(starts, ends)
    pid = con.execute("SELECT participant_id FROM assessment.trajectory_events WHERE step_id = ?",
                      [step_id]).fetchone()[0]
    with transaction(con):
        seq = con.execute("SELECT nextval('assessment.event_seq')").fetchone()[0]
        con.execute(f"INSERT INTO assessment.trajectory_events ({_EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                    "?, ?, ?)", [step_id, seq, pid, cur.kind.value, cur.title, new_status.value, starts, ends,
                                 note if note is not None else cur.note, by, utcnow(),
                                 owner if owner is not None else cur.owner])
    return _step(con, step_id)


def step_participant(con: duckdb.DuckDBPyConnection, *, step_id: str) -> str | None:
    """The participant a trajectory step belongs to (``None`` for an unknown step)."""
    row = con.execute("SELECT participant_id FROM assessment.trajectory_events WHERE step_id = ? LIMIT 1",
                      [step_id]).fetchone()
    return row[0] if row else None


def _step(con, step_id: str) -> TrajectoryStep:
    rows = con.execute(
        """SELECT kind, title, status, starts_on, ends_on, note, by_user, at_time, owner
           FROM assessment.trajectory_events WHERE step_id = ? ORDER BY seq""", [step_id]).fetchall()
    if not rows:
        raise NotFoundError(f"Unknown trajectory step {step_id!r}",
                            [Problem("no such step", column="step_id", code="trajectory.no_such_step")],
                            code="trajectory.step_not_found", params={"step": step_id})
    keys = ("kind", "title", "status", "starts_on", "ends_on", "note", "by", "at", "owner")
    history = [dict(zip(keys, r, strict=True)) for r in rows]
    return TrajectoryStep(step_id=step_id, **history[-1], history=history)


def get_trajectory(con: duckdb.DuckDBPyConnection, *, participant_id: str) -> Trajectory:
    """Agreed job targets (latest and history) and the current state of every step."""
    require_participant(con, participant_id)
    targets = [
        AgreedTargets(occupation_uris=list(u), note=n, by=b, at=a)
        for u, n, b, a in con.execute(
            """SELECT occupation_uris, note, by_user, at_time FROM assessment.agreed_targets
               WHERE participant_id = ? ORDER BY seq""", [participant_id]).fetchall()
    ]
    step_ids = [r[0] for r in con.execute(
        """SELECT step_id FROM assessment.trajectory_events WHERE participant_id = ? AND seq = 1
           ORDER BY at_time, step_id""", [participant_id]).fetchall()]
    return Trajectory(participant_id=participant_id, agreed_targets=targets[-1] if targets else None,
                      target_history=targets, steps=[_step(con, s) for s in step_ids])


def latest_targets(con: duckdb.DuckDBPyConnection, *, participant_ids: list[str]) -> dict[str, list[str]]:
    """The currently agreed job targets of several participants (empty list when none)."""
    out: dict[str, list[str]] = {pid: [] for pid in participant_ids}
    for pid, uris in con.execute(
        """SELECT participant_id, occupation_uris FROM assessment.agreed_targets
           WHERE participant_id IN (SELECT unnest(?))
           QUALIFY row_number() OVER (PARTITION BY participant_id ORDER BY seq DESC) = 1""",
        [list(participant_ids)]).fetchall():
        out[pid] = list(uris)
    return out
