"""Errors shared by every werkbrug package.

Each error carries where the problem is (file, line, row, field) so that the CLI and the
HTTP layer can show a message a person can act on. ``service`` maps them to exit codes
and 4xx responses; nothing here knows about HTTP.

Messages are rendered at the edge, in the reader's language: an error or problem carries a
``code`` (the message id in the ``service/locale`` catalogues, e.g. ``"batch.score_out_of_scale"``)
and ``params`` (the values for its ``%(name)s`` placeholders); ``message`` is the English
fallback for logs and for codes a catalogue does not know yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Problem:
    """One thing wrong with the input, located as precisely as possible."""

    message: str
    file: str | None = None
    sheet: str | None = None
    line: int | None = None
    row: int | None = None
    column: str | None = None
    code: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        where = [
            f"{k} {v}"
            for k, v in (
                ("file", self.file),
                ("sheet", self.sheet),
                ("line", self.line),
                ("row", self.row),
                ("column", self.column),
            )
            if v is not None
        ]
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class WerkbrugError(Exception):
    """Base class: a user-facing error with zero or more located problems."""

    message: str
    problems: list[Problem] = field(default_factory=list)
    code: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        shown = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = len(self.problems) - 50
        tail = f"\n  … and {more} more" if more > 0 else ""
        return f"{self.message}\n{shown}{tail}"


class InputError(WerkbrugError):
    """The input is malformed or violates a rule (HTTP 422, CLI exit 2)."""


class ForbiddenError(WerkbrugError):
    """The actor's role may not do this at all (HTTP 403); objects they may not reach are "not found"."""


class NotFoundError(WerkbrugError):
    """A referenced object does not exist (HTTP 404)."""


class ConflictError(WerkbrugError):
    """The request conflicts with stored state, e.g. a duplicate upload (HTTP 409)."""


class DatabaseLockedError(WerkbrugError):
    """Another process holds the database file for writing."""


def validation_problems(exc: Any, **where: Any) -> list[Problem]:
    """Located problems from a pydantic ``ValidationError``, each with a message code.

    The code is ``validation.<pydantic error type>`` (``validation.int_parsing``, ``validation.enum`` …)
    with the error's context as parameters (``expected``, ``min_length``, ``ge`` …) and the offending
    ``input``; a custom error raised as ``PydanticCustomError("records.not_cefr", …)`` keeps its own code.
    The field path goes in ``column``.
    """
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or None
        kind = str(err.get("type", "value_error"))
        params: dict[str, Any] = {k: v if isinstance(v, int | float | str) else str(v)
                                  for k, v in (err.get("ctx") or {}).items()}
        if kind in ("enum", "literal_error") and isinstance(params.get("expected"), str):
            params["expected"] = re.findall(r"'([^']*)'", params["expected"])  # "'a', 'b' or 'c'" → a list
        given = err.get("input")
        if isinstance(given, int | float | str) and not isinstance(given, bool):
            params["input"] = given
        code = kind if "." in kind else f"validation.{kind}"
        out.append(Problem(err["msg"].removeprefix("Value error, "), column=loc, code=code, params=params, **where))
    return out
