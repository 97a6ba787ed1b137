"""Shortlists for a liaison: consenting participants ranked for one confirmed vacancy.

Hard filters (a candidate who fails one is left out; the counts are reported):

* commute — ``60 · haversine_km(participant, vacancy) · 1.3 / speed(fastest mode)`` must not
  exceed the participant's maximum (see :mod:`matching.geo`); no known postcode → kept, flagged;
* availability — the participant's hours per week ≥ the vacancy's, every vacancy shift among
  the participant's shifts, and weekend work only for participants available at weekends.

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
from dataclasses import dataclass
from datetime import datetime

import duckdb
import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel

from assessment.profile import CompetenceProfile
from foundation.cache import IMPORT, cached
from foundation.db import transaction, utcnow
from foundation.errors import ConflictError, InputError, NotFoundError, Problem
from foundation.ids import public_id
from matching import geo
from matching.config import MatchingConfig
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
from matching.features import RankingFeatures, ranking_features
from matching.language import LanguageCheck, check_language
from matching.log import write_log
from matching.model import MatchingModel, get_model
from matching.scoring import Participants, participants, related_credit, score
from matching.vacancies import Vacancy, get_vacancy, vacancy_requirement

STATUSES = ("contacted", "invited", "hired", "rejected")
SHIFTS = ("day", "early", "late", "night")


# --- the participant matrix (vectorised over participants) ----------------------------------

@dataclass
class ParticipantMatrix:
    """Allow-listed features of many participants as arrays (rows = participants)."""

    ids: list[str]
    id_rank: np.ndarray         # position of each id in sorted order (ties broken by id)
    features: list[RankingFeatures]
    scoring: Participants       # skills, experience, preferences, Dutch (matching.scoring)
    lat: np.ndarray
    lon: np.ndarray
    speed: np.ndarray
    max_minutes: np.ndarray
    hours: np.ndarray
    shift_mask: np.ndarray      # bit per shift
    weekends: np.ndarray


def participant_matrix(model: MatchingModel, features: list[RankingFeatures]) -> ParticipantMatrix:
    """Build the arrays once; reuse them for every vacancy until profiles change."""
    lat, lon = geo.coordinates([f.postcode for f in features])
    return ParticipantMatrix(
        ids=[f.participant_id for f in features], features=features, scoring=participants(model, features),
        id_rank=np.argsort(np.argsort(np.array([f.participant_id for f in features], dtype=str), kind="stable")),
        lat=lat, lon=lon, speed=np.array([geo.best_speed(f.transport_modes) for f in features], dtype=np.float64),
        max_minutes=np.array([f.max_commute_minutes for f in features], dtype=np.float64),
        hours=np.array([f.hours_per_week for f in features], dtype=np.int64),
        shift_mask=np.array([sum(1 << SHIFTS.index(s) for s in f.shifts if s in SHIFTS) for f in features],
                            dtype=np.int64),
        weekends=np.array([f.weekends for f in features], dtype=bool),
    )


@dataclass(frozen=True)
class VacancySpec:
    """What ranking needs of a confirmed vacancy."""

    essential: list[str]
    optional: list[str]
    occupation_uris: list[str]
    required: np.ndarray          # 4 CEFR values
    lat: float
    lon: float
    hours: int
    shifts: tuple[str, ...]
    weekends: bool


def vacancy_target(model: MatchingModel, spec: VacancySpec) -> sp.csr_matrix:
    """The vacancy as a pseudo-occupation: one row of skill weights (:meth:`MatchingModel.target_weights`)."""
    index = model.skill_index
    return model.target_weights(np.array([index[u] for u in spec.essential if u in index], np.int64),
                                np.array([index[u] for u in spec.optional if u in index], np.int64))


def rank_candidates(
    model: MatchingModel, pm: ParticipantMatrix, spec: VacancySpec,
) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray, dict[str, np.ndarray]]:
    """Scores and parts of every participant, the commute minutes and the filter masks (pure).

    Returns ``(total, parts, minutes, filters)``; ``filters`` has boolean masks ``commute``,
    ``availability`` (True = passes) — a candidate must pass both.
    """
    A = vacancy_target(model, spec)
    occ = np.array([model.occ_index[u] for u in spec.occupation_uris if u in model.occ_index], np.int64)
    total, parts = score(model, pm.scoring, A=A, occupations=[occ], required=spec.required[None, :])
    total, parts = total[:, 0], {k: v[:, 0] for k, v in parts.items()}
    dist = geo.haversine_km(pm.lat, pm.lon, spec.lat, spec.lon)
    minutes = geo.commute_minutes(dist, pm.speed)
    commute_ok = np.isnan(minutes) | (minutes <= pm.max_minutes)
    need = sum(1 << SHIFTS.index(s) for s in spec.shifts if s in SHIFTS)
    avail_ok = (pm.hours >= spec.hours) & ((pm.shift_mask & need) == need) & (pm.weekends | (not spec.weekends))
    return total, parts, minutes, {"commute": commute_ok, "availability": avail_ok}


# --- cache of the consenting participants' matrix -----------------------------------------------

_SIGNATURE = """SELECT
    (SELECT count(*) || '/' || coalesce(max(updated_at)::VARCHAR, '') FROM assessment.participants),
    (SELECT count(*) || '/' || coalesce(max(changed_at)::VARCHAR, '') FROM assessment.participant_history),
    (SELECT count(*) FROM assessment.consent_events),
    (SELECT count(*) || '/' || coalesce(max(recorded_at)::VARCHAR, '') FROM assessment.records),
    (SELECT count(*) FROM assessment.experience),
    (SELECT count(*) FROM assessment.agreed_targets)"""


def profiles_signature(con: duckdb.DuckDBPyConnection) -> tuple | None:
    """Changes whenever a participant, a consent, a record or experience changes (None: unknown)."""
    try:
        return tuple(con.execute(_SIGNATURE).fetchone())
    except duckdb.Error:
        return None


def consenting_matrix(
    con: duckdb.DuckDBPyConnection, model: MatchingModel, *, profiles: list[CompetenceProfile] | None = None,
) -> ParticipantMatrix:
    """The matrix of the currently consenting participants.

    Cached per database and rebuilt when :func:`profiles_signature` changes; with explicit
    ``profiles`` it is built from them (not cached).
    """
    if profiles is not None:
        return participant_matrix(model, [ranking_features(p) for p in profiles])
    from assessment.profiles import consenting_profiles

    def build() -> ParticipantMatrix:
        return participant_matrix(model, [ranking_features(p) for p in consenting_profiles(con)])

    sig = profiles_signature(con)
    if sig is None:
        return build()
    return cached(con, "shortlist.participants", build, config=model.config.model_dump_json(),
                  on=(IMPORT,), stamp=sig)


# --- shortlists ---------------------------------------------------------------------------------

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


def vacancy_spec(con: duckdb.DuckDBPyConnection, *, vacancy: Vacancy) -> VacancySpec:
    place = geo.place(vacancy.postcode)
    return VacancySpec(
        essential=vacancy.essential_skills, optional=vacancy.optional_skills, occupation_uris=vacancy.occupation_uris,
        required=vacancy_requirement(con, vacancy=vacancy).values(), lat=place.latitude, lon=place.longitude,
        hours=vacancy.hours_per_week, shifts=tuple(vacancy.shifts), weekends=vacancy.weekends,
    )


def make_shortlist(
    con: duckdb.DuckDBPyConnection, *, vacancy_id: str, requested_by: str, top: int = 20,
    profiles: list[CompetenceProfile] | None = None, lang: str = "nl", config: MatchingConfig | None = None,
) -> Shortlist:
    """Rank the consenting participants for a confirmed vacancy; stored as a suggestion and logged."""
    if not 1 <= top <= 200:
        raise InputError(f"top: must be between 1 and 200, not {top}")
    vacancy = get_vacancy(con, vacancy_id=vacancy_id)
    if vacancy.status != "confirmed":
        raise ConflictError(
            f"Vacancy {vacancy_id} is {vacancy.status}: confirm its occupations and skills first",
            [Problem("only confirmed vacancies get shortlists", column="status")],
        )
    model = get_model(con, config=config)
    pm = consenting_matrix(con, model, profiles=profiles)
    spec = vacancy_spec(con, vacancy=vacancy)
    requirement = vacancy_requirement(con, vacancy=vacancy)
    total, parts, minutes, filters = rank_candidates(model, pm, spec)
    ok = filters["commute"] & filters["availability"]
    eligible = np.flatnonzero(ok)
    order = eligible[np.lexsort((pm.id_rank[eligible], -total[eligible]))][:top]
    A = vacancy_target(model, spec)
    ess = np.array([model.skill_index[u] for u in spec.essential if u in model.skill_index], np.int64)
    opt = np.array([model.skill_index[u] for u in spec.optional if u in model.skill_index], np.int64)
    X = pm.scoring.X[order] if order.size else pm.scoring.X[:0]
    c = related_credit(model, X, A)
    labels = model.labels(con, spec.essential + spec.optional + [model.skill_uris[v] for v in set(c.via.tolist())],
                          lang=lang)
    features = [pm.features[p] for p in order.tolist()]
    explained = explain_pairs(model, features=features, X=X, credit=c, pairs=[(r, 0) for r in range(len(features))],
                              essential=[ess], optional=[opt], labels=labels)
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
        raise NotFoundError(f"Unknown shortlist {shortlist_id}")
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
        raise InputError("confirmed_by: a named person must confirm", [Problem("missing", column="confirmed_by")])
    sl = get_shortlist(con, shortlist_id=shortlist_id)
    if sl.status == "confirmed":
        raise ConflictError(f"Shortlist {shortlist_id} was already confirmed by {sl.confirmed_by}")
    suggested = [c.participant_id for c in sl.candidates]
    problems = []
    seen = set()
    for pid in ordered_participant_ids:
        if pid not in suggested:
            problems.append(Problem(f"{pid} is not on the suggested shortlist", column="ordered_participant_ids"))
        if pid in seen:
            problems.append(Problem(f"{pid} appears twice", column="ordered_participant_ids"))
        seen.add(pid)
    for pid in suggested:
        if pid not in seen and pid not in reasons:
            problems.append(Problem(f"{pid}: removed from the suggestion without a reason", column=f"reasons.{pid}"))
    kept = [p for p in suggested if p in seen]
    chosen = [p for p in ordered_participant_ids if p in suggested]
    for pos, pid in enumerate(chosen):
        if pos < kept.index(pid) and pid not in reasons:
            problems.append(Problem(f"{pid}: moved up from the suggested order without a reason",
                                    column=f"reasons.{pid}"))
    if problems:
        raise InputError("The shortlist cannot be confirmed like this", problems)
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
                         [Problem("unknown status", column="status")])
    sl = get_shortlist(con, shortlist_id=shortlist_id)
    if sl.status != "confirmed":
        raise ConflictError(f"Shortlist {shortlist_id} is a suggestion: confirm it before tracking candidates")
    if participant_id not in (sl.confirmed_order or []):
        raise NotFoundError(f"{participant_id} is not on the confirmed shortlist {shortlist_id}")
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
