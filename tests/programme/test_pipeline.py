"""Stages, cohorts, placements, follow-ups and the programme report (counts only, small cells hidden)."""

from __future__ import annotations

from datetime import date

import pytest

from assessment.participants import create_participant
from assessment.stages import assign_cohort, create_cohort, get_pipeline, record_stage, set_people, stage_overview
from foundation.errors import ConflictError, InputError, NotFoundError
from matching.employers import create_employer
from matching.placements import record_followup, record_placement
from matching.reports import programme_report, suppress, table, to_csv, to_xlsx
from tests.programme.conftest import ADMIN, ASSESSOR, COACH, LIAISON, WAREHOUSE


def people(con, n: int, coach: str = "coach") -> list[str]:
    return [create_participant(con, by="assessor", contact={"name": f"Persoon {i}"},
                               details={"coach": coach, "postcode": "8000"}).participant_id for i in range(n)]


def test_suppress_hides_small_cells_and_a_second_when_one_is_alone() -> None:
    assert suppress([0, 7, 12]) == ["0", "7", "12"]
    assert suppress([3, 7, 12]) == ["<5", "x", "12"]
    assert suppress([3, 2, 12]) == ["<5", "<5", "12"]
    assert suppress([4]) == ["<5"]


def test_stages_with_prescreening_outcome_people_and_cohort(con) -> None:
    (pid,) = people(con, 1)
    with pytest.raises(InputError) as info:
        record_stage(con, actor=COACH, participant_id=pid, stage="prescreening")
    assert info.value.problems[0].column == "outcome"
    with pytest.raises(InputError) as info:
        record_stage(con, actor=COACH, participant_id=pid, stage="prescreening", outcome="not_selected")
    assert info.value.problems[0].column == "reason"
    record_stage(con, actor=COACH, participant_id=pid, stage="registered", on_date="2026-01-05")
    record_stage(con, actor=COACH, participant_id=pid, stage="prescreening", on_date="2026-01-12",
                 outcome="selected", reason="motivation", note="sterk gemotiveerd")
    record_stage(con, actor=COACH, participant_id=pid, stage="selected", on_date="2026-01-13")
    cohort = create_cohort(con, actor=ADMIN, name="Brugge werkt 2026-1", starts_on="2026-01-05")
    with pytest.raises(ConflictError):
        create_cohort(con, actor=ADMIN, name="brugge werkt 2026-1")
    assign_cohort(con, actor=COACH, participant_id=pid, cohort_id=cohort.cohort_id)
    set_people(con, actor=COACH, participant_id=pid, referrer_org="OCMW", referrer_name="Jan Toeleider",
               teacher="Griet NT2")
    p = get_pipeline(con, actor=COACH, participant_id=pid)
    assert p.stage == "selected" and p.since == date(2026, 1, 13) and p.cohort.name == "Brugge werkt 2026-1"
    assert p.people.referrer_org == "OCMW" and [e.stage for e in p.history][:2] == ["registered", "prescreening"]
    with pytest.raises(NotFoundError):  # another coach's participant looks unknown
        record_stage(con, actor=COACH, participant_id=people(con, 1, coach="coach2")[0], stage="registered")
    with pytest.raises(NotFoundError):
        record_stage(con, actor=ASSESSOR, participant_id=pid, stage="registered")
    rows, by_stage, by_cohort = stage_overview(con, actor=COACH, stage="selected")
    assert [r.participant_id for r in rows] == [pid] and by_stage["selected"] == 1
    assert by_cohort[cohort.cohort_id] == 1


def test_report_counts_placements_follow_ups_and_hides_small_numbers(con) -> None:
    ids = people(con, 7)
    cohort = create_cohort(con, actor=ADMIN, name="Groep A")
    employer = create_employer(con, actor=LIAISON, employer={"name": "Magazijn NV", "postcode": "8000"})
    for n, pid in enumerate(ids):
        assign_cohort(con, actor=COACH, participant_id=pid, cohort_id=cohort.cohort_id)
        record_stage(con, actor=COACH, participant_id=pid, stage="registered", on_date="2026-02-01")
        if n < 6:
            record_stage(con, actor=COACH, participant_id=pid, stage="selected", on_date="2026-02-10")
        if n < 5:
            placement = record_placement(con, actor=COACH, participant_id=pid, placement={
                "employer_id": employer.employer_id, "occupation_uri": WAREHOUSE, "contract_type": "fixed_term",
                "hours_per_week": 30, "starts_on": "2026-03-01"})
            record_followup(con, actor=COACH, placement_id=placement.placement_id, months=6,
                            still_employed=n < 3, same_employer=True, checked_on="2026-09-01")
    with pytest.raises(ConflictError):
        record_followup(con, actor=COACH, placement_id=placement.placement_id, months=6, still_employed=True)
    with pytest.raises(InputError):
        record_followup(con, actor=COACH, placement_id=placement.placement_id, months=5, still_employed=True)
    with pytest.raises(NotFoundError):
        programme_report(con, actor=COACH, period_from=date(2026, 1, 1), period_to=date(2026, 12, 31))
    report = programme_report(con, actor=ADMIN, period_from=date(2026, 1, 1), period_to=date(2026, 12, 31))
    assert report.total == {"registered": 7, "selected": 6, "assessed": 0, "placed": 5, "employed_6m": 3,
                            "employed_12m": 0}
    assert report.groups == {"4": {"placed": 5, "employed_6m": 3, "employed_12m": 0}}  # ISCO 4321 → major 4
    by_cohort, by_group = table(report, headers={}, group_names={"4": "Administratief personeel"})
    assert by_cohort[-1] == ["total", "7", "6", "0", "5", "<5", "0"]
    assert by_group[1] == ["Administratief personeel", "5", "<5", "0"]
    text = to_csv((by_cohort, by_group))
    assert "Persoon" not in text and "P-" not in text and "<5" in text
    assert to_xlsx((by_cohort, by_group), sheet_names=("cohort", "groep"))[:2] == b"PK"
    early = programme_report(con, actor=ADMIN, period_from=date(2026, 2, 1), period_to=date(2026, 2, 28))
    assert early.total["placed"] == 0 and early.total["registered"] == 7
    with pytest.raises(InputError):
        programme_report(con, actor=ADMIN, period_from=date(2026, 3, 1), period_to=date(2026, 2, 1))


def test_report_cli_prints_tables_and_writes_csv_and_excel(db, tmp_path) -> None:
    from typer.testing import CliRunner

    from service.cli import app

    runner = CliRunner()
    base = ["report", "programme", "--from", "2026-01-01", "--to", "2026-12-31", "--db", str(db), "--by", "admin"]
    shown = runner.invoke(app, base)
    assert shown.exit_code == 0, shown.output
    assert "Per groep" in shown.stdout or "By intake group" in shown.stdout
    for suffix in ("csv", "xlsx"):
        out = tmp_path / f"report.{suffix}"
        assert runner.invoke(app, [*base, "--output", str(out)]).exit_code == 0
        assert out.stat().st_size > 0
    bad = runner.invoke(app, ["report", "programme", "--from", "2026-02-30", "--to", "2026-12-31", "--db", str(db)])
    assert bad.exit_code == 2
    refused = runner.invoke(app, [*base[:-1], "coach"])
    assert refused.exit_code == 3
