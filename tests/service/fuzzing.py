"""Schema-valid requests with hostile values, from the app's OpenAPI spec, over real HTTP.

Schemathesis draws each operation's request from its schema (positive mode: valid against it);
:func:`hostile` then swaps some values for ones the schema allows but the domain may not
(integers past DuckDB's INTEGER/BIGINT, dates in year 1 or 9999, empty ids, NUL bytes and
lone surrogates, unknown postcodes, CEFR levels and ESCO URIs, long lists with duplicates) or
for ids of real objects, so the deeper code runs. :class:`Fuzzer` sends them as every role and
records every 5xx and every refused write that changed a table (a partial write).

Run it exploratively (many examples, a fresh seed)::

    python -m tests.service.fuzzing --examples 200 --out /tmp/badinput/run.txt
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.live import PASSWORD, ROLES
from tests.service.hostile_values import EXTREMES, Pool, at_extremes, hostile, id_key, seed_pool

#: Tables a refused request may write to: the audit trail (denials are audited), sessions, logs.
MAY_CHANGE_ON_REFUSAL = re.compile(r"audit|session|login|log$|_log|anchor")


@dataclass(frozen=True)
class Finding:
    what: str       # "5xx" or "partial write"
    request: str
    status: int
    detail: str

    def __str__(self) -> str:
        return f"{self.what}: {self.request} -> {self.status}: {self.detail[:400]}"


def table_counts(con) -> dict[str, int]:
    """Row count of every base table (to see what a refused request wrote)."""
    names = [n for (n,) in con.execute("SELECT table_schema || '.' || table_name FROM information_schema.tables "
                                       "WHERE table_type = 'BASE TABLE' ORDER BY 1").fetchall()]
    counts = con.execute("SELECT " + ", ".join(f"(SELECT count(*) FROM {n})" for n in names)).fetchone()
    return dict(zip(names, counts, strict=True))


def tokens(base_url: str) -> dict[str, str]:
    """An API token per role."""
    out = {}
    for role in ROLES:
        r = httpx.post(f"{base_url}/api/auth/token", json={"username": role, "password": PASSWORD}, timeout=60)
        r.raise_for_status()
        out[role] = r.json()["access_token"]
    return out


SKIP = {("POST", "/api/auth/logout"), ("POST", "/api/admin/backup"), ("POST", "/api/account/password"),
        ("POST", "/api/admin/users/{username}/password"), ("PUT", "/api/admin/users/{username}/role"),
        ("POST", "/api/admin/users/{username}/active"), ("POST", "/api/participants/{participant_id}/erase")}
"""Operations that would end the sessions, lock out or erase the accounts and people the next cases use
(fuzzed each on fresh accounts and people instead: :mod:`tests.service.fuzz_guarded`)."""
UPLOADS = {("POST", "/api/assessments/import"), ("POST", "/api/vacancies/import")}
"""Fuzzed with real spreadsheets instead (:mod:`tests.service.fuzz_sheets`)."""


@dataclass
class Fuzzer:
    """Sends drawn requests as each role; ``findings`` collects 5xx and partial writes."""

    base_url: str
    con: Any                      # the server's own connection (for the table counts)
    pool: Pool
    tokens: dict[str, str]
    findings: list[Finding] = field(default_factory=list)
    sent: int = 0
    statuses: Counter = field(default_factory=Counter)
    denied: set[tuple[str, str, str]] = field(default_factory=set)  # (method, path, role) answered 403

    def operations(self, spec: dict) -> list[Any]:
        schema = schemathesis.openapi.from_dict(spec)
        ops = [r.ok() for r in schema.get_all_operations()]
        return sorted((op for op in ops if (op.method.upper(), op.path) not in SKIP | UPLOADS),
                      key=lambda op: (op.path, op.method))

    def run(self, op: Any, *, examples: int, derandomize: bool) -> None:
        strategy = op.as_strategy(GenerationMode.POSITIVE)
        tried = [0]

        @settings(max_examples=examples, derandomize=derandomize, database=None, deadline=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=strategy, pick=st.integers(0, 11), data=st.data())
        def one(case, pick, data) -> None:
            allowed = [r for r in ROLES if (op.method, op.path, r) not in self.denied] or list(ROLES)
            role = ROLES[pick % 4] if pick >= 10 else allowed[pick % len(allowed)]  # mostly roles that may
            for name, value in list((case.path_parameters or {}).items()):
                real = self.pool.ids.get(id_key(name), [])
                case.path_parameters[name] = data.draw(st.sampled_from(real) if real else st.just(value))
                if not real or data.draw(st.integers(0, 5)) == 0:
                    case.path_parameters[name] = data.draw(hostile(value, name, self.pool))
            for name, value in list((case.query or {}).items()):
                case.query[name] = data.draw(hostile(value, name, self.pool))
            if isinstance(case.body, dict | list) and case.media_type == "application/json":
                case.body = data.draw(hostile(case.body, "", self.pool))
            tried[0] += 1
            if tried[0] <= len(EXTREMES):  # the first cases: every value at an extreme (fixed, so they always run)
                at_extremes(case, op, tried[0] - 1)
            if self.send(case, role) == 403:
                self.denied.add((op.method, op.path, role))

        one()

    def run_uploads(self, *, examples: int, derandomize: bool) -> None:
        """The batch imports with real headers and broken cells, as every role that may import."""
        from tests.service.fuzz_sheets import upload_headers

        for path, roles, (headers, fixed) in upload_headers(self.pool):
            self._run_upload(path, roles, headers, fixed, examples=examples, derandomize=derandomize)

    def _run_upload(self, path: str, roles: tuple[str, ...], headers: list[str], fixed: dict[str, list[str]], *,
                    examples: int, derandomize: bool) -> None:
        from tests.service.fuzz_sheets import sheet

        if True:
            @settings(max_examples=examples, derandomize=derandomize, database=None, deadline=None,
                      phases=[Phase.generate], suppress_health_check=list(HealthCheck))
            @given(upload=sheet(headers, fixed, "batch"), role=st.sampled_from(roles))
            def one(upload, role) -> None:
                name, data, media = upload
                before = table_counts(self.con.cursor())
                r = httpx.post(f"{self.base_url}{path}", files={"file": (name, data, media)}, timeout=60,
                               headers={"Authorization": f"Bearer {self.tokens[role]}", "Accept-Language": "nl"})
                self.check(f"POST {path} as {role} file={name} {data[:300]!r}", r, before)

            one()

    def run_forms(self, app: Any, browsers: dict[str, httpx.Client], *, examples: int, derandomize: bool,
                  only: str = "") -> None:
        """Every HTML form route, with the fields its pages show, as each role (a browser session with CSRF)."""
        from tests.service.fuzz_pages import form_routes, learn_forms, page_paths, page_queries

        routes = [r for r in form_routes(app) if only in r.path]
        learn_forms(routes, browsers, page_paths(app, self.pool))
        csrf = {role: _csrf(b.get("/account").text) for role, b in browsers.items()}
        for route in routes:
            self._run_form(route, browsers, csrf, examples=examples, derandomize=derandomize)
        for path, names in page_queries(app, self.pool):
            if only in path:
                self._run_page(path, names, browsers, examples=examples, derandomize=derandomize)

    def _run_page(self, path: str, names: list[str], browsers: dict[str, httpx.Client], *, examples: int,
                  derandomize: bool) -> None:
        from tests.service.fuzz_pages import query_values

        tried = [0]

        @settings(max_examples=examples, derandomize=derandomize, database=None, deadline=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(query=query_values(names, self.pool), role=st.sampled_from(ROLES))
        def one(query, role) -> None:
            tried[0] += 1
            if tried[0] == 1:  # the first case: the page number past BIGINT
                query, role = {"page": str(10**30)}, "admin"
            r = browsers[role].get(path, params=query, headers={"Accept-Language": "nl"})
            self.check(f"PAGE GET {path} as {role} query={query!r}", r, None)

        one()

    def _run_form(self, route: Any, browsers: dict[str, httpx.Client], csrf: dict[str, str], *, examples: int,
                  derandomize: bool) -> None:
        from tests.service.fuzz_pages import form_values, path_values
        from tests.service.fuzz_sheets import sheet

        if True:
            @settings(max_examples=examples, derandomize=derandomize, database=None, deadline=None,
                      phases=[Phase.generate], suppress_health_check=list(HealthCheck))
            @given(path=path_values(route, self.pool), values=form_values(route, self.pool),
                   upload=sheet(["instrument", "version", "participant", "date", "listening"], {}, "upload"),
                   pick=st.integers(0, 11))
            def one(path, values, upload, pick) -> None:
                allowed = [r for r in ROLES if ("FORM", route.path, r) not in self.denied] or list(ROLES)
                role = ROLES[pick % 4] if pick >= 10 else allowed[pick % len(allowed)]
                before = table_counts(self.con.cursor())
                form = {**values, "csrf_token": csrf[role]}
                if route.files:  # multipart: text as UTF-8 (a lone surrogate as "?")
                    form = {k: v.encode("utf-8", "replace").decode() if isinstance(v, str) else v
                            for k, v in form.items()}
                    r = browsers[role].post(path, data=form, files={name: upload for name in route.files},
                                            headers={"Accept-Language": "nl"})
                else:  # urlencoded as a hostile client may: a lone surrogate as its bytes (%ED%A0%80)
                    body = urlencode(form, doseq=True, encoding="utf-8", errors="surrogatepass")
                    r = browsers[role].post(path, content=body, headers={
                        "Accept-Language": "nl", "Content-Type": "application/x-www-form-urlencoded"})
                if r.status_code == 403:
                    self.denied.add(("FORM", route.path, role))
                self.check(f"FORM POST {path} as {role} data={_short(values)}", r, before)

            one()

    def check(self, label: str, r: httpx.Response, before: dict[str, int] | None) -> int:
        """Record a 5xx, or a refused write that changed a table; learn ids from a 2xx."""
        self.sent += 1
        self.statuses[r.status_code] += 1
        if r.status_code >= 500:
            self.findings.append(Finding("5xx", label, r.status_code, r.text))
        elif r.status_code < 300 and "json" in r.headers.get("content-type", ""):
            self.pool.take(r.json())
        elif before is not None and r.status_code >= 400:
            after = table_counts(self.con.cursor())
            changed = {t: (before[t], n) for t, n in after.items()
                       if before.get(t) != n and not MAY_CHANGE_ON_REFUSAL.search(t)}
            if changed:
                self.findings.append(Finding("partial write", label, r.status_code, f"{changed} {r.text}"))
        return r.status_code

    def send(self, case: Any, role: str) -> int:
        write = case.method.upper() != "GET"
        before = table_counts(self.con.cursor()) if write else None
        label = f"{case.method.upper()} {case.formatted_path} as {role} query={case.query!r} body={_short(case.body)}"
        try:
            r = case.call(base_url=self.base_url, headers={"Authorization": f"Bearer {self.tokens[role]}",
                                                           "Accept-Language": "nl"}, timeout=60)
        except Exception as exc:  # a request the client could not even send is not the server's fault
            if "Connection" in type(exc).__name__:
                self.findings.append(Finding("5xx", label, 0, repr(exc)))
            return 0
        return self.check(label, r, before)


def _short(body: Any) -> str:
    text = json.dumps(body, ensure_ascii=True, default=str) if not isinstance(body, bytes) else repr(body[:80])
    return text if len(text) < 600 else text[:600] + "…"


def _csrf(html: str) -> str:
    from tests.service.web import csrf_of

    return csrf_of(html)


def main() -> None:  # pragma: no cover - the explorative run
    import tempfile

    from service.app import create_app
    from tests.live import running_server
    from tests.service.web import browser_for
    from tests.service.world import build_world, fast_matching

    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--only", default="")
    parser.add_argument("--derandomize", action="store_true")
    parser.add_argument("--start", default="", help="only the operations whose path sorts from this one on")
    parser.add_argument("--forms", action="store_true", help="the HTML form routes instead of the API")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir="/tmp/badinput") as tmp, fast_matching():
        world = build_world(Path(tmp) / "w.duckdb")
        app = create_app(world.db)
        with running_server(world.db, app=app) as url, contextlib.ExitStack() as stack:
            browsers = {role: stack.enter_context(browser_for(url, role)) for role in ROLES}
            fuzzer = Fuzzer(url, app.state.db, seed_pool(world), tokens(url))
            with args.out.open("w") as out:
                if args.forms:
                    fuzzer.run_forms(app, browsers, examples=args.examples, derandomize=False, only=args.only)
                    print(f"forms: {dict(sorted(fuzzer.statuses.items()))}", file=out)
                    for f in fuzzer.findings:
                        print("   ", f, file=out)
                    return
                for op in fuzzer.operations(app.openapi()):
                    if (args.only and args.only not in op.path) or op.path < args.start:
                        continue
                    before = len(fuzzer.findings)
                    fuzzer.statuses.clear()
                    started = time.perf_counter()
                    fuzzer.run(op, examples=args.examples, derandomize=args.derandomize)
                    print(f"{op.method.upper()} {op.path}: {len(fuzzer.findings) - before} findings "
                          f"{time.perf_counter() - started:.1f}s "
                          f"{dict(sorted(fuzzer.statuses.items()))}", file=out)
                    for f in fuzzer.findings[before:]:
                        print("   ", f, file=out)
                    out.flush()
                fuzzer.statuses.clear()
                fuzzer.run_uploads(examples=args.examples, derandomize=False)
                print(f"uploads: {dict(sorted(fuzzer.statuses.items()))}", file=out)
                for f in fuzzer.findings:
                    if "/import" in f.request:
                        print("   ", f, file=out)
                print(f"sent {fuzzer.sent}, findings {len(fuzzer.findings)}", file=out)


if __name__ == "__main__":  # pragma: no cover
    main()
