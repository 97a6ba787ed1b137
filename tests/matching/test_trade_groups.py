"""The trade groups built once per model, checked against ESCO's tables; the participant matrix."""

import numpy as np
import pytest

from matching.features import ranking_features
from matching.model import get_model
from matching.scoring import occupation_trade_groups, presence, profile_matrix, trade_group_skills
from tests.matching.helpers import occupation_by_label, profile, skills_of


def _expected_trade_groups(con) -> dict[str, set[str]]:
    """G_o from the taxonomy tables: essential skills of the other occupations of o's ISCO unit group
    that o does not list (essential or optional), language skills left out."""
    occs = dict(con.execute("SELECT uri, coalesce(isco_group, '') FROM taxonomy.occupations").fetchall())
    language = {r[0] for r in con.execute(
        "SELECT uri FROM taxonomy.collections WHERE collection = 'language'").fetchall()}
    skills = {r[0] for r in con.execute("SELECT uri FROM taxonomy.skills").fetchall()}
    listed: dict[str, set[str]] = {o: set() for o in occs}
    essential: dict[str, set[str]] = {o: set() for o in occs}
    for o, s, kind in con.execute("SELECT occupation_uri, skill_uri, relation_type FROM taxonomy.occupation_skills"
                                  ).fetchall():
        if o in occs and s in skills and s not in language:
            listed[o].add(s)
            if kind == "essential":
                essential[o].add(s)
    group: dict[str, set[str]] = {}
    for o, isco in occs.items():
        if isco:
            group.setdefault(isco, set()).update(essential[o])
    return {o: (group[isco] - listed[o]) if isco else set() for o, isco in occs.items()}


def test_each_occupations_trade_group_is_what_its_unit_group_lists_as_essential_and_it_does_not(con):
    model = get_model(con)
    groups = occupation_trade_groups(model)
    expected = _expected_trade_groups(con)
    uris = np.array(model.skill_uris)
    by_skill = groups.by_skill.tocsc()
    assert groups.by_skill.shape == (len(model.skill_uris), len(model.occ_uris))
    assert set(np.unique(groups.by_skill.data).tolist()) <= {1.0}
    assert sum(len(g) for g in expected.values()) > 1000               # the term has something to do
    for o, uri in enumerate(model.occ_uris):
        got = groups.of(o)
        assert (np.diff(got) > 0).all()                                  # sorted, each skill once
        assert set(uris[got].tolist()) == expected[uri], uri
        column = np.sort(by_skill.indices[by_skill.indptr[o]:by_skill.indptr[o + 1]])
        assert np.array_equal(column, got), uri
    assert occupation_trade_groups(model) is groups                      # built once per model


def test_the_explanation_and_a_vacancy_of_one_occupation_use_the_same_trade_group(con):
    model = get_model(con)
    o = model.occ_index[occupation_by_label(con, "cook")]
    of_occupation = trade_group_skills(model, targets=np.array([o, 0]))
    assert np.array_equal(of_occupation[0], occupation_trade_groups(model).of(o)) and of_occupation[0].size
    vacancy = trade_group_skills(model, targets=np.array([0]), A=model.A[[o]], occupations=[np.array([o])])
    assert np.array_equal(vacancy[0], of_occupation[0])
    off = get_model(con, config=model.config.model_copy(update={"trade_group_credit": 0.0}))
    assert all(t.size == 0 for t in trade_group_skills(off, targets=np.array([o])))


def test_the_participant_matrix_keeps_each_skills_strongest_evidence_in_skill_order(con):
    model = get_model(con)
    occ = occupation_by_label(con, "forklift operator")
    uris = skills_of(con, occ)[:4]
    dutch = con.execute("SELECT uri FROM taxonomy.collections WHERE collection = 'language' LIMIT 1").fetchone()[0]
    weak = profile("P-1", [uris[0]], level=0.2)
    strong = profile("P-1", [*reversed(uris), dutch])
    both = strong.model_copy(update={"skills": [*weak.skills, *strong.skills]})
    features = [ranking_features(both), ranking_features(profile("P-2", [])), ranking_features(weak)]
    X = profile_matrix(model, features)
    assert X.shape == (3, len(model.skill_uris)) and X.has_canonical_format
    assert np.array_equal(X.indptr, [0, 4, 4, 5])
    assert X.indices[:4].tolist() == sorted(model.skill_index[u] for u in uris)      # language skill dropped
    strength = {s.uri: s.strength for s in ranking_features(strong).skills}
    assert X[0, model.skill_index[uris[0]]] == pytest.approx(presence(strength[uris[0]]))   # the stronger one
    assert X[2, model.skill_index[uris[0]]] == pytest.approx(presence(ranking_features(weak).skills[0].strength))


@pytest.mark.parametrize("few", [True, False])
def test_the_occupations_one_product_scores_exactly_as_the_three_products_of_any_targets(con, monkeypatch, few):
    """Against the occupations the score takes the touched occupations' sums from one gather (a few participants)
    or one product (many); both as the three products of any targets."""
    from matching import scoring
    from matching.credit import targets
    from matching.scoring import participants, skill_fit
    from tests.matching.helpers import sample_occupations

    if not few:
        monkeypatch.setattr(scoring, "FEW", 0)
    model = get_model(con)
    occs = sample_occupations(con, 6)
    people = [profile(f"P-{i}", skills_of(con, o)[::2] + skills_of(con, occs[i - 1])[:2]) for i, o in enumerate(occs)]
    pa = participants(model, [ranking_features(p) for p in people])
    for config in (model.config, model.config.model_copy(update={"trade_group_credit": 0.0}),
                   model.config.model_copy(update={"skill_fit": "f_beta"})):
        m = get_model(con, config=config)
        fast, general = skill_fit(m, pa, m.A), skill_fit(m, pa, targets(m, m.A, essential=m.E))   # a copy
        assert all(np.array_equal(fast[k], general[k]) for k in ("skills", "recall", "use"))
        assert (fast["use"] > 0).any() and hasattr(m, "_skill_rows" if few else "_occupation_sums")
