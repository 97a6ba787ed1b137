"""Dutch language levels: the one CEFR scale with the Flemish NT2 sub-levels.

The scale, in CEFR levels (one unit = one CEFR level)::

    A0 = 0   A1.1 = 0.5   A1.2 = 1   A2.1 = 1.5   A2.2 = 2   B1.1 = 2.5   B1.2 = 3
             B2.1 = 3.5   B2.2 = 4   C1 = 5       C2 = 6

A0 means no Dutch yet. Flemish NT2 courses split A1 … B2 (richtgraad 1–4) into two modules:
``X.1`` is halfway to ``X`` and ``X.2`` completes it, so the plain CEFR level ``X`` is the
same point as ``X.2`` (``A1`` = ``A1.2`` = 1). Both spellings are accepted and kept as written
(records keep the assessor's notation); they compare equal. C1 and C2 have no sub-levels.

Forms and templates offer :data:`ASSESSMENT_CHOICES` for recorded levels (one name per point,
NT2 notation) and :data:`REQUIREMENT_CHOICES` for declared requirements (whole CEFR levels).
"""

from __future__ import annotations

import math

from foundation.errors import InputError, Problem

#: The whole CEFR levels, ascending.
CEFR_LEVELS = ("A0", "A1", "A2", "B1", "B2", "C1", "C2")
#: Levels with NT2 sub-levels ``.1`` and ``.2``.
NT2_LEVELS = ("A1", "A2", "B1", "B2")
#: Every point of the scale by its NT2 name, ascending.
SCALE: dict[str, float] = {"A0": 0.0}
for _i, _level in enumerate(CEFR_LEVELS[1:], start=1):
    if _level in NT2_LEVELS:
        SCALE[f"{_level}.1"] = _i - 0.5
        SCALE[f"{_level}.2"] = float(_i)
    else:
        SCALE[_level] = float(_i)
#: Every accepted spelling and its value (the NT2 names and the whole levels).
VALUES: dict[str, float] = {**SCALE, **{lvl: float(i) for i, lvl in enumerate(CEFR_LEVELS)}}
#: Recorded levels: the choices of the assessment form and the batch template.
ASSESSMENT_CHOICES: tuple[str, ...] = tuple(SCALE)
#: Declared requirements (occupations, ISCO groups, vacancies): whole levels only.
REQUIREMENT_CHOICES: tuple[str, ...] = CEFR_LEVELS
#: The highest value (C2).
MAX_VALUE = VALUES["C2"]


def parse(text: object, *, field: str | None = None) -> str:
    """``text`` as a level name (stripped, upper case), or :class:`InputError` ``cefr.not_a_level``.

    The error names ``field`` when given and lists the accepted levels.
    """
    name = str(text).strip().upper() if text is not None else ""
    if name in VALUES:
        return name
    shown = str(text) if text is not None else ""
    message = f"{shown!r} is not a CEFR level: use A0, A1 … C2 or an NT2 sub-level such as A1.1 or B1.2"
    params = {"value": shown, "field": field or "", "levels": ", ".join(ASSESSMENT_CHOICES)}
    problem = Problem(message, column=field, code="cefr.not_a_level", params=params)
    raise InputError(f"{field}: {message}" if field else message, [problem], code="cefr.not_a_level",
                     params=params)


def value(level: str | None) -> float | None:
    """The level's place on the scale (see module docstring); ``None`` stays ``None``."""
    return None if level is None else VALUES[parse(level)]


def name_of(v: float) -> str:
    """The highest point of the scale at or below ``v``: plain CEFR for whole levels, ``X.1`` between.

    ``name_of(value(x))`` names the same point as ``x``; ``value(name_of(v)) == v`` on the scale.
    """
    if math.isnan(v) or v < 0:
        return "A0"
    best = "A0"
    for level, point in SCALE.items():
        if point <= v + 1e-6:
            best = level
    return best[:-2] if best.endswith(".2") else best


def gap(required: str, have: str | None) -> float:
    """CEFR levels short of ``required`` (``max(0, required − have)``; not assessed counts as A0)."""
    return max(0.0, value(required) - (value(have) if have is not None else 0.0))


def meets(have: str | None, required: str) -> bool:
    """``have`` reaches ``required`` (a higher level earns nothing more)."""
    return gap(required, have) == 0.0


def fraction(level: str | None) -> float:
    """The level on 0…1 (A0 = 0, C2 = 1), for charts; unknown or empty gives 0."""
    if not level or str(level).strip().upper() not in VALUES:
        return 0.0
    return value(level) / MAX_VALUE
