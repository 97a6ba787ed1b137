"""One renderer for every message a domain package hands to a person.

Domain errors, problems, reasons and next steps carry a ``code`` (a dotted message id such as
``"batch.score_out_of_scale"``) and ``params``; this module turns them into text in the reader's
language through the Babel catalogues. The JSON API, the web pages and the CLI all call it.

* a code the catalogue does not know falls back to the English ``message`` given with it;
* a parameter that is a list is shown as a comma-separated list;
* a parameter that is itself ``{"code": …, "params": …}`` is rendered first (nested messages);
* a location (file, sheet, line, row, column) is rendered with its own words ("rij 4, kolom C").
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from fastapi import Request

from foundation.errors import Problem, WerkbrugError
from service.i18n import DEFAULT_LANGUAGE, LANG_COOKIE, LANGUAGES, translations

LOCATION_PARTS = ("file", "sheet", "line", "row", "column")


def _param(value: Any, lang: str) -> Any:
    if isinstance(value, Mapping) and "code" in value:
        return message(value["code"], value.get("params") or {}, lang=lang, fallback=str(value.get("message", "")))
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return ", ".join(str(_param(v, lang)) for v in items)
    return value


def message(code: str | None, params: Mapping[str, Any] | None = None, *, lang: str, fallback: str = "") -> str:
    """The text of ``code`` in ``lang`` with ``params`` filled in, else ``fallback``.

    >>> message("batch.nothing_imported", {"file": "a.xlsx", "count": 2}, lang="en")
    'a.xlsx: 2 problems; nothing was imported'
    """
    if not code:
        return fallback
    catalogue = translations(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    values = {k: _param(v, lang) for k, v in (params or {}).items()}
    count = values.get("count")
    text = code
    if isinstance(count, int):  # a plural entry when the catalogue has one
        text = catalogue.ngettext(code, f"{code}.plural", count)
        text = code if text == f"{code}.plural" else text
    if text == code:
        text = catalogue.gettext(code)
    if text == code:
        return fallback
    try:
        return text % values
    except (KeyError, TypeError, ValueError):
        return fallback or text


def location(problem: Problem, *, lang: str) -> str:
    """Where the problem is, in words: "bestand a.xlsx, blad Scores, rij 4, kolom C"."""
    parts = []
    for part in LOCATION_PARTS:
        value = getattr(problem, part)
        if value is not None:
            parts.append(message(f"where.{part}", {"value": value}, lang=lang, fallback=f"{part} {value}"))
    return ", ".join(parts)


def problem_text(problem: Problem, *, lang: str, located: bool = True) -> str:
    """One problem as a sentence, with its location in front when ``located``."""
    text = message(problem.code, problem.params, lang=lang, fallback=problem.message)
    where = location(problem, lang=lang) if located else ""
    return f"{where}: {text}" if where else text


def error_text(exc: WerkbrugError, *, lang: str) -> str:
    """The headline of an error (without its problems)."""
    return message(exc.code, exc.params, lang=lang, fallback=exc.message)


def error_report(exc: WerkbrugError, *, lang: str, limit: int = 50) -> str:
    """Headline plus one line per problem (the CLI's text); a problem that only repeats the headline is left out."""
    head = error_text(exc, lang=lang)
    lines = [head]
    lines += [f"  - {problem_text(p, lang=lang)}" for p in exc.problems[:limit]
              if problem_text(p, lang=lang, located=False) != head]
    more = len(exc.problems) - limit
    if more > 0:
        lines.append("  " + message("error.more_problems", {"count": more}, lang=lang, fallback=f"… and {more} more"))
    return "\n".join(lines)


def problem_json(problem: Problem, *, lang: str) -> dict[str, Any]:
    """A problem for the JSON API: its location, code, params and the rendered message."""
    out: dict[str, Any] = {k: getattr(problem, k) for k in LOCATION_PARTS if getattr(problem, k) is not None}
    if problem.code:
        out["code"] = problem.code
        out["params"] = problem.params
    out["message"] = problem_text(problem, lang=lang, located=False)
    return out


def error_json(exc: WerkbrugError, *, lang: str) -> dict[str, Any]:
    """An error for the JSON API: ``detail`` (rendered), ``code``, ``params`` and the problems."""
    out: dict[str, Any] = {"detail": error_text(exc, lang=lang)}
    if exc.code:
        out["code"] = exc.code
        out["params"] = exc.params
    out["lang"] = lang
    out["problems"] = [problem_json(p, lang=lang) for p in exc.problems]
    return out


def render_message(item: Any, *, lang: str, params: Mapping[str, Any] | None = None,
                   fallback: str | None = None) -> str:
    """Any message-bearing value as text: a code (or plain text), a :class:`Problem`, a
    :class:`WerkbrugError`, an object or dict with ``code``/``params`` and ``text``/``message``."""
    if item is None:
        return fallback or ""
    if isinstance(item, str):
        return message(item, params, lang=lang, fallback=item if fallback is None else fallback)
    if isinstance(item, Problem):
        return problem_text(item, lang=lang, located=False)
    if isinstance(item, WerkbrugError):
        return error_text(item, lang=lang)
    get = item.get if isinstance(item, Mapping) else lambda k, d=None: getattr(item, k, d)
    text = get("text") or get("message") or (fallback or "")
    return message(get("code"), get("params") or params, lang=lang, fallback=text)


def accepted_language(header: str | None) -> str | None:
    """The first of our languages in an ``Accept-Language`` header (by q-value), if any."""
    choices = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        base = tag.strip().lower().split("-")[0]
        if base in LANGUAGES and weight > 0:
            choices.append((-weight, i, base))
    return min(choices)[2] if choices else None


def api_language(request: Request) -> str:
    """The language of API messages: ``?lang=``, else ``Accept-Language``, else the UI cookie, else Dutch."""
    query = request.query_params.get("lang")
    if query in LANGUAGES:
        return query
    header = accepted_language(request.headers.get("accept-language"))
    if header:
        return header
    cookie = request.cookies.get(LANG_COOKIE)
    return cookie if cookie in LANGUAGES else DEFAULT_LANGUAGE


def cli_language() -> str:
    """The CLI language from ``LC_ALL``, ``LC_MESSAGES`` or ``LANG``: ``nl_BE…`` → Dutch, else English."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            base = value[:2].lower()
            return base if base in LANGUAGES else "en"
    return "en"
