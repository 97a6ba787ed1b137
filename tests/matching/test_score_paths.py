"""For a few participants the score reads its sums another way than for many (against the occupations:
only the occupations they touch, the others in closed form): both ways must give exactly the same
numbers (bit for bit), so job targets and shortlists keep one score."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from matching import scoring
from matching.features import ranking_features
from matching.job_targets import job_targets
from matching.language import SUB_SKILLS
from matching.model import get_model
from matching.scoring import participants, product_rows, score_with_credit
from tests.matching.helpers import profile, sample_occupations, skills_of


def _features(con, n: int) -> list:
    occs = sample_occupations(con, 10, seed=3)
    return [ranking_features(profile(f"P-{i}", skills_of(con, occs[i % 10])[i % 4::2]
                                     + skills_of(con, occs[(i + 3) % 10], "optional")[:5], level=0.3 + 0.07 * (i % 10)))
            for i in range(n)] + [ranking_features(profile("P-none", []))]


@pytest.mark.parametrize("n", [1, 6, 40])
def test_the_gathered_product_is_the_sparse_product(con, n):
    model = get_model(con)
    X = participants(model, _features(con, n)).lookup.X
    M = scoring._occupation_sums(model)
    assert product_rows(X, M).tobytes() == (X @ M).toarray().tobytes()
    X64 = sp.csr_matrix(X, dtype=np.float64)
    assert product_rows(X64, M).tobytes() == (X64 @ M).toarray().tobytes()


@pytest.mark.parametrize("n", [1, 6])
def test_few_participants_score_exactly_as_many(con, monkeypatch, n):
    model = get_model(con)
    feats = _features(con, n)
    required = np.zeros((len(model.occ_uris), 4), np.float32)

    def run():
        pa = participants(model, feats)      # new look-ups each time (nothing kept from the other way)
        total, parts, _ = score_with_credit(model, pa, A=model.A, occupations=None, required=required)
        return [total.tobytes()] + [parts[k].tobytes() for k in sorted(parts)]

    few = run()
    look = participants(model, feats).lookup
    assert look.weighted_sums(model.idf).tobytes() == look.weighted(model.idf)[1].tobytes()
    monkeypatch.setattr(scoring, "FEW", 0)
    assert run() == few



def test_each_targets_dutch_steps_follow_its_own_check(con):
    """The Dutch steps are made once per (levels, requirement) and shared: every target of two participants
    with other levels (asked one after the other) still gets the steps of its own check, after the skill steps."""
    occs = sample_occupations(con, 2, seed=11)
    skills = skills_of(con, occs[0])[::2] + skills_of(con, occs[1])[:3]
    seen = set()
    for dutch in ({"listening": "A1", "reading": "B2", "speaking": "A2"}, {"listening": "C1", "reading": "A1"}, {}):
        result = job_targets(con, profile=profile("P-steps", skills, dutch=dutch), top=40, log=False)
        for t in result.targets:
            assert {i.sub_skill: i.participant for i in t.language.items} == {k: dutch.get(k) for k in SUB_SKILLS}
            gaps = [i.sub_skill for i in t.language.items if i.status == "gap"]
            unknown = [i.sub_skill for i in t.language.items if i.status == "not_assessed"]
            dutch_steps = [s for s in t.next_steps if s.kind in ("language_course", "assessment")]
            assert [(s.kind, s.closes) for s in dutch_steps] == (
                [("language_course", gaps)] if gaps else []) + ([("assessment", unknown)] if unknown else [])
            assert t.next_steps[len(t.next_steps) - len(dutch_steps):] == dutch_steps
            for s in dutch_steps:
                want = (", ".join(f"{i.sub_skill} {i.participant} → {i.required}" for i in t.language.items
                                  if i.status == "gap") if s.kind == "language_course" else ", ".join(unknown))
                assert s.text.endswith(want)
            seen |= {(s.kind, tuple(s.closes)) for s in dutch_steps}
    assert len(seen) >= 3


def _varied(con, n: int) -> list:
    """One-participant profiles of every shape: a trade's essential skills, a mix of trades, optional skills
    only, one skill, nothing scored (a language skill), nothing; levels and evidence kinds mixed."""
    occs = sample_occupations(con, 12, seed=17)
    kinds = ("assessed", "observed", "experience", "self_declared")
    out = []
    for i in range(n):
        own, other = skills_of(con, occs[i % 12]), skills_of(con, occs[(i * 5 + 1) % 12])
        skills = [own[i % 3::2], own + other[:i % 6], skills_of(con, occs[i % 12], "optional")[:8], own[:1],
                  own[::3] + other[1::4]][i % 5]
        out.append(ranking_features(profile(f"P-{i}", skills, level=0.2 + 0.1 * (i % 9), kind=kinds[i % 4])))
    nederlands = con.execute("""SELECT uri FROM taxonomy.labels WHERE concept_type = 'skill' AND lang = 'en'
                                AND label = 'Dutch' LIMIT 1""").fetchall()
    return [*out, ranking_features(profile("P-dutch", [r[0] for r in nederlands])),
            ranking_features(profile("P-none", []))]


def test_one_participant_scores_exactly_as_among_many(con, monkeypatch):
    """Job targets (one participant, the touched occupations only) against the sparse products of many, for
    profiles of every shape: every part and the credit, bit for bit."""
    model = get_model(con)
    feats = _varied(con, 40)
    required = np.zeros((len(model.occ_uris), 4), np.float32)

    def run(f):
        total, parts, c = score_with_credit(model, participants(model, [f]), A=model.A, occupations=None,
                                            required=required)
        return [total.tobytes()] + [parts[k].tobytes() for k in sorted(parts)] + [c.target.tobytes()]

    one = [run(f) for f in feats]
    monkeypatch.setattr(scoring, "FEW", 0)
    assert [run(f) for f in feats] == one

