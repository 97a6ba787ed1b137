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

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from foundation.cache import IMPORT, invalidate
from foundation.db import transaction
from foundation.errors import InputError, Problem
from taxonomy.esco_files import SourceFile, detect_version, discover, read_csv
from taxonomy.store import ensure_schema

#: Crosswalk relations under which a Competent title becomes a label of the ESCO occupation.
#: ``narrowMatch`` (the ESCO occupation is narrower than the broad Competent title) only
#: when the title maps to at most :data:`VDAB_NARROW_MAX` occupations: a title spread over
#: dozens of specific occupations names none of them.
VDAB_TITLE_RELATIONS = ("skos:exactMatch", "skos:closeMatch", "skos:broadMatch")
VDAB_NARROW_MAX = 2
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


def _split(value: str, sep: str) -> list[str]:
    return [v.strip() for v in value.split(sep) if v.strip()]


def _require_uris(df: pd.DataFrame, column: str, name: str) -> None:
    bad = df.index[df[column].str.strip() == ""].tolist()
    if bad:
        lines = df.attrs.get("lines")
        raise InputError(
            f"{name}: {len(bad)} row(s) without {column}",
            [Problem(f"empty {column}", file=name, line=lines[i] if lines else None, row=i + 2,
                     column=column, code="esco.empty_cell") for i in bad[:20]],
            code="esco.rows_without", params={"file": name, "count": len(bad), "column": column},
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
