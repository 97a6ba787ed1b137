"""The skills part as evidence (matching.fit) on the real ESCO model: the formula by hand, the trade
group as expected noise, strength, and the per-skill scale shortlists compare on."""

import numpy as np
import pytest
from scipy.special import betaln, gammaln

from matching.features import ranking_features
from matching.fit import SOFTNESS, chance_offset
from matching.job_targets import job_targets
from matching.model import get_model
from matching.scoring import participants, skill_fit
from tests.matching.helpers import occupation_by_label, profile, skills_of


def _same_group_skill(model, o: int) -> int:
    listed = set(model.essential_of(o).tolist()) | set(model.optional_of(o).tolist())
    same = [j for j in np.flatnonzero(model.occ_isco4 == model.occ_isco4[o]) if j != o]
    return sorted(set(model.essential_of(same[0]).tolist()) - listed, key=lambda i: model.skill_uris[i])[0]


def test_the_skills_part_is_the_evidence_written_in_the_module(con):
    model = get_model(con)
    c = model.config
    assert c.skill_fit == "likelihood" and model.name.startswith("werkbrug-match/4 ")
    o = model.occ_index[occupation_by_label(con, "cook")]
    ess, opt, trade = model.essential_of(o), model.optional_of(o), _same_group_skill(model, o)
    shown = [int(ess[0]), int(ess[2]), int(opt[0]), trade]
    f = ranking_features(profile("P-1", [model.skill_uris[i] for i in shown], level=1.0))
    pa = participants(model, [f])
    assert pa.X.nnz == 4
    got = skill_fit(model, pa, model.A)["skills"][0, o]

    x = pa.X.toarray()[0]
    idf, delta = model.idf.astype(np.float64), chance_offset(model)
    group = model.occ_isco4 == model.occ_isco4[o]
    in_group = set(np.flatnonzero(np.asarray(model.E[np.flatnonzero(group)].sum(axis=0)).ravel() > 0).tolist())
    listed_all = set(ess.tolist()) | set(opt.tolist())
    size_g = len(in_group - listed_all)
    n_e, n_o = len(ess), len(opt)
    (ae, be), (ao, bo), lam, r = c.essential_prior, c.optional_prior, c.trade_skills, c.trade_spread
    hand = (betaln(2 + ae, n_e - 2 + be) - betaln(ae, be) + betaln(1 + ao, n_o - 1 + bo) - betaln(ao, bo)
            + sum(idf[i] + delta + np.log(x[i]) for i in shown[:3])
            + gammaln(1 + r) - gammaln(r) + r * np.log(r / (r + lam)) + np.log(lam / (r + lam)) - np.log(size_g)
            + idf[trade] + delta + np.log(x[trade]))
    soft = np.logaddexp(0, SOFTNESS * hand / 4) / SOFTNESS
    assert got == pytest.approx(-np.expm1(-soft / c.fit_scale), abs=1e-5)


def test_a_skill_of_the_next_trade_is_expected_noise_an_unrelated_one_is_not(con):
    model = get_model(con)
    occ = occupation_by_label(con, "cook")
    o = model.occ_index[occ]
    near = _same_group_skill(model, o)
    listed = set(model.essential_of(o).tolist()) | set(model.optional_of(o).tolist())
    group = set(np.flatnonzero(np.asarray(model.E[np.flatnonzero(model.occ_isco4 == model.occ_isco4[o])]
                                          .sum(axis=0)).ravel() > 0).tolist())
    far = min((i for i in range(len(model.skill_uris)) if i not in listed | group and not model.skill_is_language[i]
               and abs(model.idf[i] - model.idf[near]) < 0.5), key=lambda i: model.skill_uris[i])
    base = skills_of(con, occ)[::3]
    fits = [skill_fit(model, participants(model, [ranking_features(profile("P-1", [*base, model.skill_uris[t]]))]),
                      model.A)["skills"][0, o] for t in (near, far)]
    assert fits[0] > fits[1]


def test_assessed_evidence_counts_more_than_self_declared_but_not_twice(con):
    occ = occupation_by_label(con, "forklift operator")
    have = skills_of(con, occ)[::2]
    strong = job_targets(con, profile=profile("P-1", have, kind="assessed", level=1.0), top=3, log=False).targets[0]
    weak = job_targets(con, profile=profile("P-1", have, kind="self_declared", level=0.4), top=3, log=False).targets[0]
    assert strong.occupation_uri == weak.occupation_uri == occ
    assert strong.parts.values["skills"] > weak.parts.values["skills"] > 0.5 * strong.parts.values["skills"]


def test_more_of_the_job_scores_higher_and_nothing_shown_scores_nothing(con):
    model = get_model(con)
    occ = occupation_by_label(con, "forklift operator")
    o = model.occ_index[occ]
    ess = skills_of(con, occ)
    fits = [skill_fit(model, participants(model, [ranking_features(profile("P-1", ess[:k]))]), model.A)["skills"][0, o]
            for k in (1, len(ess) // 2, len(ess))]
    assert 0 < fits[0] < fits[1] < fits[2] <= 1
    empty = skill_fit(model, participants(model, [ranking_features(profile("P-1", []))]), model.A)["skills"]
    assert (empty == 0).all()
