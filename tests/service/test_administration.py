"""Administration service functions: admins only, each action with exactly one audit entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from foundation.actor import Role, User
from foundation.audit import read_log
from foundation.db import connect
from foundation.errors import ForbiddenError
from service.administration import add_account, audit_entries, audit_export, set_account_active
from service.app import migrate_all

ADMIN = User("anna", "Anna", Role.admin)


@pytest.fixture
def con(tmp_path: Path):
    con = connect(tmp_path / "admin.duckdb")
    migrate_all(con)
    yield con
    con.close()


@pytest.mark.parametrize("role", [Role.assessor, Role.coach, Role.liaison])
def test_only_an_admin_administers(con, role: Role) -> None:
    someone = User("iemand", "Iemand", role)
    with pytest.raises(ForbiddenError):
        add_account(con, actor=someone, username="nieuw", password="lang-genoeg-1", role="coach")
    with pytest.raises(ForbiddenError):
        audit_entries(con, actor=someone)
    assert read_log(con, limit=10) == []


def test_each_action_writes_one_audit_entry(con) -> None:
    add_account(con, actor=ADMIN, username="sofie", password="lang-genoeg-1", role="coach")
    set_account_active(con, actor=ADMIN, username="sofie", active=False)
    entries, total = audit_entries(con, actor=ADMIN, object_id="sofie")
    assert [e.action for e in entries] == ["set_user_active", "create_user"] and total == 2
    csv_text = audit_export(con, actor=ADMIN)
    assert "create_user" in csv_text and "read_audit_log" in csv_text
    actions = [e.action for e in read_log(con, limit=100)]
    assert actions.count("create_user") == 1 and actions.count("read_audit_log") == 1
    assert actions.count("export_audit_log") == 1
