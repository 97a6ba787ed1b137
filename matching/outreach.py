"""Which employers to contact for a participant: from their agreed job targets to employers nearby.

For each agreed job target (ESCO occupation), the employers within the participant's commute
who hire for that occupation, or for one in the same ISCO unit group (a close occupation).
Employers with an open vacancy for it come first, then exact matches before close ones, then
the shorter commute; ties by employer id. Each suggestion carries its reasons as message codes,
and how many consenting candidates have a matching job target ("3 kandidaten met dit
jobdoelwit"). Liaisons see the participant only under an outreach pseudonym (``J-…``), and only
participants who consented to sharing their profile.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

import duckdb
from pydantic import BaseModel

from assessment.access import COACHING
from assessment.participants import get_participant, list_participants
from assessment.stages import require_visible
from assessment.trajectories import latest_targets
from foundation.actor import Role, User
from foundation.audit import audit
from foundation.db import transaction
from foundation.errors import InputError, NotFoundError, Problem
from foundation.keys import secret_key
from matching import geo
from matching.employers import EMPLOYER_ROLES, EventKind, insert_event
from taxonomy.store import preferred_labels


class Reason(BaseModel):
    code: str
    params: dict[str, str | int]


class EmployerToContact(BaseModel):
    employer_id: str
    name: str
    postcode: str
    municipality: str | None
    commute_minutes: int | None
    target_uri: str                 # the job target this employer fits best
    exact: bool                     # hires for the target itself (else: same ISCO unit group)
    open_vacancies: list[str]
    candidates: int                 # consenting participants with a matching job target
    reasons: list[Reason]


class Candidate(BaseModel):
    """A consenting participant with agreed job targets, as a liaison sees them."""

    code: str
    target_uris: list[str]


def outreach_code(key: bytes, participant_id: str) -> str:
    """The participant's pseudonym on the outreach pages: stable, unlinkable to the shortlist codes."""
    return "J-" + hmac.new(key, f"outreach:{participant_id}".encode(), hashlib.sha256).hexdigest()[:8].upper()


def _hidden(participant_id: str) -> NotFoundError:
    return NotFoundError(f"Unknown participant {participant_id!r}", code="participant.not_found",
                         params={"participant_id": participant_id})


def _consenting_targets(con) -> dict[str, list[str]]:
    ids = [p.participant_id for p in list_participants(con, consenting_only=True)]
    return {pid: t for pid, t in latest_targets(con, participant_ids=ids).items() if t}


def outreach_candidates(con: duckdb.DuckDBPyConnection, *, actor: User) -> list[Candidate]:
    """Consenting participants with agreed job targets, under their outreach pseudonym (liaisons, admins)."""
    if actor.role not in EMPLOYER_ROLES:
        raise _hidden("")
    key = secret_key(con)
    rows = [Candidate(code=outreach_code(key, pid), target_uris=t) for pid, t in _consenting_targets(con).items()]
    return sorted(rows, key=lambda c: c.code)


def resolve_code(con: duckdb.DuckDBPyConnection, *, code: str) -> str:
    """The participant behind an outreach pseudonym (only consenting ones with job targets), else 404."""
    key = secret_key(con)
    given = code.encode("utf-8", "surrogatepass")  # as bytes: compare_digest refuses non-ASCII text
    for pid in _consenting_targets(con):
        if hmac.compare_digest(outreach_code(key, pid).encode(), given):
            return pid
    raise _hidden(code)


def _check(con, actor: User, participant_id: str) -> None:
    if actor.role == Role.liaison:
        if participant_id not in _consenting_targets(con):
            raise _hidden(participant_id)
    else:
        require_visible(con, actor=actor, participant_id=participant_id, roles=tuple(COACHING))


def _isco(con, uris: list[str]) -> dict[str, str]:
    return dict(con.execute("SELECT uri, isco_group FROM taxonomy.occupations WHERE uri IN (SELECT unnest(?))",
                            [uris]).fetchall())


def employers_to_contact(con: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str,
                         lang: str = "nl") -> list[EmployerToContact]:
    """The employers to contact for the participant's agreed job targets, best first, with reasons."""
    with transaction(con):
        _check(con, actor, participant_id)
        audit(con, user=actor, action="outreach_employers", object_type="participant", object_id=participant_id,
              purpose="employer_contact")
    targets = latest_targets(con, participant_ids=[participant_id])[participant_id]
    if not targets:
        return []
    person = get_participant(con, participant_id=participant_id)
    hires = con.execute("""SELECT e.employer_id, e.name, e.postcode, o.occupation_uri FROM matching.employers e
                           JOIN matching.employer_occupations o USING (employer_id)
                           ORDER BY e.employer_id, o.occupation_uri""").fetchall()
    isco = _isco(con, targets + [h[3] for h in hires])
    everyone = _consenting_targets(con)
    labels = preferred_labels(con, targets, lang=lang)
    speed = geo.best_speed(person.transport_modes)
    best: dict[str, EmployerToContact] = {}
    for employer_id, name, postcode, occupation in hires:
        for target in targets:
            exact = occupation == target
            if not exact and not (isco.get(target) and isco.get(occupation) == isco.get(target)):
                continue
            minutes = None
            if geo.known_postcode(person.postcode) and geo.known_postcode(postcode):
                minutes = round(float(geo.commute_minutes(geo.distance_km(person.postcode, postcode), speed)))
                if minutes > person.max_commute_minutes:
                    continue
            current = best.get(employer_id)
            if current is not None and (current.exact or not exact):
                continue
            best[employer_id] = _suggestion(con, employer_id, name, postcode, minutes, target, exact, isco, everyone,
                                            labels)
    return sorted(best.values(), key=lambda s: (not s.open_vacancies, not s.exact,
                                                s.commute_minutes if s.commute_minutes is not None else 10**6,
                                                s.employer_id))


def _suggestion(con, employer_id, name, postcode, minutes, target, exact, isco, everyone, labels):
    occupations = [r[0] for r in con.execute(
        "SELECT occupation_uri FROM matching.employer_occupations WHERE employer_id = ?", [employer_id]).fetchall()]
    group = {o for o in occupations if isco.get(o) and isco.get(o) == isco.get(target)} | {target}
    vacancies = [r[0] for r in con.execute(
        """SELECT vacancy_id FROM matching.vacancies WHERE employer_id = ? AND status <> 'closed'
           AND len(list_intersect(coalesce(occupation_uris, []), ?)) > 0 ORDER BY vacancy_id""",
        [employer_id, sorted(group)]).fetchall()]
    candidates = sum(1 for t in everyone.values() if set(t) & group)
    label = labels.get(target, target)
    reasons = [Reason(code="outreach.hires_for" if exact else "outreach.same_isco",
                      params={"occupation": label, "isco": isco.get(target) or ""})]
    if vacancies:
        reasons.append(Reason(code="outreach.open_vacancies", params={"count": len(vacancies)}))
    if minutes is not None:
        reasons.append(Reason(code="outreach.commute", params={"minutes": minutes}))
    reasons.append(Reason(code="outreach.candidates", params={"count": candidates}))
    municipality = geo.place(postcode).municipality if geo.known_postcode(postcode) else None
    return EmployerToContact(employer_id=employer_id, name=name, postcode=postcode, municipality=municipality,
                             commute_minutes=minutes, target_uri=target, exact=exact, open_vacancies=vacancies,
                             candidates=candidates, reasons=reasons)


def present_candidate(con: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str, employer_id: str,
                      occupation_uri: str, note: str | None = None) -> str:
    """Record on the employer's timeline that the candidate was presented for a job target."""
    if actor.role not in EMPLOYER_ROLES:
        raise _hidden(participant_id)
    targets = latest_targets(con, participant_ids=[participant_id]).get(participant_id) or []
    with transaction(con):
        _check(con, actor, participant_id)
        if occupation_uri not in targets:
            raise InputError("Present a candidate for one of their job targets",
                             [Problem("not a job target", column="occupation_uri", code="outreach.not_a_target")],
                             code="outreach.not_a_target")
        if not con.execute("SELECT 1 FROM matching.employers WHERE employer_id = ?", [employer_id]).fetchone():
            raise NotFoundError(f"Unknown employer {employer_id!r}", code="employer.not_found",
                                params={"employer_id": employer_id})
        event_id = insert_event(con, actor=actor, employer_id=employer_id, kind=EventKind.candidate_presented,
                                happened_on=date.today(), occupation_uri=occupation_uri, participant_id=participant_id,
                                note=(note or "").strip()[:2000] or None)
        audit(con, user=actor, action="present_candidate", object_type="employer", object_id=employer_id,
              purpose="employer_contact", detail={"participant_id": participant_id, "event_id": event_id})
    return event_id
