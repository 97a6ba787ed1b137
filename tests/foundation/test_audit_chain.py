"""The keyed audit chain and its signed head: every kind of tampering is detected."""

from __future__ import annotations

import hashlib
import itertools
import json
import stat
from pathlib import Path

import duckdb
import pytest

from foundation import audit_store
from foundation.audit import GENESIS, _legacy_hash, audit, verify
from foundation.audit_store import HEAD_SUFFIX, KEY_SUFFIX
from foundation.db import connect, transaction
from foundation.errors import InputError
from service.app import migrate_all
from service.users import Role, User

ADMIN = User("a", "A", Role.admin)


@pytest.fixture(autouse=True)
def key_files(monkeypatch) -> None:
    """The key lives in a file beside the database: no key from the environment or from start-up settings."""
    monkeypatch.delenv("WERKBRUG_AUDIT_KEY", raising=False)
    monkeypatch.setattr(audit_store, "_key_settings", {"key": None, "key_file": None})


@pytest.fixture
def con(tmp_path: Path):
    c = connect(tmp_path / "w.duckdb")
    migrate_all(c)
    for n in range(20):
        audit(c, user=ADMIN, action="read_participant", object_type="participant", object_id=f"P-{n}",
              detail={"n": n})
    yield c
    c.close()


def _ids(con) -> list[int]:
    return [r[0] for r in con.execute("SELECT audit_id FROM service.audit_log ORDER BY audit_id").fetchall()]


def _recompute_unkeyed(con, start: int) -> None:
    """What an attacker can do knowing the (public) algorithm but not the key."""
    rows = con.execute("""SELECT audit_id, occurred_at, username, role, action, object_type, object_id, purpose,
                                 detail FROM service.audit_log WHERE audit_id >= ? ORDER BY audit_id""",
                       [start]).fetchall()
    prev = con.execute("SELECT entry_hash FROM service.audit_log WHERE audit_id < ? ORDER BY audit_id DESC LIMIT 1",
                       [start]).fetchone()[0]
    for audit_id, when, *fields in rows:
        h = _legacy_hash(prev, [when.isoformat(), *fields])
        con.execute("UPDATE service.audit_log SET prev_hash = ?, entry_hash = ? WHERE audit_id = ?",
                    [prev, h, audit_id])
        prev = h


def test_intact_chain_with_key_and_head_outside_the_database(con, tmp_path: Path) -> None:
    report = verify(con)
    assert report.intact and report.entries == 21  # 20 + the anchor that starts the keyed chain
    key, head = tmp_path / f"w.duckdb{KEY_SUFFIX}", tmp_path / f"w.duckdb{HEAD_SUFFIX}"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert json.loads(head.read_text())["audit_id"] == _ids(con)[-1]


def test_removing_the_newest_entries_is_detected(con) -> None:
    con.execute("DELETE FROM service.audit_log WHERE audit_id = ?", [_ids(con)[-1]])
    assert verify(con).problems == ["audit.truncated"]
    con.execute("DELETE FROM service.audit_log WHERE audit_id IN (SELECT unnest(?))", [_ids(con)[-10:]])
    assert not verify(con).intact


def test_removing_every_entry_is_detected(con) -> None:
    con.execute("DELETE FROM service.audit_log")
    report = verify(con)
    assert not report.intact and "audit.truncated" in report.problems


def test_an_edit_with_recomputed_hashes_is_detected(con) -> None:
    target = _ids(con)[5]
    con.execute("UPDATE service.audit_log SET username = 'someone else' WHERE audit_id = ?", [target])
    _recompute_unkeyed(con, target)
    report = verify(con)
    assert report.broken and report.broken[0] == target


def test_a_forged_append_is_detected(con) -> None:
    last = con.execute("SELECT entry_hash FROM service.audit_log ORDER BY audit_id DESC LIMIT 1").fetchone()[0]
    forged = hashlib.sha256(b"anything").hexdigest()
    con.execute("""INSERT INTO service.audit_log (occurred_at, username, role, action, prev_hash, entry_hash)
                   VALUES (now(), 'x', 'admin', 'login', ?, ?)""", [last, forged])
    report = verify(con)
    assert report.broken == [_ids(con)[-1]]


def test_a_changed_or_missing_head_file_is_detected(con, tmp_path: Path) -> None:
    head = tmp_path / f"w.duckdb{HEAD_SUFFIX}"
    body = json.loads(head.read_text())
    head.write_text(json.dumps({**body, "audit_id": body["audit_id"] - 3}))
    assert verify(con).problems == ["audit.head_forged"]
    head.unlink()
    assert verify(con).problems == ["audit.head_missing"]


def test_a_rolled_back_write_leaves_chain_and_head_as_they_were(con, tmp_path: Path) -> None:
    head = (tmp_path / f"w.duckdb{HEAD_SUFFIX}").read_text()
    with pytest.raises(InputError), transaction(con):
        audit(con, user=ADMIN, action="read_participant", object_id="P-X")
        raise InputError("no")
    assert (tmp_path / f"w.duckdb{HEAD_SUFFIX}").read_text() == head
    assert verify(con).intact
    with transaction(con):
        audit(con, user=ADMIN, action="read_participant", object_id="P-Y")
    assert verify(con).intact
    assert json.loads((tmp_path / f"w.duckdb{HEAD_SUFFIX}").read_text())["audit_id"] == _ids(con)[-1]


def test_an_older_unkeyed_chain_is_anchored_once_and_stays_checked(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    c = connect(db)
    migrate_all(c)
    prev = GENESIS
    for n in range(5):  # as the earlier code wrote them: unkeyed SHA-256
        fields = [f"2026-01-0{n + 1}T10:00:00", "old", "coach", "read_participant", None, f"P-{n}", None, None]
        h = _legacy_hash(prev, fields)
        c.execute("""INSERT INTO service.audit_log (occurred_at, username, role, action, object_id, prev_hash,
                     entry_hash) VALUES (?, 'old', 'coach', 'read_participant', ?, ?, ?)""",
                  [fields[0], f"P-{n}", prev, h])
        prev = h
    audit(c, user=ADMIN, action="read_audit_log")  # the first keyed write anchors the old chain
    anchors = c.execute("SELECT detail FROM service.audit_log WHERE action = 'audit_chain_anchored'").fetchall()
    assert len(anchors) == 1 and json.loads(anchors[0][0])["legacy_entries"] == 5
    assert verify(c).intact
    first = _ids(c)[1]
    c.execute("UPDATE service.audit_log SET username = 'edited' WHERE audit_id = ?", [first])
    _recompute_unkeyed(c, first)  # rewrite the old part, hashes recomputed up to the anchor
    assert not verify(c).intact
    c.close()


def _links(con) -> list[bool]:
    """Whether each entry's ``prev_hash`` is the hash of the entry before it."""
    rows = con.execute("SELECT prev_hash, entry_hash FROM service.audit_log ORDER BY audit_id").fetchall()
    return [prev == before for (_, before), (prev, _) in itertools.pairwise(rows)]


def test_the_head_kept_in_memory_follows_commits_rollbacks_and_failed_appends(con, tmp_path: Path) -> None:
    with transaction(con):                      # two entries in one transaction chain on each other
        audit(con, user=ADMIN, action="read_participant", object_id="P-A")
        audit(con, user=ADMIN, action="read_participant", object_id="P-B")
    with pytest.raises(InputError), transaction(con):   # rolled back: the next entry links to P-B
        audit(con, user=ADMIN, action="read_participant", object_id="P-C")
        audit(con, user=ADMIN, action="read_participant", object_id="P-D")
        raise InputError("no")
    with pytest.raises(duckdb.ConstraintException), transaction(con):    # the append itself fails
        audit(con, user=ADMIN, action=None, object_id="P-E")
    for n in range(30):                                  # many requests, each its own commit
        with transaction(con):
            audit(con, user=ADMIN, action="rank_job_targets", object_id=f"R-{n}")
    audit(con, user=ADMIN, action="read_participant", object_id="P-F")   # autocommit
    assert all(_links(con))
    objects = [r[0] for r in con.execute("SELECT object_id FROM service.audit_log ORDER BY audit_id").fetchall()]
    assert "P-C" not in objects and "P-E" not in objects and objects[-1] == "P-F"
    assert verify(con).intact
    assert json.loads((tmp_path / f"w.duckdb{HEAD_SUFFIX}").read_text())["audit_id"] == _ids(con)[-1]


def test_in_memory_databases_never_share_a_head() -> None:
    first, second = connect(":memory:"), connect(":memory:")
    for c in (first, second):
        migrate_all(c)
    for n in range(4):
        for c in (first, second):
            audit(c, user=ADMIN, action="read_participant", object_id=f"P-{n}")
    for c in (first, second):
        assert all(_links(c)) and verify(c).intact
        c.close()


def test_the_head_file_is_rewritten_in_place_and_recreated_when_replaced_or_removed(con, tmp_path: Path) -> None:
    head = tmp_path / f"w.duckdb{HEAD_SUFFIX}"
    inode = head.stat().st_ino
    for n in range(3):
        audit(con, user=ADMIN, action="read_participant", object_id=f"Q-{n}")
        assert head.stat().st_ino == inode and head.stat().st_size == audit_store.HEAD_SIZE
        assert json.loads(head.read_text())["audit_id"] == _ids(con)[-1]
    assert verify(con).intact
    head.write_text(json.dumps({"padding": "x" * 2000}))        # longer than a record: cut back to one
    audit(con, user=ADMIN, action="read_participant", object_id="Q-long")
    assert head.stat().st_size == audit_store.HEAD_SIZE and verify(con).intact
    head.unlink()                                               # removed: created again, owner only
    audit(con, user=ADMIN, action="read_participant", object_id="Q-new")
    assert stat.S_IMODE(head.stat().st_mode) == 0o600 and verify(con).intact
    store = audit_store.chain_store(con)
    backup = tmp_path / "copy.audit-head"                       # a backup's head: the same record, renamed into place
    last = con.execute("SELECT audit_id, entry_hash FROM service.audit_log ORDER BY audit_id DESC LIMIT 1").fetchone()
    store.write_head(*last, to=backup)
    mine, copied = store.read_head(), store.read_head(backup)
    assert (copied["audit_id"], copied["entry_hash"]) == (mine["audit_id"], mine["entry_hash"]) == tuple(last)
    assert backup.stat().st_size == audit_store.HEAD_SIZE


def test_a_head_file_that_is_a_symbolic_link_is_replaced_never_written_through(con, tmp_path: Path) -> None:
    head, elsewhere = tmp_path / f"w.duckdb{HEAD_SUFFIX}", tmp_path / "someone-elses-file"
    elsewhere.write_text("keep me")
    head.unlink()
    head.symlink_to(elsewhere)
    audit(con, user=ADMIN, action="read_participant", object_id="Q-link")
    assert elsewhere.read_text() == "keep me"
    assert not head.is_symlink() and head.is_file() and verify(con).intact
