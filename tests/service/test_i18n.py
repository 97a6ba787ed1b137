"""Translations: every text on screen comes from the catalogues, and Dutch covers all of them."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from service.i18n import LANGUAGES, LOCALE_DIR, translations, translator

SERVICE = Path(__file__).resolve().parents[2] / "service"
TEMPLATES = SERVICE / "templates"


def _messages() -> set[str]:
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    return {m[2] if isinstance(m[2], str) else m[2][0]
            for m in extract_from_dir(str(SERVICE), method_map, keywords={"_": None})}


def test_dutch_catalogue_translates_every_message() -> None:
    wanted = _messages()
    assert len(wanted) > 200
    translated = set()
    for po in (LOCALE_DIR / "nl" / "LC_MESSAGES").glob("*.po"):  # messages.po and every area's file
        with po.open("rb") as f:
            translated |= {m.id for m in read_po(f, locale="nl") if m.id and m.string}
    missing = sorted(m for m in wanted if m not in translated)
    assert missing == [], f"add Dutch translations for: {missing[:20]}"


def test_placeholders_survive_translation() -> None:
    with (LOCALE_DIR / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale="nl")
    for message in catalog:
        if message.id and message.string:
            names = set(re.findall(r"%\((\w+)\)s", message.id))
            assert names == set(re.findall(r"%\((\w+)\)s", message.string)), message.id


def test_catalogues_compile_and_switch() -> None:
    for lang in LANGUAGES:
        assert translations(lang) is not None
    assert translator("nl")("Suggestion — human review required") == "Suggestie — menselijke controle vereist"
    assert translator("en")("Suggestion — human review required") == "Suggestion — human review required"
    assert translator("nl")("Welcome, %(name)s", name="Ilse") == "Welkom, Ilse"


def test_templates_hold_no_untranslated_text() -> None:
    """Outside Jinja expressions and tags, templates contain only markup, punctuation and symbols."""
    offenders = {}
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\{#.*?#\}", " ", text, flags=re.S)
        text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", text, flags=re.S)
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
        text = re.sub(r"<(code|span)\b[^>]*translate=\"no\"[^>]*>.*?</\1>", " ", text, flags=re.S)  # identifiers
        text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
        words = [w for w in re.findall(r"[A-Za-zÀ-ÿ]{2,}", text)]
        if words:
            offenders[path.name] = words[:10]
    assert offenders == {}
