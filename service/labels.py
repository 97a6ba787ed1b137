"""The words for coded values (roles, statuses, employer events, concerns), one map per kind.

``_`` is a translator of the reader's language (a page's ``_``, the CLI's ``tr``): the web pages
and the CLI show the same words from the same catalogue entries.
"""

from __future__ import annotations

from collections.abc import Callable

Translate = Callable[[str], str]


def role_labels(_: Translate) -> dict[str, str]:
    return {"assessor": _("Assessor"), "coach": _("Coach"), "liaison": _("Liaison"), "admin": _("Admin")}


def status_labels(_: Translate) -> dict[str, str]:
    """A vacancy's or a candidate's status."""
    return {"proposed": _("to confirm"), "confirmed": _("confirmed"), "closed": _("closed"),
            "suggested": _("suggestion"), "contacted": _("contacted"), "invited": _("invited"),
            "hired": _("hired"), "rejected": _("rejected")}


def event_labels(_: Translate) -> dict[str, str]:
    """What happened with an employer."""
    return {"introduction": _("Introduction"), "workplace_visit": _("Workplace visit"),
            "job_shadowing": _("Job shadowing"), "diversity_action": _("Diversity action"),
            "meet_and_greet": _("Meet and greet"), "twe_offered": _("TWE place offered"),
            "internship_offered": _("Internship place offered"),
            "candidate_presented": _("Candidate presented"), "other": _("Other")}


def concern_labels(_: Translate) -> dict[str, str]:
    """An employer's concern."""
    return {"language": _("Language"), "attitude": _("Attitude"), "paperwork": _("Paperwork"),
            "transport": _("Transport"), "childcare": _("Childcare"), "safety": _("Safety"),
            "skills": _("Skills"), "colleagues": _("Acceptance by colleagues"), "other": _("Other")}


def evidence_labels(_: Translate) -> dict[str, str]:
    """How a skill is known."""
    return {"assessed": _("tested"), "observed": _("observed"), "experience": _("experience"),
            "self_declared": _("self-declared")}


def shift_labels(_: Translate) -> dict[str, str]:
    """A vacancy's shifts, inside a sentence."""
    return {"day": _("day"), "early": _("early shift"), "late": _("late shift"), "night": _("night shift")}


def contract_labels(_: Translate) -> dict[str, str]:
    return {"permanent": _("permanent"), "temporary": _("temporary"), "interim": _("temp agency"),
            "student": _("student job"), "flexi": _("flexi-job")}


def attest_labels(_: Translate) -> dict[str, str]:
    """A vacancy's certificates (``matching.vacancies.ATTESTS``) in words; the others (VCA, BA4, …) are names."""
    return {"heftruck": _("forklift certificate"), "reachtruck": _("reach truck certificate"),
            "hoogwerker": _("aerial work platform certificate")}


def sub_skill_labels(_: Translate) -> dict[str, str]:
    """Dutch sub-skills inside a sentence ("luisteren A2")."""
    return {"listening": _("listening"), "reading": _("reading"), "speaking": _("speaking"), "writing": _("writing")}


def sub_skill_names(_: Translate) -> dict[str, str]:
    """Dutch sub-skills as headings and names ("Luisteren")."""
    return {"listening": _("Listening"), "reading": _("Reading"), "speaking": _("Speaking"), "writing": _("Writing")}


def report_headers(_: Translate) -> dict[str, str]:
    """The programme report's column and row headers, and the rows without an intake or occupation group."""
    return {"cohort": _("Intake group"), "registered": _("Registered"), "selected": _("Selected"),
            "assessed": _("Assessed"), "placed": _("Placed"), "employed_6m": _("In work after 6 months"),
            "employed_12m": _("In work after 12 months"), "total": _("Total"), "group": _("Occupation group"),
            "no_cohort": _("No intake group"), "no_group": _("Unknown")}


def report_titles(_: Translate) -> tuple[str, str]:
    """The titles of the programme report's two tables on the page and in the CLI."""
    return _("By intake group"), _("Placements by occupation group")


def report_sheet_names(_: Translate) -> tuple[str, str]:
    """The programme report's two Excel sheets."""
    return _("By intake group"), _("By occupation group")


def competence_group_labels(_: Translate) -> dict[str, str]:
    """The groups a profile's skills are shown in (see :data:`service.ui.competences.INSTRUMENT_GROUPS`)."""
    return {"technical": _("Technical"), "social": _("Social"), "language": _("Dutch (CEFR)"),
            "other": _("From experience or self-declared")}
