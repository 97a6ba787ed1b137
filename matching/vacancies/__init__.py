"""Vacancies: a liaison's free-text vacancy → proposed ESCO occupation(s) and skills → confirmed.

A vacancy is created from title, Dutch description, employer, postcode, hours, shifts and an
optional declared Dutch level; werkbrug *proposes* occupations and skills
(:mod:`matching.vacancies.proposals`). Proposals are never used as such: a liaison confirms or
edits them (:func:`confirm_vacancy`) and only confirmed vacancies get shortlists. A vacancy
belongs to the liaison who created it (``owner``). Batch import (:mod:`matching.vacancies.importing`)
validates every row first and writes all rows or none; every problem names its row and column.

Modules: ``models`` (input and stored shapes), ``proposals`` (text → occupations, skills),
``store`` (storage and the Dutch requirement), ``importing`` (CSV/Excel).
"""

from matching.vacancies.importing import IMPORT_COLUMNS, REQUIRED_COLUMNS, import_vacancies
from matching.vacancies.models import STATUSES, Proposal, Proposed, Shift, Vacancy, VacancyInput
from matching.vacancies.proposals import propose
from matching.vacancies.store import (
    close_vacancy,
    confirm_vacancy,
    create_vacancy,
    get_vacancy,
    list_vacancies,
    open_vacancy_counts,
    vacancy_requirement,
)

__all__ = [
    "IMPORT_COLUMNS", "REQUIRED_COLUMNS", "STATUSES", "Proposal", "Proposed", "Shift", "Vacancy",
    "VacancyInput", "close_vacancy", "confirm_vacancy", "create_vacancy", "get_vacancy", "import_vacancies",
    "list_vacancies", "open_vacancy_counts", "propose", "vacancy_requirement",
]
