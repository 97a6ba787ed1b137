"""Placements (tewerkstellingen) and their follow-up checks at 3, 6 and 12 months.

A placement says who started where (employer, ESCO occupation, contract, hours, dates) and
how (via a vacancy or a shortlist). When it is recorded, the job targets werkbrug suggested
before it (the latest request in the request log, with its model) are stored beside it with
whether the coach chose them and which one was placed: the data a later outcome-trained
ranker would learn from. Each public function takes the acting person and does the check,
the change and its audit entry in one transaction.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import StrEnum

import duckdb
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assessment.common import day_or_today, new_id, problems_from, utcnow
from assessment.stages import PURPOSE, require_visible
from foundation.actor import Role, User
from foundation.audit import audit
from foundation.db import transaction
from foundation.errors import ConflictError, InputError, NotFoundError, Problem

FOLLOWUP_MONTHS = (3, 6, 12)
EDIT_ROLES = (Role.coach, Role.admin)


class ContractType(StrEnum):
    permanent = "permanent"      # vast contract
    fixed_term = "fixed_term"    # bepaalde duur
    interim = "interim"          # uitzendwerk
    twe = "twe"                  # tijdelijke werkervaring (art. 60 §7)
    internship = "internship"    # stage
    other = "other"


class PlacementInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    employer_id: str = Field(min_length=1, max_length=20)
    occupation_uri: str = Field(min_length=1)
    contract_type: ContractType
    hours_per_week: int = Field(ge=1, le=60)
    starts_on: date
    ends_on: date | None = None
    vacancy_id: str | None = None
    shortlist_id: str | None = None


class Followup(BaseModel):
    months: int
    checked_on: date
    still_employed: bool
    same_employer: bool | None
    note: str | None
    by: str


class Placement(PlacementInput):
    placement_id: str
    participant_id: str
    created_by: str
    created_at: datetime
    followups: list[Followup] = []

    def due(self, today: date) -> list[int]:
        """Follow-up checks (months) that are due and not done yet."""
        done = {f.months for f in self.followups}
        return [m for m in FOLLOWUP_MONTHS if m not in done and _add_months(self.starts_on, m) <= today]


def _add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    return date(day.year + y, m + 1, min(day.day, 28))


def _error(message: str, column: str, message_code: str, **params) -> InputError:
    return InputError(message, [Problem(message, column=column, code=message_code, params=params)],
                      code=message_code, params=params)


def _parse(value) -> PlacementInput:
    if isinstance(value, PlacementInput):
        return value
    try:
        return PlacementInput.model_validate(value)
    except ValidationError as exc:
        problems = problems_from(exc)
        for p in problems:
            p.code = "placement.invalid"
        raise InputError("Invalid placement", problems, code="placement.invalid") from None


def record_placement(con: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str,
                     placement: PlacementInput | dict) -> Placement:
    """Record that the participant started work; stores the suggestions shown before it."""
    p = _parse(placement)
    if p.ends_on and p.ends_on < p.starts_on:
        raise _error("A placement cannot end before it starts", "ends_on", "placement.ends_before_start")
    if not con.execute("SELECT 1 FROM taxonomy.occupations WHERE uri = ?", [p.occupation_uri]).fetchone():
        raise _error(f"unknown ESCO occupation {p.occupation_uri}", "occupation_uri", "esco.unknown_occupation",
                     uri=p.occupation_uri)
    with transaction(con):
        require_visible(con, actor=actor, participant_id=participant_id, roles=EDIT_ROLES)
        if not con.execute("SELECT 1 FROM matching.employers WHERE employer_id = ?", [p.employer_id]).fetchone():
            raise _error(f"unknown employer {p.employer_id}", "employer_id", "employer.unknown", value=p.employer_id)
        for column, table in (("vacancy_id", "vacancies"), ("shortlist_id", "shortlists")):
            value = getattr(p, column)
            if value and not con.execute(f"SELECT 1 FROM matching.{table} WHERE {column} = ?", [value]).fetchone():
                raise _error(f"unknown {column} {value}", column, "placement.unknown_ref", value=value)
        pid = new_id("T")
        now = utcnow()
        con.execute("INSERT INTO matching.placements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [pid, participant_id, p.employer_id, p.occupation_uri, p.contract_type.value, p.hours_per_week,
                     p.starts_on, p.ends_on, p.vacancy_id, p.shortlist_id, actor.username, now])
        _snapshot_suggestions(con, placement_id=pid, participant_id=participant_id, placed=p.occupation_uri, now=now)
        audit(con, user=actor, action="record_placement", object_type="participant", object_id=participant_id,
              purpose=PURPOSE[actor.role], detail={"placement_id": pid, "employer_id": p.employer_id})
    return _placement(con, pid)


def _snapshot_suggestions(con, *, placement_id: str, participant_id: str, placed: str, now: datetime) -> None:
    """Copy the latest job-target suggestion for the participant (before now) beside the placement."""
    row = con.execute(
        """SELECT log_id, model, outputs FROM matching.request_log
           WHERE kind = 'job_targets' AND list_contains(input_ids, ?) AND requested_at <= ?
           ORDER BY requested_at DESC, log_id DESC LIMIT 1""", [participant_id, now]).fetchone()
    chosen = con.execute(
        """SELECT occupation_uris FROM assessment.agreed_targets WHERE participant_id = ?
           ORDER BY seq DESC LIMIT 1""", [participant_id]).fetchone()
    chosen = set(chosen[0]) if chosen else set()
    shown = json.loads(row[2]) if row else []
    rows = [(placement_id, participant_id, row[0], row[1], o["id"], int(o["rank"]), float(o["score"]),
             o["id"] in chosen, o["id"] == placed, now) for o in shown]
    if placed not in {o["id"] for o in shown}:
        rows.append((placement_id, participant_id, row[0] if row else None, row[1] if row else None, placed, None,
                     None, placed in chosen, True, now))
    con.executemany("INSERT INTO matching.suggestion_outcomes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def record_followup(
    con: duckdb.DuckDBPyConnection, *, actor: User, placement_id: str, months: int, still_employed: bool,
    same_employer: bool | None = None, checked_on: date | str | None = None, note: str | None = None,
) -> Placement:
    """The check ``months`` (3, 6 or 12) after the start: still employed, with the same employer?"""
    if months not in FOLLOWUP_MONTHS:
        raise _error(f"a follow-up is at 3, 6 or 12 months, not {months}", "months", "followup.months",
                     value=str(months))
    day = day_or_today(checked_on, "checked_on")
    with transaction(con):
        row = con.execute("SELECT participant_id FROM matching.placements WHERE placement_id = ?",
                          [placement_id]).fetchone()
        if row is None:
            raise NotFoundError(f"Unknown placement {placement_id!r}", code="placement.not_found",
                                params={"placement_id": placement_id})
        try:
            require_visible(con, actor=actor, participant_id=row[0], roles=EDIT_ROLES)
        except NotFoundError:
            raise NotFoundError(f"Unknown placement {placement_id!r}", code="placement.not_found",
                                params={"placement_id": placement_id}) from None
        if con.execute("SELECT 1 FROM matching.followups WHERE placement_id = ? AND months = ?",
                       [placement_id, months]).fetchone():
            raise ConflictError(f"The {months}-month follow-up is recorded already", code="followup.exists",
                                params={"months": months})
        con.execute("INSERT INTO matching.followups VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [placement_id, months, day, bool(still_employed), same_employer,
                     (note or "").strip()[:2000] or None, actor.username, utcnow()])
        audit(con, user=actor, action="record_followup", object_type="participant", object_id=row[0],
              purpose=PURPOSE[actor.role], detail={"placement_id": placement_id, "months": months})
    return _placement(con, placement_id)


def list_placements(con: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str) -> list[Placement]:
    """The participant's placements with their follow-ups (the read is audited)."""
    with transaction(con):
        require_visible(con, actor=actor, participant_id=participant_id, roles=EDIT_ROLES)
        audit(con, user=actor, action="read_placements", object_type="participant", object_id=participant_id,
              purpose=PURPOSE[actor.role])
    ids = [r[0] for r in con.execute(
        "SELECT placement_id FROM matching.placements WHERE participant_id = ? ORDER BY starts_on, placement_id",
        [participant_id]).fetchall()]
    return [_placement(con, i) for i in ids]


def _placement(con, placement_id: str) -> Placement:
    r = con.execute(
        """SELECT placement_id, participant_id, employer_id, occupation_uri, contract_type, hours_per_week,
                  starts_on, ends_on, vacancy_id, shortlist_id, created_by, created_at
           FROM matching.placements WHERE placement_id = ?""", [placement_id]).fetchone()
    keys = ("placement_id", "participant_id", "employer_id", "occupation_uri", "contract_type", "hours_per_week",
            "starts_on", "ends_on", "vacancy_id", "shortlist_id", "created_by", "created_at")
    followups = [Followup(months=f[0], checked_on=f[1], still_employed=f[2], same_employer=f[3], note=f[4], by=f[5])
                 for f in con.execute(
                     """SELECT months, checked_on, still_employed, same_employer, note, by_user
                        FROM matching.followups WHERE placement_id = ? ORDER BY months""",
                     [placement_id]).fetchall()]
    return Placement(**dict(zip(keys, r, strict=True)), followups=followups)
