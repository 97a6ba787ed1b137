"""The one message renderer: codes + params → Dutch or English, the same in API, pages and CLI."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from assessment.instrument import get_instrument
from assessment.records import check_date, validate_scores
from foundation.errors import InputError, Problem, validation_problems
from service.i18n import LOCALE_DIR
from service.messages import accepted_language, error_json, error_report, message, problem_text
from tests.service.wordlist import foreign_words


def _codes(lang: str) -> dict[str, object]:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "ui.po").open("rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0]: m for m in read_po(f, locale=lang) if m.id}


def test_every_code_has_both_languages_with_the_same_placeholders() -> None:
    nl, en = _codes("nl"), _codes("en")
    assert set(nl) == set(en)
    for code, m in nl.items():
        if "." not in code or " " in code:
            continue  # an English UI text as msgid, not a code
        for entry in (m, en[code]):
            strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            assert all(strings), code
        names = {frozenset(re.findall(r"%\((\w+)\)s", s)) for e in (m, en[code])
                 for s in (e.string if isinstance(e.string, tuple) else (e.string,))}
        assert len(names) == 1, code


def test_batch_problems_render_in_each_language_without_the_other() -> None:
    inst = get_instrument("cleaning")
    _, problems = validate_scores(inst, {"glass": 9, "unicycle": 2, "floors": "x"}, file="a.csv", row=3)
    _, date_problems = check_date("31/11/2026", file="a.csv", row=3)
    exc = InputError("english fallback", problems + date_problems, code="batch.nothing_imported",
                     params={"file": "a.csv", "count": 4})
    nl, en = error_report(exc, lang="nl"), error_report(exc, lang="en")
    assert "a.csv: 4 problemen; er is niets geïmporteerd" in nl
    assert "rij 3, kolom glass: score 9 ligt buiten de schaal 0–4" in nl
    assert "'31/11/2026' is geen datum" in nl
    assert "a.csv: 4 problems; nothing was imported" in en and "'31/11/2026' is not a date" in en
    assert foreign_words(nl, lang="nl") == set() and foreign_words(en, lang="en") == set()


def test_plural_and_fallback() -> None:
    assert message("batch.nothing_imported", {"file": "f", "count": 1}, lang="nl") == (
        "f: 1 probleem; er is niets geïmporteerd")
    assert message("no.such.code", {}, lang="nl", fallback="as given") == "as given"
    assert message("records.score_out_of_scale", {"value": 1}, lang="nl", fallback="kept") == "kept"  # params missing
    assert problem_text(Problem("plain"), lang="nl") == "plain"


def test_pydantic_errors_get_codes_with_allowed_values() -> None:
    from typing import Literal

    from pydantic import BaseModel, ValidationError

    class Form(BaseModel):
        hours: int
        shift: Literal["day", "night"]

    with pytest.raises(ValidationError) as info:
        Form(hours="37,5", shift="evening")
    hours, shift = validation_problems(info.value, row=2)
    assert (hours.code, hours.column, hours.row) == ("validation.int_parsing", "hours", 2)
    assert problem_text(hours, lang="nl") == "rij 2, kolom hours: '37,5' is geen geheel getal"
    assert problem_text(shift, lang="nl", located=False) == "'evening' kan niet: kies uit day, night"


def test_json_carries_code_params_and_rendered_message() -> None:
    exc = InputError("x", [Problem("y", row=2, code="batch.participant_missing")], code="batch.no_rows")
    body = error_json(exc, lang="en")
    assert body["code"] == "batch.no_rows" and body["detail"] == "the sheet holds no filled-in rows"
    assert body["problems"] == [{"row": 2, "code": "batch.participant_missing", "params": {},
                                 "message": "participant id missing"}]


def test_accept_language() -> None:
    assert accepted_language("en-GB,en;q=0.9,nl;q=0.8") == "en"
    assert accepted_language("fr-BE, nl;q=0.7, en;q=0.3") == "nl"
    assert accepted_language("de") is None and accepted_language(None) is None


def test_the_cli_report_does_not_repeat_the_headline_as_a_problem() -> None:
    from foundation.uploads import read_tables

    with pytest.raises(InputError) as info:
        read_tables(b"a;b\n1;2\n", file_name="notes.xlsx")
    report = error_report(info.value, lang="nl")
    assert report == ("notes.xlsx: de inhoud past niet bij de extensie (een Excel-werkmap als .xlsx, "
                      "een CSV-bestand als .csv).")
    assert [p.code for p in info.value.problems] == ["upload.content_mismatch"]  # kept for the API and the pages
    other = InputError("x", [Problem("y", row=2, code="batch.participant_missing")], code="batch.no_rows")
    assert error_report(other, lang="nl").count("\n") == 1
