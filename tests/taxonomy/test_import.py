"""The ESCO importer on the hand-made sample, on real ESCO, on zips and on bad input.

Every test works on real DuckDB files. Bad input must raise an :class:`InputError` that
says where the problem is, and must leave an existing database exactly as it was.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatch
from pathlib import Path

import duckdb
import pytest

from foundation.db import connect
from foundation.errors import InputError
from taxonomy.esco_files import discover
from taxonomy.esco_import import import_esco
from taxonomy.store import SAMPLE_DIR, current_version, occupation_skills, preferred_labels

NS = "https://werkbrug.example/taxonomy/"
OCC = NS + "occupation/"
SKILL = NS + "skill/"
ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CSVS = sorted(p.name for p in SAMPLE_DIR.glob("*.csv"))
MISSING_OCCUPATION = "http://data.europa.eu/esco/occupation/a9e54177-a185-404d-b6e6-15663d31137e"

#: What the hand-made sample holds (also listed in taxonomy/sample/README.md).
SAMPLE_COUNTS = {
    "occupations": 33, "skills": 122, "isco_groups": 74, "skill_groups": 14,
    "occupation_skills": 407, "broader": 234, "skill_relations": 12, "collections": 25,
    "crosswalks": 0,
}


# --- helpers ---------------------------------------------------------------------------

def records(path: Path) -> list[dict[str, str]]:
    """The data records of one CSV file, read with the standard csv module."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def text_of(path: Path) -> str:
    """The file's text with its CRLF record ends kept."""
    return path.read_bytes().decode("utf-8")


def start_line(text: str, prefix: str) -> int:
    """1-based physical line on which the record beginning with ``prefix`` starts."""
    lines = text.split("\n")
    hits = [i + 1 for i, line in enumerate(lines) if line.startswith(prefix)]
    assert len(hits) == 1, f"{prefix!r} starts {len(hits)} lines"
    return hits[0]


def snapshot(con: duckdb.DuckDBPyConnection, *, skip: dict[str, set[str]] | None = None
             ) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent checksum of every table in the database.

    ``skip`` maps ``schema.table`` to columns left out (e.g. the source file name).
    """
    skip = skip or {}
    out: dict[str, tuple[int, str]] = {}
    tables = con.execute(
        """SELECT c.table_schema, c.table_name, list(c.column_name ORDER BY c.ordinal_position)
           FROM information_schema.columns c JOIN information_schema.tables t
             ON t.table_schema = c.table_schema AND t.table_name = c.table_name
           WHERE t.table_type = 'BASE TABLE' GROUP BY ALL ORDER BY ALL"""
    ).fetchall()
    for schema, table, columns in tables:
        name = f"{schema}.{table}"
        cols = ", ".join(f'"{c}"' for c in columns if c not in skip.get(name, set()))
        rows = con.execute(f'SELECT {cols} FROM "{schema}"."{table}"').fetchall()
        digest = hashlib.sha256("\n".join(sorted(map(repr, rows))).encode()).hexdigest()
        out[name] = (len(rows), digest)
    return out


def taxonomy_content(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str]]:
    """Checksums of the imported content: no import log, no source file names."""
    snap = snapshot(con, skip={"taxonomy.labels": {"source"}})
    return {k: v for k, v in snap.items()
            if k.startswith("taxonomy.") and k != "taxonomy.imports"}


def copy_sample(dest: Path) -> Path:
    shutil.copytree(SAMPLE_DIR, dest, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return dest


def write_records(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


# --- fixtures --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file with the sample imported once (read it, don't write)."""
    db = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    con = connect(db)
    import_esco(con, SAMPLE_DIR)
    con.close()
    return db


@pytest.fixture
def sample_db(sample_db_file: Path, tmp_path: Path) -> Path:
    """A private writable copy of :func:`sample_db_file`."""
    db = tmp_path / "werkbrug.duckdb"
    shutil.copy(sample_db_file, db)
    return db


@pytest.fixture
def sample_con(sample_db_file: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(sample_db_file, read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def esco_con(esco_db_file: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(esco_db_file, read_only=True)
    yield con
    con.close()


def q(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchall()


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchone()[0]


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


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _sample_members(gz: Callable[[str], bool] = lambda _n: False, prefix: str = "") -> dict:
    out = {}
    for name in SAMPLE_CSVS:
        data = (SAMPLE_DIR / name).read_bytes()
        if gz(name):
            out[f"{prefix}{name}.gz"] = gzip.compress(data, mtime=0)
        else:
            out[f"{prefix}{name}"] = data
    return out


@pytest.fixture(scope="module")
def sample_content(sample_db_file: Path) -> dict[str, tuple[int, str]]:
    con = connect(sample_db_file, read_only=True)
    content = taxonomy_content(con)
    con.close()
    return content


@pytest.mark.parametrize("form", ["zip", "zip-gz-mix", "zip-in-folder", "folder-gz-mix"])
def test_zip_and_gz_forms_import_like_the_folder(
        form: str, tmp_path: Path, sample_content: dict[str, tuple[int, str]]) -> None:
    some_gz = lambda n: n.startswith(("skills", "occupationSkill", "ISCO"))  # noqa: E731
    if form == "zip":
        source = _zip(tmp_path / "sample.zip", _sample_members())
    elif form == "zip-gz-mix":
        source = _zip(tmp_path / "sample.zip", _sample_members(some_gz))
    elif form == "zip-in-folder":
        members = _sample_members(some_gz, prefix="werkbrug sample - csv/")
        members["werkbrug sample - csv/README.md"] = b"not a CSV\n"
        source = _zip(tmp_path / "sample.zip", members)
    else:
        source = tmp_path / "mixed"
        source.mkdir()
        for name, data in _sample_members(some_gz).items():
            (source / name).write_bytes(data)
    con = connect(tmp_path / "w.duckdb")
    report = import_esco(con, source)
    assert report.skipped == {}
    assert taxonomy_content(con) == sample_content
    if form == "zip-gz-mix":
        sources = {s for (s,) in q(con, "SELECT DISTINCT source FROM taxonomy.labels")}
        assert "skills_nl.csv.gz" in sources and "occupations_nl.csv" in sources
    con.close()


# --- bad input -------------------------------------------------------------------------

@dataclass
class Bad:
    """A broken download and where the error must point."""

    make: Callable[[Path], Path]
    file: str | None
    line: int | None = None
    column: str | None = None
    row: int | None = None
    says: str = ""


def _missing_column(tmp: Path) -> Path:
    src = copy_sample(tmp / "src")
    path = src / "skills_en.csv"
    rows = read_rows(path)
    i = rows[0].index("reuseLevel")
    write_records(path, [r[:i] + r[i + 1:] for r in rows])
    return src


def _record_prefix(slug: str, kind: str = "occupation") -> str:
    concept = "Occupation" if kind == "occupation" else "KnowledgeSkillCompetence"
    return f"{concept},{NS}{kind}/{slug},"


def _unclosed_quote(tmp: Path) -> Path:
    src = copy_sample(tmp / "src")
    path = src / "occupations_nl.csv"
    text = text_of(path)
    prefix = _record_prefix("bouwvakker")
    line = start_line(text, prefix)
    assert line > 10 and text.count("\n", 0, text.index(prefix)) + 1 == line
    path.write_text(text.replace(prefix, 'Occupation,"' + prefix[len("Occupation,"):]),
                    encoding="utf-8", newline="")
    return src


def _unclosed_quote_at_end(tmp: Path) -> Path:
    src = copy_sample(tmp / "src")
    path = src / "skills_en.csv"
    with path.open("a", encoding="utf-8", newline="") as f:
        f.write(f'KnowledgeSkillCompetence,{SKILL}broken,skill/competence,transversal,"broken\r\n')
    return src


def _extra_field(tmp: Path) -> Path:
    src = copy_sample(tmp / "src")
    path = src / "occupationSkillRelations.csv"
    lines = text_of(path).split("\r\n")
    lines[9] += ",surplus"  # physical line 10
    path.write_text("\r\n".join(lines), encoding="utf-8", newline="")
    return src


def _extra_field_multiline(tmp: Path) -> Path:
    """An extra field at the end of a record that spans several lines."""
    src = copy_sample(tmp / "src")
    path = src / "skills_nl.csv"
    rows = read_rows(path)
    target = next(r for r in rows if r[1] == SKILL + "heftruck")
    assert "\n" in target[5]
    target.append("surplus")
    write_records(path, rows)
    return src


def _not_utf8(tmp: Path) -> Path:
    src = copy_sample(tmp / "src")
    path = src / "skills_nl.csv"
    data = path.read_bytes()
    path.write_bytes(data.replace("hygiëne".encode(), "hygiëne".encode("latin-1"), 1))
    return src


def _empty_uri(tmp: Path) -> Path:
    src = copy_sample(tmp / "src")
    path = src / "skills_en.csv"
    rows = read_rows(path)
    target = next(r for r in rows if r[1] == SKILL + "heftruck")
    target[1] = ""
    write_records(path, rows)
    return src


def _bad_member_in_zip(tmp: Path) -> Path:
    members = _sample_members(lambda n: n.startswith("skills_en"))
    data = gzip.decompress(members["skills_en.csv.gz"]).replace(b"conceptUri", b"uri", 1)
    members["skills_en.csv.gz"] = gzip.compress(data)
    return _zip(tmp / "sample.zip", members)


def _empty_folder(tmp: Path) -> Path:
    (tmp / "empty").mkdir()
    return tmp / "empty"


def _unrelated_files(tmp: Path) -> Path:
    (tmp / "other").mkdir()
    (tmp / "other" / "notes.txt").write_text("hello\n")
    (tmp / "other" / "vacancies.csv").write_text("title\nkok\n")
    return tmp / "other"


def _plain_file(tmp: Path) -> Path:
    (tmp / "esco.txt").write_text("not a download\n")
    return tmp / "esco.txt"


def _fake_zip(tmp: Path) -> Path:
    (tmp / "esco.zip").write_bytes(b"PK\x03\x04 truncated")
    return tmp / "esco.zip"


def _line_of(name: str, prefix: str) -> int:
    return start_line(text_of(SAMPLE_DIR / name), prefix)


def _line_of_bytes(name: str, needle: str) -> int:
    data = (SAMPLE_DIR / name).read_bytes()
    return data[: data.index(needle.encode())].count(b"\n") + 1


def _row_of(name: str, uri: str) -> int:
    return next(i for i, r in enumerate(read_rows(SAMPLE_DIR / name)) if r[1] == uri) + 1


BAD = {
    "missing column": Bad(_missing_column, "skills_en.csv", line=1, column="reuseLevel",
                          says="misses required column"),
    "unclosed quote": Bad(_unclosed_quote, "occupations_nl.csv",
                          line=_line_of("occupations_nl.csv", _record_prefix("bouwvakker")),
                          says="broken CSV"),
    "unclosed quote at end": Bad(_unclosed_quote_at_end, "skills_en.csv",
                                 line=(SAMPLE_DIR / "skills_en.csv").read_bytes().count(b"\n") + 1,
                                 says="broken CSV"),
    "extra field": Bad(_extra_field, "occupationSkillRelations.csv", line=10,
                       says="has 5 fields, the header has 4"),
    "extra field, multi-line record": Bad(
        _extra_field_multiline, "skills_nl.csv",
        line=_line_of("skills_nl.csv", _record_prefix("heftruck", "skill")),
        says="has 14 fields, the header has 13"),
    "not UTF-8": Bad(_not_utf8, "skills_nl.csv", line=_line_of_bytes("skills_nl.csv", "hygiëne"),
                     says="not UTF-8"),
    "empty conceptUri": Bad(_empty_uri, "skills_en.csv", column="conceptUri",
                            row=_row_of("skills_en.csv", SKILL + "heftruck"),
                            line=_line_of("skills_en.csv", _record_prefix("heftruck", "skill")),
                            says="without conceptUri"),
    "bad member in zip": Bad(_bad_member_in_zip, "skills_en.csv.gz", line=1,
                             column="conceptUri", says="misses required column"),
    "empty folder": Bad(_empty_folder, None, says="holds no ESCO occupations_<lang>.csv"),
    "unrelated files": Bad(_unrelated_files, None, says="notes.txt"),
    "plain file": Bad(_plain_file, None, says="neither a folder nor a zip"),
    "fake zip": Bad(_fake_zip, None, says="neither a folder nor a zip"),
    "missing path": Bad(lambda tmp: tmp / "does-not-exist", None, says="does not exist"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_input_is_located_and_changes_nothing(case: str, sample_db: Path,
                                                  tmp_path: Path) -> None:
    bad = BAD[case]
    source = bad.make(tmp_path)
    con = connect(sample_db)
    before = snapshot(con)
    with pytest.raises(InputError) as info:
        import_esco(con, source)
    err = info.value
    assert bad.says in str(err)
    if bad.file is None:
        assert str(source) in str(err)  # the path the user gave
    else:
        assert bad.file in str(err)
        assert err.problems, "no located problem"
        p = err.problems[0]
        assert p.file == bad.file
        assert (p.line, p.column) == (bad.line, bad.column)
        if bad.row is not None:
            assert p.row == bad.row
        assert f"line {bad.line}" in str(p)
    assert snapshot(con) == before
    con.close()
    con = connect(sample_db, read_only=True)  # and after reopening the file
    assert snapshot(con) == before
    con.close()


# --- the command line ------------------------------------------------------------------

def _werkbrug(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "werkbrug"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from service.cli import app; app()"]
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
    return subprocess.run([*cmd, *args], capture_output=True, text=True, env=env, timeout=120,
                          check=False)


def test_cli_imports_the_sample(tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    result = _werkbrug("taxonomy", "import", str(SAMPLE_DIR), "--db", str(db),
                       "--esco-version", "sample")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "ESCO vsample" in out
    for table in ("occupations", "skills", "occupation_skills", "isco_groups"):
        assert re.search(rf"^\s*{table}\s+{SAMPLE_COUNTS[table]}\s*$", out, re.M), table
    assert "skipped" not in out
    con = connect(db, read_only=True)
    assert current_version(con).esco_version == "sample"
    assert one(con, "SELECT count(*) FROM taxonomy.occupations") == 33
    con.close()


def test_cli_bad_folder_fails_and_names_the_file(tmp_path: Path, sample_db: Path) -> None:
    source = _missing_column(tmp_path)
    con = connect(sample_db, read_only=True)
    before = snapshot(con)
    con.close()
    result = _werkbrug("taxonomy", "import", str(source), "--db", str(sample_db))
    assert result.returncode == 2, result.stdout + result.stderr
    message = " ".join(result.stderr.split())
    assert "skills_en.csv" in message and "reuseLevel" in message
    assert "Traceback" not in result.stderr
    con = connect(sample_db, read_only=True)
    assert snapshot(con) == before
    con.close()
