"""The one CEFR scale: points, NT2 sub-levels, arithmetic, parsing errors."""

from __future__ import annotations

import pytest

from assessment import cefr
from foundation.errors import InputError


def test_the_scale() -> None:
    assert cefr.SCALE == {
        "A0": 0, "A1.1": 0.5, "A1.2": 1, "A2.1": 1.5, "A2.2": 2, "B1.1": 2.5, "B1.2": 3,
        "B2.1": 3.5, "B2.2": 4, "C1": 5, "C2": 6,
    }
    assert list(cefr.SCALE.values()) == sorted(cefr.SCALE.values())
    # the whole CEFR level is the completed second NT2 module
    assert [cefr.value(x) for x in ("A0", "A1", "a2", "B1", "B2", "C1", "C2")] == [0, 1, 2, 3, 4, 5, 6]
    assert cefr.value("A1.2") == cefr.value("A1") and cefr.value("B1.1") == 2.5
    assert cefr.value(None) is None


def test_round_trips() -> None:
    for name, point in cefr.SCALE.items():
        assert cefr.parse(name) == name and cefr.parse(f" {name.lower()} ") == name
        assert cefr.value(cefr.name_of(point)) == point
    for name in cefr.VALUES:
        assert cefr.value(cefr.name_of(cefr.value(name))) == cefr.value(name)
    assert cefr.name_of(2.0) == "A2" and cefr.name_of(1.5) == "A2.1" and cefr.name_of(4.7) == "B2"
    assert cefr.name_of(float("nan")) == "A0" and cefr.name_of(9) == "C2"


def test_arithmetic() -> None:
    assert cefr.gap("B1", "A2") == 1 and cefr.gap("B1", "A2.1") == 1.5
    assert cefr.gap("A2", "C1") == 0                     # above the requirement earns nothing
    assert cefr.gap("A2", None) == 2                     # not assessed counts as A0
    assert cefr.meets("A2.2", "A2") and not cefr.meets("A2.1", "A2")
    assert cefr.fraction("C2") == 1 and cefr.fraction("A0") == 0 and cefr.fraction("B1") == 0.5
    assert cefr.fraction("") == cefr.fraction("nonsense") == 0


@pytest.mark.parametrize("bad", ["B3", "A0.1", "A1.3", "C1.1", "level 2", "", None])
def test_parse_error_has_a_code_and_params(bad) -> None:
    with pytest.raises(InputError) as err:
        cefr.parse(bad, field="speaking")
    exc = err.value
    assert exc.code == "cefr.not_a_level" and exc.params["field"] == "speaking"
    assert exc.params["value"] == ("" if bad is None else bad)
    assert exc.problems[0].column == "speaking" and exc.problems[0].code == "cefr.not_a_level"


def test_choice_lists() -> None:
    assert tuple(cefr.SCALE) == cefr.ASSESSMENT_CHOICES       # one name per point, no aliases
    assert cefr.REQUIREMENT_CHOICES == ("A0", "A1", "A2", "B1", "B2", "C1", "C2")
    values = [cefr.value(x) for x in cefr.ASSESSMENT_CHOICES]
    assert len(set(values)) == len(values)
