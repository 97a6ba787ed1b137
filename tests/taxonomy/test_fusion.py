"""Fusion weights: learned per query language for every set of encoders a search can fuse."""

from __future__ import annotations

import numpy as np
import pytest

from taxonomy import fusion
from taxonomy.search import SEARCH_ENCODERS


@pytest.mark.parametrize("encoders", [(), ("use-multilingual",), ("e5-small",), SEARCH_ENCODERS])
def test_every_encoder_set_has_weights_per_language_that_sum_to_one(encoders):
    table = fusion.weights_for(list(encoders))
    assert set(fusion.LANGS) <= set(table)
    for weights in table.values():
        assert set(weights) == {fusion.LEXICAL, *encoders}
        assert sum(weights.values()) == pytest.approx(1.0)


def test_lexical_use_and_e5_together_are_learned_not_the_untuned_fallback():
    assert tuple(sorted(SEARCH_ENCODERS)) in fusion.LEARNED


def test_learned_weights_prefer_the_part_that_ranks_right():
    rng = np.random.default_rng(0)
    gold = [{int(g)} for g in rng.integers(0, 50, size=40)]
    good = rng.normal(size=(40, 50))
    for i, g in enumerate(gold):
        good[i, next(iter(g))] += 5.0
    noise = rng.normal(size=(40, 50))
    weights, score = fusion.learn_weights([({"lexical": noise, "dense": good}, gold)], step=0.1)
    assert weights["dense"] > weights["lexical"] and score == pytest.approx(1.0)
