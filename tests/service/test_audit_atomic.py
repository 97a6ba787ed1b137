"""Every write path writes exactly one audit entry, in the same transaction as the action.

Two real checks per write path of the service layer (:data:`tests.service.audit_cases.CASES`):

* run normally: the stored data changes and the audit log grows by exactly one entry, naming
  the actor and their role;
* run in a child process that is killed (``os._exit``: no rollback, no commit) the moment the
  audit entry has been written: after reopening the file, neither the action nor the entry
  survives. An audit written after the commit, or an action committed before its audit, fails.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assessment import service as asv
from assessment import service_records as rsv
from foundation.db import connect
from matching import service as msv
from tests.service.audit_cases import CASES
from tests.service.world import FAST_ENV, World, build_world, fast_matching

ROOT = Path(__file__).resolve().parents[2]

#: Public service functions that only read (each audits its reads, none changes stored data).
READS = {
    "count_participants", "participant_candidacies",
    "list_participants", "show_participant", "read_contact", "read_consent_history", "read_profile",
    "participant_file", "passport", "read_trajectory", "read_record", "read_records", "participant_job_targets",
    "profile_job_targets", "rank_profiles", "export_participant", "matching_log", "language_requirements",
    "list_vacancies", "count_vacancies", "count_shortlists", "list_shortlists", "show_vacancy",
    "vacancy_shortlists", "show_shortlist", "candidate_history",
}
#: step_participant: a reach check, no data.
HELPERS = {"forbidden", "require_role", "step_participant"}


def test_every_service_function_is_a_known_read_or_a_tested_write() -> None:
    public = {name for module in (asv, rsv, msv) for name, fn in vars(module).items()
              if inspect.isfunction(fn) and fn.__module__ == module.__name__ and not name.startswith("_")}
    assert public - READS - HELPERS == set(CASES), "a new service function: add it to READS or to CASES"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> World:
    with fast_matching():
        return build_world(tmp_path_factory.mktemp("atomic") / "w.duckdb")


def _copy(w: World, folder: Path) -> World:
    folder.mkdir(parents=True, exist_ok=True)
    for file in w.db.parent.glob(w.db.name + "*"):  # the database and its audit key and head files
        shutil.copy(file, folder / file.name)
    return World(**{**vars(w), "db": folder / w.db.name})


def _state(db: Path, *, counts_only: bool = False) -> tuple[int, dict[str, str]]:
    """The number of audit entries and a digest (or the row count) of every table of the domains."""
    con = connect(db)
    try:
        tables = con.execute(
            """SELECT table_schema || '.' || table_name FROM information_schema.tables
               WHERE table_schema IN ('assessment', 'matching') ORDER BY 1""").fetchall()
        digests = {}
        for (table,) in tables:
            rows = sorted(repr(r) for r in con.execute(f"SELECT * FROM {table}").fetchall())
            digests[table] = str(len(rows)) if counts_only else hashlib.sha256("\n".join(rows).encode()).hexdigest()
        return con.execute("SELECT count(*) FROM service.audit_log").fetchone()[0], digests
    finally:
        con.close()


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_write_path_writes_one_audit_entry(pristine: World, tmp_path: Path, case: str) -> None:
    w = _copy(pristine, tmp_path)
    setup, action = CASES[case]
    with fast_matching():
        con = connect(w.db)
        state = setup(con, w) if setup else None
        con.close()
        audits, tables = _state(w.db)
        con = connect(w.db)
        action(con, w, state)
        con.close()
    after_audits, after_tables = _state(w.db)
    assert after_audits == audits + 1
    assert after_tables != tables, "the action changed nothing"
    con = connect(w.db)
    who = con.execute("SELECT username, role FROM service.audit_log ORDER BY audit_id DESC LIMIT 1").fetchone()
    con.close()
    assert who[0] in ("assessor", "coach", "liaison", "admin") and who[1] == who[0]


@pytest.mark.parametrize("case", sorted(CASES))
def test_killed_between_action_and_commit_neither_survives(pristine: World, tmp_path: Path, case: str) -> None:
    w = _copy(pristine, tmp_path)
    before = _state(w.db)
    setup = CASES[case][0]
    env = dict(os.environ, **FAST_ENV, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "tests.service.audit_cases", str(w.db), case, json.dumps(vars(w), default=str)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 17, proc.stderr[-2000:]  # killed right after its audit entry
    if setup is None:
        assert _state(w.db) == before
    else:  # the setup committed its own writes (with their times) and audit entries: compare with it alone
        control = _copy(pristine, tmp_path / "control")
        with fast_matching():
            con = connect(control.db)
            setup(con, control)
            con.close()
        assert _state(w.db, counts_only=True) == _state(control.db, counts_only=True)
