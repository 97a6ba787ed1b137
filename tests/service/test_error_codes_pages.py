"""The audit page names what is wrong with the chain in the reader's language (real app, real database)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from foundation.actor import Role, User
from foundation.audit import Purpose, audit, verify
from foundation.db import connect
from tests.live import add_role_users, running_server
from tests.service.web import browser_for
from tests.service.wordlist import foreign_words


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database whose audit log gained an entry from before the key (the anchor's pinned count no longer
    fits: ``audit.legacy_changed``), a problem the next audit entry does not repair."""
    db: Path = tmp_path_factory.mktemp("audit-page") / "w.duckdb"
    add_role_users(db)
    con = connect(db)
    audit(con, user=User("admin", "admin", Role.admin), action="login", purpose=Purpose.administration)  # anchors
    con.execute("""INSERT INTO service.audit_log (audit_id, occurred_at, username, role, action, object_type,
                       object_id, purpose, detail, prev_hash, entry_hash)
                   VALUES (0, TIMESTAMP '2020-01-01 00:00:00', 'admin', 'admin', 'login', 'user', 'admin',
                           'administration', NULL, NULL, NULL)""")
    assert verify(con).problems == ["audit.legacy_changed"]
    con.close()
    with running_server(db) as url:
        yield url


def _alert(html: str) -> str:
    start = html.index('<strong class="error" role="alert">')
    return html[start:html.index("</strong>", start)]


def test_the_audit_page_names_chain_problems_in_dutch_and_english(server: str) -> None:
    with browser_for(server, "admin") as c:
        nl = _alert(c.get("/admin/audit").text)
        en = _alert(c.get("/admin/audit?lang=en").text)
    assert "regels van vóór de sleutel werden gewijzigd" in nl and '<span title="audit.legacy_changed">' in nl
    assert "entries from before the key were changed" in en
    for text, lang in ((nl, "nl"), (en, "en")):
        shown = re.sub(r"<[^>]+>", " ", text)  # what a person reads (the code stays as a tooltip)
        assert "audit." not in shown and foreign_words(shown, lang=lang) == set(), shown
