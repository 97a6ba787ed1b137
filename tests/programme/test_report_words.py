"""The programme report's words in the CLI and on the admin page come from service/labels.py, in both languages."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import openpyxl
import pytest
from typer.testing import CliRunner

from matching.reports import GROUP_MEASURES, MEASURES
from service.cli import app
from service.i18n import translator
from service.labels import report_headers, report_sheet_names, report_titles
from tests.live import running_server
from tests.service.web import form_login
from tests.service.world import FAST_ENV, World, build_world, fast_matching

PERIOD = {"from": "2026-01-01", "to": "2026-12-31"}
LOCALES = {"nl": "nl_BE.UTF-8", "en": "en_US.UTF-8"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with fast_matching():
        yield build_world(tmp_path_factory.mktemp("report-words") / "w.duckdb")


def _expected(lang: str) -> tuple[list[str], list[str]]:
    h = report_headers(translator(lang))
    return [h["cohort"], *(h[m] for m in MEASURES)], [h["group"], *(h[m] for m in GROUP_MEASURES)]


def _cli(db: Path, lang: str, *extra: str) -> str:
    args = ["report", "programme", "--from", PERIOD["from"], "--to", PERIOD["to"], "--db", str(db), "--by", "admin"]
    r = CliRunner().invoke(app, [*args, *extra], env={"LANG": LOCALES[lang], **FAST_ENV})
    assert r.exit_code == 0, r.output
    return r.stdout


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_cli_and_page_show_the_same_report_words(world: World, lang: str, tmp_path: Path) -> None:
    _ = translator(lang)
    by_cohort, by_group = _expected(lang)
    assert by_cohort[1] != by_cohort[2]  # the words are words, not keys

    shown = _cli(world.db, lang)
    for title in report_titles(_):
        assert title in shown
    _cli(world.db, lang, "--output", str(tmp_path / "r.csv"))
    rows = list(csv.reader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8"))))
    blank = rows.index([])
    assert rows[0] == by_cohort and rows[blank - 1][0] == report_headers(_)["total"]
    assert rows[blank + 1] == by_group
    _cli(world.db, lang, "--output", str(tmp_path / "r.xlsx"))
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames == list(report_sheet_names(_))

    with running_server(world.db) as url, httpx.Client(base_url=url, timeout=60) as c:
        assert form_login(c, "admin").status_code == 303
        page = c.get("/admin/programme", params={**PERIOD, "lang": lang})
        xlsx = c.get("/admin/programme.xlsx", params={**PERIOD, "lang": lang})
    assert page.status_code == 200
    heads = [[html.unescape(h) for h in re.findall(r"<th scope=\"col\">(.*?)</th>", row)]
             for row in re.findall(r"<thead><tr>(.*?)</tr></thead>", page.text, re.S)]
    assert heads == [by_cohort, by_group]
    titles = [html.unescape(t) for t in re.findall(r"<h2>(.*?)</h2>", page.text)]
    assert titles[:2] == list(report_titles(_))
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames == list(report_sheet_names(_))


def test_a_wrong_date_reads_the_same_in_the_cli_and_on_the_page(world: World) -> None:
    """One date rule (assessment.common.parse_date): the same Dutch text from the CLI and the report page."""
    text = "2026-02-30 is geen datum (JJJJ-MM-DD)."
    args = ["report", "programme", "--from", "2026-02-30", "--to", "2026-12-31", "--db", str(world.db), "--by",
            "admin"]
    r = CliRunner().invoke(app, args, env={"LANG": LOCALES["nl"], **FAST_ENV})
    assert r.exit_code == 2 and text in " ".join(r.output.split())
    with running_server(world.db) as url, httpx.Client(base_url=url, timeout=60) as c:
        assert form_login(c, "admin").status_code == 303
        page = c.get("/admin/programme", params={"from": "2026-02-30", "to": "2026-12-31"})
    assert page.status_code == 422 and text in html.unescape(page.text)
