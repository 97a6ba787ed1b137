"""Progress of long CLI jobs, always on standard error so standard output stays parseable.

:func:`bar` is a rich progress bar (counted steps, elapsed time), :func:`status` a spinner for
work that cannot be counted. Texts are English msgids, shown in the CLI's language.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from service.cli.common import err_console


def tr(text: str, **params: object) -> str:
    """``text`` in the CLI's language, ``%(name)s`` filled from ``params``."""
    from service.i18n import translator
    from service.messages import cli_language

    out = translator(cli_language())(text)
    return out % params if params else out


@contextlib.contextmanager
def status(text: str, **params: object) -> Iterator[Callable[[str], None]]:
    """A spinner with ``text`` until the block ends; yields ``say(text)`` to change what it shows."""
    with err_console.status(tr(text, **params)) as spinner:
        yield lambda new: spinner.update(tr(new))


def new_bar() -> Progress:
    """A progress bar on standard error: description, bar, done/total, elapsed time."""
    return Progress(TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err_console)


@contextlib.contextmanager
def bar(text: str, total: int | None = None, **params: object) -> Iterator[Callable[[int, int | None], None]]:
    """One counted task; yields ``step(done, total=None)`` to report how far it is."""
    with new_bar() as progress:
        task = progress.add_task(tr(text, **params), total=total)

        def step(done: int, new_total: int | None = None) -> None:
            progress.update(task, completed=done, **({"total": new_total} if new_total is not None else {}))

        yield step
