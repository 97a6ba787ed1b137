"""Every form offers the levels of the one CEFR scale and the domain's own choices (read from the pages served)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from importlib.resources import files

import openpyxl
import pytest

from assessment import cefr
from matching.language import SUB_SKILLS
from tests.live import running_server
from tests.service.web import browser_for, post_form
from tests.service.world import World, build_world, fast_matching


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    with fast_matching():
        w = build_world(tmp_path_factory.mktemp("cefr") / "w.duckdb")
        with running_server(w.db) as url:
            yield w, url


def options(html: str, name: str) -> tuple[str, ...]:
    """The non-empty option values of the ``<select name=...>`` on a page."""
    match = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no select {name!r}"
    return tuple(v for v in re.findall(r'<option value="([^"]*)"', match.group(1)) if v)


def test_recorded_levels_the_same_in_form_and_excel_template(world: tuple[World, str]) -> None:
    w, url = world
    with browser_for(url, "assessor") as c:
        form = c.get(f"/assessor/participants/{w.participant}/record/dutch-cefr")
        template = c.get("/assessor/batch/template", params={"instrument": "dutch-cefr"})
    assert form.status_code == 200 and template.status_code == 200
    in_form = {options(form.text, f"item_{k}") for k in ("listening", "reading", "speaking", "writing")}
    assert in_form == {cefr.ASSESSMENT_CHOICES}
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    lists = [dv.formula1.strip('"').split(",") for dv in book["Scores"].data_validations.dataValidation
             if dv.type == "list"]
    assert lists == [list(cefr.ASSESSMENT_CHOICES)]
    info = [row for row in book["Uitleg"].iter_rows(values_only=True) if row[0] == "ERK-niveaus"]
    assert info[0][1] == ", ".join(cefr.ASSESSMENT_CHOICES)


def test_requirement_levels_the_same_for_admin_and_liaison(world: tuple[World, str]) -> None:
    w, url = world
    with browser_for(url, "admin") as c:
        admin = c.get("/admin/language-requirements")
    with browser_for(url, "liaison") as c:
        liaison = c.get("/liaison/vacancies")
        vacancy = c.get(f"/liaison/vacancies/{w.vacancy}")
    for sub in SUB_SKILLS:
        assert options(admin.text, sub) == cefr.REQUIREMENT_CHOICES
        assert options(vacancy.text, f"dutch_{sub}") == cefr.REQUIREMENT_CHOICES
    assert options(liaison.text, "dutch_level") == cefr.REQUIREMENT_CHOICES
    assert ", ".join(cefr.REQUIREMENT_CHOICES) in liaison.text  # the import help names the same levels


def test_admin_form_saves_each_sub_skill_under_its_own_name(world: tuple[World, str]) -> None:
    """The form's fields and the levels saved follow the one tuple of sub-skills, each to its own name."""
    _w, url = world
    levels = dict(zip(SUB_SKILLS, ("B2", "A1", "B1", "A2"), strict=True))
    page = "/admin/language-requirements"
    with browser_for(url, "admin") as c:
        r = post_form(c, page, page, {"key": "9329", **levels, "note": "volgorde"})
    assert r.status_code == 200
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*volgorde(?:(?!</tr>).)*</tr>", r.text, re.S)
    assert row, "the saved requirement is listed"
    cells = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)]
    assert [lv for lv in cells if lv in cefr.VALUES] == [levels[k] for k in SUB_SKILLS]


def test_shipped_requirement_defaults_are_on_the_scale() -> None:
    text = files("matching.data").joinpath("language_requirements_isco.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    assert rows
    for row in rows:
        for k in SUB_SKILLS:
            assert cefr.parse(row[k]) in cefr.REQUIREMENT_CHOICES


@pytest.mark.parametrize(("lang", "expected", "other"), [("nl", "geen taalniveau", "not a CEFR"),
                                                          ("en", "not a CEFR level", "taalniveau")])
def test_the_level_error_reads_in_the_users_language(lang: str, expected: str, other: str) -> None:
    from foundation.errors import InputError
    from service.messages import message

    with pytest.raises(InputError) as err:
        cefr.parse("B3", field="speaking")
    text = message(err.value.code, err.value.params, lang=lang, fallback="")
    assert expected in text and "'B3'" in text and other not in text


def test_trajectory_step_choices_are_the_domain_kinds_and_statuses(world: tuple[World, str]) -> None:
    from assessment.trajectories import StepKind, StepStatus

    w, url = world
    with browser_for(url, "coach") as c:
        page = c.get(f"/coach/participants/{w.participant}")
    assert page.status_code == 200
    assert options(page.text, "kind") == tuple(k.value for k in StepKind)
    assert options(page.text, "status") == tuple(s.value for s in StepStatus)
