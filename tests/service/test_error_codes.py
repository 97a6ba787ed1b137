"""Every error a person can read carries a message code with a Dutch and an English text.

A static check over the five packages: each call that builds a :class:`foundation.errors.WerkbrugError`
(or a subclass), a :class:`foundation.errors.Problem` or an HTTP error (``HTTPException`` or a subclass,
such as :class:`service.limits.RequestRefused`) passes ``code=``, and every literal code passed
there (also nested ``{"code": …}`` parameters) has a non-empty text in both merged catalogues, with the
same placeholders in both languages, each of them given in the call's ``params``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from service.i18n import translations

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("foundation", "taxonomy", "assessment", "matching", "service")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _trees(packages: tuple[str, ...] = PACKAGES, root: Path = ROOT) -> dict[str, ast.Module]:
    return {str(p.relative_to(root)): ast.parse(p.read_text(encoding="utf-8"))
            for pkg in packages for p in sorted((root / pkg).rglob("*.py"))}


#: The classes whose instances people read: our errors and problems, and FastAPI's (Starlette's) HTTP errors,
#: whose plain ``HTTPException`` takes no code (raise a :class:`service.limits.RequestRefused`).
ROOTS = frozenset({"Problem", "WerkbrugError", "HTTPException", "StarletteHTTPException"})


def error_classes(trees: dict[str, ast.Module]) -> set[str]:
    """:data:`ROOTS` and the names of every class deriving from them (transitively)."""
    names, grown = set(ROOTS), True
    while grown:
        grown = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names and any(
                        (b.id if isinstance(b, ast.Name) else getattr(b, "attr", None)) in names for b in node.bases):
                    names.add(node.name)
                    grown = True
    return names


def error_calls(trees: dict[str, ast.Module], names: set[str] | None = None) -> list[tuple[str, ast.Call]]:
    """Every call that builds an error or a problem (one of ``names``, default: those of ``trees``), with its file."""
    names = names or error_classes(trees)
    out = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if func in names:
                    out.append((path, node))
    return out


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def uncoded(calls: list[tuple[str, ast.Call]]) -> list[str]:
    """The calls without ``code=`` (a ``**mapping`` counts as giving one)."""
    return [f"{path}:{call.lineno}: {ast.unparse(call)[:120]}" for path, call in calls
            if not any(k.arg in ("code", None) for k in call.keywords)]


def _constants(node: ast.expr | None) -> list[str]:
    """The literal strings an expression can be: ``"a"`` or ``"a" if c else "b"``."""
    if isinstance(node, ast.IfExp):
        return _constants(node.body) + _constants(node.orelse)
    return [node.value] if isinstance(node, ast.Constant) and isinstance(node.value, str) else []


def _param_names(params: ast.expr | None) -> set[str] | None:
    """The keys of a literal ``params`` dict (none given: no keys); ``None`` when not literal."""
    if params is None:
        return set()
    if isinstance(params, ast.Dict) and all(isinstance(k, ast.Constant) for k in params.keys):
        return {k.value for k in params.keys}
    return None


def used_codes(calls: list[tuple[str, ast.Call]]) -> list[tuple[str, str, set[str] | None]]:
    """``(where, code, param names)`` for each literal code of the calls and of their nested parameters."""
    out = []
    for path, call in calls:
        where = f"{path}:{call.lineno}"
        params = _keyword(call, "params")
        out += [(where, code, _param_names(params)) for code in _constants(_keyword(call, "code"))]
        for node in ast.walk(params) if params is not None else ():
            if isinstance(node, ast.Dict):
                fields = {k.value: v for k, v in zip(node.keys, node.values, strict=True)
                          if isinstance(k, ast.Constant)}
                out += [(where, code, _param_names(fields.get("params"))) for code in _constants(fields.get("code"))]
    return out


def texts(code: str, lang: str) -> list[str]:
    """The catalogue texts of ``code`` in ``lang`` as the renderer finds them (singular and plural)."""
    cat = translations(lang)
    text = cat.gettext(code)
    if text != code:
        return [text]
    plural = [cat.ngettext(code, f"{code}.plural", n) for n in (1, 2)]
    return plural if plural != [code, f"{code}.plural"] else []


def catalogue_faults(codes: list[tuple[str, str, set[str] | None]]) -> list[str]:
    """Codes without both texts, with other placeholders in Dutch than in English, or with a placeholder
    the call does not give."""
    faults = []
    for where, code, given in codes:
        nl, en = texts(code, "nl"), texts(code, "en")
        if not all(t.strip() for t in nl) or not all(t.strip() for t in en) or not nl or not en:
            faults.append(f"{where}: {code}: no Dutch or English text")
            continue
        names = {frozenset(PLACEHOLDER.findall(t)) for t in nl + en}
        if len(names) != 1:
            faults.append(f"{where}: {code}: the Dutch and English placeholders differ")
        elif given is not None and not set(next(iter(names))) <= given:
            faults.append(f"{where}: {code}: placeholders {sorted(next(iter(names)))} but params {sorted(given)}")
    return faults


@pytest.fixture(scope="module")
def calls() -> list[tuple[str, ast.Call]]:
    return error_calls(_trees())


def test_every_error_and_problem_is_built_with_a_code(calls: list[tuple[str, ast.Call]]) -> None:
    assert len(calls) > 250  # the collector sees the packages' errors
    missing = uncoded(calls)
    assert not missing, "give each error and problem a code + params (texts in service/locale/*/codes.po)"


def test_every_code_has_a_dutch_and_english_text_with_its_params(calls: list[tuple[str, ast.Call]]) -> None:
    codes = used_codes(calls)
    assert len({c for _, c, _ in codes}) > 150
    assert not catalogue_faults(codes)


def test_http_errors_are_held_to_the_rule(calls: list[tuple[str, ast.Call]]) -> None:
    """The 401/403/429 and CSRF refusals are among the checked sites (as coded ``RequestRefused``)."""
    http = {path for path, call in calls if getattr(call.func, "id", None) == "RequestRefused"}
    assert {"service/auth.py", "service/deps.py", "service/administration.py", "service/limits.py"} <= http
    assert not [c for _, c in calls if getattr(c.func, "id", None) == "HTTPException"]


def test_the_check_fails_on_an_uncoded_http_error(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "web.py").write_text(
        "from fastapi import HTTPException\n"
        "from service.limits import RequestRefused\n"
        "def f():\n"
        "    raise HTTPException(403, 'Your role may not do this')\n"
        "def g():\n"
        "    raise RequestRefused(401, 'Not logged in', code='auth.not_logged_in')\n"
        "def h(wait):\n"
        "    raise RequestRefused(429, 'Too many', code='auth.too_many_attempts', params={'wait': wait})\n")
    trees = _trees(("pkg",), tmp_path)
    calls = error_calls(trees, error_classes(_trees() | trees))
    assert [m.split(":")[1] for m in uncoded(calls)] == ["4"]
    assert catalogue_faults(used_codes(calls)) == [
        "pkg/web.py:8: auth.too_many_attempts: placeholders ['seconds'] but params ['wait']"]


def test_the_check_fails_on_an_uncoded_site_and_an_unknown_code(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "bad.py").write_text(
        "from foundation.errors import InputError, Problem\n"
        "class Mine(InputError): ...\n"
        "def f(x):\n"
        "    raise Mine('no code', [Problem('nor here', column='x')])\n"
        "def g(x):\n"
        "    raise InputError('coded', code='backup.not_found', params={'path': x})\n"
        "def h():\n"
        "    raise InputError('coded', code='no.such.code.anywhere')\n")
    trees = _trees(("pkg",), tmp_path)
    calls = error_calls(trees, error_classes(_trees() | trees))
    assert [m.split(":")[1] for m in uncoded(calls)] == ["4", "4"]
    faults = catalogue_faults(used_codes(calls))
    assert faults == ["pkg/bad.py:6: backup.not_found: placeholders ['file'] but params ['path']",
                      "pkg/bad.py:8: no.such.code.anywhere: no Dutch or English text"]
