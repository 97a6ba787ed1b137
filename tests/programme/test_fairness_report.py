"""The fairness report: fairlearn rates by protected attribute, small groups pooled or hidden; its notebook runs."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from assessment.participants import create_participant
from foundation.errors import NotFoundError
from matching.fairness import age_band, exposure, fairness_report
from matching.log import write_log
from service.demo import build_demo
from tests.programme.conftest import ADMIN, COACH
from tests.service.world import fast_matching

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "fairness.ipynb"


def test_formulas() -> None:
    assert exposure(1) == 1.0 and exposure(3) == 0.5
    assert age_band(date(2000, 6, 2), date(2026, 6, 1)) == "25-34"
    assert age_band(date(2002, 6, 1), date(2026, 6, 1)) == "<25"


def test_rates_by_group_with_small_groups_pooled_or_hidden(con) -> None:
    ids = []
    for n in range(13):
        gender = "female" if n < 6 else "male" if n < 12 else "x"
        ids.append(create_participant(con, by="assessor", consent=True, details={"coach": "coach"},
                                      protected={"gender": gender, "country_of_origin": "Syrië" if n < 5 else "Eritrea",
                                                 "date_of_birth": date(1990, 1, 1)}).participant_id)
    shown = [ids[0], ids[1], ids[2], ids[6]]          # 3 of 6 women, 1 of 6 men
    write_log(con, kind="shortlist", requested_by="liaison", input_ids=["V-1"], model="m/1", taxonomy_version="t",
              outputs=[(pid, 0.5, rank) for rank, pid in enumerate(shown, start=1)])
    with pytest.raises(NotFoundError):
        fairness_report(con, actor=COACH)
    report = fairness_report(con, actor=ADMIN, today=date(2026, 12, 1))
    gender = next(t for t in report.tables if t.measure == "shortlists" and t.attribute == "gender")
    rows = {r.group: r for r in gender.rows}
    assert rows["female"].n == 6 and rows["female"].values["selected"] == 0.5
    assert rows["male"].n == 6 and rows["male"].values["selected"] == round(1 / 6, 3)
    assert "x" not in rows and rows["(hidden)"].n is None   # one person alone is never shown
    assert gender.difference["selected"] == round(0.5 - 1 / 6, 3)
    origin = next(t for t in report.tables if t.measure == "shortlists" and t.attribute == "country_of_origin")
    assert {r.group: r.n for r in origin.rows} == {"Eritrea": 8, "Syrië": 5}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("nbdemo") / "demo.duckdb"
    with fast_matching():
        build_demo(db, sample=True)
    return db


def run_notebook(path: Path, db: Path, tmp_path: Path, monkeypatch) -> str:
    monkeypatch.setenv("WERKBRUG_DB", str(db))
    monkeypatch.setenv("WERKBRUG_REPO", str(NOTEBOOK.parents[1]))
    monkeypatch.setenv("PYTHONPATH", str(NOTEBOOK.parents[1]) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    return "".join(str(o.get("text", "")) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


def test_fairness_notebook_executes_on_the_demo(demo_db: Path, tmp_path: Path, monkeypatch) -> None:
    text = run_notebook(NOTEBOOK, demo_db, tmp_path, monkeypatch)
    assert "Traceback" not in text and "participants monitored: 10" in text
    assert "Largest differences" in text and "protected attributes used by ranking: []" in text


def test_outcomes_notebook_and_benchmark_on_the_demo(demo_db: Path, tmp_path: Path, monkeypatch) -> None:
    text = run_notebook(NOTEBOOK.with_name("outcomes.ipynb"), demo_db, tmp_path, monkeypatch)
    assert "Traceback" not in text and "placements: 5" in text and "werkbrug (shown)" in text
    assert "recall@5" in text and "5 placed" in text
