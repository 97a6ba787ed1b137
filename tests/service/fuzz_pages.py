"""The HTML form routes (left out of the OpenAPI spec): their fields read from the pages' own forms.

Every ``POST`` route of ``app.routes`` outside ``/api`` is found; its fields are those of the
forms on the pages (``GET`` routes filled with real ids, as each role) whose ``action`` it
serves, plus its declared ``Form`` parameters. :func:`form_values` fills them with what the page
offers (select options, default values), real ids or hostile text, and the browser's CSRF token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import httpx
from fastapi.routing import iter_route_contexts
from hypothesis import strategies as st

from tests.service.hostile_values import HOSTILE_STRINGS, Pool, id_key

SKIP_FORMS = {"/login", "/logout", "/account/password", "/admin/users/{username}/password",
              "/admin/users/{username}/role", "/admin/users/{username}/active", "/admin/erasure"}
"""Forms that would end the sessions or lock out or erase the accounts and people the next cases use
(fuzzed each on fresh accounts and people instead: :mod:`tests.service.fuzz_guarded`)."""


@dataclass
class Route:
    path: str                                   # "/coach/steps/{step_id}"
    fields: dict[str, list[str]] = field(default_factory=dict)  # name → values the pages offer
    files: set[str] = field(default_factory=set)
    page: str = ""                              # a page that shows this form (for the CSRF token)

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(self.path)) + "$")


class _Forms(HTMLParser):
    """(action, {field: [values]}, file fields) of every form on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]], set[str]]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((a.get("action", ""), {}, set()))
        elif not self.forms:
            return
        elif tag in ("input", "textarea", "select", "button") and a.get("name"):
            _, fields, files = self.forms[-1]
            if a.get("type") == "file":
                files.add(a["name"])
                return
            fields.setdefault(a["name"], [])
            if "value" in a:
                fields[a["name"]].append(a["value"])
            self._select = a["name"] if tag == "select" else None
        elif tag == "option" and self._select:
            self.forms[-1][1][self._select].append(a.get("value", ""))


def form_routes(app: Any) -> list[Route]:
    """Every form route of the app outside the JSON API, with its declared ``Form`` fields."""
    routes = {}
    for ctx in iter_route_contexts(app.routes):
        if "POST" in (ctx.methods or ()) and not ctx.path.startswith("/api") and ctx.path not in SKIP_FORMS:
            dependant = getattr(ctx.original_route, "dependant", None)
            fields = {p.name: [] for p in (dependant.body_params if dependant else [])}
            routes[ctx.path] = Route(ctx.path, {k: v for k, v in fields.items() if k != "file"},
                                     {"file"} if "file" in fields else set())
    return sorted(routes.values(), key=lambda r: r.path)


def page_paths(app: Any, pool: Pool) -> list[str]:
    """Every HTML page, its path parameters filled with a real id."""
    out = []
    for ctx in iter_route_contexts(app.routes):
        if "GET" not in (ctx.methods or ()) or ctx.path.startswith(("/api", "/static", "/swagger", "/docs")):
            continue
        path, ok = ctx.path, True
        for name in re.findall(r"\{([^}:]+)[^}]*\}", ctx.path):
            real = pool.ids.get(id_key(name), [])
            ok = ok and bool(real)
            path = re.sub(r"\{" + name + r"[^}]*\}", real[0] if real else "x", path)
        if ok and not path.endswith((".csv", ".xlsx", ".pdf", "/logout")):
            out.append(path)
    return sorted(set(out))


def page_queries(app: Any, pool: Pool) -> list[tuple[str, list[str]]]:
    """(page path filled with real ids, its declared query parameters) of every page that takes some."""
    declared = {}
    for ctx in iter_route_contexts(app.routes):
        dependant = getattr(ctx.original_route, "dependant", None)
        if "GET" in (ctx.methods or ()) and dependant is not None:
            declared[ctx.path] = [q.name for q in dependant.query_params]
    out = []
    for path in page_paths(app, pool):
        for template, names in declared.items():
            if names and Route(template).pattern.match(path):
                out.append((path, sorted(set(names) | {"lang"})))
    return out


def query_values(names: list[str], pool: Pool) -> st.SearchStrategy[dict[str, str]]:
    """Hostile or real values for some of ``names`` (numbers past BIGINT for pages and limits)."""
    numbers = ["0", "-1", "1", str(2**63), str(10**30), "1e3", "NaN", "", "\x00"]
    text = [s for s in HOSTILE_STRINGS if s == s.encode("utf-8", "ignore").decode()]  # a URL holds no surrogate
    return st.fixed_dictionaries({}, optional={
        n: st.sampled_from(numbers + text + pool.ids.get(id_key(n), [])) for n in names})


def learn_forms(routes: list[Route], clients: dict[str, httpx.Client], pages: list[str]) -> None:
    """Add the fields of every form each role's pages show to the route it posts to."""
    for client in clients.values():
        for path in pages:
            r = client.get(path)
            if r.status_code != 200 or "html" not in r.headers.get("content-type", ""):
                continue
            parser = _Forms()
            parser.feed(r.text)
            for action, fields, files in parser.forms:
                target = httpx.URL(action or path).path
                for route in routes:
                    if route.pattern.match(target):
                        for name, values in fields.items():
                            route.fields.setdefault(name, [])
                            route.fields[name] += [v for v in values if v not in route.fields[name]]
                        route.files |= files
                        route.page = route.page or path


@st.composite
def form_values(draw: st.DrawFn, route: Route, pool: Pool) -> dict[str, Any]:
    """A filled form: offered values, real ids or hostile text per field; some fields left out."""
    out: dict[str, Any] = {}
    for name, offered in route.fields.items():
        if name == "csrf_token":
            continue
        real = pool.ids.get(id_key(name), [])
        options = [st.sampled_from(HOSTILE_STRINGS)]
        options += [st.sampled_from(offered)] * 3 if offered else []
        options += [st.sampled_from(real)] * 2 if real else []
        choice = draw(st.integers(0, 9))
        if choice == 0:
            continue
        value = draw(st.one_of(options))
        out[name] = [value, draw(st.one_of(options))] if choice == 1 else value
    return out


def path_values(route: Route, pool: Pool) -> st.SearchStrategy[str]:
    """The route's path with each parameter a real id (mostly) or a hostile one."""
    names = re.findall(r"\{([^}:]+)[^}]*\}", route.path)

    def fill(values: list[str]) -> str:
        path = route.path
        for name, value in zip(names, values, strict=True):
            path = re.sub(r"\{" + name + r"[^}]*\}", httpx.URL("/" + value.replace("/", "%2F")).raw_path.decode()[1:]
                          if value else "%20", path)
        return path

    parts = [st.one_of(*[st.sampled_from(pool.ids[id_key(n)])] * 4 if pool.ids.get(id_key(n)) else [],
                       st.sampled_from([s for s in HOSTILE_STRINGS if s.isprintable() and len(s) < 100]))
             for n in names]
    return st.tuples(*parts).map(lambda vs: fill(list(vs)))
