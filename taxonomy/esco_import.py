"""Import an ESCO download (official CSV layout) into the ``taxonomy`` schema.

Accepted input: a folder or the official zip, files plain or ``.gz``, any languages, file
names with an optional version suffix (``ISCOGroups_nl.v1.2.0.csv.gz``) and, for the
language-neutral relation files, an optional ``_<lang>`` suffix as in the official zips.
The VDAB "Competent" crosswalks (``esco_vdab_competent_*_mapping.csv``) are read when
present: they give Dutch preferred labels for skills that the nl export lacks, and Flemish
occupation titles as alternative labels (source: the crosswalk file; see
:data:`VDAB_TITLE_RELATIONS`).

Everything is validated before anything is written; the write is one transaction that
replaces the previous import, so a re-import of the same data gives the same database.
Relation rows whose concepts are missing are skipped and *reported* (count and sample),
never dropped silently. Files with a version suffix are supplements: they add labels and
descriptions (never a second preferred label) but not members to a collection that the
base version has.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from foundation.cache import IMPORT, invalidate
from foundation.db import transaction
from foundation.errors import InputError, Problem
from taxonomy.store import ensure_schema

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
#: Crosswalk relations under which a Competent title becomes a label of the ESCO occupation.
#: ``narrowMatch`` (the ESCO occupation is narrower than the broad Competent title) only
#: when the title maps to at most :data:`VDAB_NARROW_MAX` occupations: a title spread over
#: dozens of specific occupations names none of them.
VDAB_TITLE_RELATIONS = ("skos:exactMatch", "skos:closeMatch", "skos:broadMatch")
VDAB_NARROW_MAX = 2
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


@dataclass
class ImportReport:
    """What an import read, wrote, skipped and ignored."""

    esco_version: str
    source: str
    languages: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, dict] = field(default_factory=dict)
    ignored_files: list[str] = field(default_factory=list)
    import_id: int | None = None


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
        raise InputError(f"No ESCO download at {path}: the path does not exist.")
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
            "ESCO zip (CSV layout)."
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
            f"(files seen: {', '.join(sorted(n for n, _ in entries)[:12]) or 'none'})."
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
        raise InputError(f"Cannot read {src.name}: {exc}", [Problem(str(exc), file=src.name)]) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{src.name} is not UTF-8 text", [Problem("not UTF-8", file=src.name, line=line)]
        ) from exc
    lines = _check_csv_syntax(src.name, text)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(
            f"{src.name} is not a valid CSV file", [Problem(str(exc), file=src.name)]
        ) from exc
    if len(lines) == len(df):
        df.attrs["lines"] = lines  # physical start line of each record, for error messages
    missing = [c for c in REQUIRED[src.kind] if c not in df.columns]
    if missing:
        raise InputError(
            f"{src.name} misses required column(s) {', '.join(missing)}",
            [Problem(f"missing column {c!r}", file=src.name, line=1, column=c) for c in missing],
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
        raise InputError(f"{name} is empty", [Problem("empty file", file=name, line=1)]) from None
    except csv.Error as exc:
        raise InputError(f"{name}: broken CSV", [Problem(str(exc), file=name, line=1)]) from exc
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
                f"{name}: broken CSV at line {start}", [Problem(str(exc), file=name, line=start)]
            ) from exc
        # Official exports omit trailing empty fields, so only extra fields are an error.
        if len(row) > width:
            raise InputError(
                f"{name}: line {start} has {len(row)} fields, the header has {width}",
                [Problem(f"expected {width} fields, got {len(row)}", file=name, line=start)],
            )
        if row:
            starts.append(start)


def _split(value: str, sep: str) -> list[str]:
    return [v.strip() for v in value.split(sep) if v.strip()]


def _require_uris(df: pd.DataFrame, column: str, name: str) -> None:
    bad = df.index[df[column].str.strip() == ""].tolist()
    if bad:
        lines = df.attrs.get("lines")
        raise InputError(
            f"{name}: {len(bad)} row(s) without {column}",
            [Problem(f"empty {column}", file=name, line=lines[i] if lines else None, row=i + 2,
                     column=column) for i in bad[:20]],
        )


def _labels(df: pd.DataFrame, concept_type: str, lang: str, source: str, sep: str) -> pd.DataFrame:
    rows: list[tuple[str, str, str, str, str, str]] = []
    for uri, pref, alt, hidden in zip(
        df["conceptUri"],
        df["preferredLabel"],
        df["altLabels"] if "altLabels" in df else [""] * len(df),
        df["hiddenLabels"] if "hiddenLabels" in df else [""] * len(df),
        strict=True,
    ):
        if pref.strip():
            rows.append((uri, concept_type, lang, "preferred", pref.strip(), source))
        rows.extend((uri, concept_type, lang, "alternative", a, source) for a in _split(alt, sep))
        rows.extend((uri, concept_type, lang, "hidden", h, source) for h in _split(hidden, sep))
    return pd.DataFrame(rows, columns=["uri", "concept_type", "lang", "kind", "label", "source"])


def _descriptions(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    parts = []
    for column, kind in (("description", "description"), ("definition", "definition"),
                         ("scopeNote", "scope_note")):
        if column in df:
            d = df.loc[df[column].str.strip() != "", ["conceptUri", column]]
            parts.append(pd.DataFrame({"uri": d["conceptUri"], "lang": lang, "kind": kind,
                                       "text": d[column].str.strip()}))
    return pd.concat(parts) if parts else pd.DataFrame(columns=["uri", "lang", "kind", "text"])


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


def import_esco(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    esco_version: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import the ESCO download at ``path``, replacing any previous import.

    Validates every file first; writes in one transaction; returns what was done.
    """
    path = Path(path)
    files, ignored = discover(path)
    report = ImportReport(
        esco_version=esco_version or detect_version(path, files),
        source=str(path.resolve()),
        languages=sorted({f.lang for f in files if f.lang}),
        ignored_files=sorted(ignored),
    )
    step = progress or (lambda _msg: None)

    frames: dict[str, list[pd.DataFrame]] = {k: [] for k in (
        "occupations", "skills", "isco_groups", "skill_groups", "labels", "descriptions",
        "occupation_skills", "broader", "skill_relations", "collections", "crosswalks",
        "hierarchy")}
    # Base-version files first so that their rows win over supplements.
    for src in sorted(files, key=lambda f: (f.version is not None, f.kind, f.lang or "", f.name)):
        step(src.name)
        df = read_csv(src)
        _collect(src, df, frames)

    tables = _finalise(frames, report)
    ensure_schema(con)
    with transaction(con):
        for table in ("occupations", "skills", "isco_groups", "skill_groups", "labels",
                      "descriptions", "occupation_skills", "broader", "skill_relations",
                      "collections", "crosswalks"):
            con.execute(f"DELETE FROM taxonomy.{table}")
            frame = tables[table]
            con.register("_incoming", frame)
            cols = ", ".join(frame.columns)
            con.execute(f"INSERT INTO taxonomy.{table} ({cols}) SELECT {cols} FROM _incoming")
            con.unregister("_incoming")
            report.counts[table] = len(frame)
        [(next_id,)] = con.execute("SELECT nextval('taxonomy.import_seq')").fetchall()
        con.execute(
            "INSERT INTO taxonomy.imports VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [next_id, report.esco_version, report.source, report.languages,
             datetime.now(UTC).replace(tzinfo=None), json.dumps(report.counts),
             json.dumps(report.skipped), report.ignored_files],
        )
        report.import_id = next_id
    invalidate(con, IMPORT)
    return report


def _collect(src: SourceFile, df: pd.DataFrame, frames: dict[str, list[pd.DataFrame]]) -> None:
    kind, lang, name = src.kind, src.lang, src.name
    if kind in ("occupations", "skills", "ISCOGroups", "skillGroups", "collection"):
        _require_uris(df, "conceptUri", name)
    if kind == "occupations":
        frames["occupations"].append(pd.DataFrame({
            "uri": df["conceptUri"], "code": df.get("code", ""), "isco_group": df.get("iscoGroup", ""),
            "status": df.get("status", ""), "modified": df.get("modifiedDate", ""),
            "regulated_note": df.get("regulatedProfessionNote", "")}))
        frames["labels"].append(_labels(df, "occupation", lang, name, "\n"))
        frames["descriptions"].append(_descriptions(df, lang))
    elif kind == "skills":
        frames["skills"].append(pd.DataFrame({
            "uri": df["conceptUri"], "skill_type": df["skillType"], "reuse_level": df["reuseLevel"],
            "status": df.get("status", ""), "modified": df.get("modifiedDate", "")}))
        frames["labels"].append(_labels(df, "skill", lang, name, "\n"))
        frames["descriptions"].append(_descriptions(df, lang))
    elif kind == "ISCOGroups":
        frames["isco_groups"].append(pd.DataFrame({
            "uri": df["conceptUri"], "code": df["code"], "level": df["code"].str.len()}))
        frames["labels"].append(_labels(df, "isco_group", lang, name, "\n"))
        frames["descriptions"].append(_descriptions(df, lang))
    elif kind == "skillGroups":
        frames["skill_groups"].append(pd.DataFrame({"uri": df["conceptUri"], "code": df.get("code", "")}))
        frames["labels"].append(_labels(df, "skill_group", lang, name, "\n"))
        frames["descriptions"].append(_descriptions(df, lang))
    elif kind == "skillsHierarchy":
        frames["hierarchy"].append(df)
    elif kind == "collection":
        frames["collections"].append(pd.DataFrame({
            "collection": src.collection, "uri": df["conceptUri"],
            "supplement": src.version is not None}))
        # Collections are the only Dutch source for many language/transversal skills.
        labels = _labels(df, "skill", lang, name, " | ")
        frames["labels"].append(labels)
        frames["descriptions"].append(_descriptions(df, lang))
    elif kind == "occupationSkillRelations":
        frames["occupation_skills"].append(pd.DataFrame({
            "occupation_uri": df["occupationUri"], "skill_uri": df["skillUri"],
            "relation_type": df["relationType"]}))
    elif kind in ("broaderRelationsOccPillar", "broaderRelationsSkillPillar"):
        frames["broader"].append(pd.DataFrame({
            "uri": df["conceptUri"], "broader_uri": df["broaderUri"],
            "concept_type": df.get("conceptType", ""), "broader_type": df.get("broaderType", ""),
            "pillar": "occupation" if kind.endswith("OccPillar") else "skill"}))
    elif kind == "skillSkillRelations":
        frames["skill_relations"].append(pd.DataFrame({
            "skill_uri": df["originalSkillUri"], "related_uri": df["relatedSkillUri"],
            "relation_type": df["relationType"]}))
    elif kind in ("crosswalkSkills", "crosswalkOccupations"):
        uri_col = "escoSkillUri" if kind == "crosswalkSkills" else "escoOccupationUri"
        frames["crosswalks"].append(pd.DataFrame({
            "scheme": "vdab_competent", "esco_uri": df[uri_col].str.strip(), "external_id": df["competentId"],
            "external_uri": df.get("competentUri", ""), "label_nl": df.get("competentPrefLabel_nl", ""),
            "label_fr": df.get("competentPrefLabel_fr", ""), "relation": df["mappingRelation"]}))
        if kind == "crosswalkOccupations" and "competentPrefLabel_nl" in df:
            frames["labels"].append(_vdab_titles(df, src.name))
        nl_col = next((c for c in df.columns if c.startswith("escoPreferredLabel_nl")), None)
        if kind == "crosswalkSkills" and nl_col:
            d = df.loc[df[nl_col].str.strip() != "", [uri_col, nl_col]].drop_duplicates(uri_col)
            frames["labels"].append(pd.DataFrame({
                "uri": d[uri_col], "concept_type": "skill", "lang": "nl", "kind": "preferred",
                "label": d[nl_col].str.strip(), "source": src.name}))


def _vdab_titles(df: pd.DataFrame, source: str) -> pd.DataFrame:
    """Flemish Competent titles as Dutch alternative labels of the ESCO occupations they map to.

    Written in lower case like ESCO's Dutch labels ("Charcutier" → "charcutier").
    """
    d = df.assign(title=df["competentPrefLabel_nl"].str.strip(), uri=df["escoOccupationUri"].str.strip())
    d = d[(d.title != "") & (d.uri != "")]
    spread = d.groupby("competentId")["uri"].transform("nunique")
    keep = d.mappingRelation.isin(VDAB_TITLE_RELATIONS) | (
        (d.mappingRelation == "skos:narrowMatch") & (spread <= VDAB_NARROW_MAX))
    d = d[keep].assign(title=[t if t[:2].isupper() else t[0].lower() + t[1:] for t in d[keep].title])
    d = d.drop_duplicates(["uri", "title"])
    return pd.DataFrame({"uri": d.uri, "concept_type": "occupation", "lang": "nl", "kind": "alternative",
                         "label": d.title, "source": source})


def _concat(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def _skip(report: ImportReport, name: str, frame: pd.DataFrame, ok: pd.Series, uri_cols: list[str]):
    bad = frame.loc[~ok]
    if len(bad):
        sample = sorted({u for c in uri_cols for u in bad[c]})[:10]
        report.skipped[name] = {"rows": len(bad), "sample_uris": sample}
    return frame.loc[ok].reset_index(drop=True)


def _finalise(frames: dict[str, list[pd.DataFrame]], report: ImportReport) -> dict[str, pd.DataFrame]:
    occ = _concat(frames["occupations"], ["uri", "code", "isco_group", "status", "modified", "regulated_note"])
    occ = occ.drop_duplicates("uri", keep="first").reset_index(drop=True)
    skills = _concat(frames["skills"], ["uri", "skill_type", "reuse_level", "status", "modified"])
    skills = skills.drop_duplicates("uri", keep="first").reset_index(drop=True)
    isco = _concat(frames["isco_groups"], ["uri", "code", "level"]).drop_duplicates("uri").reset_index(drop=True)
    groups = _concat(frames["skill_groups"], ["uri", "code"]).drop_duplicates("uri").reset_index(drop=True)
    hierarchy = _concat(frames["hierarchy"], [])
    if len(hierarchy):
        # Skill groups known only from the hierarchy file, with their codes.
        extra = []
        for level in range(4):
            u, c = f"Level {level} URI", f"Level {level} code"
            if u in hierarchy and c in hierarchy:
                extra.append(hierarchy.loc[hierarchy[u] != "", [u, c]].set_axis(["uri", "code"], axis=1))
        if extra:
            h = pd.concat(extra).drop_duplicates("uri")
            groups = pd.concat([groups, h[~h.uri.isin(groups.uri)]], ignore_index=True)
            codes = dict(zip(h.uri, h.code, strict=True))
            groups["code"] = [c or codes.get(u, "") for u, c in zip(groups.uri, groups.code, strict=True)]

    known = set(occ.uri) | set(skills.uri) | set(isco.uri) | set(groups.uri)
    labels = _concat(frames["labels"], ["uri", "concept_type", "lang", "kind", "label", "source"])
    labels = _skip(report, "labels", labels, labels.uri.isin(known), ["uri"])
    # A supplement (crosswalk, older version) never adds a second preferred label.
    pref = labels.kind == "preferred"
    first_pref = ~labels[pref].duplicated(["uri", "lang"], keep="first")
    labels = pd.concat([labels[pref][first_pref], labels[~pref]], ignore_index=True)
    labels = labels.drop_duplicates(["uri", "lang", "kind", "label"]).reset_index(drop=True)
    desc = _concat(frames["descriptions"], ["uri", "lang", "kind", "text"])
    desc = desc[desc.uri.isin(known)].drop_duplicates(["uri", "lang", "kind"]).reset_index(drop=True)

    rel = _concat(frames["occupation_skills"], ["occupation_uri", "skill_uri", "relation_type"])
    rel = _skip(report, "occupation_skills", rel,
                rel.occupation_uri.isin(occ.uri) & rel.skill_uri.isin(skills.uri),
                ["occupation_uri", "skill_uri"])
    rel = rel.drop_duplicates(["occupation_uri", "skill_uri"]).reset_index(drop=True)
    broader = _concat(frames["broader"], ["uri", "broader_uri", "concept_type", "broader_type", "pillar"])
    broader = _skip(report, "broader", broader,
                    broader.uri.isin(known) & broader.broader_uri.isin(known), ["uri", "broader_uri"])
    srel = _concat(frames["skill_relations"], ["skill_uri", "related_uri", "relation_type"])
    srel = _skip(report, "skill_relations", srel,
                 srel.skill_uri.isin(skills.uri) & srel.related_uri.isin(skills.uri),
                 ["skill_uri", "related_uri"])
    coll = _concat(frames["collections"], ["collection", "uri", "supplement"])
    # A collection that the base version has takes its members from the base version only;
    # an older-version file of it (e.g. Dutch v1.0.x) adds labels, not members.
    in_base = set(coll.loc[~coll.supplement.astype(bool), "collection"])
    superseded = coll.supplement.astype(bool) & coll.collection.isin(in_base)
    coll = coll.loc[~superseded, ["collection", "uri"]].drop_duplicates()
    coll = _skip(report, "collections", coll, coll.uri.isin(skills.uri), ["uri"])
    cross = _concat(frames["crosswalks"], ["scheme", "esco_uri", "external_id", "external_uri",
                                           "label_nl", "label_fr", "relation"])
    cross = _skip(report, "crosswalks", cross, cross.esco_uri.isin(known), ["esco_uri"])
    return {
        "occupations": occ, "skills": skills, "isco_groups": isco, "skill_groups": groups,
        "labels": labels, "descriptions": desc, "occupation_skills": rel, "broader": broader,
        "skill_relations": srel, "collections": coll, "crosswalks": cross,
    }
