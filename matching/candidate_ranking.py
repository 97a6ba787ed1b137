"""Every consenting participant ranked for one vacancy, vectorised over participants.

* :class:`ParticipantMatrix` — the allow-listed features of many participants as arrays, built
  once and kept in the cache registry until a profile, consent, record or experience changes
  (:func:`consenting_matrix`); the skill look-ups of :class:`matching.scoring.Participants` and
  the places participants live in are built with it.
* :func:`rank_candidates` (pure) — the score of :func:`matching.scoring.score` with the vacancy
  as a pseudo-occupation (:func:`vacancy_target`), the commute minutes and the hard filters:

  * commute — ``60 · haversine_km(participant, vacancy) · 1.3 / speed(fastest mode)`` must not
    exceed the participant's maximum (see :mod:`matching.geo`); no known postcode → kept;
  * availability — hours per week ≥ the vacancy's, every vacancy shift among the
    participant's shifts, weekend work only for participants available at weekends.
* :func:`top_candidates` — the best who pass both filters, ties broken by participant id.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import scipy.sparse as sp

from assessment.profile import SHIFTS, CompetenceProfile
from foundation.cache import IMPORT, cached
from matching import geo
from matching.credit import Credit, Targets, targets
from matching.features import RankingFeatures, ranking_features
from matching.model import MatchingModel
from matching.scoring import Participants, participants, score_with_credit
from matching.vacancies import Vacancy, vacancy_requirement


@dataclass
class ParticipantMatrix:
    """Allow-listed features of many participants as arrays (rows = participants)."""

    ids: list[str]
    id_rank: np.ndarray         # position of each id in sorted order (ties broken by id)
    features: list[RankingFeatures]
    scoring: Participants       # skills, experience, preferences, Dutch (matching.scoring)
    lat: np.ndarray
    lon: np.ndarray
    place: np.ndarray           # index into place_lat / place_lon (participants share postcodes)
    place_lat: np.ndarray
    place_lon: np.ndarray
    speed: np.ndarray
    max_minutes: np.ndarray
    hours: np.ndarray
    shift_mask: np.ndarray      # bit per shift
    weekends: np.ndarray


def participant_matrix(model: MatchingModel, features: list[RankingFeatures]) -> ParticipantMatrix:
    """Build the arrays once; reuse them for every vacancy until profiles change."""
    codes, place = np.unique(np.array([f.postcode or "" for f in features], dtype=str), return_inverse=True)
    place_lat, place_lon = geo.coordinates(codes.tolist())
    return ParticipantMatrix(
        ids=[f.participant_id for f in features], features=features, scoring=participants(model, features),
        id_rank=np.argsort(np.argsort(np.array([f.participant_id for f in features], dtype=str), kind="stable")),
        lat=place_lat[place], lon=place_lon[place], place=place.ravel(), place_lat=place_lat, place_lon=place_lon,
        speed=np.array([geo.best_speed(f.transport_modes) for f in features], dtype=np.float64),
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


def vacancy_spec(con: duckdb.DuckDBPyConnection, *, vacancy: Vacancy) -> VacancySpec:
    place = geo.place(vacancy.postcode)
    return VacancySpec(
        essential=vacancy.essential_skills, optional=vacancy.optional_skills, occupation_uris=vacancy.occupation_uris,
        required=vacancy_requirement(con, vacancy=vacancy).values(), lat=place.latitude, lon=place.longitude,
        hours=vacancy.hours_per_week, shifts=tuple(vacancy.shifts), weekends=vacancy.weekends,
    )


def vacancy_target(model: MatchingModel, spec: VacancySpec) -> Targets:
    """The vacancy as a pseudo-occupation: one row of skill weights (:meth:`MatchingModel.target_weights`),
    its essential skills marked."""
    index = model.skill_index
    essential = np.array([index[u] for u in spec.essential if u in index], np.int64)
    A = model.target_weights(essential, np.array([index[u] for u in spec.optional if u in index], np.int64))
    marks = sp.csr_matrix((np.ones(essential.size, np.float32), (np.zeros(essential.size, np.int64), essential)),
                          shape=A.shape)
    return targets(model, A, essential=marks)


@dataclass(frozen=True)
class Ranked:
    """Every participant against one vacancy (rows = participants of the matrix)."""

    total: np.ndarray
    parts: dict[str, np.ndarray]
    minutes: np.ndarray            # commute, NaN: no known postcode
    filters: dict[str, np.ndarray]  # "commute", "availability": True = passes
    credit: Credit                 # related-skill credits behind the scores (target 0)
    target: Targets                # the vacancy as a target (:func:`vacancy_target`)
    occupations: np.ndarray        # its confirmed occupations' indices (its trade group)


def rank_candidates(model: MatchingModel, pm: ParticipantMatrix, spec: VacancySpec) -> Ranked:
    """Scores and parts of every participant, the commute minutes and the filter masks (pure)."""
    A = vacancy_target(model, spec)
    occ = np.array([model.occ_index[u] for u in spec.occupation_uris if u in model.occ_index], np.int64)
    total, parts, credit = score_with_credit(model, pm.scoring, A=A, occupations=[occ],
                                             required=spec.required[None, :])
    dist = geo.haversine_km(pm.place_lat, pm.place_lon, spec.lat, spec.lon)[pm.place]
    minutes = geo.commute_minutes(dist, pm.speed)
    commute_ok = np.isnan(minutes) | (minutes <= pm.max_minutes)
    need = sum(1 << SHIFTS.index(s) for s in spec.shifts if s in SHIFTS)
    avail_ok = (pm.hours >= spec.hours) & ((pm.shift_mask & need) == need) & (pm.weekends | (not spec.weekends))
    return Ranked(total[:, 0], {k: v[:, 0] for k, v in parts.items()}, minutes,
                  {"commute": commute_ok, "availability": avail_ok}, credit, A, occ)


def top_candidates(ranked: Ranked, pm: ParticipantMatrix, top: int) -> np.ndarray:
    """Rows of the ``top`` best participants passing every filter, best first (ties: participant id).

    Only the scores at or above the ``top``-th best are sorted (:func:`numpy.partition`)."""
    eligible = np.flatnonzero(ranked.filters["commute"] & ranked.filters["availability"])
    total = ranked.total[eligible]
    if total.size > top:
        eligible = eligible[total >= np.partition(total, total.size - top)[total.size - top]]
        total = ranked.total[eligible]
    return eligible[np.lexsort((pm.id_rank[eligible], -total))][:top]


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
