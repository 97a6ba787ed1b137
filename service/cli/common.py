"""Helpers shared by the CLI command groups: database option, error reporting."""

from __future__ import annotations

import contextlib
import getpass
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.console import Console
from rich.text import Text

from foundation.actor import Role, User, find_user
from foundation.errors import (
    ConflictError,
    DatabaseLockedError,
    ForbiddenError,
    InputError,
    NotFoundError,
    WerkbrugError,
)
from foundation.settings import Settings, load_settings

err_console = Console(stderr=True)

ByOption = Annotated[str | None, typer.Option("--by", help="Who acts (default: your login name).")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def who(by: str | None) -> str:
    """The acting person: ``--by``, else the login name of the shell."""
    if by:
        return by
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "cli"


def current_context():
    """The running command's context (newer typer versions carry their own copy of click), or ``None``."""
    try:
        from typer._click.globals import get_current_context
    except ImportError:  # typer on the click package
        get_current_context = click.get_current_context
    return get_current_context(silent=True)


def settings() -> Settings:
    """The settings the ``werkbrug`` command built once at start-up (see :mod:`service.cli`)."""
    ctx = current_context()
    root = ctx.find_root() if ctx is not None else None
    if root is None:
        return load_settings()
    if not isinstance(root.obj, Settings):   # a sub-app run on its own (tests)
        root.obj = load_settings()
    return root.obj


def matching_config():
    """The matching configuration of these settings."""
    from matching.config import MatchingConfig

    return MatchingConfig.from_settings(settings())


def label_language(as_json: bool) -> str:
    """The language of the ESCO labels a command prints: the CLI's, or Dutch for ``--json`` (as it always was,
    so local and remote JSON stay the same)."""
    from service.messages import cli_language

    return "nl" if as_json else cli_language()


def db_file(db: Path | None) -> Path:
    """``--db``, else the configured database file."""
    return db or settings().db


def acting_person(con, by: str | None) -> User:
    """Who acts, for the service layer's checks and the audit log.

    ``--by`` (else the shell's login name) names an account: its role's rules apply, exactly
    as in the web app (a coach reaches only their caseload). A name without an account is an
    operator working on the database file directly, who acts as an administrator; the audit
    log names them.
    """
    name = who(by)
    return find_user(con, username=name) or User(name, name, Role.admin)


def connect_file(path: Path, *, read_only: bool = False, migrate: bool = True):
    """Open ``path`` (schemas created or upgraded when ``migrate``, never ``read_only``); a server holding it raises
    :class:`DatabaseLockedError` as it is (the read commands then ask the server, see :mod:`service.cli.reading`)."""
    from foundation.db import connect
    from service.app import migrate_all

    if read_only and path.exists():
        return connect(path, read_only=True)
    con = connect(path)
    if migrate:
        migrate_all(con)
    return con


def open_db(db: Path | None, *, migrate: bool = True):
    """Open the database file for a command that changes data (schemas created or upgraded unless not ``migrate``).

    While ``werkbrug serve`` holds the file this refuses at once, naming the command and what to
    do instead: stop the server, or make the change in the web app or through the JSON API.
    """
    try:
        return connect_file(db_file(db), migrate=migrate)
    except DatabaseLockedError as exc:
        ctx = current_context()
        command = ctx.command_path if ctx is not None else "werkbrug"
        raise DatabaseLockedError(
            f"`{command}` changes the database, but it is in use by another werkbrug process (probably `werkbrug "
            "serve`). Stop the server first, or make this change in the web app or through the JSON API (/docs).",
            code="cli.write_while_serving", params={"command": command, "db": str(db_file(db))}) from exc

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="DuckDB database file (default: setting db, $WERKBRUG_DB, or ./werkbrug.duckdb)."),
]

EXIT_CODES: dict[type[WerkbrugError], int] = {
    InputError: 2,
    NotFoundError: 3,
    ConflictError: 4,
    DatabaseLockedError: 5,
    ForbiddenError: 6,
}


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn werkbrug errors into a readable message and a non-zero exit code."""
    try:
        yield
    except WerkbrugError as exc:
        from service.messages import cli_language, error_report

        lang = cli_language()
        from service.cli.progress import tr

        label = tr("Error")
        # No wrapping (a message is one line to read and to grep); no markup from user input.
        err_console.print(f"[bold red]{label}:[/]", Text(error_report(exc, lang=lang)), highlight=False,
                          soft_wrap=True)
        code = next((c for t, c in EXIT_CODES.items() if isinstance(exc, t)), 1)
        sys.stderr.flush()
        raise typer.Exit(code) from exc
