"""A participant's competence profile grouped for display: technical, social, Dutch."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from assessment import cefr
from matching.language import SUB_SKILLS
from service.labels import competence_group_labels, sub_skill_names
from service.ui.charts import Bar, Group
from taxonomy.store import display_labels

#: The group a skill is shown in, by the kind of instrument behind its evidence (else "other").
INSTRUMENT_GROUPS = {"technical": "technical", "observation": "social", "language": "language"}


@dataclass
class SkillRow:
    uri: str
    label: str
    level: float
    confidence: float
    kind: str                 # evidence kind: assessed / observed / experience / self_declared
    group: str                # technical / social / other
    evidence: list            # assessment.profile.Evidence
    label_lang: str | None = None   # set when the label is not in the reader's language (shown "EN")


def competence_rows(con: duckdb.DuckDBPyConnection, profile, *, lang: str) -> list[SkillRow]:
    """The profile's skills with labels, grouped by the kind of instrument behind them."""
    from assessment.instrument import load_instruments

    kinds = {i.id: i.kind for i in load_instruments().values()}
    labels = display_labels(con, [s.uri for s in profile.skills], lang)
    rows = []
    for s in profile.skills:
        found = {INSTRUMENT_GROUPS.get(kinds.get(e.instrument_id)) for e in s.evidence if e.instrument_id}
        if "language" in found:
            continue  # Dutch is shown as CEFR levels
        group = "technical" if "technical" in found else "social" if "social" in found else "other"
        text, label_lang, _source = labels.get(s.uri) or (s.label or s.uri.rsplit("/", 1)[-1], lang, "")
        rows.append(SkillRow(s.uri, text, s.level, s.confidence, str(s.evidence_kind), group, list(s.evidence),
                             label_lang if label_lang != lang else None))
    rows.sort(key=lambda r: ({"technical": 0, "social": 1, "other": 2}[r.group], -r.level, r.label))
    return rows


def chart_groups(rows: list[SkillRow], dutch, _, *, lang: str = "nl") -> list[Group]:
    """Bars for the chart: technical skills, social skills, Dutch per sub-skill."""
    titles = competence_group_labels(_)
    groups = {k: Group(k, titles[k]) for k in ("technical", "social", "other")}
    untranslated = _("no Dutch ESCO term") if lang == "nl" else _("no English ESCO term")
    for r in rows:
        tag = (r.label_lang.upper(), untranslated) if r.label_lang else None
        groups[r.group].bars.append(Bar(r.label, r.level, f"{round(100 * r.level)}%", tag))
    names = sub_skill_names(_)
    language = Group("language", titles["language"])
    for sub in SUB_SKILLS:
        level = getattr(dutch, sub, None)
        if level:
            language.bars.append(Bar(names[sub], cefr.fraction(level), level))
    return [groups["technical"], groups["social"], language, groups["other"]]


def summary_groups(groups: list[Group], _) -> list[Group]:
    """One bar per area: the mean of technical, social and Dutch."""
    out = Group("other", _("Overview"))
    for g in groups[:3]:
        if g.bars:
            out.bars.append(Bar(g.title, g.mean, f"{round(100 * g.mean)}%"))
    return [out]
