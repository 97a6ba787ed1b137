"""Schema-valid requests with hostile values (``tests/service/fuzzing.py``), bounded and derandomized:
every API operation, both batch imports and every HTML form and list page, as every role, over real
HTTP on a real DuckDB file with real objects. No 5xx, and a refused write leaves every table as it was.

``WERKBRUG_FUZZ_EXAMPLES`` raises the number of examples per operation (and draws fresh ones).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.app import create_app
from tests.live import ROLES, running_server
from tests.service.fuzzing import Fuzzer, tokens
from tests.service.hostile_values import seed_pool
from tests.service.web import browser_for
from tests.service.world import build_world, fast_matching

EXAMPLES = int(os.environ.get("WERKBRUG_FUZZ_EXAMPLES", "0"))
DERANDOMIZE = EXAMPLES == 0


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Fuzzer, object, dict]]:
    with fast_matching(), contextlib.ExitStack() as stack:
        world = build_world(Path(tmp_path_factory.mktemp("fuzzvalues")) / "w.duckdb")
        app = create_app(world.db)
        url = stack.enter_context(running_server(world.db, app=app))
        browsers = {role: stack.enter_context(browser_for(url, role)) for role in ROLES}
        yield Fuzzer(url, app.state.db, seed_pool(world), tokens(url)), app, browsers


def test_api_operations_with_hostile_values(fuzzer) -> None:
    f, app, _ = fuzzer
    f.findings.clear()
    for op in f.operations(app.openapi()):
        f.run(op, examples=EXAMPLES or 3, derandomize=DERANDOMIZE)  # two at the extremes, one drawn
    assert f.sent > 200
    assert [str(x) for x in f.findings] == []


def test_batch_imports_with_broken_cells(fuzzer) -> None:
    f, _, _ = fuzzer
    f.findings.clear()
    f.run_uploads(examples=EXAMPLES or 2, derandomize=DERANDOMIZE)
    assert [str(x) for x in f.findings] == []


def test_html_forms_and_pages_with_hostile_values(fuzzer) -> None:
    f, app, browsers = fuzzer
    f.findings.clear()
    f.run_forms(app, browsers, examples=EXAMPLES or 1, derandomize=DERANDOMIZE)
    assert [str(x) for x in f.findings] == []
