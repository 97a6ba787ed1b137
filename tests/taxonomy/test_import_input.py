"""The ESCO importer on zips, gzip files, bad input and through the CLI.

Bad input must raise an :class:`InputError` that says where the problem is, and must leave
an existing database exactly as it was.
"""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from foundation.db import connect
from foundation.errors import InputError
from taxonomy.esco_import import import_esco
from taxonomy.store import SAMPLE_DIR, current_version
from tests.taxonomy.import_support import (
    NS,
    SAMPLE_COUNTS,
    SAMPLE_CSVS,
    SKILL,
    copy_sample,
    one,
    q,
    read_rows,
    snapshot,
    start_line,
    taxonomy_content,
    text_of,
    write_records,
)


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
