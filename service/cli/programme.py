"""``werkbrug employer …``, ``werkbrug report programme`` and ``werkbrug participant erase``."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from foundation.actor import Role, User
from service.cli.common import ByOption, DbOption, JsonFlag, open_db, user_errors, who

console = Console()
employer_app = typer.Typer(help="Employers (werkgevers): add, list, show.", no_args_is_help=True)


def actor(con, by: str | None) -> User:
    """The acting person: their account when ``--by`` names one, else the shell user acting as admin."""
    name = who(by)
    row = con.execute("SELECT display_name, role FROM service.users WHERE username = ? AND active",
                      [name]).fetchone()
    return User(name, row[0], Role(row[1])) if row else User(name, name, Role.admin)


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
        e = create_employer(con, actor=actor(con, by), occupation_uris=occupation or [],
                            employer={"name": name, "postcode": postcode, "kbo": kbo, "sector": sector})
    if as_json:
        _out(e.model_dump(mode="json"))
    else:
        console.print(f"{e.employer_id} {e.name} ({e.kbo or '-'})")


@employer_app.command("list")
def list_command(
    search: Annotated[str | None, typer.Option(help="Part of the name or enterprise number.")] = None,
    as_json: JsonFlag = False, db: DbOption = None, by: ByOption = None,
) -> None:
    """Employers by name."""
    from matching.employers import list_employers

    with user_errors():
        con = open_db(db)
        rows = list_employers(con, actor=actor(con, by), search=search)
    if as_json:
        for e in rows:
            _out(e.model_dump(mode="json"))
        return
    table = Table(title="Werkgevers")
    for col in ("id", "naam", "ondernemingsnummer", "postcode", "beroepen", "open vacatures", "bezorgdheden"):
        table.add_column(col)
    for e in rows:
        table.add_row(e.employer_id, e.name, e.kbo or "", e.postcode, str(len(e.occupation_uris)),
                      str(len(e.open_vacancies)), str(len(e.concerns)))
    console.print(table)


@employer_app.command("show")
def show_command(
    employer_id: Annotated[str, typer.Argument(help="Employer id (W-…).")],
    contacts: Annotated[bool, typer.Option("--contacts", help="Also show the contact persons (audited).")] = False,
    as_json: JsonFlag = False, db: DbOption = None, by: ByOption = None,
) -> None:
    """One employer: occupations, timeline, concerns (and contact persons with --contacts)."""
    from matching.employers import get_contacts, get_employer

    with user_errors():
        con = open_db(db)
        who_acts = actor(con, by)
        e = get_employer(con, actor=who_acts, employer_id=employer_id)
        people = get_contacts(con, actor=who_acts, employer_id=employer_id) if contacts else []
    if as_json:
        _out(e.model_dump(mode="json") | {"contacts": [p.model_dump() for p in people]})
        return
    console.print(f"[bold]{e.name}[/] {e.employer_id} · {e.kbo or '-'} · {e.postcode} {e.municipality or ''}")
    for uri in e.occupation_uris:
        console.print(f"  beroep: {uri}")
    for p in people:
        console.print(f"  contact: {p.name} ({p.job_role or '-'}) {p.phone or ''} {p.email or ''}")
    for ev in e.events:
        console.print(f"  {ev.happened_on} {ev.kind.value}: {ev.note or ''}")
    for c in e.concerns:
        console.print(f"  bezorgdheid {c.raised_on} {c.code.value}: {c.note or ''}")


def register(app: typer.Typer) -> None:
    """Add this area's command groups to the main app."""
    app.add_typer(employer_app, name="employer")
