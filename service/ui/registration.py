"""The registration form (assessor and coach pages): what was typed → details, contact, consent, or errors.

The rules (a name, a chosen and active coach, the fields' formats) are those of
:func:`assessment.service.register_participant`, which the API calls too; this module only reads the form.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assessment import service
from foundation.errors import WerkbrugError
from service.ui import field_errors
from service.users import User

FIELDS = ("name", "coach", "postcode", "referrer", "phone", "email", "consent")


@dataclass
class Registration:
    form: dict[str, str]
    details: dict = field(default_factory=dict)
    contact: dict = field(default_factory=dict)
    consent: bool = False
    errors: dict[str, str] = field(default_factory=dict)


def read_registration(values: dict[str, str], *, with_coach: bool) -> Registration:
    """The typed fields as the service takes them (``with_coach``: the form has a coach field)."""
    form = {k: str(values.get(k, "")) for k in FIELDS}
    postcode = form["postcode"].strip()
    details = {"postcode": postcode or None} | ({"coach": form["coach"].strip()} if with_coach else {})
    contact = {"name": form["name"].strip(), **{k: form[k].strip() or None for k in ("referrer", "phone", "email")}}
    return Registration(form, details, contact, form["consent"] == "1")


def register_from_form(cursor, *, actor: User, values: dict[str, str],
                       with_coach: bool) -> tuple[str | None, Registration]:
    """Register from the form: ``(participant id, form)`` or ``(None, form with its errors)``."""
    reg = read_registration(values, with_coach=with_coach)
    try:
        p = service.register_participant(cursor, actor=actor, details=reg.details, contact=reg.contact,
                                         consent=reg.consent)
    except WerkbrugError as exc:
        reg.errors = field_errors(exc, set(reg.form))
        return None, reg
    return p.participant_id, reg
