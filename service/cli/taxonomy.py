"""``werkbrug taxonomy …``: import ESCO, search occupations and skills."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from service.cli.common import DbOption, user_errors
from taxonomy.database import connect
from taxonomy.esco_import import discover, import_esco

app = typer.Typer(help="The ESCO taxonomy: import and search.", no_args_is_help=True)
console = Console()


@app.command("import")
def import_command(
    source: Annotated[Path, typer.Argument(help="ESCO download: folder or official zip (CSV).")],
    db: DbOption = None,
    esco_version: Annotated[
        str | None, typer.Option(help="ESCO version, if it cannot be read from the download.")
    ] = None,
) -> None:
    """Import an ESCO download (official CSV layout) into the database."""
    with user_errors():
        files, _ignored = discover(source)
        con = connect(db)
        with Progress(
            TextColumn("[progress.description]{task.description}"), BarColumn(),
            TextColumn("{task.completed}/{task.total} files"), TimeElapsedColumn(),
            console=console, transient=False,
        ) as bar:
            task = bar.add_task("Reading ESCO", total=len(files))

            def step(name: str) -> None:
                bar.update(task, advance=1, description=f"Reading {name}")

            report = import_esco(con, source, esco_version=esco_version, progress=step)
            bar.update(task, description="Imported")
        con.close()
    console.print(f"ESCO v{report.esco_version} ({', '.join(report.languages)}) from {report.source}")
    for table, n in report.counts.items():
        console.print(f"  {table:<18} {n:>8,}")
    for table, info in report.skipped.items():
        console.print(
            f"  [yellow]skipped[/] {info['rows']:,} {table} row(s) whose concept is not in "
            f"this ESCO version, e.g. {info['sample_uris'][0]}"
        )
    if report.ignored_files:
        console.print(f"  ignored (not ESCO CSV layout): {', '.join(report.ignored_files)}")
