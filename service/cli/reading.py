"""Read commands that keep working while ``werkbrug serve`` holds the database.

DuckDB lets no other process open a file that a process holds for writing, not even
read-only. :func:`read` opens the database; when the running server holds it, it asks the
server over its JSON API instead, with a bearer token of the acting account (``--by``): the
server applies that account's rules and audits the read as it audits every read. A command
gives two small functions with the same result: ``local(con, actor)`` calls the domain
service functions, ``remote(server)`` calls the matching API routes; the command renders
the result the same way whichever answered.

Audited reads write their audit entry, so ``local`` runs on an ordinary connection (opened
with the schema migrated, like every command); reads that audit nothing (search, the audit
chain check) pass ``read_only=True``. Commands that change data refuse while the server runs
(:func:`service.cli.common.open_db`).
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar

import duckdb
import typer

from foundation.actor import Role, User
from foundation.errors import (
    ConflictError,
    DatabaseLockedError,
    ForbiddenError,
    InputError,
    NotFoundError,
    Problem,
    WerkbrugError,
)
from service.cli.common import acting_person, connect_file, db_file, who

T = TypeVar("T")
DEFAULT_URL = "http://127.0.0.1:8000"

UrlOption = Annotated[str | None, typer.Option(
    "--url", envvar="WERKBRUG_URL",
    help="The running server, asked while it holds the database (default: http://127.0.0.1:8000).")]
TokenOption = Annotated[str | None, typer.Option(
    "--token", envvar="WERKBRUG_TOKEN",
    help="Your API token (POST /api/auth/token) for the running server; asked as a password when left out.")]

ERRORS: dict[int, type[WerkbrugError]] = {
    403: ForbiddenError, 404: NotFoundError, 409: ConflictError, 422: InputError, 503: DatabaseLockedError}
LOCATION = ("file", "sheet", "row", "line", "column")


@dataclass
class Server:
    """The running werkbrug server, asked as one account (bearer token)."""

    url: str
    token: str
    lang: str
    username: str = ""
    _client: Any = field(default=None, repr=False)

    def _send(self, method: str, path: str, *, params: dict | None = None, json: Any = None):
        import httpx

        if self._client is None:
            self._client = httpx.Client(base_url=self.url.rstrip("/"), timeout=600, headers={
                "Authorization": f"Bearer {self.token}", "Accept-Language": self.lang})
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            r = self._client.request(method, path, params=clean, json=json)
        except httpx.HTTPError as exc:
            raise DatabaseLockedError(
                f"The database is held by another process and no werkbrug server answers at {self.url}",
                code="cli.server_unreachable", params={"url": self.url, "reason": str(exc)}) from exc
        if r.status_code >= 400:
            raise server_error(r)
        return r

    def request(self, method: str, path: str, **params: Any):
        """The answer of ``method path`` (an error answer raises the matching typed error)."""
        return self._send(method, path, params=params)

    def get(self, path: str, **params: Any) -> Any:
        """The JSON answer of ``GET path`` (``None`` parameters left out)."""
        return self._send("GET", path, params=params).json()

    def text(self, path: str, **params: Any) -> str:
        """The text answer of ``GET path`` (CSV exports)."""
        return self._send("GET", path, params=params).text

    def post(self, path: str, json: Any = None, **params: Any) -> Any:
        """The JSON answer of ``POST path``."""
        return self._send("POST", path, params=params, json=json).json()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def server_error(response) -> WerkbrugError:
    """The server's error answer as the same typed error the service layer raises (same text, same exit code)."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    detail = body.get("detail")
    if not isinstance(detail, str):  # not a JSON error (a page route answered): its status only
        body = {"code": "cli.server_refused", "params": {"status": response.status_code}}
        detail = f"The server refused the request ({response.status_code})"
    problems = [Problem(p.get("message", ""), code=p.get("code"), params=p.get("params") or {},
                        **{k: p[k] for k in LOCATION if k in p})
                for p in body.get("problems") or [] if isinstance(p, dict)]
    kind = ERRORS.get(response.status_code)
    if response.status_code == 401:
        return ForbiddenError("The server did not accept the token (log in again)", code="cli.token_refused")
    if kind is None:
        return WerkbrugError(f"The server answered {response.status_code}: {detail}",
                             code="cli.server_failed", params={"status": response.status_code, "detail": detail})
    return kind(detail, problems, code=body.get("code"), params=body.get("params") or {})


def connect_server(*, url: str | None, token: str | None, by: str | None) -> Server:
    """The running server, asked as ``--by`` (with ``token``, else a token for the password asked now)."""
    from service.messages import cli_language

    base = url or DEFAULT_URL
    server = Server(base, token or "", cli_language())
    if not token:
        server.token = _login(server, who(by))
    me = server.get("/api/auth/me")
    server.username = me["username"]
    if by and by != server.username:
        raise InputError(f"The token belongs to {server.username}, not to --by {by}",
                         code="cli.token_not_by", params={"owner": server.username, "by": by})
    return server


def _login(server: Server, username: str) -> str:
    if not sys.stdin.isatty():
        raise DatabaseLockedError(
            "The database is in use by another werkbrug process (probably `werkbrug serve`). To ask the server, "
            "give your API token with --token or $WERKBRUG_TOKEN, and its address with --url unless it is "
            f"{DEFAULT_URL}.", code="cli.token_needed", params={"url": DEFAULT_URL})
    from service.i18n import translator

    _ = translator(server.lang)
    password = getpass.getpass(_("Password of %(user)s on %(url)s: ") % {"user": username, "url": server.url})
    anonymous = Server(server.url, "", server.lang)
    try:
        return anonymous.post("/api/auth/token", json={"username": username, "password": password})["access_token"]
    finally:
        anonymous.close()


def read(
    db: Path | None, *, by: str | None, url: str | None, token: str | None,
    local: Callable[[Any, User], T], remote: Callable[[Server], T], read_only: bool = False,
) -> T:
    """``local(con, actor)`` on the database file, or ``remote(server)`` while the server holds it."""
    try:
        con = connect_file(db_file(db), read_only=read_only)
    except DatabaseLockedError:
        server = connect_server(url=url, token=token, by=by)
        try:
            return remote(server)
        finally:
            server.close()
    try:
        try:
            actor = acting_person(con, by)
        except duckdb.CatalogException:  # a file holding only a taxonomy, no accounts yet: the operator
            actor = User(who(by), who(by), Role.admin)
        return local(con, actor)
    finally:
        con.close()
