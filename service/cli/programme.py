"""``werkbrug employer …``, ``werkbrug report programme`` and ``werkbrug participant erase``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from service.cli import words
from service.cli.common import ByOption, DbOption, JsonFlag, acting_person, open_db, settings, user_errors
from service.cli.progress import status, tr
from service.cli.reading import TokenOption, UrlOption, read

console = Console()
employer_app = typer.Typer(help="Employers (werkgevers): add, list, show.", no_args_is_help=True)
report_app = typer.Typer(help="Reports for the city and the funder (counts only).", no_args_is_help=True)


def _out(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


@employer_app.command("add")
def add_command(
    name: Annotated[str, typer.Argument(help="Company name.")],
    postcode: Annotated[str, typer.Option(help="Postcode of the workplace.")],
    kbo: Annotated[str | None, typer.Option(help="Enterprise number (KBO/BCE), e.g. 0123.456.749.")] = None,
    sector: Annotated[str | None, typer.Option(help="Sector.")] = None,
    occupation: Annotated[list[str] | None, typer.Option(help="ESCO occupation URI it hires for (repeat).")] = None,
    as_json: JsonFlag = False, db: DbOption = None, by: ByOption = None,
) -> None:
    """Register an employer."""
    from matching.employers import create_employer

    with user_errors():
        con = open_db(db)
        e = create_employer(con, actor=acting_person(con, by), occupation_uris=occupation or [],
                            employer={"name": name, "postcode": postcode, "kbo": kbo, "sector": sector})
    if as_json:
        _out(e.model_dump(mode="json"))
    else:
        console.print(f"{e.employer_id} {e.name} ({e.kbo or '-'})")


@employer_app.command("list")
def list_command(
    search: Annotated[str | None, typer.Option(help="Part of the name or enterprise number.")] = None,
    as_json: JsonFlag = False, db: DbOption = None, by: ByOption = None, url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Employers by name."""
    from matching.employers import Employer, list_employers

    with user_errors():
        rows = read(db, by=by, url=url, token=token,
                    local=lambda con, actor: list_employers(con, actor=actor, search=search),
                    remote=lambda server: [Employer.model_validate(e) for e in server.get("/api/employers",
                                                                                          search=search)])
    if as_json:
        for e in rows:
            _out(e.model_dump(mode="json"))
        return
    table = Table(title=tr("Employers"))
    for col in ("id", tr("Name"), tr("Enterprise number"), tr("Postcode"), tr("Occupations"), tr("Open vacancies"),
                tr("Concerns")):
        table.add_column(col)
    for e in rows:
        table.add_row(e.employer_id, e.name, e.kbo or "", e.postcode, str(len(e.occupation_uris)),
                      str(len(e.open_vacancies)), str(len(e.concerns)))
    console.print(table)


@employer_app.command("show")
def show_command(
    employer_id: Annotated[str, typer.Argument(help="Employer id (W-…).")],
    contacts: Annotated[bool, typer.Option("--contacts", help="Also show the contact persons (audited).")] = False,
    as_json: JsonFlag = False, db: DbOption = None, by: ByOption = None, url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """One employer: occupations, timeline, concerns (and contact persons with --contacts)."""
    from matching.employers import ContactPerson, Employer, get_contacts, get_employer

    def local(con, actor):
        e = get_employer(con, actor=actor, employer_id=employer_id)
        return e, get_contacts(con, actor=actor, employer_id=employer_id) if contacts else []

    def remote(server):
        e = Employer.model_validate(server.get(f"/api/employers/{employer_id}"))
        return e, [ContactPerson.model_validate(c) for c in server.get(f"/api/employers/{employer_id}/contacts")
                   ] if contacts else []

    with user_errors():
        e, people = read(db, by=by, url=url, token=token, local=local, remote=remote)
    if as_json:
        _out(e.model_dump(mode="json") | {"contacts": [p.model_dump() for p in people]})
        return
    console.print(f"[bold]{e.name}[/] {e.employer_id} · {e.kbo or '-'} · {e.postcode} {e.municipality or ''}")
    for uri in e.occupation_uris:
        console.print(f"  {tr('Occupation (ESCO)')}: {uri}")
    for p in people:
        console.print(f"  {tr('Contact person')}: {p.name} ({p.job_role or '-'}) {p.phone or ''} {p.email or ''}")
    for ev in e.events:
        console.print(f"  {ev.happened_on} {words.event_kind(ev.kind)}: {ev.note or ''}")
    for c in e.concerns:
        console.print(f"  {tr('Concern')} {c.raised_on} {words.concern(c.code)}: {c.note or ''}")


@report_app.command("programme")
def report_command(
    period_from: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")],
    period_to: Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD).")],
    cohort: Annotated[str | None, typer.Option(help="Only this intake group (G-…).")] = None,
    output: Annotated[Path | None, typer.Option(help="Write CSV (.csv) or Excel (.xlsx) to this file.")] = None,
    db: DbOption = None, by: ByOption = None, url: UrlOption = None, token: TokenOption = None,
) -> None:
    """Registered, selected, assessed, placed and still in work at 6 and 12 months; small cells hidden."""
    from assessment.common import parse_date
    from matching import reports
    from service.i18n import translator
    from service.labels import report_sheet_names, report_titles
    from service.messages import cli_language
    from service.report_tables import report_tables

    _ = translator(cli_language())

    def local(con, actor):
        report = reports.programme_report(con, actor=actor, period_from=start, period_to=end, cohort_id=cohort)
        return report_tables(con, report, lang=cli_language())

    def remote(server):  # the server's own CSV of the same two tables, in the CLI's language
        return _tables_from_csv(server.text("/admin/programme.csv", **{
            "from": start.isoformat(), "to": end.isoformat(), "cohort": cohort, "lang": cli_language()}))

    with user_errors():
        start, end = parse_date(period_from, "--from"), parse_date(period_to, "--to")
        tables = read(db, by=by, url=url, token=token, local=local, remote=remote)
        if output is not None:
            if output.suffix.lower() == ".xlsx":
                output.write_bytes(reports.to_xlsx(tables, sheet_names=report_sheet_names(_)))
            else:
                output.write_text(reports.to_csv(tables), encoding="utf-8")
            console.print(str(output))
            return
    for title, rows in zip(report_titles(_), tables, strict=True):
        t = Table(title=f"{title} ({start} – {end})")
        for h in rows[0]:
            t.add_column(h)
        for row in rows[1:]:
            t.add_row(*row)
        console.print(t)


def _tables_from_csv(text: str) -> tuple[list[list[str]], list[list[str]]]:
    """The two report tables back from :func:`matching.reports.to_csv` (a blank row between them)."""
    import csv
    import io

    from foundation.exports import FORMULA_STARTS

    tables: list[list[list[str]]] = [[]]
    for row in csv.reader(io.StringIO(text)):
        if not row:
            tables.append([])
            continue
        tables[-1].append([c[1:] if c.startswith("'") and c[1:].startswith(FORMULA_STARTS) else c for c in row])
    return tables[0], tables[1]


def erase_command(
    participant: Annotated[str, typer.Argument(help="Participant id (P-…).")],
    reason: Annotated[str, typer.Option(help="Why (e.g. 'request of the person, art. 17'); no names.")],
    db: DbOption = None, by: ByOption = None,
) -> None:
    """Erase a participant everywhere (GDPR art. 17); counts stay, the file is rewritten."""
    from foundation.compact import database_file, rewrite
    from matching.erasure import erase_participant

    with user_errors():
        con = open_db(db)
        done = erase_participant(con, actor=acting_person(con, by), participant_id=participant, reason=reason)
        path = database_file(con)
        if path is not None:
            with status("Rewriting the database file so nothing of the erased data is left…"):
                rewrite(con, path).close()
    rows = ", ".join(f"{k} {v}" for k, v in sorted(done.rows.items()))
    console.print(tr("%(id)s is erased.", id=done.participant_id) + f" ({rows})")


def retention_command(
    apply: Annotated[bool, typer.Option("--apply", help="Erase them (without: only list them).")] = False,
    months: Annotated[int | None, typer.Option(help="Retention in months (default: setting retention_months, 24).")]
    = None,
    as_json: JsonFlag = False, db: DbOption = None, by: ByOption = None, url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Who left the programme longer ago than the retention period (a dry run unless --apply)."""
    from foundation.compact import database_file, rewrite
    from foundation.errors import InputError
    from matching.erasure import Due, RetentionConfig, due_for_erasure, erase_participant

    config = RetentionConfig(months=months) if months else RetentionConfig.from_settings(settings())

    def remote(server) -> list[Due]:
        if months:
            raise InputError("--months: the running server uses its own retention setting",
                             code="cli.retention_months_served", params={"option": "--months"})
        return [Due.model_validate(d) for d in server.get("/api/admin/retention")]

    with user_errors():
        if not apply:
            due = read(db, by=by, url=url, token=token, remote=remote,
                       local=lambda con, actor: due_for_erasure(con, actor=actor, config=config))
        else:
            con = open_db(db)
            who_acts = acting_person(con, by)
            due = due_for_erasure(con, actor=who_acts, config=config)
            for d in due:
                erase_participant(con, actor=who_acts, participant_id=d.participant_id,
                                  reason=f"retention: left {d.left_on}, kept {config.months} months")
            if due and (path := database_file(con)) is not None:
                with status("Rewriting the database file so nothing of the erased data is left…"):
                    rewrite(con, path).close()
    for d in due:
        if as_json:
            _out(d.model_dump(mode="json"))
        else:
            console.print(tr("%(id)s  left on %(date)s  (%(months)s months ago)", id=d.participant_id,
                             date=d.left_on, months=d.months_ago))
    if not as_json:
        console.print(tr("Nobody is due.") if not due else tr("%(n)s erased", n=len(due)) if apply
                      else tr("%(n)s due for erasure", n=len(due)))


def register(app: typer.Typer) -> None:
    """Add this area's command groups to the main app."""
    from service.cli.assessment import participant_app

    app.add_typer(employer_app, name="employer")
    app.add_typer(report_app, name="report")
    participant_app.command("erase")(erase_command)
    participant_app.command("retention")(retention_command)
