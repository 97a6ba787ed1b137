"""CLI commands for matching."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this domain's command groups to the main app."""
