"""Storing vacancies: create, read, list, confirm, close; the Dutch requirement; open counts."""

from __future__ import annotations

import functools
import json

import duckdb
import numpy as np

from foundation.cache import IMPORT, VACANCIES, cached, invalidate
from foundation.db import after_commit, limit_offset, transaction, utcnow
from foundation.errors import ConflictError, InputError, NotFoundError, Problem
from foundation.ids import public_id
from matching import geo
from matching.language import SUB_SKILLS, LanguageRequirement, occupation_requirement
from matching.vacancies.models import Proposal, Vacancy, VacancyDetails, VacancyInput, VacancyTerms, parse_input
from matching.vacancies.proposals import propose


def insert_vacancy(con, owner: str, v: VacancyInput, proposal: Proposal, source: str) -> str:
    vid = public_id(con, "V", table="matching.vacancies", column="vacancy_id")
    d = v.declared()
    con.execute(
        """INSERT INTO matching.vacancies (vacancy_id, owner, title, description, employer, postcode,
               hours_per_week, shifts, weekends, dutch_listening, dutch_reading, dutch_speaking, dutch_writing,
               proposal, status, source, employer_id, licences, attests, contract)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'proposed', ?, ?, ?, ?, ?)""",
        [vid, owner, v.title, v.description, v.employer, v.postcode, v.hours_per_week, list(v.shifts), v.weekends,
         d["listening"], d["reading"], d["speaking"], d["writing"], proposal.model_dump_json(), source,
         v.employer_id, list(v.licences), list(v.attests), v.contract],
    )
    return vid


def create_vacancy(
    con: duckdb.DuckDBPyConnection, *, owner: str, vacancy: VacancyInput | dict, method: str | None = None,
) -> Vacancy:
    """Store a vacancy with proposed occupations and skills (status ``proposed``)."""
    v = parse_input(vacancy)
    proposal = propose(con, title=v.title, description=v.description, method=method)
    with transaction(con):
        vid = insert_vacancy(con, owner, v, proposal, "form")
    return get_vacancy(con, vacancy_id=vid)


_COLS = """vacancy_id, owner, title, description, employer, postcode, hours_per_week, shifts, weekends,
           dutch_listening, dutch_reading, dutch_speaking, dutch_writing, proposal, status, occupation_uris,
           essential_skills, optional_skills, confirmed_by, confirmed_at, created_at, source, licences, attests,
           contract"""


def _row(r) -> Vacancy:
    place = geo.places().get(r[5])
    return Vacancy(
        vacancy_id=r[0], owner=r[1], title=r[2], description=r[3], employer=r[4], postcode=r[5],
        municipality=place.municipality if place else None, hours_per_week=r[6], shifts=list(r[7]), weekends=r[8],
        dutch=dict(zip(SUB_SKILLS, r[9:13], strict=True)), proposal=Proposal.model_validate(json.loads(r[13])),
        status=r[14], occupation_uris=list(r[15] or []), essential_skills=list(r[16] or []),
        optional_skills=list(r[17] or []), confirmed_by=r[18], confirmed_at=r[19], created_at=r[20], source=r[21],
        licences=list(r[22] or []), attests=list(r[23] or []), contract=r[24],
    )


def get_vacancy(con: duckdb.DuckDBPyConnection, *, vacancy_id: str) -> Vacancy:
    r = con.execute(f"SELECT {_COLS} FROM matching.vacancies WHERE vacancy_id = ?", [vacancy_id]).fetchone()
    if r is None:
        raise NotFoundError(f"Unknown vacancy {vacancy_id}", code="vacancy.not_found", params={"id": vacancy_id})
    return _row(r)


#: The orders a vacancy list may be sorted in (a whitelist: never SQL from a request); ties by id.
VACANCY_ORDERS = {
    "newest": "created_at DESC, vacancy_id DESC", "oldest": "created_at, vacancy_id",
    "title": "lower(title), vacancy_id", "employer": "lower(employer), vacancy_id",
    "status": "CASE status WHEN 'proposed' THEN 0 WHEN 'confirmed' THEN 1 ELSE 2 END, created_at DESC, vacancy_id",
}


def _vacancy_filters(owner: str | None, status: str | None, search: str | None) -> tuple[str, list]:
    text = f"%{search.strip().lower()}%" if search and search.strip() else None
    return ("""WHERE (?::VARCHAR IS NULL OR owner = ?) AND (?::VARCHAR IS NULL OR status = ?)
               AND (?::VARCHAR IS NULL OR lower(title) LIKE ? OR lower(employer) LIKE ? OR lower(vacancy_id) LIKE ?
                    OR postcode LIKE ?)""",
            [owner, owner, status, status, text, text, text, text, text])


def list_vacancies(
    con: duckdb.DuckDBPyConnection, *, owner: str | None = None, status: str | None = None,
    search: str | None = None, order: str = "newest", limit: int | None = None, offset: int = 0,
) -> list[Vacancy]:
    """Vacancies, newest first (``order``: a key of :data:`VACANCY_ORDERS`); one liaison's, one status,
    or those whose title, employer, id or postcode holds ``search``."""
    where, params = _vacancy_filters(owner, status, search)
    by = VACANCY_ORDERS.get(order, VACANCY_ORDERS["newest"])
    sql = f"SELECT {_COLS} FROM matching.vacancies {where} ORDER BY {by}"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += limit_offset(limit, offset)
    return [_row(r) for r in con.execute(sql, params).fetchall()]


def count_vacancies(con: duckdb.DuckDBPyConnection, *, owner: str | None = None, status: str | None = None,
                    search: str | None = None) -> int:
    """How many vacancies :func:`list_vacancies` finds without a limit."""
    where, params = _vacancy_filters(owner, status, search)
    return int(con.execute(f"SELECT count(*) FROM matching.vacancies {where}", params).fetchone()[0])


def _confirmation_problems(
    con: duckdb.DuckDBPyConnection, occupation_uris: list[str], essential_skills: list[str], optional_skills: list[str],
) -> list[Problem]:
    problems = []
    if not occupation_uris:
        problems.append(Problem("confirm at least one occupation", column="occupation_uris",
                                code="vacancy.confirm_occupation"))
    if not essential_skills:
        problems.append(Problem("confirm at least one required skill", column="essential_skills",
                                code="vacancy.confirm_skill"))
    occ_ok = {r[0] for r in con.execute(
        "SELECT uri FROM taxonomy.occupations WHERE uri IN (SELECT unnest(?))", [occupation_uris]).fetchall()}
    skill_ok = {r[0] for r in con.execute(
        "SELECT uri FROM taxonomy.skills WHERE uri IN (SELECT unnest(?))",
        [essential_skills + optional_skills]).fetchall()}
    problems += [Problem(f"{u} is not an ESCO occupation", column="occupation_uris",
                         code="vacancy.unknown_occupation", params={"uri": u})
                 for u in occupation_uris if u not in occ_ok]
    for col, uris in (("essential_skills", essential_skills), ("optional_skills", optional_skills)):
        problems += [Problem(f"{u} is not an ESCO skill", column=col, code="vacancy.unknown_skill",
                             params={"uri": u}) for u in uris if u not in skill_ok]
    problems += [Problem(f"{u} is both essential and optional", column="optional_skills",
                         code="vacancy.skill_twice", params={"uri": u})
                 for u in optional_skills if u in essential_skills]
    return problems


def require_open(v: Vacancy) -> Vacancy:
    """A closed vacancy is not changed and gets no new shortlists (409, code ``vacancy.closed``)."""
    if v.status == "closed":
        raise ConflictError(f"Vacancy {v.vacancy_id} is closed", [Problem(
            "a closed vacancy cannot be changed", column="status", code="vacancy.closed",
            params={"id": v.vacancy_id})], code="vacancy.closed", params={"id": v.vacancy_id})
    return v


def _parsed(data, model) -> tuple[object | None, list[Problem]]:
    try:
        return parse_input(data, model=model), []
    except InputError as exc:
        return None, list(exc.problems)


def confirm_vacancy(
    con: duckdb.DuckDBPyConnection, *, vacancy_id: str, by: str, occupation_uris: list[str],
    essential_skills: list[str], optional_skills: list[str] | None = None,
    terms: VacancyTerms | dict | None = None, details: VacancyDetails | dict | None = None,
) -> Vacancy:
    """A person confirms (or edits) the occupations, skills and, with ``terms``, the requirements.

    Only confirmed values are used for shortlists. ``terms`` (hours, shifts, weekends, licences,
    attests, contract, Dutch levels) and ``details`` (title, text, employer, postcode) replace the
    stored ones as a whole; ``None`` keeps them. Every problem is reported at once and nothing is
    written unless all is right; a closed vacancy is not changed (409).
    """
    require_open(get_vacancy(con, vacancy_id=vacancy_id))
    terms, problems = (None, []) if terms is None else _parsed(terms, VacancyTerms)
    if details is not None:
        details, more = _parsed(details, VacancyDetails)
        problems += more
    optional_skills = list(dict.fromkeys(optional_skills or []))
    occupation_uris, essential_skills = list(dict.fromkeys(occupation_uris)), list(dict.fromkeys(essential_skills))
    problems += _confirmation_problems(con, occupation_uris, essential_skills, optional_skills)
    if problems:
        raise InputError("The vacancy cannot be confirmed like this", problems, code="vacancy.cannot_confirm")
    with transaction(con):
        after_commit(functools.partial(invalidate, con, VACANCIES))
        con.execute(
            """UPDATE matching.vacancies SET status = 'confirmed', occupation_uris = ?, essential_skills = ?,
                   optional_skills = ?, confirmed_by = ?, confirmed_at = ? WHERE vacancy_id = ?""",
            [occupation_uris, essential_skills, optional_skills, by, utcnow(), vacancy_id],
        )
        if terms is not None:
            d = terms.declared()
            con.execute(
                """UPDATE matching.vacancies SET hours_per_week = ?, shifts = ?, weekends = ?, licences = ?,
                       attests = ?, contract = ?, dutch_listening = ?, dutch_reading = ?, dutch_speaking = ?,
                       dutch_writing = ? WHERE vacancy_id = ?""",
                [terms.hours_per_week, list(terms.shifts), terms.weekends, list(terms.licences),
                 list(terms.attests), terms.contract, d["listening"], d["reading"], d["speaking"], d["writing"],
                 vacancy_id],
            )
        if details is not None:
            con.execute(
                """UPDATE matching.vacancies SET title = ?, description = ?, employer = ?, postcode = ?
                   WHERE vacancy_id = ?""",
                [details.title, details.description, details.employer, details.postcode, vacancy_id],
            )
    return get_vacancy(con, vacancy_id=vacancy_id)


def close_vacancy(con: duckdb.DuckDBPyConnection, *, vacancy_id: str, by: str) -> Vacancy:
    """Filled or withdrawn: no new shortlists and no more edits; its shortlists and their history stay."""
    get_vacancy(con, vacancy_id=vacancy_id)
    with transaction(con):
        after_commit(functools.partial(invalidate, con, VACANCIES))
        con.execute("UPDATE matching.vacancies SET status = 'closed' WHERE vacancy_id = ?", [vacancy_id])
    return get_vacancy(con, vacancy_id=vacancy_id)


def vacancy_requirement(con: duckdb.DuckDBPyConnection, *, vacancy: Vacancy) -> LanguageRequirement:
    """The vacancy's declared Dutch level, per sub-skill, else its first occupation's requirement."""
    base = (occupation_requirement(con, occupation_uri=vacancy.occupation_uris[0])
            if vacancy.occupation_uris else None)
    levels = {}
    for k in SUB_SKILLS:
        if vacancy.dutch.get(k):
            levels[k] = vacancy.dutch[k]
        elif base is not None:
            levels[k] = getattr(base, k)
        else:
            levels[k] = "A1"
    declared = any(vacancy.dutch.get(k) for k in SUB_SKILLS)
    source = "vacancy" if declared else (base.source if base else "default")
    return LanguageRequirement(**levels, source=source)


def confirmed_places(con: duckdb.DuckDBPyConnection) -> list[tuple[tuple[str, ...], str]]:
    """``(occupation URIs, postcode)`` of every confirmed vacancy, cached until one is confirmed, edited or closed."""
    return cached(con, "vacancies.confirmed", lambda: [(tuple(occs or ()), pc) for occs, pc in con.execute(
        "SELECT occupation_uris, postcode FROM matching.vacancies WHERE status = 'confirmed'").fetchall()],
        on=(IMPORT, VACANCIES))


def open_vacancy_counts(
    con: duckdb.DuckDBPyConnection, *, occupation_uris: list[str], postcode: str | None,
    transport_modes: tuple[str, ...] | list[str] = (), max_commute_minutes: int = 45,
) -> dict[str, int]:
    """Confirmed vacancies per occupation within the participant's commute (all when no postcode)."""
    wanted = set(occupation_uris)
    rows = [(occ, pc) for occs, pc in confirmed_places(con) for occ in occs if occ in wanted]
    if not rows:
        return {}
    reach = np.ones(len(rows), dtype=bool)
    if geo.known_postcode(postcode):
        here = geo.place(postcode)
        lat, lon = geo.coordinates([r[1] for r in rows])
        minutes = geo.commute_minutes(geo.haversine_km(here.latitude, here.longitude, lat, lon),
                                      geo.best_speed(tuple(transport_modes)))
        reach = np.nan_to_num(minutes, nan=np.inf) <= max_commute_minutes
    out: dict[str, int] = {}
    for (occ, _), ok in zip(rows, reach, strict=True):
        if ok:
            out[occ] = out.get(occ, 0) + 1
    return out
