"""Embedding neighbours (real MiniLM on ESCO's skill labels) give partial credit and are stored."""

import shutil
from pathlib import Path

import pytest

from foundation.db import connect
from matching.config import MatchingConfig
from matching.job_targets import job_targets
from matching.model import build_model
from tests.matching.helpers import occupation_by_label, profile, skills_of

pytestmark = pytest.mark.xdist_group("matching-minilm")  # one MiniLM build


def test_embedding_neighbours_are_stored_and_credit_related_skills(minilm_db_file: Path, tmp_path: Path):
    db = tmp_path / "m.duckdb"
    shutil.copy(minilm_db_file, db)
    con = connect(db)
    cfg = MatchingConfig(encoder="minilm")
    stored = con.execute(
        "SELECT source, count(*) FROM matching.skill_neighbours WHERE model = ? GROUP BY source",
        [cfg.neighbour_model]).fetchall()
    assert dict(stored).get("embedding", 0) > 10000
    model = build_model(con, config=cfg)          # from the stored lists: no encoder needed
    assert model.P.nnz == sum(n for _, n in stored)
    occ = occupation_by_label(con, "forklift operator")
    ess = skills_of(con, occ)
    row = con.execute(
        """SELECT skill_uri, neighbour_uri, weight FROM matching.skill_neighbours
           WHERE model = ? AND source = 'embedding' AND skill_uri IN (SELECT unnest(?))
             AND neighbour_uri NOT IN (SELECT unnest(?)) ORDER BY weight DESC, neighbour_uri LIMIT 1""",
        [cfg.neighbour_model, ess, ess]).fetchone()
    target, neighbour, weight = row
    assert cfg.similarity_credit * cfg.min_similarity <= weight <= cfg.similarity_credit
    skills = [neighbour, *[s for s in ess if s != target][:3]]
    res = job_targets(con, profile=profile("P-1", skills, level=1.0), top=200, config=cfg, log=False)
    t = next(t for t in res.targets if t.occupation_uri == occ)
    got = next(s for s in t.supporting_skills if s.uri == target)
    assert got.via_uri == neighbour and not got.direct and got.credit > 0
    con.close()
