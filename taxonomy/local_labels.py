"""Local labels: a Dutch (or English) label an administrator adds to an ESCO occupation or skill.

Used where ESCO has no Dutch label (the UI then shows the English one marked "EN") or where
people in Flanders say it differently. A local *preferred* label is what the UI shows; an
*alternative* one is only searched. Both are searched by spelling at once and by sentence
vectors after the next ``werkbrug taxonomy index``. Stored in ``taxonomy.local_labels``
(a new ESCO import keeps them); every change is audited.

Service functions: keyword-only, the acting person first; check, action and audit entry in
one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from foundation.actor import ADMINS, User
from foundation.audit import Purpose, audit
from foundation.db import transaction
from foundation.errors import ConflictError, InputError, NotFoundError, Problem
from foundation.exports import csv_text
from taxonomy.store import ensure_schema

LANGS = ("nl", "en")
KINDS = ("preferred", "alternative")
MAX_LABEL = 200
CSV_COLUMNS = ("label_id", "uri", "concept_type", "lang", "kind", "label", "esco_label_en",
               "created_by", "created_at", "note")


@dataclass(frozen=True)
class LocalLabel:
    label_id: int
    uri: str
    concept_type: str
    lang: str
    kind: str
    label: str
    created_by: str
    created_at: datetime
    note: str | None
    esco_label_en: str | None = None


def _require_admin(actor: User) -> None:
    if actor.role not in ADMINS:
        raise NotFoundError("Not found", code="common.not_found")


def _concept_type(con: duckdb.DuckDBPyConnection, uri: str) -> str:
    row = con.execute(
        """SELECT 'occupation' FROM taxonomy.occupations WHERE uri = ?
           UNION ALL SELECT 'skill' FROM taxonomy.skills WHERE uri = ?""", [uri, uri]).fetchone()
    if row is None:
        raise NotFoundError(
            f"No ESCO occupation or skill {uri}",
            [Problem("unknown concept", column="uri", code="taxonomy.not_a_concept")],
            code="taxonomy.unknown_concept", params={"uri": uri})
    return row[0]


def _validate(uri: str, label: str, lang: str, kind: str, note: str | None) -> tuple[str, str]:
    uri, label = (uri or "").strip(), " ".join((label or "").split())
    problems = []
    if not uri:
        problems.append(Problem("missing", column="uri", code="validation.missing"))
    if not label or len(label) > MAX_LABEL:
        problems.append(Problem(f"1 to {MAX_LABEL} characters", column="label", code="taxonomy.label_length",
                                params={"max": MAX_LABEL}))
    if lang not in LANGS:
        problems.append(Problem(f"one of {', '.join(LANGS)}", column="lang", code="validation.enum",
                                params={"input": str(lang), "expected": list(LANGS)}))
    if kind not in KINDS:
        problems.append(Problem(f"one of {', '.join(KINDS)}", column="kind", code="validation.enum",
                                params={"input": str(kind), "expected": list(KINDS)}))
    if note is not None and len(note) > 1000:
        problems.append(Problem("at most 1000 characters", column="note", code="validation.string_too_long",
                                params={"max_length": 1000}))
    if problems:
        raise InputError("Invalid local label", problems, code="taxonomy.local_label_invalid",
                         params={"fields": [p.column for p in problems]})
    return uri, label


def add_local_label(
    con: duckdb.DuckDBPyConnection, *, actor: User, uri: str, label: str, lang: str = "nl",
    kind: str = "preferred", note: str | None = None,
) -> LocalLabel:
    """Add a local label to an ESCO occupation or skill (administrators only, audited).

    A concept has at most one local preferred label per language: remove the old one first.
    """
    _require_admin(actor)
    uri, label = _validate(uri, label, lang, kind, note)
    ensure_schema(con)
    with transaction(con):
        concept_type = _concept_type(con, uri)
        same = con.execute(
            """SELECT label_id, kind, label FROM taxonomy.local_labels
               WHERE uri = ? AND lang = ? AND (lower(label) = lower(?) OR (kind = 'preferred' AND ? = 'preferred'))""",
            [uri, lang, label, kind]).fetchone()
        if same:
            raise ConflictError(
                f"{uri} already has the local {same[1]} label {same[2]!r} (id {same[0]})",
                code="taxonomy.local_label_exists", params={"label": same[2], "id": same[0]})
        row = con.execute(
            """INSERT INTO taxonomy.local_labels
                   (uri, concept_type, lang, kind, label, created_by, created_at, note)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING label_id, created_at""",
            [uri, concept_type, lang, kind, label, actor.username,
             datetime.now(UTC).replace(tzinfo=None), note or None]).fetchone()
        audit(con, user=actor, action="add_local_label", object_type=concept_type, object_id=uri,
              purpose=Purpose.administration,
              detail={"label_id": row[0], "label": label, "lang": lang, "kind": kind})
    return LocalLabel(row[0], uri, concept_type, lang, kind, label, actor.username, row[1], note or None)


def remove_local_label(con: duckdb.DuckDBPyConnection, *, actor: User, label_id: int) -> LocalLabel:
    """Remove one local label (administrators only, audited)."""
    _require_admin(actor)
    ensure_schema(con)
    with transaction(con):
        found = _select(con, "WHERE l.label_id = ?", [label_id]) if -(2**63) <= label_id < 2**63 else []
        if not found:
            raise NotFoundError(f"No local label {label_id}", code="taxonomy.local_label_not_found",
                                params={"id": label_id})
        con.execute("DELETE FROM taxonomy.local_labels WHERE label_id = ?", [label_id])
        old = found[0]
        audit(con, user=actor, action="remove_local_label", object_type=old.concept_type,
              object_id=old.uri, purpose=Purpose.administration,
              detail={"label_id": label_id, "label": old.label, "lang": old.lang, "kind": old.kind})
    return old


def list_local_labels(con: duckdb.DuckDBPyConnection, *, actor: User) -> list[LocalLabel]:
    """Every local label, oldest first, with the English ESCO label of its concept."""
    _require_admin(actor)
    if not _has_table(con):
        return []
    return _select(con, "", [])


def export_local_labels(con: duckdb.DuckDBPyConnection, *, actor: User, header: list[str] | None = None) -> str:
    """The local labels as CSV text (UTF-8, a header row: ``header`` or :data:`CSV_COLUMNS`); the export is audited."""
    rows = list_local_labels(con, actor=actor)
    text = csv_text([header or list(CSV_COLUMNS), *([_cell(getattr(r, c)) for c in CSV_COLUMNS] for r in rows)])
    with transaction(con):
        audit(con, user=actor, action="export_local_labels", object_type="local_labels",
              purpose=Purpose.export, detail={"rows": len(rows)})
    return text


def _cell(value) -> str:
    return "" if value is None else value.isoformat(sep=" ") if isinstance(value, datetime) else str(value)


def _has_table(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute(
        """SELECT 1 FROM duckdb_tables() WHERE database_name = current_database()
           AND schema_name = 'taxonomy' AND table_name = 'local_labels'""").fetchall())


def _select(con: duckdb.DuckDBPyConnection, where: str, params: list) -> list[LocalLabel]:
    rows = con.execute(
        f"""SELECT l.label_id, l.uri, l.concept_type, l.lang, l.kind, l.label, l.created_by,
                   l.created_at, l.note,
                   (SELECT min(e.label) FROM taxonomy.labels e
                    WHERE e.uri = l.uri AND e.lang = 'en' AND e.kind = 'preferred')
            FROM taxonomy.local_labels l {where} ORDER BY l.label_id""", params).fetchall()
    return [LocalLabel(*r) for r in rows]
