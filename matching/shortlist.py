"""Shortlists for a liaison: consenting participants ranked for one confirmed vacancy.

Hard filters (a candidate who fails one is left out; the counts are reported): commute and
availability, as in :mod:`matching.candidate_ranking`, which ranks every participant at once; a
candidate without a known postcode is kept and flagged.

Score: exactly the job-target score (:func:`matching.scoring.score`) with the vacancy as a
pseudo-occupation — its *confirmed* skills (essential / optional; ESCO language skills never
count) in place of an occupation's, experience and preference against the vacancy's confirmed
occupations, and the Dutch check against the vacancy's declared level (else its occupation's).
Dutch is never a filter: a gap lowers the language part and is shown. Ties: participant id.

Output is pseudonymised: participant ids only. A shortlist is a *suggestion* until a named
person confirms it (:func:`confirm_shortlist`); removing or reordering a suggested candidate
needs a reason. Candidate status changes are appended, never overwritten.
"""

from __future__ import annotations

import json
from datetime import datetime

import duckdb
import numpy as np
from pydantic import BaseModel

from assessment.profile import CompetenceProfile
from foundation.db import transaction, utcnow
from foundation.errors import ConflictError, InputError, NotFoundError, Problem
from foundation.ids import public_id
from matching import geo
from matching.candidate_ranking import consenting_matrix, rank_candidates, top_candidates, vacancy_spec
from matching.config import MatchingConfig
from matching.credit import Credit
from matching.explain import (
    MAX_GAPS,
    MissingSkill,
    NextStep,
    ScoreParts,
    SkillCounts,
    SupportingSkill,
    explain_pairs,
    next_steps,
    score_parts,
)
from matching.language import LanguageCheck, check_language
from matching.log import write_log
from matching.model import get_model
from matching.scoring import trade_group_skills
from matching.vacancies import get_vacancy, vacancy_requirement

STATUSES = ("contacted", "invited", "hired", "rejected")


class Candidate(BaseModel):
    rank: int
    participant_id: str
    score: float
    parts: ScoreParts
    skill_counts: SkillCounts | None = None     # None: stored before skill counts existed
    commute_minutes: float | None
    distance_km: float | None
    supporting_skills: list[SupportingSkill]
    missing_essential: list[MissingSkill]
    language: LanguageCheck
    next_steps: list[NextStep]
    flags: list[str]


class Shortlist(BaseModel):
    shortlist_id: str
    vacancy_id: str
    status: str                       # suggested / confirmed
    created_by: str
    created_at: datetime
    model: str
    taxonomy_version: str
    log_id: int | None
    considered: int
    filtered_out: dict[str, int]
    candidates: list[Candidate]
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None
    confirmed_order: list[str] | None = None
    reasons: dict[str, str] | None = None


class StatusEvent(BaseModel):
    seq: int
    shortlist_id: str
    participant_id: str
    status: str
    changed_by: str
    note: str | None
    changed_at: datetime


def make_shortlist(
    con: duckdb.DuckDBPyConnection, *, vacancy_id: str, requested_by: str, top: int = 20,
    profiles: list[CompetenceProfile] | None = None, lang: str = "nl", config: MatchingConfig | None = None,
) -> Shortlist:
    """Rank the consenting participants for a confirmed vacancy; stored as a suggestion and logged."""
    if not 1 <= top <= 200:
        raise InputError(f"top: must be between 1 and 200, not {top}", [Problem(
            "between 1 and 200", column="top", code="shortlist.top_range", params={"top": top})],
            code="shortlist.top_range", params={"top": top})
    vacancy = get_vacancy(con, vacancy_id=vacancy_id)
    if vacancy.status != "confirmed":
        raise ConflictError(
            f"Vacancy {vacancy_id} is {vacancy.status}: confirm its occupations and skills first",
            [Problem("only confirmed vacancies get shortlists", column="status", code="shortlist.vacancy_not_confirmed",
                     params={"id": vacancy_id})], code="shortlist.vacancy_not_confirmed", params={"id": vacancy_id},
        )
    model = get_model(con, config=config)
    pm = consenting_matrix(con, model, profiles=profiles)
    spec = vacancy_spec(con, vacancy=vacancy)
    requirement = vacancy_requirement(con, vacancy=vacancy)
    ranked = rank_candidates(model, pm, spec)
    total, parts, minutes, filters = ranked.total, ranked.parts, ranked.minutes, ranked.filters
    order = top_candidates(ranked, pm, top)
    ess = np.array([model.skill_index[u] for u in spec.essential if u in model.skill_index], np.int64)
    opt = np.array([model.skill_index[u] for u in spec.optional if u in model.skill_index], np.int64)
    X = pm.scoring.X[order] if order.size else pm.scoring.X[:0]
    slot = np.full(len(pm.ids), -1, np.int64)
    slot[order] = np.arange(order.size)
    keep = slot[ranked.credit.participant] >= 0
    c = ranked.credit
    c = Credit(slot[c.participant[keep]], c.target[keep], c.skill[keep], c.via[keep], c.credit[keep], c.weight[keep])
    trade = trade_group_skills(model, targets=np.array([0]), A=ranked.target, occupations=[ranked.occupations])
    labels = model.label_table(con, lang=lang)
    features = [pm.features[p] for p in order.tolist()]
    explained = explain_pairs(model, features=features, X=X, credit=c, pairs=[(r, 0) for r in range(len(features))],
                              essential=[ess], optional=[opt], labels=labels, trade=trade)
    weights = model.config.weights.model_dump()
    candidates = []
    for r, (p, f, e) in enumerate(zip(order.tolist(), features, explained, strict=True)):
        values = {k: float(parts[k][p]) for k in ("skills", "recall", "use", *weights)}
        values["essential"] = e.coverage
        check = check_language(f.dutch, requirement)
        m = float(minutes[p])
        flags = [] if np.isfinite(m) else ["shortlist.flag.commute_unknown"]   # message codes
        if not check.meets:
            flags.append("shortlist.flag.dutch_below_requirement")
        candidates.append(Candidate.model_validate({
            "rank": r + 1, "participant_id": f.participant_id, "score": round(float(total[p]), 6),
            "parts": score_parts(values, weights), "skill_counts": e.counts,
            "commute_minutes": round(m, 1) if np.isfinite(m) else None,
            "distance_km": round(float(geo.haversine_km(pm.lat[p], pm.lon[p], spec.lat, spec.lon)), 1)
            if np.isfinite(m) else None,
            "supporting_skills": e.supporting, "missing_essential": e.missing[:MAX_GAPS], "language": check,
            "next_steps": next_steps(e.missing, check, essential_coverage=e.coverage), "flags": flags,
        }))
    filtered = {"commute": int((~filters["commute"]).sum()),
                "availability": int((filters["commute"] & ~filters["availability"]).sum())}
    with transaction(con):   # the log row and the stored suggestion: one commit
        log_id = write_log(
            con, kind="shortlist", requested_by=requested_by, input_ids=[vacancy_id], model=model.name,
            taxonomy_version=model.taxonomy_version,
            outputs=[(c.participant_id, c.score, c.rank) for c in candidates],
        )
        sid = public_id(con, "S", table="matching.shortlists", column="shortlist_id")
        result = Shortlist(
            shortlist_id=sid, vacancy_id=vacancy_id, status="suggested", created_by=requested_by,
            created_at=utcnow(), model=model.name, taxonomy_version=model.taxonomy_version, log_id=log_id,
            considered=len(pm.ids), filtered_out=filtered, candidates=candidates,
        )
        con.execute(
            """INSERT INTO matching.shortlists (shortlist_id, vacancy_id, created_by, suggestion, status, created_at)
               VALUES (?, ?, ?, ?, 'suggested', ?)""",
            [sid, vacancy_id, requested_by, result.model_dump_json(), result.created_at],
        )
    return get_shortlist(con, shortlist_id=sid)


def get_shortlist(con: duckdb.DuckDBPyConnection, *, shortlist_id: str) -> Shortlist:
    r = con.execute(
        """SELECT suggestion, status, created_at, confirmed_by, confirmed_at, confirmed_order, reasons
           FROM matching.shortlists WHERE shortlist_id = ?""", [shortlist_id]).fetchone()
    if r is None:
        raise NotFoundError(f"Unknown shortlist {shortlist_id}", code="shortlist.not_found",
                            params={"id": shortlist_id})
    data = json.loads(r[0])
    data.update(status=r[1], created_at=r[2], confirmed_by=r[3], confirmed_at=r[4],
                confirmed_order=list(r[5]) if r[5] is not None else None,
                reasons=json.loads(r[6]) if r[6] is not None else None)
    return Shortlist.model_validate(data)


def list_shortlists(con: duckdb.DuckDBPyConnection, *, vacancy_id: str) -> list[Shortlist]:
    rows = con.execute("SELECT shortlist_id FROM matching.shortlists WHERE vacancy_id = ? ORDER BY created_at DESC",
                       [vacancy_id]).fetchall()
    return [get_shortlist(con, shortlist_id=r[0]) for r in rows]


def confirm_shortlist(
    con: duckdb.DuckDBPyConnection, *, shortlist_id: str, confirmed_by: str, ordered_participant_ids: list[str],
    reasons: dict[str, str] | None = None,
) -> Shortlist:
    """A named person confirms the shortlist, in their order.

    Every suggested candidate left out, and every candidate placed above where the suggestion had
    them (relative to the others kept), needs a reason; only suggested candidates can be confirmed.
    """
    reasons = {k: v.strip() for k, v in (reasons or {}).items() if v and v.strip()}
    if not confirmed_by or not confirmed_by.strip():
        raise InputError("confirmed_by: a named person must confirm", [Problem(
            "missing", column="confirmed_by", code="shortlist.confirmed_by_missing")],
            code="shortlist.confirmed_by_missing")
    sl = get_shortlist(con, shortlist_id=shortlist_id)
    if sl.status == "confirmed":
        raise ConflictError(f"Shortlist {shortlist_id} was already confirmed by {sl.confirmed_by}",
                            code="shortlist.already_confirmed", params={"by": sl.confirmed_by})
    suggested = [c.participant_id for c in sl.candidates]
    problems = []
    seen = set()
    for pid in ordered_participant_ids:
        if pid not in suggested:
            problems.append(Problem(f"{pid} is not on the suggested shortlist", column="ordered_participant_ids",
                                    code="shortlist.not_suggested", params={"candidate": pid}))
        if pid in seen:
            problems.append(Problem(f"{pid} appears twice", column="ordered_participant_ids",
                                    code="shortlist.candidate_twice", params={"candidate": pid}))
        seen.add(pid)
    for pid in suggested:
        if pid not in seen and pid not in reasons:
            problems.append(Problem(f"{pid}: removed from the suggestion without a reason", column=f"reasons.{pid}",
                                    code="shortlist.removed_without_reason", params={"candidate": pid}))
    kept = [p for p in suggested if p in seen]
    chosen = [p for p in ordered_participant_ids if p in suggested]
    for pos, pid in enumerate(chosen):
        if pos < kept.index(pid) and pid not in reasons:
            problems.append(Problem(f"{pid}: moved up from the suggested order without a reason",
                                    column=f"reasons.{pid}", code="shortlist.moved_without_reason",
                                    params={"candidate": pid}))
    if problems:
        raise InputError("The shortlist cannot be confirmed like this", problems, code="shortlist.not_confirmable")
    with transaction(con):
        con.execute(
            """UPDATE matching.shortlists SET status = 'confirmed', confirmed_by = ?, confirmed_at = ?,
                   confirmed_order = ?, reasons = ? WHERE shortlist_id = ? AND status = 'suggested'""",
            [confirmed_by.strip(), utcnow(), list(ordered_participant_ids), json.dumps(reasons), shortlist_id],
        )
    return get_shortlist(con, shortlist_id=shortlist_id)


def set_candidate_status(
    con: duckdb.DuckDBPyConnection, *, shortlist_id: str, participant_id: str, status: str, by: str,
    note: str | None = None,
) -> StatusEvent:
    """Append a status change (contacted, invited, hired, rejected) for a candidate of a confirmed shortlist."""
    if status not in STATUSES:
        raise InputError(f"status: use one of {', '.join(STATUSES)}, not {status!r}",
                         [Problem("unknown status", column="status", code="validation.enum",
                                  params={"input": status, "expected": list(STATUSES)})],
                         code="shortlist.status_unknown", params={"status": status, "allowed": list(STATUSES)})
    sl = get_shortlist(con, shortlist_id=shortlist_id)
    if sl.status != "confirmed":
        raise ConflictError(f"Shortlist {shortlist_id} is a suggestion: confirm it before tracking candidates",
                            code="shortlist.not_confirmed")
    if participant_id not in (sl.confirmed_order or []):
        raise NotFoundError(f"{participant_id} is not on the confirmed shortlist {shortlist_id}",
                            code="shortlist.not_on_confirmed",
                            params={"participant": participant_id, "id": shortlist_id})
    with transaction(con):
        seq = con.execute("SELECT nextval('matching.status_seq')").fetchone()[0]
        con.execute(
            """INSERT INTO matching.candidate_status (seq, shortlist_id, participant_id, status, changed_by, note)
               VALUES (?, ?, ?, ?, ?, ?)""", [seq, shortlist_id, participant_id, status, by, note])
    return candidate_history(con, shortlist_id=shortlist_id, participant_id=participant_id)[-1]


def candidate_history(
    con: duckdb.DuckDBPyConnection, *, shortlist_id: str, participant_id: str | None = None
) -> list[StatusEvent]:
    """Status changes, oldest first."""
    rows = con.execute(
        """SELECT seq, shortlist_id, participant_id, status, changed_by, note, changed_at
           FROM matching.candidate_status WHERE shortlist_id = ? AND (?::VARCHAR IS NULL OR participant_id = ?)
           ORDER BY seq""", [shortlist_id, participant_id, participant_id]).fetchall()
    return [StatusEvent(seq=r[0], shortlist_id=r[1], participant_id=r[2], status=r[3], changed_by=r[4], note=r[5],
                        changed_at=r[6]) for r in rows]
