"""The one rule for cells that leave werkbrug in CSV or Excel files: no formula injection.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, after a tab or
carriage return, what follows) as a formula: ``=HYPERLINK("http://…")`` typed as a username
at the login form would become a link in the audit export. Every export passes its text cells
through :func:`safe_cell`, which puts an apostrophe in front (shown as text, never run).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet shows it as text: ``'=1+1`` for ``=1+1``; non-text values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: Iterable[Iterable[Any]], *, delimiter: str = ",") -> str:
    """Rows as CSV text, every cell through :func:`safe_cell`."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerows([safe_cell("" if c is None else c) for c in row] for row in rows)
    return out.getvalue()
