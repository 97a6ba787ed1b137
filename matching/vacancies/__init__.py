"""Vacancies: a liaison's free-text vacancy → proposed ESCO occupation(s) and skills → confirmed.

A vacancy is created from title, Dutch description, employer, postcode, hours, shifts and an
optional declared Dutch level; werkbrug *proposes* occupations and skills
(:mod:`matching.vacancies.proposals`). Proposals are never used as such: a liaison confirms or
edits them (:func:`confirm_vacancy`) and only confirmed vacancies get shortlists. A vacancy
belongs to the liaison who created it (``owner``). Batch import (:mod:`matching.vacancies.importing`)
validates every row first and writes all rows or none; every problem names its row and column.

Modules: ``models`` (input and stored shapes, coded input problems), ``text`` (sentences,
boilerplate, Dutch compounds), ``skills`` (hybrid skill retrieval), ``extraction`` (text →
skills on a database), ``requirements`` (Dutch level, licences, attests, shifts, hours,
contract), ``proposals`` (everything proposed for one vacancy), ``store`` (storage and the
Dutch requirement), ``importing`` (CSV/Excel).
"""

from matching.vacancies.importing import IMPORT_COLUMNS, REQUIRED_COLUMNS, import_vacancies
from matching.vacancies.models import (
    CONTRACTS,
    MAX_HOURS,
    MIN_HOURS,
    SHIFTS,
    STATUSES,
    Proposal,
    Proposed,
    Shift,
    Vacancy,
    VacancyInput,
    VacancyTerms,
)
from matching.vacancies.proposals import in_language, propose, proposed_terms
from matching.vacancies.requirements import ATTESTS, LICENCES, Requirements
from matching.vacancies.store import (
    close_vacancy,
    confirm_vacancy,
    count_vacancies,
    create_vacancy,
    get_vacancy,
    list_vacancies,
    open_vacancy_counts,
    require_open,
    vacancy_requirement,
)

__all__ = [
    "ATTESTS",
    "CONTRACTS",
    "IMPORT_COLUMNS",
    "LICENCES",
    "MAX_HOURS",
    "MIN_HOURS",
    "REQUIRED_COLUMNS",
    "SHIFTS",
    "STATUSES",
    "Proposal",
    "Proposed",
    "Requirements",
    "Shift",
    "Vacancy",
    "VacancyInput",
    "VacancyTerms",
    "close_vacancy",
    "confirm_vacancy",
    "count_vacancies",
    "create_vacancy",
    "get_vacancy",
    "import_vacancies",
    "in_language",
    "list_vacancies",
    "open_vacancy_counts",
    "propose",
    "proposed_terms",
    "require_open",
    "vacancy_requirement",
]
