"""The ``werkbrug participant|assessment|profile`` commands on a real database file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from foundation.db import connect
from service.cli import app
from tests.assessment.conftest import KITCHEN_PORTER, OPERATE_DISHWASHER, WORK_IN_TEAMS, table_counts

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def _coaches(db: Path, *names: str) -> None:
    """Coach accounts: a participant's coach must be one."""
    for name in names:
        result = run("user", "add", name, "--role", "coach", "--password", "long enough 1", "--db", str(db))
        assert result.exit_code == 0, result.output


def _add(db: Path, *extra: str) -> str:
    result = run("participant", "add", "--db", str(db), "--json", "--by", "anna", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["participant_id"]


def test_participant_add_list_show_consent(db: Path) -> None:
    _coaches(db, "coach", "other")
    pid = _add(db, "--coach", "coach", "--postcode", "8000", "--transport", "bike", "--transport", "public_transport",
               "--experience", f"{KITCHEN_PORTER}=2.5", "--language", "ar", "--name", "Rahim Ahmadi")
    other = _add(db, "--coach", "other", "--consent")
    listed = json.loads(run("participant", "list", "--db", str(db), "--json", "--coach", "coach").stdout)
    assert [p["participant_id"] for p in listed] == [pid]
    consenting = json.loads(run("participant", "list", "--db", str(db), "--json", "--consenting").stdout)
    assert [p["participant_id"] for p in consenting] == [other]
    shown = run("participant", "show", pid, "--db", str(db), "--json", "--contact")
    data = json.loads(shown.stdout)
    assert data["experience"][0] == {"occupation_uri": KITCHEN_PORTER, "years": 2.5, "description": None}
    assert data["transport_modes"] == ["bike", "public_transport"] and data["contact"]["name"] == "Rahim Ahmadi"
    assert "Rahim" not in run("participant", "show", pid, "--db", str(db), "--json").stdout
    assert run("participant", "consent", pid, "--give", "--db", str(db)).exit_code == 0
    assert run("participant", "consent", other, "--withdraw", "--db", str(db), "--note", "phone").exit_code == 0
    consenting = json.loads(run("participant", "list", "--db", str(db), "--json", "--consenting").stdout)
    assert [p["participant_id"] for p in consenting] == [pid]
    table = run("participant", "list", "--db", str(db))
    assert pid in table.stdout and "2 participant(s)" in table.stdout


def test_bad_input_exits_non_zero_and_writes_nothing(db: Path) -> None:
    con = connect(db)
    before = table_counts(con)
    con.close()
    bad = run("participant", "add", "--db", str(db), "--postcode", "80", "--transport", "rocket")
    assert bad.exit_code == 2
    assert "postcode" in bad.output and "transport_modes" in bad.output
    assert run("participant", "add", "--db", str(db), "--experience", "no-equals").exit_code == 2
    assert run("participant", "show", "P-NOPE00", "--db", str(db)).exit_code == 3
    assert run("participant", "consent", "P-NOPE00", "--give", "--db", str(db)).exit_code == 3
    pid = _add(db)
    con = connect(db)
    before = table_counts(con)
    con.close()
    cases = [
        (["assessment", "record", "P-NOPE00", "cleaning", "-s", "glass=3"], 3),
        (["assessment", "record", pid, "juggling", "-s", "balls=3"], 3),
        (["assessment", "record", pid, "cleaning", "-s", "unicycle=3"], 2),
        (["assessment", "record", pid, "cleaning", "-s", "glass=9"], 2),
        (["assessment", "record", pid, "dutch-cefr", "-s", "listening=B7"], 2),
        (["assessment", "record", pid, "cleaning", "-s", "glass=3", "--corrects", "R-NOTHERE"], 3),
    ]
    for args, code in cases:
        result = run(*args, "--db", str(db))
        assert result.exit_code == code, (args, result.output)
        assert "Error:" in result.output
    con = connect(db)
    assert table_counts(con) == before
    con.close()


def test_record_profile_show_and_export(db: Path, tmp_path: Path) -> None:
    pid = _add(db, "--name", "Sara Mehari", "--postcode", "8500", "--declared-skill", WORK_IN_TEAMS)
    ok = run("assessment", "record", pid, "kitchen-hospitality", "-s", "dishwasher=3", "-s", "waste=4",
             "--date", "2026-10-01", "--db", str(db), "--by", "ann")
    assert ok.exit_code == 0 and "Recorded" in ok.stdout
    run("assessment", "record", pid, "dutch-cefr", "-s", "listening=A2.1", "--db", str(db))
    profile = json.loads(run("profile", "show", pid, "--db", str(db), "--json").stdout)
    assert profile["format"] == "werkbrug.profile/1" and profile["dutch"]["listening"] == "A2.1"
    dish = next(s for s in profile["skills"] if s["uri"] == OPERATE_DISHWASHER)
    assert dish["level"] == 0.75 and dish["evidence_kind"] == "assessed"
    assert "Sara" not in json.dumps(profile)
    team = next(s for s in profile["skills"] if s["uri"] == WORK_IN_TEAMS)
    assert (team["evidence_kind"], team["level"], team["confidence"]) == ("self_declared", 0.5, 0.3)
    table = run("profile", "show", pid, "--db", str(db))  # the CLI's language (English here), as on the web
    assert {"operate", "dishwashing", "machine"} <= set(table.stdout.split()) and "A2.1" in table.stdout  # may wrap
    table = runner.invoke(app, ["profile", "show", pid, "--db", str(db)], env={"LANG": "nl_BE.UTF-8"})
    assert {"vaatwasmachine", "bedienen"} <= set(table.stdout.split()) and "dishwashing" not in table.stdout
    out = tmp_path / "export.json"
    assert run("profile", "export", pid, "--db", str(db), "--out", str(out)).exit_code == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["contact"]["name"] == "Sara Mehari" and len(exported["assessment_records"]) == 2
    schema = json.loads(run("profile", "schema").stdout)
    assert "skills" in schema["properties"]


def test_template_import_round_trip_and_duplicate(db: Path, tmp_path: Path) -> None:
    a, b = _add(db), _add(db)
    listing = run("assessment", "instruments", "--json")
    assert {"cleaning", "dutch-cefr", "social-skills"} <= {i["id"] for i in json.loads(listing.stdout)}
    assert "floors" in run("assessment", "instruments", "--show", "cleaning").stdout
    assert "items" in json.loads(run("assessment", "instruments", "--schema").stdout)["properties"]
    out = tmp_path / "schoonmaak.xlsx"
    made = run("assessment", "template", "cleaning", "--out", str(out), "--participant", a, "--participant", b)
    assert made.exit_code == 0 and out.exists()
    wb = openpyxl.load_workbook(out)
    ws = wb["Scores"]
    for row in (2, 3):
        ws.cell(row=row, column=2, value=date(2026, 10, 1))
        ws.cell(row=row, column=4, value=row)
    wb.save(out)
    first = run("assessment", "import", str(out), "--db", str(db), "--by", "ann")
    assert first.exit_code == 0 and "Imported 2 record(s)" in first.stdout
    again = run("assessment", "import", str(out), "--db", str(db))
    assert again.exit_code == 4 and "already imported" in again.output
    ws.cell(row=3, column=4, value=11)
    ws.cell(row=2, column=2, value="2026-13-45")
    wb.save(tmp_path / "bad.xlsx")
    bad = run("assessment", "import", str(tmp_path / "bad.xlsx"), "--db", str(db))
    assert bad.exit_code == 2
    assert "row 2" in bad.output and "row 3, column D (floors)" in bad.output
    assert run("assessment", "template", "juggling", "--out", str(tmp_path / "x.xlsx")).exit_code == 3


def test_cli_write_while_a_server_holds_the_file(db: Path) -> None:
    """A second process gets the clear DatabaseLockedError message, not a traceback."""
    holder = connect(db)  # this process holds the file, like `werkbrug serve`
    try:
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]), COLUMNS="300")
        proc = subprocess.run(
            [sys.executable, "-c", "from service.cli import app; app()", "participant", "add", "--db", str(db)],
            capture_output=True, text=True, env=env, timeout=120,
        )
    finally:
        holder.close()
    assert proc.returncode == 5, proc.stderr
    assert "in use by another werkbrug process" in proc.stderr


def test_template_in_english_and_in_dutch(tmp_path: Path) -> None:
    from assessment.batch_template import words

    for lang in ("nl", "en"):
        out = tmp_path / f"cleaning-{lang}.csv"
        assert run("assessment", "template", "cleaning", "--out", str(out), "--lang", lang).exit_code == 0
        header = out.read_text(encoding="utf-8-sig").splitlines()[0].split(";")
        assert header[:3] == [words(lang)["instrument"], words(lang)["version"], words(lang)["participant"]]
    assert words("nl")["participant"] != words("en")["participant"]
    assert run("assessment", "template", "cleaning", "--out", str(tmp_path / "x.csv"), "--lang", "fr").exit_code == 2
