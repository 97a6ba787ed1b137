"""The words the CLI shows for coded values, in the CLI's language.

Roles, statuses, events, concerns, evidence, shifts, contracts, certificates and sub-skills come from
:mod:`service.labels`, the other msgids are the web UI's too, so a term reads the same on the
screen and in the terminal. A value without a word is shown as it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from service.cli.progress import tr
from service.labels import (
    attest_labels,
    competence_group_labels,
    concern_labels,
    contract_labels,
    event_labels,
    evidence_labels,
    role_labels,
    shift_labels,
    status_labels,
    sub_skill_labels,
)


def _word(words: dict[str, str], value: object) -> str:
    key = str(getattr(value, "value", value))
    return words.get(key, key)


def yes_no(flag: bool) -> str:
    return tr("yes") if flag else tr("no")


def role(value: object) -> str:
    """A role's name (the web UI's); ``user add --role`` and ``user list`` keep the role's own word."""
    return _word(role_labels(tr), value)


def status(value: object) -> str:
    """A vacancy's or a candidate's status."""
    return _word(status_labels(tr), value)


def event_kind(value: object) -> str:
    return _word(event_labels(tr), value)


def concern(value: object) -> str:
    return _word(concern_labels(tr), value)


def evidence(value: object) -> str:
    return _word(evidence_labels(tr), value)


def instrument_kind(value: object) -> str:
    """An instrument's kind under the competence group the profile page files it in."""
    from service.ui.competences import INSTRUMENT_GROUPS

    groups = competence_group_labels(tr)
    return _word({kind: groups[group] for kind, group in INSTRUMENT_GROUPS.items()}, value)


def shifts(values: Iterable[object]) -> str:
    words = shift_labels(tr)
    return ", ".join(_word(words, v) for v in values) or "—"


def contract(value: object) -> str:
    return _word(contract_labels(tr), value) if value else "—"


def attest(value: object) -> str:
    """A vacancy's certificate."""
    return _word(attest_labels(tr), value)


def sub_skill(value: object) -> str:
    return _word(sub_skill_labels(tr), value)


def dutch_levels(levels: Mapping[str, object]) -> str:
    """``luisteren A2, lezen -, …`` (a dash where no level is known or asked)."""
    return ", ".join(f"{sub_skill(k)} {v or '-'}" for k, v in levels.items())


def filtered(counts: Mapping[str, int]) -> str:
    """Why candidates were left out of a shortlist, with how many each."""
    words = {"commute": tr("commute"), "availability": tr("availability")}
    return ", ".join(f"{_word(words, k)} {n}" for k, n in counts.items()) or "0"


def participant_field(key: str) -> str:
    """The name of a participant's field (``contact.…`` for the contact details), as the intake form names it."""
    return _word({
        "participant_id": tr("Participant"), "coach": tr("Coach"), "postcode": tr("Postcode (home)"),
        "transport_modes": tr("Transport"), "max_commute_minutes": tr("Longest commute (minutes, one way)"),
        "hours_per_week": tr("Hours per week"), "shifts": tr("Shifts"), "weekends": tr("Can work weekends"),
        "preferred_sectors": tr("Preferred sectors"), "preferred_occupations": tr("Preferred occupations"),
        "experience_text": tr("Experience in the participant's own words"), "experience": tr("Work experience"),
        "education_level": tr("Highest education completed"),
        "diploma_recognition": tr("Recognition of a foreign diploma (NARIC)"), "languages": tr("Languages spoken"),
        "declared_skills": tr("Declared skills"), "created_at": tr("Created"), "created_by": tr("Created by"),
        "updated_at": tr("Last changed"), "consent": tr("Consent"), "consent_changed_at": tr("Consent changed"),
        "contact.name": tr("Name"), "contact.phone": tr("Phone"), "contact.email": tr("E-mail"),
        "contact.address": tr("Address"), "contact.referrer": tr("Referrer (OCMW, VDAB …)"),
    }, key)


def participant_value(key: str, value: object) -> str:
    """A participant's field value: the intake form's words for its choices, yes/no, a dash for nothing."""
    from service.ui.intake import choice_labels

    labels = choice_labels(tr)
    choices = {"transport_modes": labels["transport_labels"], "shifts": labels["shift_labels"],
               "preferred_sectors": labels["sector_labels"], "education_level": labels["education_labels"],
               "diploma_recognition": labels["recognition_labels"]}.get(key)
    if isinstance(value, bool):
        return yes_no(value)
    if value is None or value == "" or value == []:
        return "—"
    if choices is not None:
        return ", ".join(_word(choices, v) for v in value) if isinstance(value, list) else _word(choices, value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else str(value)
