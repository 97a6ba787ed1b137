"""The matching domain's service layer: job targets, exports, Dutch requirements, vacancies, shortlists.

Every function is keyword-only, takes the acting person (``actor``) and does, in one
transaction: the object-level check (:mod:`assessment.access` for participants,
:mod:`matching.access` for vacancies and shortlists), the action and its audit entry. The
JSON API, the web pages and the CLI call these and nothing below them. Shortlists leave this
module only as :class:`~matching.views.ShortlistView` (candidate codes, never participant ids).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from assessment.access import COACHING, not_found, require_participant
from assessment.profile import CompetenceProfile
from assessment.profiles import build_profile
from assessment.service import require_role
from foundation.actor import ADMINS, Role, User
from foundation.audit import Purpose, audit
from foundation.db import transaction
from foundation.errors import InputError, NotFoundError, Problem
from matching import job_targets as targets
from matching import language, shortlist, vacancies
from matching.access import VACANCY_ROLES, require_shortlist, require_vacancy
from matching.candidacies import Candidacy, candidacies
from matching.config import MatchingConfig
from matching.export import full_export
from matching.job_targets import JobTargetsResult
from matching.language import LanguageRequirement
from matching.log import LogEntry, read_log
from matching.shortlist_index import ShortlistRow, count_shortlist_rows, list_shortlist_rows
from matching.vacancies import Vacancy, VacancyInput
from matching.views import Pseudonyms, ShortlistView, StatusView, shortlist_view

ADMIN = ADMINS
REQUIREMENT_READERS = frozenset({Role.coach, Role.liaison, Role.admin})

# ---------------------------------------------------------------- participants: rankings, export


def participant_job_targets(
    cursor: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str, top: int = 10, lang: str = "nl",
    config: MatchingConfig | None = None,
) -> JobTargetsResult:
    """Ranked ESCO occupations for a participant of the actor's caseload (logged and audited)."""
    with transaction(cursor):
        require_participant(cursor, actor=actor, participant_id=participant_id, roles=COACHING)
        profile = build_profile(cursor, participant_id=participant_id)
        result = targets.job_targets(cursor, profile=profile, top=top, requested_by=actor.username, lang=lang,
                                     config=config)
        audit(cursor, user=actor, action="rank_job_targets", object_type="participant", object_id=participant_id,
              purpose=Purpose.matching, detail={"log_id": result.log_id, "model": result.model,
                                                "top": [t.occupation_uri for t in result.targets[:3]]})
    return result


def participant_candidacies(cursor: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str
                            ) -> list[Candidacy]:
    """Where a participant of the actor's caseload was proposed: confirmed shortlists and statuses (audited)."""
    with transaction(cursor):
        require_participant(cursor, actor=actor, participant_id=participant_id, roles=COACHING)
        found = candidacies(cursor, participant_id=participant_id)
        audit(cursor, user=actor, action="read_candidacies", object_type="participant", object_id=participant_id,
              purpose=Purpose.coaching, detail={"shortlists": [c.shortlist_id for c in found]})
    return found


def profile_job_targets(
    cursor: duckdb.DuckDBPyConnection, *, actor: User, profile: CompetenceProfile, top: int = 10,
    config: MatchingConfig | None = None,
) -> JobTargetsResult:
    """Job targets for a competence profile the actor sends (no stored participant is read)."""
    require_role(actor, COACHING)
    with transaction(cursor):
        result = targets.job_targets(cursor, profile=profile, top=top, requested_by=actor.username, config=config)
        audit(cursor, user=actor, action="rank_job_targets", object_type="profile", object_id=profile.participant_id,
              purpose=Purpose.matching, detail={"log_id": result.log_id})
    return result


def rank_profiles(
    cursor: duckdb.DuckDBPyConnection, *, actor: User, profiles: list[CompetenceProfile], top: int = 10,
    config: MatchingConfig | None = None, progress: Callable[[int], None] | None = None,
) -> list[list[tuple[str, float]]]:
    """Bulk job targets for profiles the actor sends (one log row each, one audit entry)."""
    require_role(actor, COACHING)
    with transaction(cursor):
        ranked = targets.rank_profiles(cursor, profiles=profiles, top=top, requested_by=actor.username, config=config,
                                       progress=progress)
        audit(cursor, user=actor, action="rank_job_targets", object_type="profile", purpose=Purpose.matching,
              detail={"profiles": len(profiles)})
    return ranked


def export_participant(cursor: duckdb.DuckDBPyConnection, *, actor: User, participant_id: str) -> dict[str, Any]:
    """Everything stored about one participant (GDPR access request), audited as an export."""
    with transaction(cursor):
        require_participant(cursor, actor=actor, participant_id=participant_id, roles=COACHING)
        audit(cursor, user=actor, action="export_participant", object_type="participant", object_id=participant_id,
              purpose=Purpose.export)
        data = full_export(cursor, participant_id=participant_id)
    return data


def matching_log(cursor: duckdb.DuckDBPyConnection, *, actor: User, kind: str | None = None,
                 input_id: str | None = None, limit: int = 100) -> list[LogEntry]:
    """The append-only log of ranking requests, newest first (admins; the reading is audited)."""
    require_role(actor, ADMIN)
    with transaction(cursor):
        entries = read_log(cursor, kind=kind, input_id=input_id, limit=limit)
        audit(cursor, user=actor, action="read_matching_log", object_type="matching_log", object_id=input_id,
              purpose=Purpose.administration, detail={"kind": kind, "shown": len(entries)})
    return entries


# ---------------------------------------------------------------- Dutch requirements


def language_requirements(cursor: duckdb.DuckDBPyConnection, *, actor: User, occupation_uri: str | None = None
                          ) -> list[dict]:
    """Shipped defaults and overrides, or the requirement one occupation gets (no personal data)."""
    require_role(actor, REQUIREMENT_READERS)
    if occupation_uri:
        return [language.occupation_requirement(cursor, occupation_uri=occupation_uri).model_dump()]
    return language.list_requirements(cursor)


def set_language_requirement(
    cursor: duckdb.DuckDBPyConnection, *, actor: User, levels: dict[str, str], occupation_uri: str | None = None,
    isco_code: str | None = None, note: str | None = None,
) -> LanguageRequirement:
    """Override the Dutch requirement of one occupation or ISCO group (admins)."""
    require_role(actor, ADMIN)
    with transaction(cursor):
        req = language.set_requirement(cursor, occupation_uri=occupation_uri, isco_code=isco_code,
                                       updated_by=actor.username, note=note, levels=levels)
        audit(cursor, user=actor, action="set_language_requirement", object_type="language_requirement",
              object_id=occupation_uri or isco_code, purpose=Purpose.administration, detail={"levels": levels})
    return req


# ---------------------------------------------------------------- vacancies


def _vacancy_log(cursor, actor: User, action: str, vacancy_id: str | None, detail: dict | None = None) -> None:
    audit(cursor, user=actor, action=action, object_type="vacancy", object_id=vacancy_id,
          purpose=Purpose.employer_contact, detail=detail)


def create_vacancy(cursor: duckdb.DuckDBPyConnection, *, actor: User, vacancy: VacancyInput | dict,
                   method: str | None = None, lang: str | None = None) -> Vacancy:
    """A new vacancy owned by the actor, with proposed occupations and skills to confirm (``method``: search;
    ``lang``: the reader's language of the proposal's labels, as stored when ``None``)."""
    require_role(actor, VACANCY_ROLES)
    with transaction(cursor):
        v = vacancies.create_vacancy(cursor, owner=actor.username, vacancy=vacancy, method=method)
        _vacancy_log(cursor, actor, "create_vacancy", v.vacancy_id)
    return v if lang is None else vacancies.in_language(cursor, v, lang)


def import_vacancies(
    cursor: duckdb.DuckDBPyConnection, *, actor: User, filename: str, data: bytes | None = None,
    path: Path | None = None, method: str | None = None, progress: Callable[[int, int], None] | None = None,
) -> list[Vacancy]:
    """Import a CSV/Excel file of vacancies owned by the actor: all rows or none (``progress(done, total)``)."""
    require_role(actor, VACANCY_ROLES)
    with transaction(cursor):
        got = vacancies.import_vacancies(cursor, owner=actor.username, data=data, path=path, filename=filename,
                                         method=method, progress=progress)
        _vacancy_log(cursor, actor, "import_vacancies", None,
                     {"vacancies": [v.vacancy_id for v in got], "file": filename})
    return got


def _owner(actor: User, owner: str | None) -> str | None:
    """Whose vacancies a listing shows: a liaison's own; an admin's choice (``None``: everyone's)."""
    return owner if actor.role == Role.admin else actor.username


def list_vacancies(cursor: duckdb.DuckDBPyConnection, *, actor: User, status: str | None = None,
                   owner: str | None = None, search: str | None = None, order: str = "newest",
                   limit: int | None = None, offset: int = 0) -> list[Vacancy]:
    """The actor's vacancies (an admin: everyone's, or one ``owner``'s), newest first, or one page of them."""
    require_role(actor, VACANCY_ROLES)
    return vacancies.list_vacancies(cursor, owner=_owner(actor, owner), status=status, search=search, order=order,
                                    limit=limit, offset=offset)


def count_vacancies(cursor: duckdb.DuckDBPyConnection, *, actor: User, status: str | None = None,
                    owner: str | None = None, search: str | None = None) -> int:
    """How many vacancies :func:`list_vacancies` finds for the actor (a number)."""
    require_role(actor, VACANCY_ROLES)
    return vacancies.count_vacancies(cursor, owner=_owner(actor, owner), status=status, search=search)


def show_vacancy(cursor: duckdb.DuckDBPyConnection, *, actor: User, vacancy_id: str,
                 lang: str | None = None) -> Vacancy:
    """One vacancy the actor may see (``lang``: the reader's language of the proposal's labels)."""
    require_role(actor, VACANCY_ROLES)
    v = require_vacancy(cursor, actor=actor, vacancy_id=vacancy_id)
    return v if lang is None else vacancies.in_language(cursor, v, lang)


def confirm_vacancy(
    cursor: duckdb.DuckDBPyConnection, *, actor: User, vacancy_id: str, occupation_uris: list[str],
    essential_skills: list[str], optional_skills: list[str] | None = None, terms: dict | None = None,
    details: dict | None = None,
) -> Vacancy:
    """Confirm or edit the occupations, skills, (``terms``) requirements and (``details``) title, text, employer
    and postcode; only confirmed vacancies get shortlists, a closed one is not changed (409)."""
    require_role(actor, VACANCY_ROLES)
    with transaction(cursor):
        before = require_vacancy(cursor, actor=actor, vacancy_id=vacancy_id)
        v = vacancies.confirm_vacancy(cursor, vacancy_id=vacancy_id, by=actor.username,
                                      occupation_uris=occupation_uris, essential_skills=essential_skills,
                                      optional_skills=optional_skills, terms=terms, details=details)
        changed = [k for k in ("title", "description", "employer", "postcode", "hours_per_week", "shifts",
                               "weekends", "licences", "attests", "contract", "dutch", "occupation_uris",
                               "essential_skills", "optional_skills") if getattr(before, k) != getattr(v, k)]
        _vacancy_log(cursor, actor, "edit_vacancy" if before.status == "confirmed" else "confirm_vacancy",
                     vacancy_id, {"occupations": v.occupation_uris, "essential": len(v.essential_skills),
                                  "changed": changed})
    return v


def close_vacancy(cursor: duckdb.DuckDBPyConnection, *, actor: User, vacancy_id: str) -> Vacancy:
    require_role(actor, VACANCY_ROLES)
    with transaction(cursor):
        require_vacancy(cursor, actor=actor, vacancy_id=vacancy_id)
        v = vacancies.close_vacancy(cursor, vacancy_id=vacancy_id, by=actor.username)
        _vacancy_log(cursor, actor, "close_vacancy", vacancy_id)
    return v


# ---------------------------------------------------------------- shortlists


def _shortlist_log(cursor, actor: User, action: str, sl_id: str, purpose: Purpose = Purpose.employer_contact,
                   detail: dict | None = None) -> None:
    audit(cursor, user=actor, action=action, object_type="shortlist", object_id=sl_id, purpose=purpose,
          detail=detail)


def pull_shortlist(
    cursor: duckdb.DuckDBPyConnection, *, actor: User, vacancy_id: str, top: int = 20, lang: str = "nl",
    config: MatchingConfig | None = None,
) -> ShortlistView:
    """Rank the consenting participants for a confirmed vacancy of the actor (a suggestion to review)."""
    require_role(actor, VACANCY_ROLES)
    with transaction(cursor):
        vacancies.require_open(require_vacancy(cursor, actor=actor, vacancy_id=vacancy_id))
        sl = shortlist.make_shortlist(cursor, vacancy_id=vacancy_id, requested_by=actor.username, top=top, lang=lang,
                                      config=config)
        _shortlist_log(cursor, actor, "rank_candidates", sl.shortlist_id, Purpose.matching,
                       {"vacancy_id": vacancy_id, "log_id": sl.log_id,
                        "participants": [c.participant_id for c in sl.candidates]})
        view = shortlist_view(cursor, sl)
    return view


def vacancy_shortlists(cursor: duckdb.DuckDBPyConnection, *, actor: User, vacancy_id: str) -> list[ShortlistView]:
    """The shortlists of one of the actor's vacancies, newest first (as of now: consenting only)."""
    require_role(actor, VACANCY_ROLES)
    with transaction(cursor):
        require_vacancy(cursor, actor=actor, vacancy_id=vacancy_id)
        views = [shortlist_view(cursor, sl) for sl in shortlist.list_shortlists(cursor, vacancy_id=vacancy_id)]
        audit(cursor, user=actor, action="list_shortlists", object_type="vacancy", object_id=vacancy_id,
              purpose=Purpose.employer_contact, detail={"shortlists": [v.shortlist_id for v in views]})
    return views


def count_shortlists(cursor: duckdb.DuckDBPyConnection, *, actor: User, search: str | None = None) -> int:
    """How many shortlists :func:`list_shortlists` finds for the actor (a number)."""
    require_role(actor, VACANCY_ROLES)
    return count_shortlist_rows(cursor, owner=_owner(actor, None), search=search)


def list_shortlists(
    cursor: duckdb.DuckDBPyConnection, *, actor: User, search: str | None = None, order: str = "newest",
    limit: int | None = 50, offset: int = 0,
) -> list[ShortlistRow]:
    """One page of the shortlists of the actor's vacancies (an admin: all), without candidates (audited)."""
    require_role(actor, VACANCY_ROLES)
    with transaction(cursor):
        rows = list_shortlist_rows(cursor, owner=_owner(actor, None), search=search, order=order, limit=limit,
                                   offset=offset)
        audit(cursor, user=actor, action="list_shortlist_overview", object_type="shortlist",
              purpose=Purpose.employer_contact,
              detail={"search": search, "shortlists": [r.shortlist_id for r in rows]})
    return rows


def show_shortlist(cursor: duckdb.DuckDBPyConnection, *, actor: User, shortlist_id: str) -> ShortlistView:
    """One shortlist with its status history, consenting candidates only, under their codes."""
    require_role(actor, VACANCY_ROLES)
    with transaction(cursor):
        sl = require_shortlist(cursor, actor=actor, shortlist_id=shortlist_id)
        names = Pseudonyms(cursor, sl)
        view = shortlist_view(cursor, sl, names)
        _shortlist_log(cursor, actor, "read_shortlist", shortlist_id, detail={
            "vacancy_id": sl.vacancy_id, "participants": sorted(names.participant.values())})
    return view


def _unknown_candidate(code: str, field: str = "candidate") -> InputError:
    return InputError(f"Unknown candidate {code!r} on this shortlist", [Problem(
        "no such candidate on this shortlist", column=field, code="shortlist.unknown_candidate",
        params={"candidate": code})], code="shortlist.unknown_candidate", params={"candidate": code})


def confirm_shortlist(
    cursor: duckdb.DuckDBPyConnection, *, actor: User, shortlist_id: str, confirmed_by: str,
    ordered_candidates: list[str], reasons: dict[str, str] | None = None,
) -> ShortlistView:
    """A named person confirms the shortlist in their order (candidate codes).

    Every suggested candidate left out or moved up needs a reason; candidates who withdrew
    consent are left out with that reason.
    """
    require_role(actor, VACANCY_ROLES)
    with transaction(cursor):
        sl = require_shortlist(cursor, actor=actor, shortlist_id=shortlist_id)
        names = Pseudonyms(cursor, sl)
        unknown = [c for c in [*ordered_candidates, *(reasons or {})] if c not in names.participant]
        if unknown:
            raise _unknown_candidate(unknown[0], "ordered_candidates")
        why = {names.participant[c]: text for c, text in (reasons or {}).items()}
        why |= {c.participant_id: "consent withdrawn" for c in sl.candidates if not names.visible(c.participant_id)}
        try:
            shortlist.confirm_shortlist(cursor, shortlist_id=shortlist_id, confirmed_by=confirmed_by,
                                        ordered_participant_ids=[names.participant[c] for c in ordered_candidates],
                                        reasons=why)
        except InputError as exc:
            for p in exc.problems:  # locate problems by candidate code, never by participant id
                for pid, code in names.code.items():
                    p.message = p.message.replace(pid, code)
                    p.column = p.column.replace(pid, code) if p.column else p.column
                    if p.params.get("candidate") == pid:
                        p.params["candidate"] = code
            raise
        _shortlist_log(cursor, actor, "confirm_shortlist", shortlist_id, detail={
            "confirmed_by": confirmed_by, "kept": len(ordered_candidates), "reasons": len(why)})
        view = shortlist_view(cursor, shortlist.get_shortlist(cursor, shortlist_id=shortlist_id))
    return view


def set_candidate_status(
    cursor: duckdb.DuckDBPyConnection, *, actor: User, shortlist_id: str, candidate: str, status: str,
    note: str | None = None,
) -> StatusView:
    """Append a status change (contacted, invited, hired, rejected) for a consenting candidate."""
    require_role(actor, VACANCY_ROLES)
    with transaction(cursor):
        sl = require_shortlist(cursor, actor=actor, shortlist_id=shortlist_id)
        names = Pseudonyms(cursor, sl)
        pid = names.participant.get(candidate)
        if pid is None:
            raise not_found("candidate", candidate, "candidate")
        try:
            event = shortlist.set_candidate_status(cursor, shortlist_id=shortlist_id, participant_id=pid,
                                                   status=status, by=actor.username, note=note)
        except NotFoundError:  # on the suggestion, not on the confirmed list: say so by code only
            raise not_found("candidate", candidate, "candidate") from None
        _shortlist_log(cursor, actor, "set_candidate_status", shortlist_id,
                       detail={"candidate": candidate, "participant_id": pid, "status": status})
    return names.status_view(event)


def candidate_history(
    cursor: duckdb.DuckDBPyConnection, *, actor: User, shortlist_id: str, candidate: str | None = None,
) -> list[StatusView]:
    """Status changes of the consenting candidates (or one of them), oldest first."""
    require_role(actor, VACANCY_ROLES)
    with transaction(cursor):
        sl = require_shortlist(cursor, actor=actor, shortlist_id=shortlist_id)
        names = Pseudonyms(cursor, sl)
        if candidate is not None and candidate not in names.participant:
            raise not_found("candidate", candidate, "candidate")
        events = shortlist.candidate_history(cursor, shortlist_id=shortlist_id,
                                             participant_id=names.participant.get(candidate) if candidate else None)
        shown = [names.status_view(e) for e in events if names.visible(e.participant_id)]
        _shortlist_log(cursor, actor, "read_candidate_history", shortlist_id,
                       detail={"candidate": candidate, "events": len(shown)})
    return shown
