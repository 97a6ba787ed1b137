"""Helpers shared by the CLI command groups: database option, error reporting."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from taxonomy.errors import (
    ConflictError,
    DatabaseLockedError,
    InputError,
    NotFoundError,
    WerkbrugError,
)

err_console = Console(stderr=True)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="DuckDB database file (default: $WERKBRUG_DB or ./werkbrug.duckdb)."),
]

EXIT_CODES: dict[type[WerkbrugError], int] = {
    InputError: 2,
    NotFoundError: 3,
    ConflictError: 4,
    DatabaseLockedError: 5,
}


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn werkbrug errors into a readable message and a non-zero exit code."""
    try:
        yield
    except WerkbrugError as exc:
        err_console.print(f"[bold red]Error:[/] {exc}", highlight=False, markup=True)
        code = next((c for t, c in EXIT_CODES.items() if isinstance(exc, t)), 1)
        sys.stderr.flush()
        raise typer.Exit(code) from exc
