"""The ESCO importer on the hand-made sample and on real ESCO.

Every test works on real DuckDB files.
"""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatch
from pathlib import Path

import duckdb
import pytest

from foundation.db import connect
from taxonomy.esco_files import discover
from taxonomy.esco_import import import_esco
from taxonomy.store import SAMPLE_DIR, current_version, occupation_skills, preferred_labels
from tests.taxonomy.import_support import (
    MISSING_OCCUPATION,
    NS,
    OCC,
    ROOT,
    SAMPLE_COUNTS,
    SAMPLE_CSVS,
    SKILL,
    one,
    q,
    records,
    taxonomy_content,
)

# --- the hand-made sample --------------------------------------------------------------

def test_sample_imports_every_file_without_skipping(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    report = import_esco(con, SAMPLE_DIR)
    found, ignored = discover(SAMPLE_DIR)
    assert sorted(f.name for f in found) == SAMPLE_CSVS
    assert len(SAMPLE_CSVS) == 16
    assert "README.md" in ignored
    assert report.skipped == {}
    assert report.languages == ["en", "nl"]
    assert {k: report.counts[k] for k in SAMPLE_COUNTS} == SAMPLE_COUNTS
    version = current_version(con)
    assert version.skipped == {} and version.counts == report.counts
    con.close()


def test_sample_counts_match_the_files(sample_con: duckdb.DuckDBPyConnection) -> None:
    for table, stem in (("occupations", "occupations"), ("skills", "skills"),
                        ("isco_groups", "ISCOGroups"), ("skill_groups", "skillGroups")):
        nl = {r["conceptUri"] for r in records(SAMPLE_DIR / f"{stem}_nl.csv")}
        en = {r["conceptUri"] for r in records(SAMPLE_DIR / f"{stem}_en.csv")}
        assert nl == en, f"{stem}: nl and en list different concepts"
        assert {u for (u,) in q(sample_con, f"SELECT uri FROM taxonomy.{table}")} == nl
    rel = records(SAMPLE_DIR / "occupationSkillRelations.csv")
    assert one(sample_con, "SELECT count(*) FROM taxonomy.occupation_skills") == len(rel)
    broader = (len(records(SAMPLE_DIR / "broaderRelationsOccPillar.csv"))
               + len(records(SAMPLE_DIR / "broaderRelationsSkillPillar.csv")))
    assert one(sample_con, "SELECT count(*) FROM taxonomy.broader") == broader
    assert q(sample_con, "SELECT collection, count(*) FROM taxonomy.collections "
                         "GROUP BY ALL ORDER BY ALL") == [("language", 7), ("transversal", 18)]


def test_sample_has_nl_and_en_labels_and_descriptions(
        sample_con: duckdb.DuckDBPyConnection) -> None:
    for table in ("occupations", "skills", "isco_groups", "skill_groups"):
        rows = q(sample_con, f"""
            SELECT c.uri, l.lang, count(*) FROM taxonomy.{table} c
            LEFT JOIN taxonomy.labels l ON l.uri = c.uri AND l.kind = 'preferred'
            GROUP BY ALL""")
        per_uri: dict[str, dict[str, int]] = {}
        for uri, lang, n in rows:
            per_uri.setdefault(uri, {})[lang] = n
        assert all(v == {"nl": 1, "en": 1} for v in per_uri.values()), table
        missing = one(sample_con, f"""
            SELECT count(*) FROM taxonomy.{table} c, (VALUES ('nl'), ('en')) AS t(lang)
            WHERE NOT EXISTS (SELECT 1 FROM taxonomy.descriptions d
                              WHERE d.uri = c.uri AND d.lang = t.lang)""")
        assert missing == 0, table
    # Multi-valued fields are split: newline in the main files, " | " in the collections.
    assert one(sample_con, r"SELECT count(*) FROM taxonomy.labels "
                           r"WHERE label LIKE '%|%' OR label LIKE '%' || chr(10) || '%'") == 0
    alts = {r for (r,) in q(sample_con, "SELECT label FROM taxonomy.labels WHERE uri = ? "
                                        "AND lang = 'nl' AND kind = 'alternative'",
                            [OCC + "afwasser"])}
    assert alts == {"vaatwasser", "afwashulp", "plongeur"}
    hidden = {r for (r,) in q(sample_con, "SELECT label FROM taxonomy.labels WHERE uri = ? "
                                          "AND kind = 'hidden'", [OCC + "magazijnier"])}
    assert "magazinier" in hidden
    # The collection files repeat the skills' labels; nothing is doubled.
    assert one(sample_con, """SELECT count(*) FROM (SELECT uri, lang, kind, label
               FROM taxonomy.labels GROUP BY ALL HAVING count(*) > 1)""") == 0
    names = preferred_labels(sample_con, [OCC + "magazijnier", SKILL + "nederlands-spreken"])
    assert names == {OCC + "magazijnier": "magazijnier",
                     SKILL + "nederlands-spreken": "Nederlands spreken"}
    en = preferred_labels(sample_con, [OCC + "magazijnier"], lang="en")
    assert en == {OCC + "magazijnier": "warehouse clerk"}


def test_sample_relations_join(sample_con: duckdb.DuckDBPyConnection) -> None:
    orphans = one(sample_con, """
        SELECT count(*) FROM taxonomy.occupation_skills r
        WHERE r.occupation_uri NOT IN (SELECT uri FROM taxonomy.occupations)
           OR r.skill_uri NOT IN (SELECT uri FROM taxonomy.skills)""")
    assert orphans == 0
    assert {t for (t,) in q(sample_con, "SELECT DISTINCT relation_type "
                                        "FROM taxonomy.occupation_skills")} == {
        "essential", "optional"}
    # Every occupation needs Dutch-language or other essential skills to be matchable.
    no_essential = one(sample_con, """
        SELECT count(*) FROM taxonomy.occupations o WHERE NOT EXISTS (
          SELECT 1 FROM taxonomy.occupation_skills r
          WHERE r.occupation_uri = o.uri AND r.relation_type = 'essential')""")
    assert no_essential == 0
    # Occupations sit in real 4-digit ISCO-08 unit groups, whose parents are imported too.
    bad_isco = one(sample_con, """
        SELECT count(*) FROM taxonomy.occupations o
        WHERE NOT regexp_matches(o.isco_group, '^[1-9][0-9]{3}$')
           OR NOT starts_with(o.code, o.isco_group || '.')
           OR o.isco_group NOT IN (SELECT code FROM taxonomy.isco_groups WHERE level = 4)""")
    assert bad_isco == 0
    for level in (2, 3, 4):
        missing_parent = one(sample_con, """
            SELECT count(*) FROM taxonomy.isco_groups g WHERE g.level = ? AND NOT EXISTS (
              SELECT 1 FROM taxonomy.isco_groups p WHERE p.code = left(g.code, g.level - 1))""", [level])
        assert missing_parent == 0
    # Every skill reaches a top skill group through the broader relations.
    unreached = one(sample_con, """
        WITH RECURSIVE up(uri, top) AS (
          SELECT uri, uri FROM taxonomy.skills
          UNION
          SELECT up.uri, b.broader_uri FROM up JOIN taxonomy.broader b ON b.uri = up.top)
        SELECT count(*) FROM taxonomy.skills s WHERE NOT EXISTS (
          SELECT 1 FROM up JOIN taxonomy.skill_groups g ON g.uri = up.top
          WHERE up.uri = s.uri AND g.code IN ('L', 'T', 'V'))""")
    assert unreached == 0
    dutch = {r for (r,) in q(sample_con, """
        SELECT l.label FROM taxonomy.collections c JOIN taxonomy.labels l ON l.uri = c.uri
        WHERE c.collection = 'language' AND l.lang = 'nl' AND l.kind = 'preferred'""")}
    assert {"Nederlands spreken", "Nederlands schrijven", "gesproken Nederlands begrijpen",
            "geschreven Nederlands begrijpen"} <= dutch
    skills = dict(occupation_skills(sample_con, OCC + "heftruckchauffeur"))
    assert skills[SKILL + "heftruck"] == "essential"


def test_sample_uses_only_invented_uris(sample_con: duckdb.DuckDBPyConnection) -> None:
    for table, columns in (("occupations", ["uri"]), ("skills", ["uri"]),
                           ("isco_groups", ["uri"]), ("skill_groups", ["uri"]),
                           ("labels", ["uri"]), ("broader", ["uri", "broader_uri"]),
                           ("occupation_skills", ["occupation_uri", "skill_uri"]),
                           ("skill_relations", ["skill_uri", "related_uri"]),
                           ("collections", ["uri"])):
        for col in columns:
            foreign = one(sample_con, f"SELECT count(*) FROM taxonomy.{table} "
                                      f"WHERE NOT starts_with({col}, ?)", [NS])
            assert foreign == 0, f"{table}.{col}"
    text = "".join((SAMPLE_DIR / n).read_text(encoding="utf-8") for n in SAMPLE_CSVS)
    assert "data.europa.eu" not in text


def test_sample_files_ship_as_package_data() -> None:
    """A non-editable install must carry taxonomy/sample (setuptools package data)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    tool = config["tool"]["setuptools"]
    find = tool["packages"]["find"]
    assert find.get("namespaces", True), "taxonomy/sample has no __init__.py"
    assert any(fnmatch("taxonomy.sample", pattern) for pattern in find["include"])
    globs = tool["package-data"].get("*", []) + tool["package-data"].get("taxonomy.sample", [])
    for p in SAMPLE_DIR.iterdir():
        if p.is_file():
            assert any(fnmatch(p.name, g) for g in globs), f"{p.name} would not be installed"


# --- the real ESCO download ------------------------------------------------------------

@pytest.mark.esco
def test_esco_counts_and_reported_skips(esco_con: duckdb.DuckDBPyConnection,
                                        esco_path: Path) -> None:
    assert one(esco_con, "SELECT count(*) FROM taxonomy.occupations") == 3007
    assert one(esco_con, "SELECT count(*) FROM taxonomy.skills") == 13896
    assert one(esco_con, "SELECT count(*) FROM taxonomy.occupation_skills") == 123788
    version = current_version(esco_con)
    assert version.counts["occupation_skills"] == 123788
    skipped = version.skipped["occupation_skills"]
    assert skipped["rows"] == 67
    assert MISSING_OCCUPATION in skipped["sample_uris"]
    # Independently of the importer: the raw relations that do not join are those 67.
    raw = esco_path / "occupationSkillRelations.csv.gz"
    rows = q(esco_con, f"""
        SELECT occupationUri, count(*) FROM read_csv('{raw}', all_varchar = true) r
        WHERE occupationUri NOT IN (SELECT uri FROM taxonomy.occupations)
        GROUP BY ALL""")
    assert rows == [(MISSING_OCCUPATION, 67)]


@pytest.mark.esco
def test_esco_version_source_and_time(esco_con: duckdb.DuckDBPyConnection,
                                      esco_path: Path) -> None:
    rows = q(esco_con, "SELECT esco_version, source, imported_at, languages "
                       "FROM taxonomy.imports")
    assert len(rows) == 1
    esco_version, source, imported_at, languages = rows[0]
    assert esco_version == "1.1.1"
    assert source == str(esco_path.resolve())
    assert isinstance(imported_at, datetime)
    assert timedelta(0) <= datetime.now(UTC).replace(tzinfo=None) - imported_at < timedelta(hours=6)
    assert languages == ["en", "nl"]


@pytest.mark.esco
def test_esco_labels(esco_con: duckdb.DuckDBPyConnection) -> None:
    per_lang = q(esco_con, """
        SELECT l.lang, count(DISTINCT o.uri), count(*) FROM taxonomy.occupations o
        JOIN taxonomy.labels l ON l.uri = o.uri AND l.kind = 'preferred'
        GROUP BY ALL ORDER BY ALL""")
    assert per_lang == [("en", 3007, 3007), ("nl", 3007, 3007)]
    # Dutch skill labels come from the collections and the VDAB crosswalk (README: 5,798).
    assert one(esco_con, """SELECT count(DISTINCT uri) FROM taxonomy.labels
               WHERE concept_type = 'skill' AND lang = 'nl' AND kind = 'preferred'""") == 5798
    assert one(esco_con, """SELECT count(*) FROM taxonomy.skills s WHERE NOT EXISTS (
               SELECT 1 FROM taxonomy.labels l WHERE l.uri = s.uri AND l.lang = 'en'
               AND l.kind = 'preferred')""") == 0


@pytest.mark.esco
def test_esco_relations_join(esco_con: duckdb.DuckDBPyConnection) -> None:
    checks = {
        "occupation_skills": """SELECT count(*) FROM taxonomy.occupation_skills
            WHERE occupation_uri NOT IN (SELECT uri FROM taxonomy.occupations)
               OR skill_uri NOT IN (SELECT uri FROM taxonomy.skills)""",
        "skill_relations": """SELECT count(*) FROM taxonomy.skill_relations
            WHERE skill_uri NOT IN (SELECT uri FROM taxonomy.skills)
               OR related_uri NOT IN (SELECT uri FROM taxonomy.skills)""",
        "collections": """SELECT count(*) FROM taxonomy.collections
            WHERE uri NOT IN (SELECT uri FROM taxonomy.skills)""",
        "isco": """SELECT count(*) FROM taxonomy.occupations
            WHERE isco_group NOT IN (SELECT code FROM taxonomy.isco_groups)""",
    }
    for name, sql in checks.items():
        assert one(esco_con, sql) == 0, name
    assert one(esco_con, "SELECT count(DISTINCT occupation_uri) "
                         "FROM taxonomy.occupation_skills") == 3007


@pytest.mark.esco
def test_esco_collections_follow_the_base_version(esco_con: duckdb.DuckDBPyConnection) -> None:
    """Older Dutch collection files add labels, not members (README: 346 and 96 in v1.1.1)."""
    counts = dict(q(esco_con, "SELECT collection, count(*) FROM taxonomy.collections GROUP BY ALL"))
    assert counts["language"] == 346
    assert counts["transversal"] == 96
    assert counts["digital"] == 1201 and counts["green"] == 570


# --- idempotence and the zip form ------------------------------------------------------

def test_importing_twice_gives_the_same_database(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    first = import_esco(con, SAMPLE_DIR)
    once = taxonomy_content(con)
    second = import_esco(con, SAMPLE_DIR)
    assert taxonomy_content(con) == once
    imports = q(con, "SELECT import_id, counts, skipped FROM taxonomy.imports ORDER BY 1")
    assert [r[0] for r in imports] == [first.import_id, second.import_id] == [1, 2]
    assert json.loads(imports[0][1]) == json.loads(imports[1][1]) == first.counts
    assert current_version(con).import_id == 2
    con.close()
