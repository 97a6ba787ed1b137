"""The acting person: who does something, in which role (passed to every service function)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    assessor = "assessor"
    coach = "coach"
    liaison = "liaison"
    admin = "admin"


@dataclass(frozen=True)
class User:
    """A logged-in person; ``role`` decides what the service functions let them do."""

    username: str
    display_name: str
    role: Role
