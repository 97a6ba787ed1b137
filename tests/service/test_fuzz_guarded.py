"""The operations that end sessions, lock accounts or erase people, fuzzed with hostile values
(``tests/service/fuzz_guarded.py``), bounded and derandomized: logout, own and admin password
changes, role changes, switching accounts off, erasure and backups (and their HTML forms, login
too), each case on its own fresh accounts and participant, over real HTTP on a real DuckDB file.
No 5xx; a refusal names its field in Dutch, writes nothing and leaves the session; a success does
what it says.

``WERKBRUG_FUZZ_EXAMPLES`` raises the number of examples per operation (and draws fresh ones).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from foundation.settings import load_settings
from service.app import create_app
from tests.live import running_server
from tests.service.fuzz_guarded import FORMS, GuardedFuzzer
from tests.service.fuzz_pages import SKIP_FORMS
from tests.service.fuzzing import SKIP
from tests.service.hostile_values import seed_pool
from tests.service.world import build_world, fast_matching

EXAMPLES = int(os.environ.get("WERKBRUG_FUZZ_EXAMPLES", "0"))
DERANDOMIZE = EXAMPLES == 0


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GuardedFuzzer]:
    tmp = Path(tmp_path_factory.mktemp("fuzzguarded"))
    with fast_matching():
        world = build_world(tmp / "w.duckdb")
        app = create_app(world.db, settings=load_settings(backup_dir=tmp / "backups"))
        with running_server(world.db, app=app) as url:
            yield GuardedFuzzer(url, app.state.db, seed_pool(world), {}, app=app, backups=tmp / "backups")


def test_guarded_operations_with_hostile_values(guarded: GuardedFuzzer) -> None:
    ops = guarded.guarded(guarded.app.openapi())
    assert {(op.method.upper(), op.path) for op in ops} == SKIP
    for op in ops:
        guarded.run_guarded(op, examples=EXAMPLES or 6, derandomize=DERANDOMIZE)  # two at the extremes
    assert guarded.statuses[200] + guarded.statuses[204] > 0
    assert [str(x) for x in guarded.findings] == []


def test_guarded_forms_with_hostile_values(guarded: GuardedFuzzer) -> None:
    assert set(FORMS) == SKIP_FORMS
    guarded.findings.clear()
    guarded.statuses.clear()
    for path in FORMS:
        guarded.run_form(path, examples=EXAMPLES or 4, derandomize=DERANDOMIZE)
    assert guarded.statuses[303] > 0
    assert [str(x) for x in guarded.findings] == []
