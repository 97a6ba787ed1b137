"""Server-rendered pages: the Jinja2 environment and the page context every template gets."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from assessment import cefr
from foundation.errors import Problem
from service.auth import csrf_token, ensure_login_nonce
from service.i18n import CURRENT_LANGUAGE, LANGUAGES, format_when, request_language, translator
from service.labels import evidence_labels, role_labels, sub_skill_names
from service.messages import problem_text, render_message
from service.users import User, display_names

ESCO_ATTRIBUTION_EN = "This service uses the ESCO classification of the European Commission."

env = Environment(
    loader=PackageLoader("service", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _pct(value: float | None) -> str:
    return "" if value is None else f"{round(100 * float(value))}%"


env.filters["pct"] = _pct


def _pair_with(value: str, labels: dict[str, str]) -> tuple[str, str]:
    return value, labels.get(value, value)


env.filters["pair_with"] = _pair_with
#: The one CEFR scale's choice lists (recorded levels; declared requirements).
env.globals["cefr_levels"] = cefr.ASSESSMENT_CHOICES
env.globals["cefr_requirements"] = cefr.REQUIREMENT_CHOICES


def page_context(request: Request, user: User | None) -> dict[str, Any]:
    """What every page needs: the user, language, translator, CSRF token."""
    lang = request_language(request)
    _ = translator(lang)

    def when(value: datetime | date | None) -> str:
        return format_when(value, lang)

    roles = role_labels(_)

    def role_label(role: str) -> str:
        return roles.get(str(role), str(role))

    def loc(text: Any) -> str:
        """A bilingual text (``.nl``/``.en`` or a dict) in the reader's language."""
        if text is None:
            return ""
        if isinstance(text, dict):
            return text.get(lang) or text.get("en") or next(iter(text.values()), "")
        return getattr(text, lang, None) or getattr(text, "en", None) or str(text)

    def msg(item: Any, params: dict | None = None, fallback: str | None = None) -> str:
        """A message code, problem, error, next step or stored ``{code, params}`` dict in the reader's language."""
        return render_message(item, lang=lang, params=params, fallback=fallback)

    def located(item: Any) -> str:
        """A problem with its place in front ("rij 4, kolom C: …"); other values as :func:`msg`."""
        return problem_text(item, lang=lang) if isinstance(item, Problem) else msg(item)

    names: dict[str, str] = {}

    def person(username: str | None) -> str:
        """A colleague's display name (usernames are for logging in, not for reading)."""
        if not username:
            return "—"
        if not names:
            cursor = request.app.state.db.cursor()
            try:
                names.update(display_names(cursor))
            finally:
                cursor.close()
        return names.get(username, username)

    def item_name(instrument: Any, item_id: str) -> str:
        """An instrument item's name in the reader's language (not its internal key)."""
        try:
            return loc(instrument.item(item_id).text)
        except (KeyError, AttributeError):
            return item_id

    return {
        "request": request,
        "person": person,
        "item_name": item_name,
        "msg": msg,
        "located": located,
        "loc": loc,
        "role_label": role_label,
        "role_options": list(roles.items()),
        "evidence_kinds": evidence_labels(_),
        "sub_skills": sub_skill_names(_),
        "user": user,
        "lang": lang,
        "languages": LANGUAGES,
        "_": _,
        "when": when,
        "csrf_token": csrf_token(request),
        "esco_attribution_en": ESCO_ATTRIBUTION_EN,
        "demo": bool(getattr(request.app.state, "demo", False)),
        "path": request.url.path,
    }


def render(
    request: Request, template: str, user: User | None, *, status_code: int = 200, **values: Any
) -> HTMLResponse:
    """Render ``template`` with the page context plus ``values``."""
    context = page_context(request, user)
    context.update(values)
    response = HTMLResponse(env.get_template(template).render(context), status_code=status_code)
    ensure_login_nonce(request, response)
    return response


def ui_translator(request: Request):
    """The translator for the request's language (for messages made in Python)."""
    return translator(request_language(request))


def field_errors(exc: Exception, fields: set[str] | None = None, *, lang: str | None = None) -> dict[str, str]:
    """Problems of a werkbrug error in the reader's language, keyed by form field (``_form`` for the rest)."""
    lang = lang or CURRENT_LANGUAGE.get()
    errors: dict[str, str] = {}
    problems = getattr(exc, "problems", None) or []
    for p in problems:
        column = (p.column or "").split(".")[0]
        key = column if column and (fields is None or column in fields) else "_form"
        text = problem_text(p, lang=lang, located=False)
        text = text if key != "_form" or not p.column else f"{p.column}: {text}"
        errors[key] = f"{errors[key]}; {text}" if key in errors else text
    if not errors:
        errors["_form"] = render_message(exc, lang=lang)
    return errors
