"""How ``werkbrug match …`` and ``werkbrug vacancy …`` show their results to a person (``--json`` aside).

Every word goes through the catalogues in the CLI's language; coded values get the web UI's words.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from service.cli import words
from service.cli.progress import tr
from service.labels import sub_skill_names

console = Console()


def _dash(values) -> str:
    return ", ".join(values) or "—"


def targets_table(res) -> None:
    """The job targets of one participant."""
    table = Table(title=tr("Job targets for %(id)s (%(version)s)", id=res.participant_id,
                           version=res.taxonomy_version))
    for col in ("#", tr("Occupation"), tr("Score"), tr("Essential skills"), tr("Dutch"), tr("Missing"),
                tr("Vacancies")):
        table.add_column(col, overflow="fold" if col == tr("Occupation") else "ellipsis")  # a label is never cut off
    for t in res.targets:
        table.add_row(str(t.rank), t.label, f"{t.score:.3f}", f"{t.parts.values['essential']:.0%}",
                      tr("ok") if t.language.meets else tr("gap"), str(len(t.missing_essential)),
                      str(t.open_vacancies))
    console.print(table)


def shortlist_table(sl) -> None:
    """A shortlist: candidates under their codes, and how many were left out and why."""
    table = Table(title=tr("Shortlist %(id)s for %(vacancy)s (a suggestion: a person confirms)",
                           id=sl.shortlist_id, vacancy=sl.vacancy_id))
    for col in ("#", tr("Candidate"), tr("Score"), tr("Essential skills"), tr("Dutch"), tr("Commute (min)")):
        table.add_column(col)
    for c in sl.candidates:
        table.add_row(str(c.rank), c.candidate, f"{c.score:.3f}", f"{c.parts.values['essential']:.0%}",
                      tr("ok") if c.language.meets else tr("gap"),
                      "?" if c.commute_minutes is None else f"{c.commute_minutes:.0f}")
    console.print(table)
    console.print(tr("%(n)s considered; filtered out: %(reasons)s", n=sl.considered,
                     reasons=words.filtered(sl.filtered_out)), highlight=False)


def requirements_table(data: list[dict]) -> None:
    """The Dutch requirements: shipped defaults and overrides (scope and shipped notes in the UI's words)."""
    from service.messages import cli_language, message

    lang = cli_language()
    names = {"scope": tr("Scope"), "key": tr("ISCO group or ESCO occupation"), "source": tr("Source"),
             **sub_skill_names(tr), "note": tr("Note")}
    keys = [k for k in names if any(k in d for d in data)]
    table = Table(title=tr("Dutch: required level"))
    for k in keys:
        table.add_column(names[k])
    for d in data:
        shown = {**d, "scope": message(f"language.scope.{d.get('scope')}", lang=lang, fallback=str(d.get("scope")))}
        if d.get("scope") == "default isco":
            shown["note"] = message(f"language.default_note.{d.get('key')}", lang=lang, fallback=d.get("note") or "")
        table.add_row(*(str(shown.get(k) or "") for k in keys))
    console.print(table)


def _terms(t: dict, dutch: dict) -> str:
    parts = [(tr("Hours per week"), f"{t['hours_per_week']:g}"), (tr("Shifts"), words.shifts(t["shifts"])),
             (tr("Weekend work"), words.yes_no(t["weekends"])), (tr("Driving licence"), _dash(t["licences"])),
             (tr("Certificates"), _dash(words.attest(a) for a in t["attests"])),
             (tr("Contract"), words.contract(t["contract"])), (tr("Dutch required (CEFR)"), words.dutch_levels(dutch))]
    return ", ".join(f"{name}: {value}" for name, value in parts)


def vacancy_lines(v) -> None:
    """A vacancy: what werkbrug proposes from its text, or what a person confirmed."""
    from matching.language import SUB_SKILLS
    from matching.vacancies import proposed_terms
    from service.messages import cli_language, message

    lang = cli_language()
    head = tr("%(title)s — %(employer)s, %(place)s (%(status)s; owner %(owner)s)", title=escape(v.title),
              employer=escape(v.employer), place=escape(f"{v.postcode} {v.municipality or ''}".strip()),
              status=words.status(v.status), owner=v.owner)
    console.print(f"[bold]{v.vacancy_id}[/] {head}", highlight=False)
    console.print("  " + escape(_terms(v.model_dump(), v.dutch)), highlight=False)
    if v.status == "proposed":
        console.print("  " + tr("Proposed occupations:"))
        for i, o in enumerate(v.proposal.occupations, start=1):
            console.print(f"    {i}. {escape(o.label)} ({o.score:.2f}) {o.uri}", highlight=False)
        if v.proposal.note:
            console.print("  (" + tr("Only spelling was compared: the skill vectors are not built yet.") + ")")
        console.print("  " + tr("Proposed skills (from the text, per sentence):"))
        for i, s in enumerate(v.proposal.skills, start=1):
            why = message(s.code, s.params, lang=lang, fallback=s.why)
            console.print(f"    {i}. {escape(s.label)} ({s.score:.1f}) — {escape(why)} {s.uri}", highlight=False)
        skipped = [s.index + 1 for s in v.proposal.sentences if s.boilerplate]
        if skipped:
            console.print("  " + tr("Skipped sentences (company, offer, how to apply)") + ": "
                          + ", ".join(map(str, skipped)))
        t = proposed_terms(v)
        console.print("  " + tr("Proposed terms: %(terms)s (confirm with --terms-from-text)", terms=escape(
            _terms(t, {k: t[f"dutch_{k}"] for k in SUB_SKILLS}))), highlight=False)
    else:
        console.print("  " + tr("Confirmed by %(name)s: occupations %(uris)s", name=v.confirmed_by,
                                uris=_dash(v.occupation_uris)), highlight=False)
        console.print("  " + tr("required skills %(n)s, optional %(m)s", n=len(v.essential_skills),
                                m=len(v.optional_skills)))


def vacancy_row(v) -> None:
    """One line of ``vacancy list``."""
    console.print(f"{v.vacancy_id}  ({words.status(v.status)})  {escape(v.title)} — {escape(v.employer)} "
                  f"({v.postcode}, {v.owner})", highlight=False)
