"""Related-skill credit takes its look-ups one of two ways by size (a boolean matrix or a binary search):
both ways must give exactly the same credits, for one participant and for many, against every occupation."""

from __future__ import annotations

import numpy as np
import pytest

from matching import credit
from matching.features import ranking_features
from matching.model import get_model
from matching.scoring import participants, related_credit
from tests.matching.helpers import profile, sample_occupations, skills_of


def _credits(model, feats):
    c = related_credit(model, participants(model, feats), model.A)
    return [a.tobytes() for a in (c.participant, c.target, c.skill, c.via, c.credit, c.weight)], c.skill.size


@pytest.mark.parametrize("n", [1, 3, 70])
def test_both_ways_give_the_same_credits(con, monkeypatch, n):
    model = get_model(con)
    occs = sample_occupations(con, 10, seed=5)
    feats = [ranking_features(profile(f"P-{i}", skills_of(con, occs[i % 10])[i % 3::3]
                                      + skills_of(con, occs[(i + 1) % 10], "optional")[:4])) for i in range(n)]
    first, size = _credits(model, feats)
    assert size > 20 * n                                              # credits to compare
    ways = [(10**9, 0),        # few: "shown" by binary search, "listed" by binary search of all pairs
            (10**9, 10**12),   # few: "listed" by a skills × targets matrix
            (0, 10**12)]       # many: "shown" by a participants × listed skills matrix, "listed" by binary search
    for few, dense in ways:
        monkeypatch.setattr(credit, "FEW", few)
        monkeypatch.setattr(credit, "DENSE_LISTED", dense)
        assert _credits(model, feats)[0] == first, (few, dense)


def test_best_of_groups_takes_the_largest_value_then_the_lowest_tie():
    group = np.array([5, 5, 5, 2, 2, 9], np.int64)
    value = np.array([0.5, 0.7, 0.7, 0.1, 0.1, 0.3], np.float32)
    tie = np.array([1, 8, 3, 4, 2, 0], np.int64)
    assert credit._best_of_groups(group, value, tie).tolist() == [4, 2, 5]   # groups 2, 5, 9 in order


def test_best_in_cells_picks_as_best_of_groups_in_index_order():
    group = np.array([5, 5, 5, 2, 2, 9, 2], np.int64)
    value = np.array([0.5, 0.7, 0.7, 0.1, 0.1, 0.3, 0.05], np.float32)
    tie = np.array([1, 8, 3, 4, 2, 0, 1], np.int64)
    assert credit._best_of_groups(group, value, tie).tolist() == [4, 2, 5]
    assert credit._best_in_cells(group, 10, value, tie).tolist() == [2, 4, 5]
