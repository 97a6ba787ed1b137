"""The ``werkbrug`` command line: one sub-command group per domain."""

from __future__ import annotations

import typer

from service.cli import assessment, matching, ops, programme, server, taxonomy

app = typer.Typer(
    name="werkbrug",
    help="werkbrug: competence assessment and job matching on ESCO.\n\n"
    "This service uses the ESCO classification of the European Commission.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(taxonomy.app, name="taxonomy")
assessment.register(app)
matching.register(app)
server.register(app)
programme.register(app)
ops.register(app)
