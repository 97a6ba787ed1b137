"""Operations: ``werkbrug audit verify``, ``werkbrug backup``, ``werkbrug restore``.

DuckDB lets one process hold the database. When ``werkbrug serve`` holds it, ``audit verify``
and ``backup`` ask the running server (``--url``, and an admin's token in ``--token`` or
``$WERKBRUG_TOKEN``); otherwise they open the file themselves.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from foundation.errors import DatabaseLockedError, InputError, Problem
from service.cli.common import DbOption, JsonFlag, user_errors

UrlOption = Annotated[str | None, typer.Option("--url", envvar="WERKBRUG_URL",
                                               help="The running server, e.g. http://127.0.0.1:8000.")]
TokenOption = Annotated[str | None, typer.Option("--token", envvar="WERKBRUG_TOKEN",
                                                 help="An admin's API token (for --url).")]


def ask_server(method: str, url: str | None, token: str | None, path: str) -> dict:
    import httpx

    if not url or not token:
        raise DatabaseLockedError(
            "The database is held by the running server: give --url and an admin's --token "
            "(or $WERKBRUG_URL and $WERKBRUG_TOKEN) to ask it.", code="ops.ask_server")
    r = httpx.request(method, url.rstrip("/") + path, headers={"Authorization": f"Bearer {token}"}, timeout=600)
    if r.status_code != 200:
        raise InputError(f"The server answered {r.status_code}: {r.text[:300]}",
                         [Problem(r.text[:300], code="ops.server_refused")])
    return r.json()


def _print(data: dict, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(data, indent=1, default=str))
    else:
        for k, v in data.items():
            typer.echo(f"{k}: {v}")


def register(app: typer.Typer) -> None:
    audit_app = typer.Typer(help="The audit log: verify its keyed hash chain and head.", no_args_is_help=True)

    @audit_app.command("verify")
    def verify_cmd(db: DbOption = None, url: UrlOption = None, token: TokenOption = None,
                   as_json: JsonFlag = False) -> None:
        """Check every audit entry's HMAC and the signed head beside the database (exit 1 if not intact)."""
        from foundation.audit import verify
        from foundation.db import connect, database_path

        with user_errors():
            try:
                con = connect(database_path(db), read_only=True)
            except DatabaseLockedError:
                result = ask_server("GET", url, token, "/api/admin/audit/verify")
            else:
                try:
                    report = verify(con)
                finally:
                    con.close()
                result = {"intact": report.intact, "entries": report.entries,
                          "broken_entries": report.broken[:1000], "problems": report.problems}
        _print(result, as_json)
        if not result["intact"]:
            raise typer.Exit(1)

    app.add_typer(audit_app, name="audit")

    @app.command("backup")
    def backup_cmd(
        out: Annotated[Path, typer.Option("--out", help="Folder for the backup.")],
        db: DbOption = None, url: UrlOption = None, token: TokenOption = None, as_json: JsonFlag = False,
    ) -> None:
        """A consistent copy of the database and its audit head, taken while the server runs too."""
        from foundation.backup import backup, copy_backup
        from foundation.db import database_path
        from service.cli.common import open_db

        with user_errors():
            try:
                con = open_db(database_path(db))
            except DatabaseLockedError:
                made = ask_server("POST", url, token, "/api/admin/backup")
                result = {**made, "file": str(copy_backup(made["file"], out))}
            else:
                try:
                    result = asdict(backup(con, out_dir=out))
                finally:
                    con.close()
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

        target = database_path(db)
        with user_errors():
            if target.exists():
                connect(target).close()  # refuses while a server holds it
            restore(backup_file, db=target, key_file=key, force=force)
            con = connect(target, read_only=True)
            try:
                report = verify(con)
            finally:
                con.close()
        typer.echo(f"{target}: {'audit log intact' if report.intact else 'AUDIT LOG NOT INTACT'} "
                   f"({report.entries} entries{'; ' + ', '.join(report.problems) if report.problems else ''})")
        sys.stdout.flush()
        if not report.intact:
            raise typer.Exit(1)
