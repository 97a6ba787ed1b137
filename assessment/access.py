"""Who may reach which participant: the object-level rules of the assessment domain.

- An **assessor** finds and registers participants and records results for any of them.
- A **coach** reaches only the participants in their caseload (``participant.coach``), plus
  those not assigned to any coach yet (just registered, waiting for intake), so one can take
  them on; listings show the caseload only. A coach registers participants (the intake of
  the Kortrijk and Aalst programmes) into their own caseload, never into a colleague's.
- A **liaison** never reaches a participant directly (only consenting candidates of their own
  vacancies, under a per-vacancy code: see :mod:`matching.service`).
- An **admin** may handle a participant's data (a request for a copy or a correction).

A participant the actor may not reach looks exactly like one that does not exist
(:class:`~foundation.errors.NotFoundError`, same message), so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from assessment.participant_models import Participant
from assessment.participants import get_participants
from foundation.actor import Role, User
from foundation.audit import Purpose
from foundation.errors import ForbiddenError, NotFoundError, Problem

#: Who may do what with participants (role level; object level: :func:`may_reach`).
REGISTER = frozenset({Role.assessor, Role.coach, Role.admin})
READ = frozenset({Role.assessor, Role.coach, Role.admin})
COACHING = frozenset({Role.coach, Role.admin})   # consent, trajectories, GDPR exports

ROLE_PURPOSE = {Role.assessor: Purpose.assessment, Role.coach: Purpose.coaching, Role.admin: Purpose.administration}


def purpose_of(actor: User) -> Purpose:
    """Why this actor handles participant data (the purpose written to the audit log)."""
    return ROLE_PURPOSE.get(actor.role, Purpose.administration)


def not_found(what: str, object_id: str, field: str) -> NotFoundError:
    """The one answer for objects that do not exist and objects the actor may not reach."""
    named = {"what": what, "object": {"code": f"audit.object.{what}", "message": what}}  # Dutch: "deelnemer"
    return NotFoundError(f"Unknown {what} {object_id!r}", [Problem(f"no such {what}", column=field,
                                                                   code="access.not_found", params=named)],
                         code="access.not_found", params={**named, "id": object_id})


def may_reach(actor: User, participant: Participant) -> bool:
    """Whether ``actor`` may read or change this participant's data."""
    if actor.role in (Role.assessor, Role.admin):
        return True
    if actor.role == Role.coach:
        return participant.coach in (actor.username, None)
    return False


def reachable(cursor: duckdb.DuckDBPyConnection, *, actor: User, participant_ids: Iterable[str]) -> set[str]:
    """Those of ``participant_ids`` that exist and that ``actor`` may reach."""
    return {p.participant_id for p in get_participants(cursor, participant_ids=list(dict.fromkeys(participant_ids)))
            if may_reach(actor, p)}


def require_participant(
    cursor: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str, roles: frozenset[Role] = READ,
) -> Participant:
    """The participant if ``actor`` (in one of ``roles``) may reach them, else "not found"."""
    if actor.role in roles:
        found = get_participants(cursor, participant_ids=[participant_id])
        if found and may_reach(actor, found[0]):
            return found[0]
    raise not_found("participant", participant_id, "participant_id")


def registering_coach(actor: User, coach: str | None) -> str | None:
    """The coach of a participant the actor registers: a coach registers into their own caseload only."""
    if actor.role != Role.coach or coach in (None, "", actor.username):
        return actor.username if actor.role == Role.coach else coach
    raise ForbiddenError(f"A coach registers participants in their own caseload, not {coach!r}'s",
                         [Problem("a coach registers into their own caseload", column="coach",
                                  code="participant.own_caseload", params={"coach": str(coach)})],
                         code="participant.own_caseload", params={"coach": str(coach)})


def caseload_filter(actor: User, coach: str | None) -> str | None:
    """The ``coach`` filter of a listing: a coach sees their own caseload whatever they ask for."""
    if actor.role == Role.coach:
        return actor.username
    if actor.role in READ:
        return coach
    raise not_found("participant", "*", "participant_id")
