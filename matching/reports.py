"""The programme report a funder asks for (the city, the European Social Fund).

Per period and intake group (cohort): registered, selected, assessed, placed, and still
employed at the 6- and 12-month follow-up; and the placements by occupation group (ISCO
major group). Only counts, never a person; every count from 1 to 4 is shown as "<5", and
when one cell of a column is hidden a second one is too, so it cannot be worked out from the
total (``suppress``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

import duckdb

from foundation.actor import Role, User
from foundation.audit import audit
from foundation.db import transaction
from foundation.errors import InputError, NotFoundError, Problem
from foundation.exports import safe_cell

MEASURES = ("registered", "selected", "assessed", "placed", "employed_6m", "employed_12m")
GROUP_MEASURES = ("placed", "employed_6m", "employed_12m")
THRESHOLD = 5
HIDDEN, SECONDARY = "<5", "x"


@dataclass
class ProgrammeReport:
    """Counts only: ``rows`` per cohort (``""``: no cohort), ``total``, ``groups`` per ISCO major group."""

    period_from: date
    period_to: date
    cohort_id: str | None
    cohorts: dict[str, str]                     # cohort_id → name
    rows: dict[str, dict[str, int]] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    groups: dict[str, dict[str, int]] = field(default_factory=dict)


def suppress(values: list[int], *, threshold: int = THRESHOLD) -> list[str]:
    """Cells as text: ``1 ≤ n < threshold`` → ``"<5"``; a lone hidden cell hides the next smallest too (``"x"``).

    ``0`` stays visible (nobody to single out). Secondary suppression keeps a hidden cell from
    being worked out as the total minus the visible cells.
    """
    out = [HIDDEN if 0 < v < threshold else str(v) for v in values]
    hidden = [i for i, v in enumerate(values) if 0 < v < threshold]
    if len(hidden) == 1:
        rest = sorted((v, i) for i, v in enumerate(values) if i not in hidden and v > 0)
        if rest:
            out[rest[0][1]] = SECONDARY
    return out


def _check(actor: User, period_from: date, period_to: date) -> None:
    if actor.role != Role.admin:
        raise NotFoundError("Unknown report", code="report.not_found")
    if period_to < period_from:
        raise InputError("The period ends before it starts",
                         [Problem("before from", column="to", code="report.period")], code="report.period")


_TAGGED = """
WITH stages AS (SELECT participant_id, stage, on_date, outcome FROM assessment.stage_events
                WHERE on_date BETWEEN $from AND $to),
registered AS (
    SELECT participant_id FROM stages WHERE stage = 'registered'
    UNION SELECT participant_id FROM assessment.participants p
    WHERE CAST(p.created_at AS DATE) BETWEEN $from AND $to
      AND NOT EXISTS (SELECT 1 FROM assessment.stage_events e WHERE e.participant_id = p.participant_id
                      AND e.stage = 'registered')),
selected AS (SELECT participant_id FROM stages WHERE stage = 'selected' OR outcome = 'selected'),
assessed AS (SELECT participant_id FROM stages WHERE stage = 'assessment'
             UNION SELECT participant_id FROM assessment.records WHERE assessed_on BETWEEN $from AND $to),
placements AS (SELECT placement_id, participant_id, occupation_uri FROM matching.placements
               WHERE starts_on BETWEEN $from AND $to),
employed AS (SELECT p.participant_id, p.occupation_uri, f.months FROM placements p
             JOIN matching.followups f USING (placement_id) WHERE f.still_employed),
facts AS (
    SELECT participant_id, 'registered' AS measure, NULL AS occupation_uri FROM registered
    UNION SELECT participant_id, 'selected', NULL FROM selected
    UNION SELECT participant_id, 'assessed', NULL FROM assessed
    UNION SELECT participant_id, 'placed', occupation_uri FROM placements
    UNION SELECT participant_id, 'employed_6m', occupation_uri FROM employed WHERE months = 6
    UNION SELECT participant_id, 'employed_12m', occupation_uri FROM employed WHERE months = 12),
tagged AS (
    SELECT f.participant_id, f.measure, coalesce(m.cohort_id, '') AS cohort,
           left(coalesce(o.isco_group, ''), 1) AS major
    FROM facts f LEFT JOIN assessment.cohort_members m USING (participant_id)
    LEFT JOIN taxonomy.occupations o ON o.uri = f.occupation_uri
    WHERE $cohort IS NULL OR coalesce(m.cohort_id, '') = $cohort)
"""


def programme_report(
    con: duckdb.DuckDBPyConnection, *, actor: User, period_from: date, period_to: date, cohort_id: str | None = None,
) -> ProgrammeReport:
    """Count the pipeline for the period (and one cohort); the run is audited."""
    _check(actor, period_from, period_to)
    params = {"from": period_from, "to": period_to, "cohort": cohort_id}
    with transaction(con):
        totals = con.execute(_TAGGED + "SELECT measure, count(DISTINCT participant_id) FROM tagged GROUP BY ALL",
                             params).fetchall()
        per_cohort = con.execute(
            _TAGGED + "SELECT cohort, measure, count(DISTINCT participant_id) FROM tagged GROUP BY ALL",
            params).fetchall()
        per_group = con.execute(
            _TAGGED + f"""SELECT major, measure, count(DISTINCT participant_id) FROM tagged
                          WHERE measure IN {GROUP_MEASURES} GROUP BY ALL""", params).fetchall()
        cohorts = dict(con.execute("SELECT cohort_id, name FROM assessment.cohorts ORDER BY name").fetchall())
        audit(con, user=actor, action="programme_report", object_type="report", purpose="administration",
              detail={"from": period_from.isoformat(), "to": period_to.isoformat(), "cohort_id": cohort_id})
    report = ProgrammeReport(period_from, period_to, cohort_id, cohorts)
    report.rows = {k: dict.fromkeys(MEASURES, 0) for k in ([cohort_id] if cohort_id else [*cohorts, ""])}
    report.total = dict.fromkeys(MEASURES, 0) | dict(totals)
    for cohort, measure, n in per_cohort:
        report.rows.setdefault(cohort, dict.fromkeys(MEASURES, 0))[measure] = n
    for major, measure, n in sorted(per_group):
        report.groups.setdefault(major, dict.fromkeys(GROUP_MEASURES, 0))[measure] = n
    return report


def table(report: ProgrammeReport, *, headers: dict[str, str], no_cohort: str = "(none)",
          group_names: dict[str, str] | None = None) -> tuple[list[list[str]], list[list[str]]]:
    """The two suppressed tables as text cells (header row first): by cohort, by occupation group."""
    keys = list(report.rows)
    first = [[headers.get("cohort", "cohort"), *(headers.get(m, m) for m in MEASURES)]]
    columns = {m: suppress([report.rows[k][m] for k in keys]) for m in MEASURES}
    for i, k in enumerate(keys):
        first.append([report.cohorts.get(k, no_cohort) if k else no_cohort, *(columns[m][i] for m in MEASURES)])
    total_cells = [HIDDEN if 0 < report.total[m] < THRESHOLD else str(report.total[m]) for m in MEASURES]
    first.append([headers.get("total", "total"), *total_cells])
    groups = list(report.groups)
    second = [[headers.get("group", "occupation group"), *(headers.get(m, m) for m in GROUP_MEASURES)]]
    gcols = {m: suppress([report.groups[g][m] for g in groups]) for m in GROUP_MEASURES}
    for i, g in enumerate(groups):
        second.append([(group_names or {}).get(g, g or "?"), *(gcols[m][i] for m in GROUP_MEASURES)])
    return first, second


def to_csv(tables: tuple[list[list[str]], list[list[str]]]) -> str:
    """Both tables in one CSV text, a blank line between them."""
    out = io.StringIO()
    writer = csv.writer(out)
    for n, rows in enumerate(tables):
        if n:
            writer.writerow([])
        writer.writerows([[safe_cell(c) for c in row] for row in rows])
    return out.getvalue()


def to_xlsx(tables: tuple[list[list[str]], list[list[str]]], *, sheet_names: tuple[str, str]) -> bytes:
    """Both tables as an Excel workbook, one sheet each (numbers as numbers, hidden cells as text)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in zip(sheet_names, tables, strict=True):
        ws = wb.create_sheet(name[:31])
        for row in rows:
            ws.append([int(c) if c.isdigit() else safe_cell(c) for c in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def group_names(con: duckdb.DuckDBPyConnection, majors: list[str], *, lang: str) -> dict[str, str]:
    """The ESCO/ISCO name of each major group code ("4" → "Clerical support workers")."""
    from taxonomy.store import preferred_labels

    uris = dict(con.execute("SELECT code, uri FROM taxonomy.isco_groups WHERE code IN (SELECT unnest(?))",
                            [majors]).fetchall())
    names = preferred_labels(con, list(uris.values()), lang=lang)
    return {m: f"{m} {names.get(uris.get(m, ''), '')}".strip() for m in majors}
