"""Translations: Dutch by default, English on request (gettext catalogues via Babel).

The ``.po`` catalogues under ``service/locale/<lang>/LC_MESSAGES/`` (``messages.po`` plus one
file per area, e.g. ``programme.po``) are the source; they are compiled in memory when the app
starts (no ``.mo`` files to keep in sync).
Update them with ``pybabel extract -F service/locale/babel.cfg -o service/locale/messages.pot service`` and
``pybabel update -i service/locale/messages.pot -d service/locale``.
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from fastapi import Request

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LOCALE_DIR = Path(__file__).parent / "locale"
LANG_COOKIE = "werkbrug_lang"
#: Times are shown in the programmes' time zone (stored in UTC).
DISPLAY_ZONE = ZoneInfo("Europe/Brussels")


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (a null catalogue for unknown languages)."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    po = folder / "messages.po"
    if lang not in LANGUAGES or not po.is_file():
        return _gettext.NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    for extra in sorted(folder.glob("*.po")):  # one catalogue file per area: messages.po, then the rest
        if extra.name == "messages.po":
            continue
        with extra.open("rb") as f:
            for message in read_po(f, locale=lang):
                if message.id:
                    catalog[message.id] = message
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


def compile_catalogues() -> None:
    """Compile every catalogue now (the app calls this at startup, so a broken ``.po`` fails fast)."""
    for lang in LANGUAGES:
        translations(lang)


Translator = Callable[..., str]


def translator(lang: str) -> Translator:
    """``_("text", name=value)``: translate, then fill ``%(name)s`` placeholders."""
    cat = translations(lang)

    def _(message: str, **values: object) -> str:
        text = cat.gettext(message)
        return text % values if values else text

    return _


def request_language(request: Request) -> str:
    """``?lang=`` if given, else the language cookie, else Dutch."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


#: The language of the page being rendered (set per request by the app), for helpers without the request.
CURRENT_LANGUAGE: ContextVar[str] = ContextVar("werkbrug_language", default=DEFAULT_LANGUAGE)


def format_when(value: datetime | date | None, lang: str) -> str:
    """A date or timestamp in the reader's language; timestamps in Brussels time.

    Stored timestamps are UTC without tzinfo (see :mod:`foundation.db`); aware ones are converted.
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        instant = value.replace(tzinfo=UTC) if value.tzinfo is None else value
        return format_datetime(instant, "short", tzinfo=DISPLAY_ZONE, locale=lang)
    return format_date(value, "medium", locale=lang)
