"""The ``werkbrug match`` and ``werkbrug vacancy`` commands on a real database file."""

import json
from pathlib import Path

from typer.testing import CliRunner

from foundation.db import connect
from service.cli import app
from tests.matching.helpers import occupation_by_label, profile, sample_occupations, skills_of

runner = CliRunner()


def test_bulk_targets_from_profiles_jsonl(mdb: Path, tmp_path: Path):
    con = connect(mdb)
    occs = sample_occupations(con, 3, seed=11)
    lines = [profile(f"P-{i}", skills_of(con, o)).model_dump_json() for i, o in enumerate(occs)]
    con.close()
    f = tmp_path / "profiles.jsonl"
    f.write_text("\n".join(lines) + "\n")
    r = runner.invoke(app, ["match", "targets", "--profiles", str(f), "--top", "5", "--json", "--db", str(mdb)])
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["participant_id"] for row in rows] == ["P-0", "P-1", "P-2"]
    for occ, row in zip(occs, rows, strict=True):
        assert occ in [t["occupation_uri"] for t in row["targets"]]
    assert all(len(row["targets"]) == 5 for row in rows)
    f.write_text(lines[0] + "\n" + '{"participant_id": 3, "skills": "x"}\n')
    bad = runner.invoke(app, ["match", "targets", "--profiles", str(f), "--db", str(mdb)])
    assert bad.exit_code == 2 and "line 2" in bad.output


def test_vacancy_commands_and_shortlist(mdb: Path, tmp_path: Path):
    con = connect(mdb)
    occ = occupation_by_label(con, "forklift operator")
    con.close()
    r = runner.invoke(app, ["vacancy", "add", "--title", "Heftruckchauffeur", "--description", "Laden en lossen",
                            "--employer", "X", "--postcode", "8000", "--json", "--db", str(mdb), "--by", "els"])
    assert r.exit_code == 0, r.output
    v = json.loads(r.stdout)
    assert v["owner"] == "els" and v["proposal"]["occupations"][0]["uri"] == occ
    no = runner.invoke(app, ["match", "shortlist", v["vacancy_id"], "--db", str(mdb)])
    assert no.exit_code == 4   # not confirmed: conflict
    ok = runner.invoke(app, ["vacancy", "confirm", v["vacancy_id"], "--occupation", "1", "--skill", "1", "--skill", "2",
                             "--db", str(mdb), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["essential_skills"] == [s["uri"] for s in v["proposal"]["skills"][:2]]
    sl = runner.invoke(app, ["match", "shortlist", v["vacancy_id"], "--json", "--db", str(mdb)])
    assert sl.exit_code == 0 and json.loads(sl.stdout)["vacancy_id"] == v["vacancy_id"]
    bad = tmp_path / "bad.csv"
    bad.write_text("title,description,employer,postcode\nKok,Koken,R,9999\n")
    r = runner.invoke(app, ["vacancy", "import", str(bad), "--db", str(mdb)])
    assert r.exit_code == 2 and "row 2" in r.output and "postcode" in r.output
    r = runner.invoke(app, ["match", "prepare", "--encoder", "none", "--db", str(mdb)])
    assert r.exit_code == 0 and "related-skill pairs" in r.output
    r = runner.invoke(app, ["match", "language-requirements", "set", "--isco", "83", "--listening", "B1",
                            "--reading", "A2", "--speaking", "A2", "--writing", "A1", "--db", str(mdb)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["match", "language-requirements", "show", "--occupation", occ, "--json", "--db", str(mdb)])
    assert json.loads(r.stdout)[0]["listening"] == "B1"
