"""Erasing a participant from the ``assessment`` schema (GDPR art. 17), inside the caller's transaction.

Removed: the participant row (with its free-text experience), contact details, protected
attributes, people involved, consent events and change history. Kept for the programme's
counts, under a new random id that nothing links to the person: assessment records (without
comments), agreed job targets, trajectory steps, stage events and cohort membership, with their
free text removed. A participant who had no "registered" stage event gets one on the day they
were created, so the programme report counts them as before.
"""

from __future__ import annotations

import duckdb

from assessment.common import utcnow

#: Tables whose rows of the person are deleted.
DELETED = ("participants", "experience", "contacts", "protected_attributes", "programme_people", "consent_events",
           "participant_history")
#: Free-text columns emptied wherever the person's rows are kept.
FREE_TEXT = ("note", "comment", "description", "free_text", "experience_text")


def participant_tables(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, list[tuple[str, str, bool]]]:
    """Tables of ``schema`` with a ``participant_id`` column → their (column, type, nullable) list."""
    rows = con.execute(
        """SELECT table_name, column_name, data_type, is_nullable = 'YES' FROM information_schema.columns
           WHERE table_schema = ? AND table_name IN (SELECT table_name FROM information_schema.columns
                 WHERE table_schema = ? AND column_name = 'participant_id')
           ORDER BY table_name, ordinal_position""", [schema, schema]).fetchall()
    out: dict[str, list[tuple[str, str, bool]]] = {}
    for table, column, kind, nullable in rows:
        out.setdefault(table, []).append((column, kind, nullable))
    return out


def rekey(con: duckdb.DuckDBPyConnection, *, schema: str, participant_id: str, new_id: str,
          skip: tuple[str, ...] = ()) -> dict[str, int]:
    """Give the person's kept rows in ``schema`` the new id and empty their free text; rows per table."""
    counts = {}
    for table, columns in participant_tables(con, schema).items():
        if table in skip:
            continue
        text = [c for c, kind, nullable in columns if c in FREE_TEXT and kind == "VARCHAR" and nullable]
        sets = ", ".join(["participant_id = ?", *(f"{c} = NULL" for c in text)])
        n = con.execute(f"UPDATE {schema}.{table} SET {sets} WHERE participant_id = ?",
                        [new_id, participant_id]).fetchone()[0]
        if n:
            counts[table] = n
    return counts


def erase_assessment_data(con: duckdb.DuckDBPyConnection, *, participant_id: str, new_id: str) -> dict[str, int]:
    """Delete and rekey the person's ``assessment`` rows (no transaction, no checks: the caller's)."""
    created = con.execute("SELECT CAST(created_at AS DATE) FROM assessment.participants WHERE participant_id = ?",
                          [participant_id]).fetchone()
    if created and not con.execute(
            "SELECT 1 FROM assessment.stage_events WHERE participant_id = ? AND stage = 'registered'",
            [participant_id]).fetchone():
        seq = con.execute("SELECT nextval('assessment.event_seq')").fetchone()[0]
        con.execute("INSERT INTO assessment.stage_events VALUES (?, ?, 'registered', ?, NULL, NULL, NULL, ?, ?)",
                    [participant_id, seq, created[0], "erasure", utcnow()])
    counts = {}
    for table in DELETED:
        n = con.execute(f"DELETE FROM assessment.{table} WHERE participant_id = ?", [participant_id]).fetchone()[0]
        if n:
            counts[f"deleted:{table}"] = n
    con.execute("""UPDATE assessment.trajectory_events SET title = kind WHERE participant_id = ?""", [participant_id])
    con.execute(
        """UPDATE assessment.batches SET file_name = 'erased' WHERE batch_id IN (
               SELECT batch_id FROM assessment.records WHERE batch_id IS NOT NULL GROUP BY batch_id
               HAVING bool_and(participant_id = ?))""", [participant_id])
    counts |= rekey(con, schema="assessment", participant_id=participant_id, new_id=new_id, skip=DELETED)
    return counts
