"""A real werkbrug server on a free loopback port, for HTTP and browser tests."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from foundation.db import connect
from foundation.settings import Settings
from service.app import create_app, migrate_all
from service.users import create_user

PASSWORD = "correct horse battery"
ROLES = ("assessor", "coach", "liaison", "admin")


def add_role_users(db: Path) -> None:
    """One user per role, named after the role, password ``PASSWORD``."""
    con = connect(db)
    migrate_all(con)
    for role in ROLES:
        if not con.execute("SELECT 1 FROM service.users WHERE username = ?", [role]).fetchone():
            create_user(con, username=role, password=PASSWORD, role=role)
    con.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(db: Path, *, demo: bool = False, settings: Settings | None = None,
                   app: FastAPI | None = None) -> Iterator[str]:
    """Serve ``db`` with uvicorn in a thread (settings from the environment unless given, or ``app`` as built);
    yields the base URL."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app or create_app(db, demo=demo, settings=settings), host="127.0.0.1", port=port,
                       log_level="warning", proxy_headers=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def client_for(base_url: str, role: str | None) -> Iterator[httpx.Client]:
    """An HTTP client logged in as the user of ``role`` (anonymous for ``None``)."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        if role is not None:
            r = client.post("/api/auth/token", json={"username": role, "password": PASSWORD})
            r.raise_for_status()
            client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        yield client


@contextlib.contextmanager
def served_process(db: Path, *, env: dict[str, str] | None = None) -> Iterator[str]:
    """``werkbrug serve`` on ``db`` as its own process (it holds the file, as in production); yields the URL."""
    import os
    import subprocess
    import sys

    port = _free_port()
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen(
        [sys.executable, "-c", "from service.cli import app; app()", "serve", "--db", str(db), "--port", str(port)],
        env={**os.environ, "PYTHONPATH": str(root), **(env or {})},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"werkbrug serve stopped: {proc.stderr.read()[-2000:]}")
            try:
                if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("werkbrug serve did not start")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
