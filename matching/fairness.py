"""Fairness monitoring: exposure and selection rates of shortlists and job targets by protected attribute.

Protected attributes (gender, country of origin, age from the date of birth) are recorded only
for this monitoring, with the person's consent, and never enter a ranking
(:mod:`matching.features`). The report reads what the rankings did (the request log) and
compares groups with fairlearn's :class:`~fairlearn.metrics.MetricFrame`:

- shortlists: *selection rate* = share of the consenting participants shown on at least one
  shortlist; *exposure* = mean over shortlists of ``1 / log2(1 + rank)`` (0 when not shown);
- job targets: *agreed rate* = share of the participants with suggestions for whom the coach
  agreed job targets; *elementary share* = share of their latest top-5 suggestions in ISCO major
  group 9 (elementary occupations), a sign of steering a group towards lower-skilled work.

Groups smaller than ``min_group`` (5) are never shown alone: they are pooled into one row
"smaller groups", itself hidden when it is still smaller than ``min_group``.
"""

from __future__ import annotations

import json
import math
from datetime import date

import duckdb
import pandas as pd
from fairlearn.metrics import MetricFrame, count, selection_rate
from pydantic import BaseModel

from foundation.actor import Role, User
from foundation.audit import audit
from foundation.db import transaction
from foundation.errors import NotFoundError

ATTRIBUTES = ("gender", "country_of_origin", "age_band")
MIN_GROUP = 5
POOLED, HIDDEN = "(smaller groups)", "(hidden)"


class GroupRow(BaseModel):
    group: str
    n: int | None                    # None: hidden (fewer than min_group)
    values: dict[str, float | None]


class AttributeTable(BaseModel):
    measure: str                     # shortlists / job_targets
    attribute: str
    rows: list[GroupRow]
    difference: dict[str, float | None]   # largest minus smallest over the rows shown


class FairnessReport(BaseModel):
    monitored: int                   # participants with monitoring attributes
    min_group: int
    tables: list[AttributeTable]


def age_band(born: date | None, today: date) -> str | None:
    """``<25``, ``25-34``, ``35-44`` or ``45+`` on ``today``."""
    if born is None:
        return None
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return "<25" if age < 25 else "25-34" if age < 35 else "35-44" if age < 45 else "45+"


def exposure(rank: int) -> float:
    """``1 / log2(1 + rank)``: the attention a position gets (rank 1 → 1.0, rank 3 → 0.5)."""
    return 1.0 / math.log2(1 + rank)


def monitoring_frame(con: duckdb.DuckDBPyConnection, *, today: date) -> pd.DataFrame:
    """One row per participant with monitoring attributes (gender, country of origin, age band)."""
    rows = con.execute("""SELECT participant_id, gender, country_of_origin, date_of_birth
                          FROM assessment.protected_attributes ORDER BY participant_id""").fetchall()
    return pd.DataFrame([{"participant_id": r[0], "gender": r[1], "country_of_origin": r[2],
                          "age_band": age_band(r[3], today)} for r in rows],
                        columns=["participant_id", *ATTRIBUTES])


def shortlist_outcomes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per consenting (or shortlisted) participant: ``selected`` (0/1) and mean ``exposure`` over shortlists."""
    from assessment.participants import list_participants

    logs = [json.loads(r[0]) for r in con.execute(
        "SELECT outputs FROM matching.request_log WHERE kind = 'shortlist' ORDER BY log_id").fetchall()]
    pool = {p.participant_id for p in list_participants(con, consenting_only=True)}
    pool |= {o["id"] for out in logs for o in out}
    total = {pid: 0.0 for pid in pool}
    for out in logs:
        for o in out:
            total[o["id"]] += exposure(int(o["rank"]))
    n = max(len(logs), 1)
    return pd.DataFrame([{"participant_id": pid, "selected": int(v > 0), "exposure": v / n}
                         for pid, v in sorted(total.items())], columns=["participant_id", "selected", "exposure"])


def job_target_outcomes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per participant with suggestions: ``agreed`` (0/1) and the ``elementary`` share of the latest top 5."""
    rows = con.execute(
        """SELECT input_ids[1], outputs FROM matching.request_log WHERE kind = 'job_targets'
           QUALIFY row_number() OVER (PARTITION BY input_ids[1] ORDER BY log_id DESC) = 1""").fetchall()
    isco = dict(con.execute("SELECT uri, isco_group FROM taxonomy.occupations").fetchall())
    agreed = {r[0] for r in con.execute("SELECT DISTINCT participant_id FROM assessment.agreed_targets").fetchall()}
    out = []
    for pid, outputs in rows:
        top = [o["id"] for o in sorted(json.loads(outputs), key=lambda o: o["rank"])[:5]]
        share = sum((isco.get(u) or "").startswith("9") for u in top) / len(top) if top else 0.0
        out.append({"participant_id": pid, "agreed": int(pid in agreed), "elementary": share})
    return pd.DataFrame(out, columns=["participant_id", "agreed", "elementary"])


def _mean(y_true, y_pred) -> float:
    return float(pd.Series(y_pred).mean())


def _table(frame: pd.DataFrame, *, measure: str, attribute: str, binary: str, continuous: str,
           min_group: int) -> AttributeTable:
    data = frame.dropna(subset=[attribute])
    sizes = data[attribute].value_counts()
    small = set(sizes[sizes < min_group].index)
    groups = data[attribute].where(~data[attribute].isin(small), POOLED)
    if (groups == POOLED).sum() and (groups == POOLED).sum() < min_group:
        groups = groups.where(groups != POOLED, HIDDEN)
    rows, shown = [], data.assign(group=groups)
    if len(shown):
        mf = MetricFrame(metrics={"count": count, binary: selection_rate}, y_true=shown[binary],
                         y_pred=shown[binary], sensitive_features=shown["group"])
        cont = MetricFrame(metrics={continuous: _mean}, y_true=shown[continuous], y_pred=shown[continuous],
                           sensitive_features=shown["group"])
        for group in sorted(mf.by_group.index, key=lambda g: (g in (POOLED, HIDDEN), str(g))):
            hidden = group == HIDDEN
            rows.append(GroupRow(group=str(group), n=None if hidden else int(mf.by_group.loc[group, "count"]),
                                 values={binary: None if hidden else round(float(mf.by_group.loc[group, binary]), 3),
                                         continuous: None if hidden else round(float(cont.by_group.loc[group,
                                                                                                         continuous]),
                                                                               3)}))
    difference = {}
    for key in (binary, continuous):
        values = [r.values[key] for r in rows if r.values[key] is not None]
        difference[key] = round(max(values) - min(values), 3) if len(values) > 1 else None
    return AttributeTable(measure=measure, attribute=attribute, rows=rows, difference=difference)


def fairness_report(con: duckdb.DuckDBPyConnection, *, actor: User, today: date | None = None,
                    min_group: int = MIN_GROUP) -> FairnessReport:
    """Selection and exposure by gender, country of origin and age band (admins; the run is audited)."""
    if actor.role != Role.admin:
        raise NotFoundError("Unknown report", code="report.not_found")
    today = today or date.today()
    with transaction(con):
        people = monitoring_frame(con, today=today)
        short = shortlist_outcomes(con).merge(people, on="participant_id")
        jobs = job_target_outcomes(con).merge(people, on="participant_id")
        audit(con, user=actor, action="fairness_report", object_type="report", purpose="administration",
              detail={"monitored": len(people)})
    tables = [_table(short, measure="shortlists", attribute=a, binary="selected", continuous="exposure",
                     min_group=min_group) for a in ATTRIBUTES]
    tables += [_table(jobs, measure="job_targets", attribute=a, binary="agreed", continuous="elementary",
                      min_group=min_group) for a in ATTRIBUTES]
    return FairnessReport(monitored=len(people), min_group=min_group, tables=tables)
