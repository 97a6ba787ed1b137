"""The shipped instruments: valid, bilingual, and every ESCO URI exists in real ESCO."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessment.instrument import (
    INSTRUMENT_DIR,
    get_instrument,
    instrument_json_schema,
    load_instruments,
    parse_instrument,
)
from foundation.db import connect
from foundation.errors import InputError, NotFoundError

DOMAINS = {"horeca", "schoonmaak", "logistiek", "bouw", "zorg", "productie"}


def test_shipped_instruments_cover_the_domains() -> None:
    instruments = load_instruments()
    technical = [i for i in instruments.values() if i.kind == "technical"]
    assert {i.domain for i in technical} >= DOMAINS
    assert any(i.kind == "observation" for i in instruments.values())
    grid = next(i for i in instruments.values() if i.kind == "language")
    assert {i.subskill for i in grid.items} == {"listening", "reading", "speaking", "writing"}
    for inst in instruments.values():
        assert inst.title.nl != inst.title.en
        for item in inst.items:
            assert item.text.nl and item.text.en


@pytest.mark.esco
def test_every_referenced_esco_uri_exists(esco_db_file: Path) -> None:
    con = connect(esco_db_file, read_only=True)
    missing = {}
    for inst in load_instruments().values():
        uris = sorted(inst.skill_uris())
        found = {r[0] for r in con.execute(
            """SELECT uri FROM taxonomy.skills WHERE uri IN (SELECT unnest(?))
               UNION SELECT uri FROM taxonomy.occupations WHERE uri IN (SELECT unnest(?))""", [uris, uris]).fetchall()}
        if set(uris) - found:
            missing[inst.id] = sorted(set(uris) - found)
    con.close()
    assert missing == {}


@pytest.mark.esco
def test_technical_items_test_essential_skills_of_their_occupations(esco_db_file: Path) -> None:
    """So that an assessed participant matches the occupations the domain prepares for."""
    con = connect(esco_db_file, read_only=True)
    for inst in load_instruments().values():
        if inst.kind != "technical":
            continue
        assert inst.occupations, inst.id
        essential = {r[0] for r in con.execute(
            """SELECT skill_uri FROM taxonomy.occupation_skills
               WHERE relation_type = 'essential' AND occupation_uri IN (SELECT unnest(?))""",
            [inst.occupations]).fetchall()}
        item_skills = {s.uri for i in inst.items for s in i.skills}
        share = len(item_skills & essential) / len(item_skills)
        assert share >= 0.8, (inst.id, share)
    con.close()


def test_get_instrument_by_version_and_unknown() -> None:
    assert get_instrument("cleaning").version == get_instrument("cleaning", "1").version
    with pytest.raises(NotFoundError, match="known: "):
        get_instrument("juggling")
    with pytest.raises(NotFoundError):
        get_instrument("cleaning", "99")


def test_schema_is_published() -> None:
    schema = instrument_json_schema()
    assert {"id", "version", "kind", "items"} <= set(schema["properties"])


def test_bad_instrument_files_are_rejected_with_a_location() -> None:
    good = (INSTRUMENT_DIR / "cleaning.v1.yaml").read_text(encoding="utf-8")
    assert parse_instrument(good).id == "cleaning"
    dup = good.replace("id: glass", "id: floors")
    with pytest.raises(InputError, match="duplicate item id") as info:
        parse_instrument(dup, file="dup.yaml")
    assert info.value.problems[0].file == "dup.yaml"
    no_label = good.replace("    4:\n      nl: Zelfstandig, vlot", "    5:\n      nl: Zelfstandig, vlot")
    assert no_label != good
    with pytest.raises(InputError, match="one label per point"):
        parse_instrument(no_label)
    with pytest.raises(InputError, match="YAML"):
        parse_instrument("id: [unclosed")
    obs = (INSTRUMENT_DIR / "social-skills.v1.yaml").read_text(encoding="utf-8")
    bare = obs.split("  anchors:")[0] + "\n"  # first item without its anchors
    with pytest.raises(InputError):
        parse_instrument(bare)


def test_versions_latest_wins_and_names_must_match(tmp_path: Path) -> None:
    text = (INSTRUMENT_DIR / "cleaning.v1.yaml").read_text(encoding="utf-8")
    (tmp_path / "cleaning.v1.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "cleaning.v2.yaml").write_text(text.replace("version: '1'", "version: '2'")
                                               .replace("Sweep and mop floors", "Sweep, mop and dry floors"),
                                               encoding="utf-8")
    (tmp_path / "README.txt").write_text("not an instrument", encoding="utf-8")
    assert load_instruments(tmp_path)["cleaning"].version == "2"
    assert get_instrument("cleaning", directory=tmp_path).item("floors").text.en == "Sweep, mop and dry floors"
    assert get_instrument("cleaning", "1", directory=tmp_path).item("floors").text.en == "Sweep and mop floors"
    other = tmp_path / "other"
    other.mkdir()
    (other / "cleaning.v3.yaml").write_text(text, encoding="utf-8")  # says version 1 inside
    with pytest.raises(InputError, match="disagree"):
        load_instruments(other)
