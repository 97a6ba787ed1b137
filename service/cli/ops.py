"""Operations: ``werkbrug audit list|export|verify``, ``werkbrug backup``, ``werkbrug restore``.

DuckDB lets one process hold the database. When ``werkbrug serve`` holds it, the audit commands
and ``backup`` ask the running server (``--url``, and an admin's token in ``--token`` or
``$WERKBRUG_TOKEN``; see :mod:`service.cli.reading`); otherwise they open the file themselves.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from service.cli.common import ByOption, DbOption, JsonFlag, user_errors
from service.cli.progress import status, tr
from service.cli.reading import TokenOption, UrlOption, read

AUDIT_FIELDS = ("audit_id", "occurred_at", "username", "role", "action", "object_type", "object_id", "purpose",
                "detail")


def _print(data: dict, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(data, indent=1, default=str))
        return
    names = {"intact": tr("intact"), "entries": tr("entries"), "broken_entries": tr("broken_entries"),
             "problems": tr("problems"), "file": tr("file"), "created_at": tr("created_at"),
             "audit_head": tr("audit_head"), "tables": tr("tables")}
    for k, v in data.items():
        shown = (tr("True") if v else tr("False")) if isinstance(v, bool) else _problems(v) if k == "problems" else v
        typer.echo(f"{names.get(k, k)}: {shown}")


def _audit_line(row: dict) -> str:
    """One audit entry for a person: its machine words in the CLI's language, as the audit page shows them."""
    from foundation.audit import AuditEntry
    from service.cli.words import role
    from service.messages import cli_language
    from service.ui.audit_view import audit_row

    shown = audit_row(AuditEntry(**{k: row[k] for k in AUDIT_FIELDS}), lang=cli_language())
    return (f"{row['audit_id']:>6}  {row['occurred_at'][:19]}  {row['username'] or '-'} "
            f"({role(row['role']) if row['role'] else '-'})  {shown.action}  {shown.object_type} "
            f"{row['object_id'] or ''}  {shown.purpose}").rstrip()


def _problems(codes: list[str]) -> object:
    """The audit chain's problem codes in words, each with its code (the list as it is when there are none)."""
    from service.messages import cli_language, message

    return "; ".join(f"{message(c, lang=cli_language(), fallback=c)} ({c})" for c in codes) if codes else codes


def register(app: typer.Typer) -> None:
    audit_app = typer.Typer(help="The audit log: list, export, verify its keyed hash chain and head.",
                            no_args_is_help=True)

    @audit_app.command("list")
    def list_cmd(
        username: Annotated[str | None, typer.Option(help="Only entries of this account.")] = None,
        action: Annotated[str | None, typer.Option(help="Only this action, e.g. read_participant.")] = None,
        object_id: Annotated[str | None, typer.Option("--object", help="Only entries about this object id.")] = None,
        limit: Annotated[int, typer.Option(min=1, max=5000, help="How many entries, newest first.")] = 100,
        db: DbOption = None, by: ByOption = None, url: UrlOption = None, token: TokenOption = None,
        as_json: JsonFlag = False,
    ) -> None:
        """Audit entries, newest first (reading the log is itself logged; administrators only)."""
        from service.administration import audit_entries

        def local(con, actor) -> list[dict]:
            entries, _total = audit_entries(con, actor=actor, username=username, action=action,
                                            object_id=object_id, limit=limit)
            return [{**vars(e), "occurred_at": e.occurred_at.isoformat()} for e in entries]

        with user_errors():
            rows = read(db, by=by, url=url, token=token, local=local, remote=lambda server: server.get(
                "/api/admin/audit", username=username, action=action, object_id=object_id, limit=limit))
        for row in rows:
            if as_json:
                typer.echo(json.dumps({k: row[k] for k in AUDIT_FIELDS}, ensure_ascii=False))
            else:
                typer.echo(_audit_line(row))

    @audit_app.command("export")
    def export_cmd(
        username: Annotated[str | None, typer.Option(help="Only entries of this account.")] = None,
        action: Annotated[str | None, typer.Option(help="Only this action.")] = None,
        object_id: Annotated[str | None, typer.Option("--object", help="Only entries about this object id.")] = None,
        out: Annotated[Path | None, typer.Option("--out", help="CSV file (default: standard output).")] = None,
        db: DbOption = None, by: ByOption = None, url: UrlOption = None, token: TokenOption = None,
    ) -> None:
        """The audit log as CSV (the export is itself logged; administrators only)."""
        from service.administration import audit_export

        with user_errors():
            text = read(db, by=by, url=url, token=token, local=lambda con, actor: audit_export(
                con, actor=actor, username=username, action=action, object_id=object_id),
                remote=lambda server: server.text("/api/admin/audit.csv", username=username, action=action,
                                                  object_id=object_id))
        if out:
            out.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)

    @audit_app.command("verify")
    def verify_cmd(db: DbOption = None, url: UrlOption = None, token: TokenOption = None,
                   as_json: JsonFlag = False, by: ByOption = None) -> None:
        """Check every audit entry's HMAC and the signed head beside the database (exit 1 if not intact)."""
        from foundation.audit import verify

        def local(con, actor) -> dict:
            report = verify(con)
            return {"intact": report.intact, "entries": report.entries, "broken_entries": report.broken[:1000],
                    "problems": report.problems}

        with user_errors():
            result = read(db, by=by, url=url, token=token, local=local, read_only=True,
                          remote=lambda server: server.get("/api/admin/audit/verify"))
        _print(result, as_json)
        if not result["intact"]:
            raise typer.Exit(1)

    app.add_typer(audit_app, name="audit")

    @app.command("backup")
    def backup_cmd(
        out: Annotated[Path, typer.Option("--out", help="Folder for the backup.")],
        db: DbOption = None, url: UrlOption = None, token: TokenOption = None, as_json: JsonFlag = False,
        by: ByOption = None,
    ) -> None:
        """A consistent copy of the database and its audit head, taken while the server runs too."""
        from foundation.backup import backup, copy_backup

        def remote(server) -> dict:
            made = server.post("/api/admin/backup")
            return {**made, "file": str(copy_backup(made["file"], out))}

        with user_errors(), status("Copying the database…"):
            result = read(db, by=by, url=url, token=token, remote=remote,
                          local=lambda con, actor: asdict(backup(con, out_dir=out)))
        _print(result, as_json)

    @app.command("restore")
    def restore_cmd(
        backup_file: Annotated[Path, typer.Argument(help="The backup's .duckdb file.")],
        db: DbOption = None,
        key: Annotated[Path | None, typer.Option("--key", help="The audit key file, if none is beside --db.")] = None,
        force: Annotated[bool, typer.Option("--force", help="Replace an existing database.")] = False,
    ) -> None:
        """Put a backup in place (server stopped), then verify its audit log."""
        from foundation.audit import verify
        from foundation.backup import restore
        from foundation.db import connect, database_path
        from service.cli.common import open_db

        target = database_path(db)
        with user_errors():
            if target.exists():
                open_db(target).close()  # refuses while a server holds it
            with status("Restoring %(file)s and checking its audit log…", file=backup_file.name):
                restore(backup_file, db=target, key_file=key, force=force)
                con = connect(target, read_only=True)
                try:
                    report = verify(con)
                finally:
                    con.close()
        problems = "; " + _problems(report.problems) if report.problems else ""
        result = {"file": target, "n": report.entries, "problems": problems}
        typer.echo(tr("%(file)s: audit log intact (%(n)s entries%(problems)s)", **result) if report.intact
                   else tr("%(file)s: AUDIT LOG NOT INTACT (%(n)s entries%(problems)s)", **result))
        sys.stdout.flush()
        if not report.intact:
            raise typer.Exit(1)
