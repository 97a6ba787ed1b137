"""The delivery layer (API and page routers, the CLI) holds no rule of its own: a static check.

* No module of ``service/routers``, ``service/ui`` or ``service/cli`` runs SQL, opens a transaction,
  writes an audit entry or checks a role or a participant's reach itself: those live in the
  domains' service functions (``*.service``, ``assessment.access``, …), which every way in calls.
* An API router's early refusal (``require_roles``) lists no roles of its own: it passes the
  set the service layer checks (``*COACHING``, ``*VACANCY_ROLES``, …), so the two cannot drift.
  A page router's role is the area whose pages it serves (the coach's, the liaison's …).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DELIVERY = sorted(p for d in ("service/routers", "service/ui", "service/cli") for p in (ROOT / d).glob("*.py"))
API_ROUTERS = [p for p in (ROOT / "service/routers").glob("*.py") if not p.name.startswith("ui_")
               and p.name != "__init__.py"]
#: Calls that belong to the service layer: SQL, transactions, the audit chain, role and reach checks.
RULE_CALLS = frozenset({"execute", "executemany", "sql", "transaction", "write_lock", "audit", "require_role",
                        "require_participant", "require_visible", "may_reach"})


def _calls(path: Path) -> list[ast.Call]:
    return [n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.Call)]


def _name(call: ast.Call) -> str | None:
    return call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", None)


@pytest.mark.parametrize("path", DELIVERY, ids=lambda p: str(p.relative_to(ROOT)))
def test_delivery_code_calls_no_rule_of_its_own(path: Path) -> None:
    found = [f"line {c.lineno}: {_name(c)}()" for c in _calls(path) if _name(c) in RULE_CALLS]
    assert not found, found


@pytest.mark.parametrize("path", sorted(API_ROUTERS), ids=lambda p: p.name)
def test_an_api_router_refuses_early_with_the_service_layers_roles(path: Path) -> None:
    for call in _calls(path):
        if _name(call) != "require_roles":
            continue
        assert call.args and not call.keywords, f"line {call.lineno}"
        for arg in call.args:
            assert isinstance(arg, ast.Starred) and isinstance(arg.value, ast.Name | ast.Attribute), (
                f"line {call.lineno}: roles listed in the router: {ast.unparse(arg)}")


def test_the_check_sees_a_router_that_lists_its_roles(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text('X = require_roles("coach", "admin")\ncursor.execute("SELECT 1")\n'
                   'audit(cursor, user=u, action="x")\n')
    assert [_name(c) for c in _calls(bad) if _name(c) in RULE_CALLS] == ["execute", "audit"]
    with pytest.raises(AssertionError, match="roles listed in the router"):
        test_an_api_router_refuses_early_with_the_service_layers_roles(bad)
