"""Helpers for driving the HTML pages over HTTP like a browser: log in with the form, post with CSRF."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import httpx

from tests.live import PASSWORD

_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token in a page's forms."""
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def form_login(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    page = client.get("/login")
    return client.post(
        "/login", data={"username": username, "password": password, "next": "/", "csrf_token": csrf_of(page.text)}
    )


@contextlib.contextmanager
def browser_for(base_url: str, role: str | None, *, password: str = PASSWORD) -> Iterator[httpx.Client]:
    """A cookie-keeping client logged in through the login form (anonymous for ``None``)."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        if role is not None:
            r = form_login(client, role, password)
            assert r.status_code == 303, r.text
        yield client


def post_form(client: httpx.Client, page_url: str, action: str, data: dict, files=None) -> httpx.Response:
    """Open ``page_url``, then post ``data`` (plus its CSRF token) to ``action``."""
    token = csrf_of(client.get(page_url).text)
    return client.post(action, data={**data, "csrf_token": token}, files=files)
