"""``werkbrug taxonomy …``: import ESCO, build the search vectors, search, local labels."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from service.cli.common import DbOption, JsonFlag, err_console, open_db, user_errors
from service.cli.progress import new_bar, status, tr
from service.cli.reading import TokenOption, UrlOption, read
from taxonomy.esco_files import discover
from taxonomy.esco_import import import_esco

app = typer.Typer(help="The ESCO taxonomy: import, index and search.", no_args_is_help=True)
label_app = typer.Typer(help="Local labels (e.g. Dutch) for ESCO occupations and skills.",
                        no_args_is_help=True)
app.add_typer(label_app, name="label")
console = Console()


@app.command("import")
def import_command(
    source: Annotated[Path, typer.Argument(help="ESCO download: folder or official zip (CSV).")],
    db: DbOption = None,
    esco_version: Annotated[
        str | None, typer.Option(help="ESCO version, if it cannot be read from the download.")
    ] = None,
    index: Annotated[
        bool, typer.Option("--index", help="Then build the search vectors (see `index`).")
    ] = False,
) -> None:
    """Import an ESCO download (official CSV layout) into the database."""
    with user_errors():
        files, _ignored = discover(source)
        con = open_db(db, migrate=False)  # a failed import leaves the file as it was
        with new_bar() as bar:
            task = bar.add_task(tr("Reading ESCO"), total=len(files))

            def step(name: str) -> None:
                bar.update(task, advance=1, description=tr("Reading %(file)s", file=name))

            report = import_esco(con, source, esco_version=esco_version, progress=step)
            bar.update(task, description=tr("ESCO imported"))
        con.close()
    console.print(tr("ESCO v%(version)s (%(languages)s) from %(source)s", version=report.esco_version,
                     languages=", ".join(report.languages), source=report.source))
    for table, n in report.counts.items():
        console.print(f"  {table:<18} {n:>8,}")
    for table, info in report.skipped.items():
        console.print("  [yellow]" + tr("skipped") + "[/] " + tr(
            "%(n)s %(table)s row(s) whose concept is not in this ESCO version, e.g. %(uri)s",
            n=f"{info['rows']:,}", table=table, uri=info["sample_uris"][0]))
    if report.ignored_files:
        console.print("  " + tr("ignored (not ESCO CSV layout): %(files)s", files=", ".join(report.ignored_files)))
    if index:
        index_command(db=db, skills=True, encoder=None)
    else:
        console.print(tr("Next: `werkbrug taxonomy index` builds the search vectors; until then searches rank by "
                         "spelling only."))


@app.command("index")
def index_command(
    db: DbOption = None,
    skills: Annotated[bool, typer.Option(
        "--skills/--no-skills",
        help="Also embed the skill labels (skill search and the vacancy text reader); --no-skills: "
             "occupation labels only.")] = True,
    encoder: Annotated[
        str | None, typer.Option(help="Only this encoder (name or local model folder); "
                                      "default: every encoder search fuses.")
    ] = None,
) -> None:
    """Build every vector a search needs (only labels not cached yet), so no search embeds."""
    from matching.vacancies.extraction import SKILL_VECTOR_ENCODERS, skill_label_kinds
    from taxonomy.encoders import get_encoder
    from taxonomy.index import ensure_vectors
    from taxonomy.search import SEARCH_ENCODERS

    with user_errors():
        by_kind = {"occupation": [encoder] if encoder else list(SEARCH_ENCODERS)}
        if skills:
            by_kind["skill"] = [encoder] if encoder else list(SKILL_VECTOR_ENCODERS)
        con = open_db(db, migrate=False)
        with status("Loading the sentence encoders…"):
            encoders = {n: get_encoder(n) for names in by_kind.values() for n in names}
        with new_bar() as bar:
            done = []
            for kind, names in by_kind.items():
                for enc in (encoders[n] for n in names):
                    task = bar.add_task(tr("occupation labels · %(encoder)s", encoder=enc.name) if kind == "occupation"
                                        else tr("skill labels · %(encoder)s", encoder=enc.name), total=0)

                    def step(n: int, total: int, task=task) -> None:
                        bar.update(task, completed=n, total=total)

                    n = ensure_vectors(con, concept_type=kind, encoder=enc, progress=False,
                                       kinds=skill_label_kinds(enc.name) if kind == "skill" else None,
                                       on_progress=step)
                    bar.update(task, total=max(n, 1), completed=max(n, 1))
                    done.append((kind, enc, n))
        if skills:
            from matching.vacancies.extraction import build_translations

            with status("Learning the Dutch → English word table from ESCO's labels…"):
                words = build_translations(con)
        con.close()
    for kind, enc, n in done:
        done_with = {"n": f"{n:,}", "encoder": enc.name, "version": enc.version}
        console.print(tr("occupation labels: %(n)s newly embedded with %(encoder)s (%(version)s)", **done_with)
                      if kind == "occupation" else
                      tr("skill labels: %(n)s newly embedded with %(encoder)s (%(version)s)", **done_with))
    if skills:
        console.print(tr("word table: %(n)s Dutch → English word pairs", n=f"{words:,}"))


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
        str | None, typer.Option(help="Fuse only this sentence encoder (name or local model folder).")
    ] = None,
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Find ESCO occupations (or skills) for a title, or for every line of a file.

    Never embeds the taxonomy: without vectors (`werkbrug taxonomy index`) it ranks by spelling.
    """
    import json
    import sys

    from foundation.errors import InputError
    from service.messages import cli_language, message
    from taxonomy.search import LEXICAL_NOTICE, Searcher

    kind = "skill" if skills else "occupation"

    def local(con, actor) -> list[tuple[str, list[dict]]]:
        searcher = Searcher.for_connection(con, kind=kind, encoder=encoder)
        return [(hits.mode, [_hit(h.uri, h.label, h.label_lang, h.score, h.matched_label) for h in hits])
                for hits in searcher.search_many(queries, lang=lang, top=top)]

    def remote(server) -> list[tuple[str, list[dict]]]:
        if encoder:
            raise InputError("--encoder: the running server searches with its own encoders",
                             code="cli.search_encoder_served", params={"option": "--encoder"})
        out = []
        for q in queries:
            r = server.request("GET", "/api/taxonomy/search", q=q, kind=kind, lang=lang, top=top)
            out.append((r.headers.get("X-Search-Mode", "lexical"),
                        [_hit(h["uri"], h["label"], h["label_lang"], h["score"], h["matched_label"])
                         for h in r.json()]))
        return out

    with user_errors():
        if (query is None) == (file is None):
            raise InputError("Give either a QUERY or --file FILE.", code="cli.query_or_file")
        if file is not None:
            try:
                text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"Cannot read {file}: {exc}", code="cli.file_unreadable",
                                 params={"file": str(file), "reason": str(exc)}) from exc
            queries = [line.strip() for line in text.splitlines() if line.strip()]
            if not queries:
                raise InputError(f"{file} holds no queries (one per line).", code="cli.no_queries",
                                 params={"file": str(file)})
        else:
            queries = [query or ""]
        with status("Searching ESCO (the first search loads the sentence encoders)…"):
            results = read(db, by=None, url=url, token=token, local=local, remote=remote, read_only=True)
    if results and results[0][0] == "lexical":
        notice = message(LEXICAL_NOTICE, lang=lang or cli_language(),
                         fallback="No sentence vectors yet: ranked by spelling only. "
                                  "Run `werkbrug taxonomy index`.")
        err_console.print(f"[yellow]{notice}[/]", highlight=False)
    for q, (mode, hits) in zip(queries, results, strict=True):
        if as_json:
            print(json.dumps({"query": q, "mode": mode, "results": hits}, ensure_ascii=False))
            continue
        console.print(f"[bold]{q}[/]")
        for i, h in enumerate(hits, 1):
            via = f"  [dim]({tr('via')} “{h['matched_label']}”)[/]" if h["matched_label"] != h["label"] else ""
            tag = " [dim][EN][/]" if h["label_lang"] != (lang or "nl") else ""
            console.print(f"  {i:>2}. {h['label']}{tag}  [cyan]{h['score']:.2f}[/]{via}  [dim]{h['uri']}[/]",
                          highlight=False)


def _hit(uri: str, label: str, label_lang: str, score: float, matched_label: str) -> dict:
    """One search hit as the CLI prints it (the score rounded as the API rounds it)."""
    return {"uri": uri, "label": label, "label_lang": label_lang, "score": round(float(score), 4),
            "matched_label": matched_label}


# -- local labels ------------------------------------------------------------------------

ByOption = Annotated[str | None, typer.Option("--by", help="Who acts (default: your login name).")]


@label_app.command("add")
def label_add(
    uri: Annotated[str, typer.Argument(help="ESCO occupation or skill URI.")],
    label: Annotated[str, typer.Argument(help="The label, e.g. 'werkinstructies uitvoeren'.")],
    db: DbOption = None,
    lang: Annotated[str, typer.Option(help="Language of the label (nl, en).")] = "nl",
    alternative: Annotated[
        bool, typer.Option("--alternative", help="Search only; do not show it instead of ESCO's label.")
    ] = False,
    note: Annotated[str | None, typer.Option(help="Why this label (for other admins).")] = None,
    by: ByOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Add a local label to an occupation or skill (shown in the UI and searched)."""
    import json

    from service.cli.common import acting_person
    from taxonomy.local_labels import add_local_label

    with user_errors():
        con = open_db(db)
        added = add_local_label(con, actor=acting_person(con, by), uri=uri, label=label, lang=lang,
                                kind="alternative" if alternative else "preferred", note=note)
        con.close()
    if as_json:
        print(json.dumps(_label_json(added), ensure_ascii=False))
    else:
        console.print(tr("local label %(id)s: %(label)s (%(lang)s, %(kind)s) for %(uri)s", id=added.label_id,
                         label=repr(added.label), lang=added.lang, kind=_kind(added.kind), uri=added.uri),
                      highlight=False)


@label_app.command("remove")
def label_remove(
    label_id: Annotated[int, typer.Argument(help="Id of the local label (see `label list`).")],
    db: DbOption = None,
    by: ByOption = None,
) -> None:
    """Remove a local label."""
    from service.cli.common import acting_person
    from taxonomy.local_labels import remove_local_label

    with user_errors():
        con = open_db(db)
        old = remove_local_label(con, actor=acting_person(con, by), label_id=label_id)
        con.close()
    console.print(tr("removed local label %(id)s: %(label)s", id=old.label_id, label=repr(old.label)),
                  highlight=False)


@label_app.command("list")
def label_list(db: DbOption = None, by: ByOption = None, as_json: JsonFlag = False, url: UrlOption = None,
               token: TokenOption = None) -> None:
    """Every local label."""
    import json

    from taxonomy.local_labels import list_local_labels

    def local(con, actor) -> list[dict]:
        return [_label_json(r) | {"esco_label_en": r.esco_label_en} for r in list_local_labels(con, actor=actor)]

    with user_errors():
        rows = read(db, by=by, url=url, token=token, local=local,
                    remote=lambda server: server.get("/api/taxonomy/labels"))
    if as_json:
        print(json.dumps([{k: r[k] for k in LABEL_FIELDS} for r in rows], ensure_ascii=False))
        return
    for r in rows:
        console.print(f"{r['label_id']:>5}  {r['label']}  [dim]({r['lang']}, {_kind(r['kind'])}; ESCO: "
                      f"{r['esco_label_en']}; {r['created_by']})  {r['uri']}[/]", highlight=False)


@label_app.command("export")
def label_export(
    db: DbOption = None, by: ByOption = None, url: UrlOption = None, token: TokenOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="CSV file (default: standard output).")] = None,
) -> None:
    """The local labels as CSV."""
    import sys

    from taxonomy.local_labels import export_local_labels

    with user_errors():
        text = read(db, by=by, url=url, token=token,
                    local=lambda con, actor: export_local_labels(con, actor=actor),
                    remote=lambda server: server.text("/api/taxonomy/labels.csv"))
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _kind(kind: str) -> str:
    return tr("Shown and searched") if kind == "preferred" else tr("Searched only") if kind == "alternative" else kind


LABEL_FIELDS = ("label_id", "uri", "concept_type", "lang", "kind", "label", "created_by", "created_at", "note")


def _label_json(r) -> dict:
    return {"label_id": r.label_id, "uri": r.uri, "concept_type": r.concept_type, "lang": r.lang,
            "kind": r.kind, "label": r.label, "created_by": r.created_by,
            "created_at": r.created_at.isoformat(), "note": r.note}
