"""Stored times are UTC on any machine; pages show them in Brussels time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from foundation.db import connect
from service.app import migrate_all
from service.i18n import format_when

ROOT = Path(__file__).resolve().parents[2]
UTC_DEFAULT = "timezone('UTC', CURRENT_TIMESTAMP)"

#: Run in a process whose machine time zone is Brussels (DuckDB takes its default from it).
PROBE = """
import json, sys
from datetime import UTC, datetime
from foundation.db import connect
from service.app import migrate_all
from service.users import create_user

con = connect(sys.argv[1])
migrate_all(con)
cur = con.cursor()
zones = [con.execute("SELECT current_setting('TimeZone')").fetchone()[0],
         cur.execute("SELECT current_setting('TimeZone')").fetchone()[0]]
known = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
cur.execute("INSERT INTO matching.request_log (log_id, kind, requested_by, input_ids, model, taxonomy_version,"
            " outputs, requested_at) VALUES (1, 'job_targets', 'x', [], 'm', 't', '[]', ?),"
            " (2, 'job_targets', 'x', [], 'm', 't', '[]', ?)", [known, known.replace(tzinfo=None)])
read = [r[0].isoformat() for r in cur.execute(
    "SELECT requested_at FROM matching.request_log ORDER BY log_id").fetchall()]
local = con.cursor()
local.execute("SET TimeZone = 'Europe/Brussels'")            # even a session set to local time
create_user(local, username="anna", password="a long password", role="admin")
skew = local.execute("SELECT abs(epoch(timezone('UTC', current_timestamp)) - epoch(created_at))"
                     " FROM service.users WHERE username = 'anna'").fetchone()[0]
print(json.dumps({"zones": zones, "read": read, "default_skew_s": skew}))
"""


def test_every_timestamp_default_names_utc(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    migrate_all(con)
    defaults = con.execute(
        """SELECT schema_name || '.' || table_name || '.' || column_name, column_default FROM duckdb_columns()
           WHERE data_type = 'TIMESTAMP' AND column_default IS NOT NULL AND schema_name <> 'main'
              OR table_name = 'schema_migrations' AND column_name = 'applied_at'""").fetchall()
    con.close()
    assert len(defaults) >= 10
    assert {col: d for col, d in defaults if d.replace("current_timestamp", "CURRENT_TIMESTAMP") != UTC_DEFAULT} == {}


def test_a_known_instant_is_stored_as_utc_on_a_brussels_machine(tmp_path: Path) -> None:
    env = {**os.environ, "TZ": "Europe/Brussels", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "w.duckdb")], capture_output=True,
                          text=True, env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["zones"] == ["UTC", "UTC"]
    assert got["read"] == ["2026-07-01T10:00:00", "2026-07-01T10:00:00"]   # aware and naive UTC alike
    assert got["default_skew_s"] < 60                                      # not two hours off


def test_pages_show_brussels_time() -> None:
    summer, winter = datetime(2026, 7, 1, 10, 0), datetime(2026, 1, 15, 10, 0)     # as read: UTC
    assert format_when(summer, "nl") == "01-07-2026, 12:00"                      # CEST, UTC+2
    assert format_when(winter, "nl") == "15-01-2026, 11:00"                      # CET, UTC+1
    assert format_when(winter.replace(tzinfo=UTC), "en") == format_when(winter, "en") == "1/15/26, 11:00\u202fAM"
    assert format_when(datetime(2026, 3, 29, 0, 30), "nl") == "29-03-2026, 01:30"  # the night clocks go forward
