"""Every word on the programme pages is in the programme catalogue, in Dutch and English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*sorted((ROOT / "service/templates/programme").glob("*.html")),
           *sorted((ROOT / "service/routers").glob("ui_programme*.py"))]
MSGID = re.compile(r"""_\(\s*"((?:[^"\\]|\\.)*)"|_\(\s*'((?:[^'\\]|\\.)*)'""")


def used() -> set[str]:
    return {m.group(1) or m.group(2) for f in SOURCES for m in MSGID.finditer(f.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_programme_word_is_translated(lang: str) -> None:
    with (ROOT / f"service/locale/{lang}/LC_MESSAGES/programme.po").open("rb") as f:
        catalog = {m.id: m.string for m in read_po(f) if m.id}
    missing = sorted(s for s in used() if not catalog.get(s))
    assert missing == []
    assert len(used()) > 40
