"""The audit log for people: actions, objects, purposes and details in the reader's language.

An entry stores machine words (``read_shortlist``, ``employer_contact``, ``participants=[…]``);
each is shown through the catalogue (``audit.action.read_shortlist`` → "shortlist bekeken") and
lists are shown as counts ("deelnemers: 2"), never as the ids they hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from foundation.audit import AuditEntry
from service.messages import message


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    action: str
    object_type: str
    purpose: str
    details: list[tuple[str, str]]


def _value(value: Any, lang: str) -> str:
    if isinstance(value, bool):
        return message("audit.yes" if value else "audit.no", lang=lang, fallback=str(value))
    if isinstance(value, list | tuple | set | dict):
        return str(len(value))
    text = str(value)
    return message(f"audit.value.{text}", lang=lang, fallback=text if len(text) <= 90 else text[:89] + "…")


def audit_row(entry: AuditEntry, *, lang: str) -> AuditRow:
    """One entry with every machine word rendered for a person."""
    details = [
        (message(f"audit.detail.{k}", lang=lang, fallback=k), _value(v, lang))
        for k, v in (entry.detail or {}).items() if v is not None
    ]
    return AuditRow(
        entry=entry,
        action=message(f"audit.action.{entry.action}", lang=lang, fallback=entry.action),
        object_type=message(f"audit.object.{entry.object_type}", lang=lang, fallback=entry.object_type or "")
        if entry.object_type else "",
        purpose=message(f"audit.purpose.{entry.purpose}", lang=lang, fallback=entry.purpose or "")
        if entry.purpose else "",
        details=details,
    )
