"""The ``werkbrug`` command line: one sub-command group per domain.

Its help and usage errors follow the CLI's language like everything it prints (:mod:`service.cli.help_language`).
"""

from __future__ import annotations

import typer

from service.cli import assessment, help_language, matching, ops, programme, server, taxonomy

app = typer.Typer(
    name="werkbrug",
    help="werkbrug: competence assessment and job matching on ESCO.\n\n"
    "This service uses the ESCO classification of the European Commission.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _start(ctx: typer.Context) -> None:
    """Build the settings once, from the environment; commands read them with ``common.settings()``."""
    from pydantic import ValidationError

    from foundation.settings import load_settings, start
    from service.cli.common import err_console

    try:
        ctx.obj = start(load_settings())
    except ValidationError as exc:
        from foundation.errors import validation_problems
        from service.cli.progress import tr
        from service.messages import cli_language, message

        for p in validation_problems(exc):
            text = message(p.code, p.params, lang=cli_language(), fallback=p.message)
            err_console.print(f"[bold red]{tr('Setting %(name)s:', name=p.column)}[/] {text}", highlight=False)
        raise typer.Exit(2) from None


app.add_typer(taxonomy.app, name="taxonomy")
assessment.register(app)
matching.register(app)
server.register(app)
programme.register(app)
ops.register(app)
help_language.install()


def main() -> None:
    """The ``werkbrug`` console script (its help is in the CLI's language: installed at import, above)."""
    app(prog_name="werkbrug")
