"""Labels shown for ESCO concepts: Dutch, else English marked; VDAB titles; local labels by admins."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from foundation.actor import Role, User
from foundation.audit import read_log
from foundation.db import connect
from foundation.errors import ConflictError, InputError, NotFoundError
from service.app import migrate_all
from service.cli import app
from taxonomy.esco_import import import_esco
from taxonomy.local_labels import add_local_label, export_local_labels, list_local_labels, remove_local_label
from taxonomy.search import search
from taxonomy.store import display_labels, preferred_labels

pytestmark = pytest.mark.esco

ADMIN = User("anna", "Anna", Role.admin)
COACH = User("carl", "Carl", Role.coach)
WELDER = "http://data.europa.eu/esco/occupation/7aedaa07-3884-4c5b-88f9-80997b2aa54b"


@pytest.fixture
def db(esco_db: Path):
    con = connect(esco_db)
    migrate_all(con)
    yield con
    con.close()


def _english_only_skill(con) -> tuple[str, str]:
    return con.execute(
        """SELECT s.uri, min(l.label) FROM taxonomy.skills s
           JOIN taxonomy.labels l ON l.uri = s.uri AND l.lang = 'en' AND l.kind = 'preferred'
           WHERE NOT EXISTS (SELECT 1 FROM taxonomy.labels n WHERE n.uri = s.uri AND n.lang = 'nl'
                             AND n.kind = 'preferred')
           GROUP BY s.uri ORDER BY s.uri LIMIT 1""").fetchone()


def test_vdab_titles_are_flemish_labels_marked_with_their_source(db) -> None:
    rows = db.execute(
        "SELECT label, lang, kind, source FROM taxonomy.labels WHERE uri = ? AND source LIKE '%competent%'",
        [WELDER]).fetchall()
    assert ("autogeenlasser", "nl", "alternative") in [r[:3] for r in rows]
    assert all(r[3] == "esco_vdab_competent_occupations_mapping.csv.gz" for r in rows)
    assert display_labels(db, [WELDER], "nl")[WELDER] == ("lasser", "nl", "esco")  # ESCO's stays shown


def test_display_labels_dutch_else_english_marked(db) -> None:
    uri, english = _english_only_skill(db)
    got = display_labels(db, [WELDER, uri, "http://nowhere/x"], "nl")
    assert got[WELDER] == ("lasser", "nl", "esco")
    assert got[uri] == (english, "en", "esco")
    assert "http://nowhere/x" not in got
    assert display_labels(db, [WELDER], "en")[WELDER] == ("welder", "en", "esco")
    assert preferred_labels(db, [WELDER, uri]) == {WELDER: "lasser", uri: english}


def test_admin_adds_a_local_dutch_label_used_in_display_and_search(db, esco_path) -> None:
    uri, english = _english_only_skill(db)
    added = add_local_label(db, actor=ADMIN, uri=uri, label="  werkbrugtest   vaardigheid ", note="test")
    assert (added.label, added.lang, added.kind, added.concept_type) == (
        "werkbrugtest vaardigheid", "nl", "preferred", "skill")
    assert display_labels(db, [uri], "nl")[uri] == ("werkbrugtest vaardigheid", "nl", "local")
    assert display_labels(db, [uri], "en")[uri] == (english, "en", "esco")
    hits = search(db, "werkbrugtest vaardigheid", kind="skill", top=3, langs=["nl"])
    assert hits[0].uri == uri and hits[0].label == "werkbrugtest vaardigheid" and hits[0].label_lang == "nl"
    [entry] = read_log(db, action="add_local_label")
    assert (entry.username, entry.object_id, entry.detail["label"]) == ("anna", uri, "werkbrugtest vaardigheid")

    import_esco(db, esco_path)  # a new ESCO import keeps the local labels
    assert display_labels(db, [uri], "nl")[uri][2] == "local"

    alt = add_local_label(db, actor=ADMIN, uri=WELDER, label="plooier-lasser", kind="alternative")
    assert display_labels(db, [WELDER], "nl")[WELDER] == ("lasser", "nl", "esco")  # alternative: not shown
    assert search(db, "plooier-lasser", top=1)[0].uri == WELDER

    text = export_local_labels(db, actor=ADMIN)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["label"] for r in rows] == ["werkbrugtest vaardigheid", "plooier-lasser"]
    assert rows[0]["esco_label_en"] == english and rows[1]["kind"] == "alternative"
    assert read_log(db, action="export_local_labels")

    remove_local_label(db, actor=ADMIN, label_id=alt.label_id)
    assert [r.label for r in list_local_labels(db, actor=ADMIN)] == ["werkbrugtest vaardigheid"]
    assert read_log(db, action="remove_local_label")[0].detail["label"] == "plooier-lasser"


def test_local_label_refusals_write_nothing(db) -> None:
    uri, _ = _english_only_skill(db)
    with pytest.raises(NotFoundError):
        add_local_label(db, actor=COACH, uri=uri, label="x")
    with pytest.raises(NotFoundError) as unknown:
        add_local_label(db, actor=ADMIN, uri="http://data.europa.eu/esco/skill/none", label="x")
    assert unknown.value.code == "taxonomy.unknown_concept"
    with pytest.raises(InputError) as bad:
        add_local_label(db, actor=ADMIN, uri=uri, label="  ", lang="fr")
    assert {p.column for p in bad.value.problems} == {"label", "lang"}
    add_local_label(db, actor=ADMIN, uri=uri, label="eerste term")
    with pytest.raises(ConflictError) as twice:
        add_local_label(db, actor=ADMIN, uri=uri, label="tweede term")  # one preferred per language
    assert twice.value.code == "taxonomy.local_label_exists"
    with pytest.raises(NotFoundError):
        remove_local_label(db, actor=ADMIN, label_id=999)
    assert [r.label for r in list_local_labels(db, actor=ADMIN)] == ["eerste term"]
    assert len(read_log(db, action="add_local_label")) == 1


def test_cli_label_add_list_export(esco_db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    con = connect(esco_db)
    uri, _ = _english_only_skill(con)
    con.close()
    res = runner.invoke(app, ["taxonomy", "label", "add", uri, "cli-term", "--db", str(esco_db), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["label"] == "cli-term"
    res = runner.invoke(app, ["taxonomy", "label", "add", uri, "andere", "--db", str(esco_db)])
    assert res.exit_code == 4, res.output
    res = runner.invoke(app, ["taxonomy", "label", "list", "--db", str(esco_db), "--json"])
    assert [r["label"] for r in json.loads(res.stdout)] == ["cli-term"]
    out = tmp_path / "labels.csv"
    res = runner.invoke(app, ["taxonomy", "label", "export", "--db", str(esco_db), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "cli-term" in out.read_text(encoding="utf-8")
