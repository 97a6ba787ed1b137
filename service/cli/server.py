"""``werkbrug serve``, ``werkbrug demo`` and ``werkbrug user …``: run the web app, manage accounts."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from foundation.db import connect
from foundation.settings import Settings
from service.cli import words
from service.cli.common import ByOption, DbOption, db_file, open_db, settings, user_errors
from service.cli.progress import status, tr
from service.cli.reading import TokenOption, UrlOption, read

console = Console()
user_app = typer.Typer(help="Accounts: add, list, switch off.", no_args_is_help=True)

HostOption = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOption = Annotated[int, typer.Option("--port", help="Port to listen on.")]


def _check_free(db: Path) -> None:
    """Fail fast, with a clear message, when another process holds the database."""
    con = connect(db)
    con.close()


def serve_app(db: Path, *, host: str, port: int, config: Settings, demo: bool = False) -> None:
    """Run the app with uvicorn: one process (DuckDB allows one writer), threads per request."""
    import uvicorn

    from service.app import create_app

    # X-Forwarded-For is read by service.auth.client_address, from configured trusted proxies only.
    uvicorn.run(create_app(db, demo=demo, settings=config), host=host, port=port, workers=1, log_level="info",
                proxy_headers=False)


def register(app: typer.Typer) -> None:
    """Add ``serve``, ``demo`` and the ``user`` group to the main app."""

    @app.command("serve")
    def serve(db: DbOption = None, host: HostOption = "127.0.0.1", port: PortOption = 8000) -> None:
        """Serve the web app and JSON API on one database file."""
        path = db_file(db)
        with user_errors():
            _check_free(path)
        console.print(tr("werkbrug on %(url)s (database %(db)s); API documentation at /docs",
                         url=f"http://{host}:{port}/", db=path))
        serve_app(path, host=host, port=port, config=settings().model_copy(update={"db": path}))

    @app.command("demo")
    def demo(
        esco: Annotated[
            Path | None, typer.Argument(help="ESCO download to use (default: $WERKBRUG_ESCO, else ../shared/esco).")
        ] = None,
        db: Annotated[Path, typer.Option("--db", help="Demo database file (kept between runs).")] = Path(
            "werkbrug-demo.duckdb"
        ),
        sample: Annotated[bool, typer.Option("--sample", help="Use the small embedded taxonomy, not ESCO.")] = False,
        host: HostOption = "127.0.0.1",
        port: PortOption = 8000,
        no_serve: Annotated[bool, typer.Option("--no-serve", help="Only build the database.")] = False,
    ) -> None:
        """Build a demo database with invented participants and vacancies, then serve it."""
        from service.demo import build_demo, demo_settings

        config = demo_settings(settings(), db=db, esco=esco)
        with user_errors(), status("Building the demo database…") as say:
            info = build_demo(db, esco=config.esco, sample=sample, progress=say)
        console.print(tr("Demo database %(db)s (%(taxonomy)s) ready in %(seconds)s s.", db=db,
                         taxonomy=info.taxonomy, seconds=f"{info.seconds:.1f}"))
        console.print(tr("Open %(url)s and log in as one of:", url=f"http://{host}:{port}/"))
        for role, username, password in info.logins:
            console.print(f"  {words.role(role):<22} {username:<18} {password}")
        from service.ui import ESCO_ATTRIBUTION_EN

        attribution = tr("This service uses the ESCO classification of the European Commission.")
        console.print(attribution)
        if attribution != ESCO_ATTRIBUTION_EN:  # the original English too, as the web pages show it
            console.print(ESCO_ATTRIBUTION_EN)
        if not no_serve:
            serve_app(db, host=host, port=port, config=config, demo=True)

    @user_app.command("add")
    def user_add(
        username: Annotated[str, typer.Argument(help="Login name.")],
        role: Annotated[str, typer.Option("--role", help="assessor, coach, liaison or admin.")],
        db: DbOption = None,
        display_name: Annotated[str | None, typer.Option("--name", help="Name shown on screen.")] = None,
        password: Annotated[
            str | None, typer.Option("--password", help="Password (asked for when left out).")
        ] = None,
    ) -> None:
        """Create an account (the password is stored only as an argon2 hash)."""
        from service.users import create_user

        if password is None:
            password = getpass.getpass(tr("Password") + ": ")
            if getpass.getpass(tr("Password (again)") + ": ") != password:
                console.print(f"[red]{tr('The passwords differ.')}[/]")
                raise typer.Exit(2)
        with user_errors():
            con = open_db(db)
            user = create_user(con, username=username, password=password, role=role, display_name=display_name)
            con.close()
        console.print(tr("Account %(user)s created (%(role)s).", user=user.username, role=user.role.value))

    @user_app.command("list")
    def user_list(db: DbOption = None, by: ByOption = None, url: UrlOption = None,
                  token: TokenOption = None) -> None:
        """List the accounts."""
        from service.auth import list_users

        def local(con, actor) -> list[dict]:
            return [{k: u[k] for k in ("username", "role", "display_name", "active")} for u in list_users(con)]

        with user_errors():
            users = read(db, by=by, url=url, token=token, local=local,
                         remote=lambda server: server.get("/api/admin/users"))
        for u in users:
            state = "" if u["active"] else f"  ({tr('switched off')})"
            console.print(f"{u['username']:<20} {u['role']:<9} {u['display_name']}{state}")

    app.add_typer(user_app, name="user")
