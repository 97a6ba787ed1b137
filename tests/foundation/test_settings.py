"""The one settings object: read once from the environment, documented, passed down."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from foundation.settings import Settings, environment_variable, load_settings
from matching.config import MatchingConfig
from service.cli import app as cli
from service.demo import demo_settings
from tests.live import PASSWORD, add_role_users, running_server

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("foundation", "taxonomy", "assessment", "matching", "service")
#: Environment reads that are not werkbrug settings: offline switches for third-party model
#: libraries (set, not read), and the system locale for the CLI's language.
NOT_SETTINGS = {("taxonomy/encoders.py", "setdefault"), ("service/messages.py", "get")}


def test_defaults_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(environment_variable(name), raising=False)
    s = load_settings()
    assert (s.db, s.esco, s.matching_encoder, s.vacancy_search, s.secure_cookies, s.trusted_proxies) == (
        Path("werkbrug.duckdb"), None, "minilm", "auto", False, ())
    monkeypatch.setenv("WERKBRUG_DB", "/data/w.duckdb")
    monkeypatch.setenv("WERKBRUG_MATCHING_ENCODER", "none")
    monkeypatch.setenv("WERKBRUG_VACANCY_SEARCH", "lexical")
    monkeypatch.setenv("WERKBRUG_TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16")
    s = load_settings(db=None)   # an option not given keeps the environment's value
    assert s.db == Path("/data/w.duckdb") and s.matching_encoder is None and s.vacancy_search == "lexical"
    assert [str(n) for n in s.trusted_proxies] == ["10.0.0.1/32", "192.168.0.0/16"]
    assert load_settings(db=Path("x.duckdb")).db == Path("x.duckdb")
    assert MatchingConfig.from_settings(s).encoder is None
    with pytest.raises(ValidationError):
        s.db = Path("other")                                   # frozen once built
    monkeypatch.setenv("WERKBRUG_VACANCY_SEARCH", "fuzzy")
    with pytest.raises(ValidationError):
        load_settings()


def test_the_cli_refuses_a_bad_setting_with_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WERKBRUG_VACANCY_SEARCH", "fuzzy")
    result = CliRunner().invoke(cli, ["user", "list", "--db", ":memory:"])
    assert result.exit_code == 2 and "vacancy_search" in result.output and "Traceback" not in result.output


def test_readme_lists_every_setting() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| `(WERKBRUG_\w+)` \| (.+?) \| (.+?) \|$", readme, re.M)
    assert {name: env for name, env, _d, _m in rows} == {
        name: environment_variable(name) for name in Settings.model_fields}


def test_no_module_reads_the_environment() -> None:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") and \
                        isinstance(node.value, ast.Name) and node.value.id == "os":
                    found.append(rel)
    allowed = {file for file, _ in NOT_SETTINGS}
    assert sorted(set(found) - allowed) == []


def test_demo_leaves_the_environment_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(environment_variable(name), raising=False)
    before = {k: v for k, v in os.environ.items() if k.startswith("WERKBRUG_")}
    result = CliRunner().invoke(cli, ["demo", "--sample", "--no-serve", "--db", str(tmp_path / "d.duckdb")])
    assert result.exit_code == 0, result.output
    assert {k: v for k, v in os.environ.items() if k.startswith("WERKBRUG_")} == before == {}
    fast = demo_settings(load_settings(), db=tmp_path / "d.duckdb")
    assert (fast.vacancy_search, fast.matching_encoder, fast.db) == ("lexical", None, tmp_path / "d.duckdb")
    monkeypatch.setenv("WERKBRUG_MATCHING_ENCODER", "minilm")    # set explicitly: the demo keeps it
    assert demo_settings(load_settings(), db=tmp_path / "d.duckdb").matching_encoder == "minilm"


def test_the_app_uses_the_settings_it_was_given(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    add_role_users(db)
    settings = load_settings(secure_cookies=True, matching_encoder="none", vacancy_search="lexical")
    with running_server(db, settings=settings) as url, httpx.Client(base_url=url) as c:
        page = c.get("/login")
        assert "secure" in page.headers.get("set-cookie", "").lower()     # over plain http: from the setting
        token = c.post("/api/auth/token", json={"username": "admin", "password": PASSWORD})
        assert token.status_code == 200
    with running_server(db, settings=load_settings(secure_cookies=False)) as url, httpx.Client(base_url=url) as c:
        assert "secure" not in c.get("/login").headers.get("set-cookie", "").lower()


def test_the_audit_key_comes_from_the_settings(tmp_path: Path) -> None:
    from foundation import audit_store
    from foundation.settings import start

    try:
        start(load_settings(audit_key="ab" * 32))
        assert audit_store.ChainStore(tmp_path / "w.duckdb").key == bytes.fromhex("ab" * 32)
        start(load_settings(audit_key_file=tmp_path / "k"))
        assert audit_store.ChainStore(tmp_path / "w.duckdb").key_file == tmp_path / "k"
    finally:
        start(load_settings())
