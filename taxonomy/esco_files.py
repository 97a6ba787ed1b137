"""Find and read the files of an ESCO download (official CSV layout, folder or zip, plain or gzip).

File names carry an optional language and version suffix (``ISCOGroups_nl.v1.2.0.csv.gz``);
the language-neutral relation files may carry ``_<lang>`` as in the official zips. Every
file is checked for CSV syntax and its required columns, with the physical line of the
first problem.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from foundation.errors import InputError, Problem

_NAME = re.compile(
    r"^(?P<base>[A-Za-z]+?)(?:_(?P<lang>[a-z]{2}))?(?P<version>\.v[0-9][0-9A-Za-z.]*?)?"
    r"\.csv(?:\.gz)?$"
)
_VERSION = re.compile(r"v?(\d+\.\d+(?:\.\d+)?)")

#: Required columns per recognised file kind.
REQUIRED: dict[str, tuple[str, ...]] = {
    "occupations": ("conceptUri", "preferredLabel", "altLabels"),
    "skills": ("conceptUri", "preferredLabel", "altLabels", "skillType", "reuseLevel"),
    "ISCOGroups": ("conceptUri", "code", "preferredLabel"),
    "skillGroups": ("conceptUri", "preferredLabel"),
    "skillsHierarchy": ("Level 0 URI", "Level 1 URI", "Level 2 URI", "Level 3 URI"),
    "occupationSkillRelations": ("occupationUri", "relationType", "skillUri"),
    "broaderRelationsOccPillar": ("conceptUri", "broaderUri"),
    "broaderRelationsSkillPillar": ("conceptUri", "broaderUri"),
    "skillSkillRelations": ("originalSkillUri", "relationType", "relatedSkillUri"),
    "collection": ("conceptUri", "preferredLabel"),
    "crosswalkSkills": ("escoSkillUri", "competentId", "mappingRelation"),
    "crosswalkOccupations": ("escoOccupationUri", "competentId", "mappingRelation"),
}
LANGUAGE_NEUTRAL = {
    "occupationSkillRelations",
    "broaderRelationsOccPillar",
    "broaderRelationsSkillPillar",
    "skillSkillRelations",
}
CROSSWALKS = {
    "esco_vdab_competent_skills_mapping": "crosswalkSkills",
    "esco_vdab_competent_occupations_mapping": "crosswalkOccupations",
}



@dataclass
class SourceFile:
    """One recognised CSV inside the download."""

    kind: str
    lang: str | None
    version: str | None
    name: str
    opener: Callable[[], io.BufferedIOBase]
    collection: str | None = None


def classify(name: str) -> tuple[str, str | None, str | None, str | None] | None:
    """``(kind, lang, version, collection)`` for an ESCO file name, or ``None``."""
    stem = re.sub(r"\.csv(\.gz)?$", "", name)
    if stem in CROSSWALKS:
        return CROSSWALKS[stem], None, None, None
    m = _NAME.match(name)
    if not m:
        return None
    base, lang, version = m["base"], m["lang"], m["version"]
    version = version[2:] if version else None
    if base.endswith("Collection") and lang:
        collection = re.sub(r"(Skills|Occupations)?Collection$", "", base)
        if base.endswith("OccupationsCollection"):
            return None  # occupation collections carry no skill information we store
        return "collection", lang, version, collection
    if base in LANGUAGE_NEUTRAL:
        return base, None, version, None
    if base in REQUIRED and lang:
        return base, lang, version, None
    return None


def discover(path: str | Path) -> tuple[list[SourceFile], list[str]]:
    """Find the ESCO files in a folder or zip; returns (recognised, ignored names)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"No ESCO download at {path}: the path does not exist.", code="esco.path_missing",
                         params={"path": str(path)})
    entries: list[tuple[str, Callable[[], io.BufferedIOBase]]] = []
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            if p.is_file():
                entries.append((p.name, _file_opener(p)))
    elif zipfile.is_zipfile(path):
        zf = zipfile.ZipFile(path)
        for info in zf.infolist():
            if not info.is_dir():
                entries.append((Path(info.filename).name, _zip_opener(zf, info.filename)))
    else:
        raise InputError(
            f"{path} is neither a folder nor a zip file: give the folder or the official "
            "ESCO zip (CSV layout).", code="esco.not_folder_or_zip", params={"path": str(path)},
        )
    found, ignored = [], []
    for name, opener in entries:
        c = classify(name)
        if c is None:
            ignored.append(name)
            continue
        kind, lang, version, collection = c
        found.append(SourceFile(kind, lang, version, name, opener, collection))
    if not any(f.kind == "occupations" for f in found) or not any(
        f.kind == "skills" for f in found
    ):
        raise InputError(
            f"{path} holds no ESCO occupations_<lang>.csv and skills_<lang>.csv "
            f"(files seen: {', '.join(sorted(n for n, _ in entries)[:12]) or 'none'}).",
            code="esco.no_core_files", params={"path": str(path), "files": sorted(n for n, _ in entries)[:12] or "-"},
        )
    return found, ignored


def _file_opener(p: Path) -> Callable[[], io.BufferedIOBase]:
    if p.name.endswith(".gz"):
        return lambda: gzip.open(p, "rb")
    return lambda: open(p, "rb")


def _zip_opener(zf: zipfile.ZipFile, member: str) -> Callable[[], io.BufferedIOBase]:
    if member.endswith(".gz"):
        return lambda: gzip.open(zf.open(member), "rb")
    return lambda: zf.open(member)


def read_csv(src: SourceFile) -> pd.DataFrame:
    """Read one file as strings, checking the CSV syntax and the required columns."""
    try:
        with src.opener() as raw:
            data = raw.read()
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise InputError(f"Cannot read {src.name}: {exc}",
                         [Problem(str(exc), file=src.name, code="file.unreadable", params={"reason": str(exc)})],
                         code="esco.unreadable", params={"file": src.name}) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{src.name} is not UTF-8 text",
            [Problem("not UTF-8", file=src.name, line=line, code="esco.not_utf8_here")],
            code="esco.not_utf8", params={"file": src.name},
        ) from exc
    lines = _check_csv_syntax(src.name, text)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(
            f"{src.name} is not a valid CSV file",
            [Problem(str(exc), file=src.name, code="file.csv_error", params={"reason": str(exc)})],
            code="esco.not_csv", params={"file": src.name},
        ) from exc
    if len(lines) == len(df):
        df.attrs["lines"] = lines  # physical start line of each record, for error messages
    missing = [c for c in REQUIRED[src.kind] if c not in df.columns]
    if missing:
        raise InputError(
            f"{src.name} misses required column(s) {', '.join(missing)}",
            [Problem(f"missing column {c!r}", file=src.name, line=1, column=c, code="esco.missing_column",
                     params={"column": c}) for c in missing],
            code="esco.missing_columns", params={"file": src.name, "columns": missing},
        )
    return df


def _check_csv_syntax(name: str, text: str) -> list[int]:
    """Fail with the physical line number of the first malformed record.

    Returns the physical line on which each (non-blank) record starts.
    """
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{name} is empty", [Problem("empty file", file=name, line=1, code="esco.empty_file")],
                         code="esco.empty", params={"file": name}) from None
    except csv.Error as exc:
        raise InputError(f"{name}: broken CSV", [Problem(str(exc), file=name, line=1, code="file.csv_error",
                                                          params={"reason": str(exc)})],
                         code="esco.broken_csv", params={"file": name}) from exc
    width = len(header)
    starts: list[int] = []
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return starts
        except csv.Error as exc:
            raise InputError(
                f"{name}: broken CSV at line {start}",
                [Problem(str(exc), file=name, line=start, code="file.csv_error", params={"reason": str(exc)})],
                code="esco.broken_csv_at", params={"file": name, "line": start},
            ) from exc
        # Official exports omit trailing empty fields, so only extra fields are an error.
        if len(row) > width:
            raise InputError(
                f"{name}: line {start} has {len(row)} fields, the header has {width}",
                [Problem(f"expected {width} fields, got {len(row)}", file=name, line=start,
                         code="esco.fields_expected", params={"width": width, "fields": len(row)})],
                code="esco.too_many_fields", params={"file": name, "line": start, "fields": len(row), "width": width},
            )
        if row:
            starts.append(start)


def detect_version(path: Path, files: Iterable[SourceFile]) -> str:
    """ESCO version from the zip/folder name, its README, or the base files' names."""
    for text in (path.name, str(path.parent.name)):
        m = _VERSION.search(text)
        if m and "esco" in text.lower():
            return m[1]
    readme = path / "README.md" if path.is_dir() else None
    if readme and readme.exists():
        m = re.search(r"ESCO\s+v(\d+\.\d+\.\d+)", readme.read_text(encoding="utf-8", errors="ignore"))
        if m:
            return m[1]
    versions = {f.version for f in files if f.kind in ("occupations", "skills") and f.version}
    return versions.pop() if len(versions) == 1 else "unknown"
