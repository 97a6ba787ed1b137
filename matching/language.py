"""Dutch CEFR levels: arithmetic, requirements per occupation and vacancy, gaps.

Levels are points on the one CEFR scale of :mod:`assessment.cefr` (A0 = 0 … C2 = 6, the NT2
sub-level ``X.1`` halfway to ``X``, ``X.2`` = ``X``).

Requirements (per sub-skill listening, reading, speaking, writing) come from, first found:

1. the vacancy's declared level (per vacancy, see :mod:`matching.vacancies`);
2. an override for the occupation (``matching.language_requirements``, scope ``occupation``);
3. an override for its ISCO group, longest code first (scope ``isco``);
4. the shipped defaults by ISCO group, ``matching/data/language_requirements_isco.csv``.

Language is a protected criterion in Belgian anti-discrimination law: a level is only ever
compared with a declared requirement. :func:`language_fit` is 1 when every sub-skill meets
its requirement — a higher level earns nothing more — and falls with the size of the gap:

    gap_k = max(0, required_k − participant_k)          (in CEFR levels; not assessed = A0)
    language_fit = max(0, 1 − Σ_k gap_k / (4 · G))     with G = 2 (two levels short on all four → 0)

A participant below the requirement is never filtered out: the gap is shown.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib.resources import files

import duckdb
import numpy as np
from pydantic import BaseModel

from assessment import cefr
from foundation.cache import REQUIREMENTS, invalidate
from foundation.db import transaction, utcnow
from foundation.errors import InputError, NotFoundError, Problem

SUB_SKILLS = ("listening", "reading", "speaking", "writing")
GAP_SCALE = 2.0
DEFAULTS_FILE = "language_requirements_isco.csv"


class LanguageRequirement(BaseModel):
    """Required Dutch level per sub-skill, and where the requirement comes from."""

    listening: str
    reading: str
    speaking: str
    writing: str
    source: str  # vacancy / occupation / isco <code> / default isco <code>

    def values(self) -> np.ndarray:
        return np.array([cefr.value(getattr(self, k)) for k in SUB_SKILLS], dtype=np.float32)


class SubSkillCheck(BaseModel):
    sub_skill: str
    required: str
    participant: str | None
    gap_levels: float
    status: str  # meets / gap / not_assessed


class LanguageCheck(BaseModel):
    """Participant vs requirement: meets, or the gap per sub-skill."""

    requirement_source: str
    meets: bool
    fit: float
    items: list[SubSkillCheck]


def language_fit(participant: np.ndarray, required: np.ndarray) -> np.ndarray:
    """``max(0, 1 − Σ_k max(0, required_k − participant_k) / (4·G))``, G = 2.

    Broadcasts: ``participant`` ``(..., 4)`` with NaN for not assessed (counted as A0),
    ``required`` ``(..., 4)``. Never exceeds 1: levels above the requirement earn nothing.
    """
    have = np.nan_to_num(np.asarray(participant, dtype=np.float32), nan=0.0)
    gap = np.clip(np.asarray(required, dtype=np.float32) - have, 0.0, None).sum(axis=-1)
    return np.clip(1.0 - gap / (4 * GAP_SCALE), 0.0, 1.0)


def participant_values(dutch: dict[str, str | None]) -> np.ndarray:
    """The four sub-skill values; NaN where not assessed."""
    return np.array(
        [np.nan if dutch.get(k) is None else cefr.value(dutch[k]) for k in SUB_SKILLS], dtype=np.float32
    )


def check_language(dutch: dict[str, str | None], requirement: LanguageRequirement) -> LanguageCheck:
    """Compare the participant's levels with ``requirement``, sub-skill by sub-skill."""
    items = []
    for k in SUB_SKILLS:
        need = getattr(requirement, k)
        have = dutch.get(k)
        if have is None:
            gap, status = cefr.gap(need, None), "not_assessed"
        else:
            gap = cefr.gap(need, have)
            status = "meets" if gap == 0 else "gap"
        items.append(SubSkillCheck(sub_skill=k, required=need, participant=have, gap_levels=gap, status=status))
    fit = float(language_fit(participant_values(dutch), requirement.values()))
    return LanguageCheck(
        requirement_source=requirement.source, meets=all(i.status == "meets" for i in items), fit=fit,
        items=items,
    )


@dataclass(frozen=True)
class _Default:
    isco: str
    levels: tuple[str, str, str, str]
    note: str


@functools.cache
def shipped_defaults() -> dict[str, _Default]:
    """The shipped defaults: ISCO code (1–4 digits) → levels."""
    text = files("matching.data").joinpath(DEFAULTS_FILE).read_text(encoding="utf-8")
    out = {}
    for row in csv.DictReader(line for line in text.splitlines() if not line.startswith("#")):
        levels = tuple(cefr.parse(row[k], field=k) for k in SUB_SKILLS)
        out[row["isco"].strip()] = _Default(row["isco"].strip(), levels, row.get("note") or "")
    return out


def _overrides(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], tuple[str, ...]]:
    rows = con.execute(
        "SELECT scope, key, listening, reading, speaking, writing FROM matching.language_requirements"
    ).fetchall()
    return {(r[0], r[1]): tuple(r[2:]) for r in rows}


def _resolve(isco: str | None, occupation_uri: str | None, overrides: dict, defaults: dict) -> LanguageRequirement:
    if occupation_uri and ("occupation", occupation_uri) in overrides:
        return LanguageRequirement(**dict(zip(SUB_SKILLS, overrides["occupation", occupation_uri], strict=True)),
                                   source="occupation")
    code = isco or ""
    for n in range(len(code), 0, -1):
        if ("isco", code[:n]) in overrides:
            return LanguageRequirement(**dict(zip(SUB_SKILLS, overrides["isco", code[:n]], strict=True)),
                                       source=f"isco {code[:n]}")
    for n in range(len(code), 0, -1):
        if code[:n] in defaults:
            return LanguageRequirement(**dict(zip(SUB_SKILLS, defaults[code[:n]].levels, strict=True)),
                                       source=f"default isco {code[:n]}")
    return LanguageRequirement(**dict(zip(SUB_SKILLS, defaults["*"].levels, strict=True)), source="default")


def occupation_requirement(con: duckdb.DuckDBPyConnection, *, occupation_uri: str) -> LanguageRequirement:
    """The Dutch requirement of one occupation (override, else ISCO default)."""
    row = con.execute("SELECT isco_group FROM taxonomy.occupations WHERE uri = ?", [occupation_uri]).fetchone()
    if row is None:
        raise NotFoundError(f"Unknown occupation {occupation_uri}", code="esco.unknown_occupation",
                            params={"uri": occupation_uri})
    return _resolve(row[0], occupation_uri, _overrides(con), shipped_defaults())


def requirement_matrix(
    con: duckdb.DuckDBPyConnection, *, occupation_uris: list[str], isco_groups: list[str]
) -> tuple[np.ndarray, list[str]]:
    """``(n_occupations, 4)`` required values and the source of each row."""
    overrides, defaults = _overrides(con), shipped_defaults()
    reqs = [_resolve(i, u, overrides, defaults) for u, i in zip(occupation_uris, isco_groups, strict=True)]
    return np.stack([r.values() for r in reqs]), [r.source for r in reqs]


def set_requirement(
    con: duckdb.DuckDBPyConnection, *, levels: dict[str, str], updated_by: str,
    occupation_uri: str | None = None, isco_code: str | None = None, note: str | None = None,
) -> LanguageRequirement:
    """Override the requirement of one occupation or one ISCO group (all four sub-skills)."""
    if (occupation_uri is None) == (isco_code is None):
        raise InputError("Give exactly one of occupation_uri or isco_code", code="language.scope_one")
    missing = [k for k in SUB_SKILLS if not levels.get(k)]
    if missing:
        raise InputError("Every sub-skill needs a level", [
            Problem(f"{k} is missing", column=k, code="language.level_missing",
                    params={"sub_skill": {"code": f"cefr.sub_skill.{k}", "message": k}}) for k in missing],
            code="language.levels_missing")
    checked = {k: cefr.parse(levels[k], field=k) for k in SUB_SKILLS}
    if occupation_uri is not None:
        if not con.execute("SELECT 1 FROM taxonomy.occupations WHERE uri = ?", [occupation_uri]).fetchone():
            raise NotFoundError(f"Unknown occupation {occupation_uri}", code="esco.unknown_occupation",
                                params={"uri": occupation_uri})
        scope, key = "occupation", occupation_uri
    else:
        key = str(isco_code).strip()
        if not key.isdigit() or not 1 <= len(key) <= 4:
            raise InputError(f"isco_code: {isco_code!r} is not a 1–4 digit ISCO code",
                             [Problem("not an ISCO code", column="isco_code", code="language.not_isco")],
                             code="language.isco_code", params={"value": str(isco_code)})
        scope = "isco"
    with transaction(con):
        con.execute("DELETE FROM matching.language_requirements WHERE scope = ? AND key = ?", [scope, key])
        con.execute(
            """INSERT INTO matching.language_requirements
               (scope, key, listening, reading, speaking, writing, note, updated_by, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [scope, key, *(checked[k] for k in SUB_SKILLS), note, updated_by, utcnow()],
        )
    invalidate(con, REQUIREMENTS)
    return LanguageRequirement(**checked, source=scope if scope == "occupation" else f"isco {key}")


def list_requirements(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Shipped defaults and stored overrides, for display and editing."""
    out = [
        {"scope": "default isco", "key": d.isco, **dict(zip(SUB_SKILLS, d.levels, strict=True)), "note": d.note}
        for d in shipped_defaults().values()
    ]
    for r in con.execute(
        """SELECT scope, key, listening, reading, speaking, writing, note, updated_by
           FROM matching.language_requirements ORDER BY scope, key"""
    ).fetchall():
        out.append(dict(zip(("scope", "key", *SUB_SKILLS, "note", "updated_by"), r, strict=True)))
    return out
