"""Browser tests: headless Debian Chromium against a live server on a demo database.

The demo database is built once per test run by :func:`service.demo.build_demo` (real ESCO
when available, else the sample taxonomy). Never downloads a browser: without
``/usr/bin/chromium`` the tests are skipped. Screenshots go to ``$WERKBRUG_SCREENSHOTS``
(e.g. ``docs/screenshots``) when set, else to a temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from foundation.db import connect
from service.app import migrate_all
from service.demo import DEMO_USERS, build_demo
from taxonomy.store import default_esco_path
from tests.live import running_server
from tests.service.world import fast_matching
from tests.shared_files import build_once

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic"]
PASSWORDS = {username: password for _role, username, password, _name in DEMO_USERS}


@pytest.fixture(scope="session")
def demo_db_file(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, built once per test run and shared by the xdist workers (read it by copying).

    On real ESCO the demo embeds every occupation label for search (most of its build time).
    Those vectors are put in its cache first, from ``occupation_vectors_file`` (embedded once
    per run, for the search tests too): ``build_demo`` then finds them cached and embeds nothing,
    and the database holds what a fresh build stores.
    """

    def build(db: Path) -> None:
        if default_esco_path(None) is not None:  # where build_demo looks for ESCO
            with contextlib.suppress(pytest.skip.Exception):
                _seed_vector_cache(db, request.getfixturevalue("occupation_vectors_file"))
        with fast_matching():
            build_demo(db)

    return build_once(tmp_path_factory, "demo.duckdb", build)


def _seed_vector_cache(db: Path, seed: Path) -> None:
    """Copy the cached label vectors of ``seed`` into a new database ``db``."""
    con = connect(db)
    migrate_all(con)
    con.execute(f"ATTACH '{seed}' AS seed (READ_ONLY)")
    con.execute("""INSERT INTO taxonomy.label_vectors (model, model_version, text, vector, created_at)
                   SELECT model, model_version, text, vector, created_at FROM seed.taxonomy.label_vectors""")
    con.execute("DETACH seed")
    con.close()


@pytest.fixture(scope="module")
def server(demo_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live server on a private copy of the demo database."""
    db = tmp_path_factory.mktemp("e2e") / "demo.duckdb"
    shutil.copy(demo_db_file, db)
    with fast_matching(), running_server(db) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go."""
    target = Path(os.environ.get("WERKBRUG_SCREENSHOTS") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target


def login(page, url: str, username: str) -> None:
    """Log in through the form, like a person."""
    page.goto(f"{url}/login")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORDS[username])
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(f"{url}/")


def shot(page, folder: Path, name: str) -> Path:
    """A screenshot of the visible part of the page (kept small for the docs)."""
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size < 300_000, f"{path} is too large for the docs"
    return path
