"""The registration form (assessor and coach pages): what was typed → details, contact, consent, or errors."""

from __future__ import annotations

from collections.abc import Callable
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


def read_registration(values: dict[str, str], _: Callable[..., str], *, coaches: set[str] | None) -> Registration:
    """Check the typed fields (``coaches``: the choices of the coach field; ``None``: no coach field)."""
    form = {k: str(values.get(k, "")) for k in FIELDS}
    name, postcode, coach = form["name"].strip(), form["postcode"].strip(), form["coach"]
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Enter the participant's name.")
    if coaches is not None and coach not in coaches:
        errors["coach"] = _("Choose the coach (trajectbegeleider).")
    details = {"postcode": postcode or None} | ({"coach": coach} if coaches is not None else {})
    contact = {"name": name, **{k: form[k].strip() or None for k in ("referrer", "phone", "email")}}
    try:
        service.check_registration(details=details, contact=contact)
    except WerkbrugError as exc:
        errors = field_errors(exc, set(form)) | errors
    return Registration(form, details, contact, form["consent"] == "1", errors)


def register_from_form(cursor, *, actor: User, values: dict[str, str], _: Callable[..., str],
             coaches: set[str] | None) -> tuple[str | None, Registration]:
    """Register from the form: ``(participant id, form)`` or ``(None, form with its errors)``."""
    reg = read_registration(values, _, coaches=coaches)
    if reg.errors:
        return None, reg
    try:
        p = service.register_participant(cursor, actor=actor, details=reg.details, contact=reg.contact,
                                         consent=reg.consent)
    except WerkbrugError as exc:
        reg.errors = field_errors(exc, set(reg.form))
        return None, reg
    return p.participant_id, reg
