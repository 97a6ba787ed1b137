"""``werkbrug taxonomy …``: import ESCO, search occupations and skills."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from foundation.db import connect
from service.cli.common import DbOption, db_file, user_errors
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
        con = connect(db_file(db))
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


@app.command("search")
def search_command(
    query: Annotated[str | None, typer.Argument(help="Job title or skill to look up.")] = None,
    db: DbOption = None,
    skills: Annotated[bool, typer.Option("--skills", help="Search skills instead of occupations.")] = False,
    lang: Annotated[
        str | None, typer.Option(help="Language of the query and of the labels shown (nl, en).")
    ] = None,
    top: Annotated[int, typer.Option(min=1, max=100, help="Number of results per query.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output (one line per query).")] = False,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Batch mode: one query per line ('-' for stdin)."),
    ] = None,
    encoder: Annotated[
        str | None, typer.Option(help="Sentence encoder name or local model folder.")
    ] = None,
) -> None:
    """Find ESCO occupations (or skills) for a title, or for every line of a file."""
    import json
    import sys

    from foundation.errors import InputError
    from taxonomy.search import Searcher

    with user_errors():
        if (query is None) == (file is None):
            raise InputError("Give either a QUERY or --file FILE.")
        if file is not None:
            try:
                text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"Cannot read {file}: {exc}") from exc
            queries = [line.strip() for line in text.splitlines() if line.strip()]
            if not queries:
                raise InputError(f"{file} holds no queries (one per line).")
        else:
            queries = [query or ""]
        con = connect(db_file(db))  # writable: label vectors missing from the cache are stored once
        searcher = Searcher.for_connection(
            con, kind="skill" if skills else "occupation", encoder=encoder, progress=True)
        results = searcher.search_many(queries, lang=lang, top=top)
        con.close()
    for q, hits in zip(queries, results, strict=True):
        if as_json:
            print(json.dumps({"query": q, "results": [
                {"uri": h.uri, "label": h.label, "score": h.score, "matched_label": h.matched_label}
                for h in hits]}, ensure_ascii=False))
            continue
        console.print(f"[bold]{q}[/]")
        for i, h in enumerate(hits, 1):
            via = f"  [dim](via “{h.matched_label}”)[/]" if h.matched_label != h.label else ""
            console.print(f"  {i:>2}. {h.label}  [cyan]{h.score:.2f}[/]{via}  [dim]{h.uri}[/]",
                          highlight=False)


@app.command("index")
def index_command(
    db: DbOption = None,
    skills: Annotated[bool, typer.Option("--skills", help="Also embed every skill label.")] = False,
    encoder: Annotated[
        str | None, typer.Option(help="Sentence encoder name or local model folder.")
    ] = None,
) -> None:
    """Embed the occupation (and skill) labels not cached yet, so search starts at once."""
    from taxonomy.encoders import get_encoder
    from taxonomy.index import ensure_vectors

    with user_errors():
        enc = get_encoder(encoder)
        con = connect(db_file(db))
        for kind in ("occupation", "skill") if skills else ("occupation",):
            n = ensure_vectors(con, concept_type=kind, encoder=enc, progress=True)
            console.print(f"{kind} labels: {n:,} newly embedded with {enc.name} ({enc.version})")
        con.close()
