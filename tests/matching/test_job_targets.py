"""Job targets on the real ESCO taxonomy: ranking, gaps, language, partial credit, log."""

import json

import pytest

from assessment import cefr
from foundation.errors import InputError
from matching.features import ranking_features
from matching.job_targets import job_targets, rank_profiles
from matching.language import SUB_SKILLS, occupation_requirement
from matching.log import read_log
from matching.vacancies import confirm_vacancy, create_vacancy
from tests.matching.helpers import occupation_by_label, profile, sample_occupations, skills_of


def test_an_occupations_own_skills_rank_it_near_the_top(con):
    occs = sample_occupations(con, 12)
    profiles = [profile(f"P-{i}", skills_of(con, o)[::2] + skills_of(con, o)[1::4]) for i, o in enumerate(occs)]
    ranked = rank_profiles(con, profiles=profiles, top=10, log=False)
    hits = [o in [u for u, _ in r] for o, r in zip(occs, ranked, strict=True)]
    assert sum(hits) >= 10, hits
    for r in ranked:
        scores = [s for _, s in r]
        assert scores == sorted(scores, reverse=True)


def test_gap_lists_exactly_the_missing_essential_skills(con):
    occ = occupation_by_label(con, "forklift operator")
    ess = skills_of(con, occ)
    have = ess[: len(ess) // 2]
    res = job_targets(con, profile=profile("P-1", have, dutch={"listening": "B1", "reading": "B1", "speaking": "B1",
                                                                "writing": "B1"}), top=5, log=False)
    target = next(t for t in res.targets if t.occupation_uri == occ)
    assert target.rank == 1
    gaps = set(ess) - set(have)
    shown = [m.uri for m in target.missing_essential]
    related = {s.uri for s in target.supporting_skills if not s.direct}
    assert len(shown) == min(5, len(gaps - related)) and set(shown) <= gaps - related   # the five that matter most
    weights = [m.weight for m in target.missing_essential]
    assert weights == sorted(weights, reverse=True)
    counts = target.skill_counts
    assert (counts.required, counts.met) == (len(ess), len(have))
    assert counts.met + counts.related + counts.missing == counts.required
    direct = {s.uri for s in target.supporting_skills if s.direct}
    assert direct == set(have)
    every = [s.uri for s in target.supporting_skills] + shown
    assert len(every) == len(set(every))                                     # each skill once
    ev = next(s for s in target.supporting_skills if s.direct)
    assert ev.evidence_kind == "assessed" and ev.level == 0.8
    parts = target.parts
    total = parts.skills + parts.experience + parts.preference + parts.language
    assert total == pytest.approx(target.score, abs=1e-5)
    assert parts.values["essential"] > 0.3
    assert {s.kind for s in target.next_steps} & {"training", "internship"}
    closed = {u for s in target.next_steps for u in s.closes}
    assert set(shown) <= closed


def test_dutch_beyond_the_requirement_earns_nothing_and_a_gap_is_shown(con):
    occ = occupation_by_label(con, "forklift operator")
    skills = skills_of(con, occ)[:6]
    req = occupation_requirement(con, occupation_uri=occ)
    exact = {k: getattr(req, k) for k in SUB_SKILLS}
    fluent = dict.fromkeys(exact, "C2")
    low = dict.fromkeys(exact, "A0")

    def target(dutch):
        res = job_targets(con, profile=profile("P-1", skills, dutch=dutch), top=3, log=False)
        return next(t for t in res.targets if t.occupation_uri == occ)

    a, b, c = target(exact), target(fluent), target(low)
    assert a.language.meets and b.language.meets and a.score == b.score
    assert not c.language.meets and c.score < a.score and c.rank <= 3   # flagged, not hidden
    gaps = {i.sub_skill: i.gap_levels for i in c.language.items}
    assert gaps == {k: cefr.value(v) for k, v in exact.items()}
    assert all(g > 0 for g in gaps.values())
    course = next(s for s in c.next_steps if s.kind == "language_course")
    assert set(course.closes) == set(gaps)


def test_related_skills_give_partial_credit(con):
    occ = occupation_by_label(con, "forklift operator")
    ess = skills_of(con, occ)
    # a narrower/broader or sibling skill of an essential one, that is not itself essential
    row = con.execute(
        """SELECT n.skill_uri, n.neighbour_uri FROM matching.skill_neighbours n
           WHERE n.skill_uri IN (SELECT unnest(?)) AND n.neighbour_uri NOT IN (SELECT unnest(?))
           ORDER BY n.weight DESC, n.skill_uri, n.neighbour_uri LIMIT 1""", [ess, ess]).fetchone()
    target_skill, neighbour = row
    others = [s for s in ess if s != target_skill][:3]
    res = job_targets(con, profile=profile("P-1", [neighbour, *others]), top=200, log=False)
    t = next(t for t in res.targets if t.occupation_uri == occ)
    credited = next(s for s in t.supporting_skills if s.uri == target_skill)
    assert not credited.direct and credited.via_uri == neighbour and 0 < credited.credit < 0.8
    assert target_skill not in {m.uri for m in t.missing_essential}          # related, not also a gap
    assert t.skill_counts.related >= 1
    without = job_targets(con, profile=profile("P-1", others), top=200, log=False)
    w = next(t for t in without.targets if t.occupation_uri == occ)
    assert w.parts.values["recall"] < t.parts.values["recall"]
    direct = job_targets(con, profile=profile("P-1", [target_skill, *others]), top=200, log=False)
    d = next(t for t in direct.targets if t.occupation_uri == occ)
    assert d.score > t.score                                                 # related never above direct


def test_experience_and_preference_raise_an_occupation(con):
    occ = occupation_by_label(con, "kitchen porter")
    skills = skills_of(con, occ)[:2]
    base = job_targets(con, profile=profile("P-1", skills), top=200, log=False)
    more = job_targets(con, profile=profile("P-1", skills, experience=[{"occupation_uri": occ, "years": 3}],
                                            preferred_occupations=[occ]), top=200, log=False)
    b = next(t for t in base.targets if t.occupation_uri == occ)
    m = next(t for t in more.targets if t.occupation_uri == occ)
    assert m.parts.values["experience"] == 1.0 and m.parts.values["preference"] == 1.0
    assert m.score > b.score and m.rank <= b.rank


def test_every_request_is_logged(con):
    occ = occupation_by_label(con, "forklift operator")
    res = job_targets(con, profile=profile("P-9", skills_of(con, occ)[:5]), top=4, requested_by="coach1")
    rows = read_log(con, kind="job_targets", input_id="P-9")
    assert len(rows) == 1 and rows[0].log_id == res.log_id
    row = rows[0]
    assert row.requested_by == "coach1" and row.model == res.model and "ESCO 1.1.1" in row.taxonomy_version
    assert [(o["id"], o["rank"]) for o in row.outputs] == [(t.occupation_uri, t.rank) for t in res.targets]
    assert [o["score"] for o in row.outputs] == pytest.approx([t.score for t in res.targets])
    rank_profiles(con, profiles=[profile("P-10", []), profile("P-11", [])], top=3, requested_by="batch")
    assert {tuple(r.input_ids) for r in read_log(con, kind="job_targets")} >= {("P-10",), ("P-11",)}
    raw = con.execute("SELECT outputs FROM matching.request_log WHERE log_id = ?", [res.log_id]).fetchone()[0]
    assert len(json.loads(raw)) == 4


def test_bulk_and_single_agree(con):
    occ = occupation_by_label(con, "cook")
    p = profile("P-1", skills_of(con, occ)[::2], dutch={"listening": "A1"})
    single = job_targets(con, profile=p, top=10, log=False)
    bulk = rank_profiles(con, profiles=[p], top=10, log=False)[0]
    assert [(t.occupation_uri, t.score) for t in single.targets] == [(u, pytest.approx(s, abs=1e-6)) for u, s in bulk]


def test_open_vacancies_count_only_confirmed_ones_within_reach(con):
    occ = occupation_by_label(con, "forklift operator")
    ess = skills_of(con, occ)
    for pc in ("8000", "8200", "3500"):      # Brugge, Sint-Andries, Hasselt
        v = create_vacancy(con, owner="liaison", vacancy={"title": "heftruckchauffeur", "description": "magazijn",
                                                          "employer": "X", "postcode": pc})
        confirm_vacancy(con, vacancy_id=v.vacancy_id, by="liaison", occupation_uris=[occ], essential_skills=ess[:3])
    create_vacancy(con, owner="liaison", vacancy={"title": "heftruckchauffeur", "description": "nog niet bevestigd",
                                                  "employer": "X", "postcode": "8000"})
    res = job_targets(con, profile=profile("P-1", ess[:5], postcode="8000", modes=["bike"], max_minutes=45),
                      top=3, log=False)
    assert next(t for t in res.targets if t.occupation_uri == occ).open_vacancies == 2
    anywhere = job_targets(con, profile=profile("P-1", ess[:5]), top=3, log=False)
    assert next(t for t in anywhere.targets if t.occupation_uri == occ).open_vacancies == 3


def test_bad_input_is_rejected(con):
    with pytest.raises(InputError):
        job_targets(con, profile=profile("P-1", []), top=0)
    with pytest.raises(InputError):
        rank_profiles(con, profiles=[], top=1000)


def test_related_credit_fills_each_gap_once_from_unused_skills(con):
    import numpy as np

    from matching.model import get_model
    from matching.scoring import participants, related_credit

    model = get_model(con)
    occ = occupation_by_label(con, "cook")
    f = ranking_features(profile("P-1", skills_of(con, occ)[::3] + skills_of(con, occ, "optional")[::4]))
    pa = participants(model, [f])
    o = model.occ_index[occ]
    c = related_credit(model, pa.X, model.A[[o]])
    listed = set(model.essential_of(o).tolist()) | set(model.optional_of(o).tolist())
    held = set(pa.X.indices.tolist())
    assert set(c.skill.tolist()) <= listed - held            # only gaps get credit
    assert not set(c.via.tolist()) & listed                  # only from skills the occupation does not use
    assert len(set(c.skill.tolist())) == c.skill.size and len(set(c.via.tolist())) == c.via.size
    assert (c.credit < 1).all() and (c.credit > 0).all()
    batch = related_credit(model, participants(model, [f, f]).X, model.A[[o]])
    assert np.allclose(batch.credit[batch.participant == 1], c.credit)


def test_a_skill_of_the_same_trade_group_counts_partly_in_use_not_in_recall(con):
    import numpy as np

    from foundation.settings import load_settings
    from matching.config import MatchingConfig
    from matching.model import get_model
    from matching.scoring import participants, skill_fit

    model = get_model(con, config=MatchingConfig.from_settings(load_settings()).model_copy(
        update={"skill_fit": "f_beta"}))                              # γ shapes the F-measure's ``use``
    off = get_model(con, config=model.config.model_copy(update={"trade_group_credit": 0.0}))
    assert isinstance(off.config, MatchingConfig) and off.config.trade_group_credit == 0.0
    occ = occupation_by_label(con, "cook")
    o = model.occ_index[occ]
    listed = set(model.essential_of(o).tolist()) | set(model.optional_of(o).tolist())
    same = [j for j in np.flatnonzero(model.occ_isco4 == model.occ_isco4[o]) if j != o]
    other = set(model.essential_of(same[0]).tolist()) - listed
    s = sorted(other, key=lambda i: model.skill_uris[i])[0]
    far = next(j for j in range(len(model.occ_uris)) if model.occ_isco[j][:1] != model.occ_isco[o][:1]
               and s not in set(model.essential_of(j).tolist()) | set(model.optional_of(j).tolist()))
    f = ranking_features(profile("P-1", [*skills_of(con, occ)[::2], model.skill_uris[s]]))
    pa = participants(model, [f])
    with_group, without = skill_fit(model, pa, model.A), skill_fit(off, pa, off.A)
    x = pa.X.toarray()[0]
    gain = model.config.trade_group_credit * model.idf[s] * x[s] / float((model.idf * x).sum())
    assert with_group["use"][0, o] == pytest.approx(without["use"][0, o] + gain, abs=1e-5)
    assert with_group["recall"][0, o] == pytest.approx(without["recall"][0, o], abs=1e-6)
    assert with_group["use"][0, far] == pytest.approx(without["use"][0, far], abs=1e-6)  # not the group
    assert with_group["skills"][0, o] > without["skills"][0, o]
    assert (with_group["use"] <= 1).all() and (with_group["skills"] <= 1).all()


def test_the_explanation_lists_the_skills_counted_as_the_same_trade(con):
    import numpy as np

    from matching.model import get_model

    model = get_model(con)
    occ = occupation_by_label(con, "cook")
    o = model.occ_index[occ]
    listed = set(model.essential_of(o).tolist()) | set(model.optional_of(o).tolist())
    same = [j for j in np.flatnonzero(model.occ_isco4 == model.occ_isco4[o]) if j != o]
    s = sorted(set(model.essential_of(same[0]).tolist()) - listed, key=lambda i: model.skill_uris[i])[0]
    trade_uri = model.skill_uris[s]
    shown = [*skills_of(con, occ)[::2], trade_uri]
    result = job_targets(con, profile=profile("P-1", shown), top=200, log=False)
    cook = next(t for t in result.targets if t.occupation_uri == occ)
    by_uri = {x.uri: x for x in cook.supporting_skills}
    assert by_uri[trade_uri].relation == "trade" and by_uri[trade_uri].direct
    assert cook.supporting_skills[-1].relation == "trade"                     # listed after the job's own skills
    same_evidence = next(x for x in cook.supporting_skills if x.relation == "essential" and x.direct)
    assert by_uri[trade_uri].credit == pytest.approx(model.config.trade_group_credit * same_evidence.credit, abs=1e-3)
    assert trade_uri not in {m.uri for m in cook.missing_essential}
    without = job_targets(con, profile=profile("P-1", shown[:-1]), top=200, log=False)
    before = next(t for t in without.targets if t.occupation_uri == occ)
    assert cook.skill_counts == before.skill_counts                          # not a required skill shown
    off = model.config.model_copy(update={"trade_group_credit": 0.0})
    plain = job_targets(con, profile=profile("P-1", shown), top=200, log=False, config=off)
    assert all(x.relation != "trade" for t in plain.targets for x in t.supporting_skills)


def test_rank_sorts_only_the_best_and_breaks_ties_by_uri_order():
    import numpy as np

    from matching.job_targets import rank

    rng = np.random.default_rng(3)
    for n, top in ((50, 1), (50, 10), (50, 49), (50, 50), (3007, 10), (3007, 200)):
        total = rng.choice(np.array([0.1, 0.25, 0.5, 0.75], np.float32), size=n)   # many ties
        got = rank(total, top)
        assert np.array_equal(got, np.lexsort((np.arange(n), -total))[:top]), (n, top)
