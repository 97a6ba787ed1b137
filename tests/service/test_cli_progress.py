"""Long CLI jobs show their progress on standard error; standard output stays parseable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app
from taxonomy.store import SAMPLE_DIR
from tests.service.world import FAST_ENV, build_world, fast_matching

runner = CliRunner()


@pytest.mark.parametrize(("lang", "done"), [("nl_BE.UTF-8", "ESCO ingelezen"), ("C.UTF-8", "ESCO imported")])
def test_taxonomy_import_shows_a_bar_on_standard_error(tmp_path: Path, lang: str, done: str) -> None:
    r = runner.invoke(app, ["taxonomy", "import", str(SAMPLE_DIR), "--db", str(tmp_path / "t.duckdb")],
                      env={"LANG": lang})
    assert r.exit_code == 0, r.output
    assert done in r.stderr and done not in r.stdout
    assert "occupations" in r.stdout  # the counts are the result, on standard output


def test_bulk_job_targets_count_on_standard_error_and_print_json_lines(tmp_path: Path) -> None:
    with fast_matching():
        w = build_world(tmp_path / "w.duckdb")
        shown = runner.invoke(app, ["profile", "show", w.participant, "--json", "--db", str(w.db), "--by", "coach"])
        profile = json.loads(shown.stdout)
        lines = "".join(json.dumps({**profile, "participant_id": f"X-{i}"}) + "\n" for i in range(3))
        (tmp_path / "p.jsonl").write_text(lines, encoding="utf-8")
        r = runner.invoke(app, ["match", "targets", "--profiles", str(tmp_path / "p.jsonl"), "--json", "--top", "2",
                                "--db", str(w.db), "--by", "coach"], env={"LANG": "nl_BE.UTF-8", **FAST_ENV})
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["participant_id"] for row in rows] == ["X-0", "X-1", "X-2"]
    assert "jobdoelwitten" in r.stderr and "3/3" in r.stderr


def test_vacancy_import_counts_the_proposals_on_standard_error(tmp_path: Path) -> None:
    with fast_matching():
        w = build_world(tmp_path / "w.duckdb")
        rows = "".join(f"Magazijnier {i},Je laadt vrachtwagens.,Logistiek {i},8000\n" for i in range(3))
        (tmp_path / "v.csv").write_text("title,description,employer,postcode\n" + rows, encoding="utf-8")
        r = runner.invoke(app, ["vacancy", "import", str(tmp_path / "v.csv"), "--json", "--db", str(w.db),
                                "--by", "liaison"], env={"LANG": "nl_BE.UTF-8", **FAST_ENV})
    assert r.exit_code == 0, r.output
    assert [v["title"] for v in json.loads(r.stdout)] == ["Magazijnier 0", "Magazijnier 1", "Magazijnier 2"]
    assert "beroepen en vaardigheden voorstellen" in r.stderr and "3/3" in r.stderr
