"""The intake form: every profile field that matching uses, read from and written to a form.

Form names: ``exp_uri_N`` / ``exp_label_N`` / ``exp_years_N`` (work experience), ``pref_uri_N`` /
``pref_label_N`` (preferred occupations), ``sector`` (ISCO groups), ``transport`` and ``shift``
(checkboxes), ``postcode``, ``max_commute_minutes``, ``hours_per_week``, ``weekends``,
``education_level``, ``diploma_recognition``, ``experience_text``, ``languages``.
An occupation typed without picking it from the list (no JavaScript) is looked up on the server:
an exact label is taken, otherwise the choices are shown next to the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assessment.participant_models import DiplomaRecognition, EducationLevel
from assessment.profile import SHIFTS as SHIFTS  # the shift checkboxes (re-exported for the intake page)
from assessment.profile import TransportMode

EXPERIENCE_ROWS, PREFERENCE_ROWS = 4, 3
#: Sectors a participant may prefer, as ISCO-08 group codes (matching credits a target in the group).
SECTORS = ("51", "52", "53", "61", "71", "72", "75", "81", "83", "91", "93", "94")
EDUCATION = tuple(e.value for e in EducationLevel)
RECOGNITION = tuple(d.value for d in DiplomaRecognition)
TRANSPORT = tuple(t.value for t in TransportMode)


@dataclass
class Occupation:
    uri: str = ""
    label: str = ""
    years: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)   # (uri, label) when the text was ambiguous


@dataclass
class IntakeForm:
    """The form's values as strings, plus the rows of occupations."""

    values: dict[str, Any]
    experience: list[Occupation]
    preferred: list[Occupation]


def form_from_participant(p: Any, labels: dict[str, str]) -> IntakeForm:
    exp = [Occupation(e.occupation_uri, labels.get(e.occupation_uri, e.occupation_uri), f"{e.years:g}")
           for e in p.experience]
    pref = [Occupation(u, labels.get(u, u)) for u in p.preferred_occupations]
    values = {
        "postcode": p.postcode or "", "max_commute_minutes": str(p.max_commute_minutes),
        "hours_per_week": str(p.hours_per_week), "weekends": "1" if p.weekends else "",
        "transport": [str(t) for t in p.transport_modes], "shift": list(p.shifts), "sector": list(p.preferred_sectors),
        "education_level": str(p.education_level or ""), "diploma_recognition": str(p.diploma_recognition or ""),
        "experience_text": p.experience_text or "", "languages": ", ".join(p.languages),
    }
    return IntakeForm(values, _pad(exp, EXPERIENCE_ROWS), _pad(pref, PREFERENCE_ROWS))


def _pad(rows: list[Occupation], n: int) -> list[Occupation]:
    return rows + [Occupation() for _ in range(max(1, n - len(rows)))]


def form_from_post(form: Any) -> IntakeForm:
    """The posted form (a Starlette ``FormData``) as an :class:`IntakeForm`."""
    def rows(prefix: str, with_years: bool) -> list[Occupation]:
        out, n = [], 0
        while f"{prefix}_label_{n}" in form or f"{prefix}_uri_{n}" in form:
            out.append(Occupation(str(form.get(f"{prefix}_uri_{n}", "")).strip(),
                                  str(form.get(f"{prefix}_label_{n}", "")).strip(),
                                  str(form.get(f"{prefix}_years_{n}", "")).strip() if with_years else ""))
            n += 1
        return out

    single = ("postcode", "max_commute_minutes", "hours_per_week", "weekends", "education_level",
              "diploma_recognition", "experience_text", "languages")
    values: dict[str, Any] = {k: str(form.get(k, "")).strip() for k in single}
    for multi in ("transport", "shift", "sector"):
        values[multi] = [str(v) for v in form.getlist(multi)]
    return IntakeForm(values, rows("exp", True), rows("pref", False))


def _number(text: str, errors: dict[str, str], name: str, message: str, *, decimal: bool = False) -> Any:
    try:
        value = float(text.replace(",", ".")) if decimal else int(text)
    except ValueError:
        errors[name] = message
        return None
    return value


def changes_from_form(f: IntakeForm, _: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Participant field changes and the form errors (keyed by field) of a filled-in form.

    Occupation rows must already have their URI (see :func:`resolve_occupations`).
    """
    errors: dict[str, str] = {}
    v = f.values
    experience = []
    for i, row in enumerate(f.experience):
        if not row.label and not row.uri:
            continue
        years = _number(row.years or "", errors, f"exp_years_{i}", _("Give the years as a number, e.g. 2 or 1,5."),
                        decimal=True)
        if row.uri and years is not None:
            experience.append({"occupation_uri": row.uri, "years": years})
    changes: dict[str, Any] = {
        "postcode": v["postcode"] or None,
        "transport_modes": v["transport"], "shifts": v["shift"], "weekends": v["weekends"] == "1",
        "preferred_sectors": v["sector"], "experience": experience,
        "preferred_occupations": [r.uri for r in f.preferred if r.uri],
        "education_level": v["education_level"] or None, "diploma_recognition": v["diploma_recognition"] or None,
        "experience_text": v["experience_text"] or None,
        "languages": [c.strip() for c in v["languages"].replace(";", ",").split(",") if c.strip()],
    }
    for name, message in (("max_commute_minutes", _("Give the minutes as a whole number, e.g. 45.")),
                          ("hours_per_week", _("Give the hours as a whole number, e.g. 38."))):
        number = _number(v[name] or "", errors, name, message)
        if number is not None:
            changes[name] = number
    return changes, errors


def resolve_occupations(f: IntakeForm, search: Any, _: Any) -> dict[str, str]:
    """Give every occupation typed without a pick its URI: an exact label match, else choices (an error)."""
    errors: dict[str, str] = {}
    for prefix, rows in (("exp", f.experience), ("pref", f.preferred)):
        for i, row in enumerate(rows):
            if row.uri or not row.label:
                continue
            hits = search(row.label)
            exact = [h for h in hits if h.label.casefold() == row.label.casefold()
                     or h.matched_label.casefold() == row.label.casefold()]
            if exact:
                row.uri, row.label = exact[0].uri, exact[0].label
            else:
                row.choices = [(h.uri, h.label) for h in hits[:5]]
                errors[f"{prefix}_label_{i}"] = (_("Pick the occupation from the list.") if row.choices
                                                 else _("No ESCO occupation found: try another word."))
    return errors


def choice_labels(_: Any) -> dict[str, dict[str, str]]:
    """The words shown for each choice of the form, in the reader's language."""
    return {
        "sector_labels": {
            "51": _("Hospitality and personal services"), "52": _("Shop and sales"), "53": _("Care"),
            "61": _("Farming and gardening"), "71": _("Construction"), "72": _("Metal and machines"),
            "75": _("Food, wood and textile crafts"), "81": _("Production (operating machines)"),
            "83": _("Driving and transport"), "91": _("Cleaning"), "93": _("Warehouse and labouring"),
            "94": _("Kitchen help"),
        },
        "shift_labels": {"day": _("Day"), "early": _("Early shift"), "late": _("Late shift"), "night": _("Night")},
        "transport_labels": {"walk": _("On foot"), "bike": _("Bicycle"), "ebike_moped": _("E-bike or moped"),
                             "public_transport": _("Public transport"), "car": _("Car")},
        "education_labels": {"none": _("No schooling"), "primary": _("Primary school"),
                             "lower_secondary": _("Lower secondary"), "upper_secondary": _("Upper secondary"),
                             "post_secondary": _("Post-secondary (not higher)"), "higher": _("Higher education")},
        "recognition_labels": {"not_applicable": _("Not applicable"), "not_requested": _("Not requested"),
                               "pending": _("Requested, pending"), "partial": _("Partly recognised"),
                               "recognised": _("Recognised"), "refused": _("Refused")},
    }
