"""Profiles built from real ESCO occupations for the matching tests."""

from __future__ import annotations

import random

from assessment.profile import CompetenceProfile


def occupation_by_label(con, label: str, lang: str = "en") -> str:
    row = con.execute(
        """SELECT uri FROM taxonomy.labels WHERE concept_type = 'occupation' AND kind = 'preferred'
           AND lang = ? AND label = ?""", [lang, label]).fetchone()
    assert row, label
    return row[0]


def skills_of(con, occupation_uri: str, relation: str = "essential") -> list[str]:
    return [r[0] for r in con.execute(
        """SELECT skill_uri FROM taxonomy.occupation_skills WHERE occupation_uri = ? AND relation_type = ?
           ORDER BY skill_uri""", [occupation_uri, relation]).fetchall()]


def profile(pid: str, skills: list[str], *, level: float = 0.8, kind: str = "assessed", dutch=None,
            postcode: str | None = None, modes=("bike",), max_minutes: int = 45, **extra) -> CompetenceProfile:
    return CompetenceProfile.model_validate({
        "participant_id": pid,
        "skills": [{"uri": u, "level": level, "confidence": 0.8, "evidence_kind": kind} for u in skills],
        "dutch": dutch or {},
        "mobility": {"postcode": postcode, "transport_modes": list(modes), "max_commute_minutes": max_minutes},
        **extra,
    })


def sample_occupations(con, n: int, seed: int = 7, min_essential: int = 6) -> list[str]:
    rows = [r[0] for r in con.execute(
        """SELECT occupation_uri FROM taxonomy.occupation_skills WHERE relation_type = 'essential'
           GROUP BY occupation_uri HAVING count(*) >= ? ORDER BY occupation_uri""", [min_essential]).fetchall()]
    return random.Random(seed).sample(rows, n)
