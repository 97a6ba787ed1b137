"""Statements parsed once (``foundation.db.parsed``) write exactly what their SQL strings write, on any
connection or cursor: the request log's row and the audit entry of every ranking go that way."""

from __future__ import annotations

import json
from pathlib import Path

from foundation import audit as audit_module
from foundation.audit import audit, verify
from foundation.db import connect, parsed
from matching import log
from service.app import migrate_all
from service.users import Role, User


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_a_parsed_statement_is_parsed_once_and_runs_on_any_connection(tmp_path: Path) -> None:
    sql = "INSERT INTO t (j, l) VALUES (?::JSON, ?) RETURNING i"
    first, second = connect(tmp_path / "a.duckdb"), connect(":memory:")
    for c in (first, second):
        c.execute("CREATE SEQUENCE s; CREATE TABLE t (i BIGINT DEFAULT nextval('s'), j JSON, l VARCHAR[])")
    statement = parsed(first, sql)
    assert parsed(second, sql) is statement
    for c in (first, second, first.cursor()):
        by_string = c.execute(sql, ['{"a": [1, 2]}', ["x", "y"]]).fetchone()[0]
        by_statement = c.execute(statement, ['{"a": [1, 2]}', ["x", "y"]]).fetchone()[0]
        assert by_statement == by_string + 1
        rows = c.execute("SELECT j::VARCHAR, l, typeof(j) FROM t WHERE i IN (?, ?) ORDER BY i",
                         [by_string, by_statement]).fetchall()
        assert rows[0] == rows[1] == ('{"a": [1, 2]}', ["x", "y"], "JSON")
    first.close()
    second.close()


def test_the_log_row_and_the_audit_entry_are_what_their_sql_strings_write(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    migrate_all(con)
    outputs = [("http://data.europa.eu/esco/occupation/x", 0.4321987, 1), ("http://e/y", 0.1, 2)]
    args = ["job_targets", "coach1", ["P-1"], "werkbrug-match/3", "ESCO 1.1.1", log._outputs_json(outputs)]
    ours = log.write_log(con, kind="job_targets", requested_by="coach1", input_ids=["P-1"], model="werkbrug-match/3",
                         taxonomy_version="ESCO 1.1.1", outputs=outputs)
    theirs = con.execute(log._INSERT_ONE, args).fetchone()[0]
    cols = "kind, requested_by, input_ids, model, taxonomy_version, outputs::VARCHAR, typeof(outputs)"
    a, b = (_rows(con, f"SELECT {cols} FROM matching.request_log WHERE log_id = {i}") for i in (ours, theirs))
    assert a == b and json.loads(a[0][5])[0]["score"] == 0.432199
    admin = User("a", "A", Role.admin)
    audit(con, user=admin, action="rank_job_targets", object_type="profile", object_id="P-1", detail={"log_id": ours})
    last = _rows(con, "SELECT * FROM service.audit_log ORDER BY audit_id DESC LIMIT 1")[0]
    assert last[2:9] == ("a", "admin", "rank_job_targets", "profile", "P-1", None, '{"log_id": 1}')
    assert verify(con).intact and "RETURNING audit_id" in audit_module._INSERT
    con.close()
