"""Hostile values for the fuzzers: what a schema allows but the domain may not, and the real ids to mix in.

:func:`hostile` swaps a value drawn from a schema for one of these (integers past DuckDB's INTEGER/BIGINT,
NUL bytes and lone surrogates, unknown ids) or for the id of a real object from the :class:`Pool`;
:func:`at_extremes` puts a whole request at the extremes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

HOSTILE_STRINGS = [
    "", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "0", "-1", "9" * 30, "1e999", "0001-01-01", "9999-12-31",
    "10000-01-01", "2026-02-30", "0000", "9999", "A0", "C3", "Z9", "a1", "https://werkbrug.example/nope",
    "http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000000", "P-AAAAAA", "V-00001",
    "=HYPERLINK(\"x\")", "../../etc/passwd", "' OR 1=1 --", " coach ", "ADMIN", "x" * 5000, "ü" * 300,
    "\u202e\u200b", "null", "true", "[]", "{}", "%s%(x)s{0}", "\n\r\t",
]
HOSTILE_INTS = [0, -1, 1, 2**31 - 1, 2**31, -(2**31) - 1, 2**63 - 1, 2**63, -(2**63) - 1, 10**30, 10**400]
HOSTILE_FLOATS = [0.0, -0.0, 5e-324, 1e308, -1e308, 2.0**63, 0.1]


def ids_in(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """(key, value) of every id-like string in a JSON value: ``*_id``, ``*_uri``, ``candidate``, ``username``."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from ids_in(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from ids_in(v, key.removesuffix("s") if key.endswith(("_ids", "_uris")) else key)
    elif isinstance(value, str) and value and id_key(key):
        yield id_key(key), value


def id_key(key: str) -> str:
    """The pool a field or parameter name draws real ids from ("" for none)."""
    key = key.lower().removesuffix("s") if key.lower().endswith(("_ids", "_uris")) else key.lower()
    if key.endswith("_uri") or key in ("uri", "occupation", "skill"):
        return "skill_uri" if "skill" in key else "occupation_uri"
    if key.endswith("_id") or key in ("candidate", "username", "coach", "owner", "code", "instrument", "cohort"):
        return {"instrument": "instrument_id", "cohort": "cohort_id", "coach": "username", "owner": "username",
                "code": "candidate"}.get(key, key)
    return ""


@dataclass
class Pool:
    """Real ids seen so far, per kind (filled from the world and from every 2xx response)."""

    ids: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, value: str) -> None:
        values = self.ids.setdefault(kind, [])
        if value not in values and len(values) < 20 and len(value) < 300:
            values.append(value)

    def take(self, body: Any) -> None:
        for kind, value in ids_in(body):
            self.add(kind, value)


def hostile(value: Any, key: str, pool: Pool) -> st.SearchStrategy[Any]:
    """``value`` as drawn, or a hostile value of the same JSON type, or a real id for id-like keys."""
    kind = id_key(key)
    real = pool.ids.get(kind, [])
    if isinstance(value, bool) or value is None:
        return st.just(value)
    if isinstance(value, str):
        options = [st.just(value), st.sampled_from(HOSTILE_STRINGS)]
        if real:
            options += [st.sampled_from(real)] * 3
        return st.one_of(options)
    if isinstance(value, int):
        return st.one_of(st.just(value), st.sampled_from(HOSTILE_INTS))
    if isinstance(value, float):
        return st.one_of(st.just(value), st.sampled_from(HOSTILE_FLOATS))
    if isinstance(value, list):
        items = st.tuples(*(hostile(v, key, pool) for v in value)).map(list) if value else st.just([])
        options = [items, items.map(lambda xs: xs + xs)]  # the same item twice in one request
        if all(isinstance(v, str | int | float) for v in value):  # long lists of scalars (never nested ones)
            options.append(items.map(lambda xs: (xs or [""]) * 600))
        return st.one_of(*options, st.just(real[:3] * 2) if real else st.just([]))
    if isinstance(value, dict):
        return st.fixed_dictionaries({k: hostile(v, k, pool) for k, v in value.items()})
    return st.just(value)


#: (text, integer) of each extreme case: long non-ASCII text and BIGINT's maximum + 1; a control character
#: and an integer past 128 bits.
EXTREMES = [("ü" * 300, 2**63), ("\u202e", 10**400)]


def extreme(value: Any, variant: int) -> Any:
    """``value`` with every string and number at the extreme ``variant`` of :data:`EXTREMES`."""
    text, number = EXTREMES[variant]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return text
    if isinstance(value, int):
        return number
    if isinstance(value, float):
        return 1e308
    if isinstance(value, list):
        return [extreme(v, variant) for v in value]
    if isinstance(value, dict):
        return {k: extreme(v, variant) for k, v in value.items()}
    return value


def at_extremes(case: Any, op: Any, variant: int) -> None:
    """Every declared query parameter the schema leaves unbounded, the body and (past the first variant,
    which keeps the real ids) the path parameters of ``case`` at an extreme."""
    if variant and case.path_parameters:
        case.path_parameters = extreme(case.path_parameters, variant)
    query = dict(case.query or {})
    for param in op.query:
        schema = json.dumps(param.definition)
        if not any(f'"{word}"' in schema for word in ("maximum", "enum", "const", "maxLength", "pattern")):
            query[param.name] = extreme(0 if '"integer"' in schema else "", variant)  # what the schema leaves open
    case.query = query
    if isinstance(case.body, dict | list) and case.media_type == "application/json":
        case.body = extreme(case.body, variant)


def seed_pool(world: Any) -> Pool:
    """The world's ids, by kind."""
    from tests.service.world import OCCUPATION

    pool = Pool()
    for kind, value in (("participant_id", world.participant), ("participant_id", world.other_participant),
                        ("participant_id", world.no_consent), ("record_id", world.record),
                        ("step_id", world.step), ("vacancy_id", world.vacancy), ("shortlist_id", world.shortlist),
                        ("employer_id", world.employer), ("placement_id", world.placement),
                        ("candidate", world.candidate), ("occupation_uri", OCCUPATION),
                        ("instrument_id", "dutch-cefr"), ("instrument_id", "kitchen-hospitality"),
                        ("username", "coach"), ("username", "liaison"), ("username", "assessor")):
        pool.add(kind, value)
    return pool
