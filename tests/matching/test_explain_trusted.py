"""Explanations are built as models without validating them again (:func:`matching.explain.trusted`):
every such model must be exactly the one validation gives — same fields in declaration order, same
types, same JSON — for job targets and shortlists alike."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from matching.explain import MissingSkill, SupportingSkill, trusted
from matching.job_targets import JobTargetsResult, job_targets
from matching.shortlist import Shortlist, make_shortlist
from matching.vacancies import confirm_vacancy, create_vacancy
from tests.matching.helpers import occupation_by_label, profile, sample_occupations, skills_of

DUTCH = {"listening": "B1", "reading": "A2", "speaking": None, "writing": "A1"}


def _models(obj):
    """Every pydantic model inside ``obj`` (itself included)."""
    if isinstance(obj, BaseModel):
        yield obj
        for name in type(obj).model_fields:
            yield from _models(getattr(obj, name))
    elif isinstance(obj, list | tuple):
        for v in obj:
            yield from _models(v)
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _models(v)


def _assert_as_validated(result: BaseModel) -> int:
    seen = 0
    for m in _models(result):
        cls = type(m)
        assert list(m.__dict__) == list(cls.model_fields), cls           # declaration order: the JSON follows it
        again = cls.model_validate(m.model_dump())
        assert again == m and again.model_dump_json() == m.model_dump_json(), cls
        for name, value in m.__dict__.items():                          # the very types validation gives
            assert type(value) is type(getattr(again, name)), (cls, name)
        assert m.model_fields_set == set(cls.model_fields)
        seen += 1
    return seen


def test_trusted_equals_validated():
    fields = {"uri": "u", "label": "heftruck besturen", "skill_type": "skill", "weight": 1.5}
    built, validated = trusted(MissingSkill, dict(fields)), MissingSkill.model_validate(fields)
    assert built == validated and built.model_dump_json() == validated.model_dump_json()
    built.label = "anders"                                               # an ordinary model afterwards
    assert built.label == "anders" and validated.label == "heftruck besturen"


def test_trusted_follows_the_order_it_is_given():
    """The JSON follows the order of the fields given: callers give them in declaration order."""
    fields = {"weight": 1.5, "skill_type": "skill", "label": "x", "uri": "u"}
    assert trusted(MissingSkill, fields).model_dump_json() != MissingSkill.model_validate(fields).model_dump_json()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_job_target_explanations_are_the_validated_models(con, lang):
    occs = sample_occupations(con, 4, seed=3)
    for i, occ in enumerate(occs):
        have = skills_of(con, occ)[::2] + skills_of(con, occ, "optional")[:3]
        res = job_targets(con, profile=profile(f"P-{i}", have, dutch=DUTCH if i % 2 else None, postcode="8000"),
                          top=20, log=False, lang=lang)
        seen = _assert_as_validated(res)
        assert seen > 20 * 5
        kinds = {type(m) for m in _models(res)}
        assert {SupportingSkill, MissingSkill} <= kinds
        assert JobTargetsResult.model_validate_json(res.model_dump_json()) == res


def _forklift_vacancy(con):
    """A confirmed forklift-driver vacancy in Brugge: its occupation, essential skills and the vacancy."""
    occ = occupation_by_label(con, "forklift operator")
    ess = skills_of(con, occ)
    v = create_vacancy(con, owner="liaison", method="lexical", vacancy={
        "title": "heftruckchauffeur", "description": "magazijn", "employer": "X", "postcode": "8000",
        "hours_per_week": 30, "shifts": ["day"]})
    return occ, ess, confirm_vacancy(con, vacancy_id=v.vacancy_id, by="liaison", occupation_uris=[occ],
                                     essential_skills=ess)


def test_shortlist_explanations_are_the_validated_models(con):
    occ, ess, v = _forklift_vacancy(con)
    people = [profile(f"C-{i}", ess[i % 3::2] + skills_of(con, occ, "optional")[:i % 4], postcode="8000",
                      dutch=DUTCH) for i in range(12)]
    sl = make_shortlist(con, vacancy_id=v.vacancy_id, requested_by="liaison", profiles=people)
    assert len(sl.candidates) == 12
    stored = con.execute("SELECT suggestion FROM matching.shortlists WHERE shortlist_id = ?",
                         [sl.shortlist_id]).fetchone()[0]        # dumped from the models as built, before reading
    assert Shortlist.model_validate_json(stored).model_dump_json() == stored
    assert sum(len(c.supporting_skills) + len(c.next_steps) for c in sl.candidates) > 12 * 3


def test_explanation_objects_are_shared_only_when_equal(con):
    """A missing skill is one object per skill and label table (between targets and requests); a supporting
    skill is one object between targets only when every field is the same; each as its profile says."""
    occ = sample_occupations(con, 1, seed=5)[0]
    have = skills_of(con, occ)[::2] + skills_of(con, occ, "optional")[:3]
    p = profile("P-shared", have, kind="self_declared", postcode="8000")
    first, again = (job_targets(con, profile=p, top=30, log=False) for _ in range(2))
    english = job_targets(con, profile=p, top=30, log=False, lang="en")
    nl_missing = {m.uri: m for t in (*first.targets, *again.targets) for m in t.missing_essential}
    assert len(nl_missing) > 5
    for t in (*first.targets, *again.targets):
        for m in t.missing_essential:
            assert m is nl_missing[m.uri]
    for t in english.targets:
        for m in t.missing_essential:
            if m.uri in nl_missing and m.label != nl_missing[m.uri].label:
                assert m is not nl_missing[m.uri]
    assert any(m.label != nl_missing.get(m.uri, m).label for t in english.targets for m in t.missing_essential)
    shared = {}
    for t in first.targets:
        for s in t.supporting_skills:
            same = shared.setdefault(s.model_dump_json(), s)
            assert same is s
            if s.direct:
                assert (s.level, s.evidence_kind, s.evidence_count) == (0.8, "self_declared", 0)
    assert len(shared) < sum(len(t.supporting_skills) for t in first.targets)
    _assert_as_validated(first)


def test_shortlist_candidates_keep_their_own_evidence(con):
    """Candidates with the same skills at other levels and evidence get supporting skills of their own."""
    _, ess, v = _forklift_vacancy(con)
    kinds = ("assessed", "self_declared", "observed")
    people = [profile(f"C-{i}", ess[:4], level=0.5 + 0.1 * i, kind=kinds[i % 3], postcode="8000", dutch=DUTCH)
              for i in range(4)]
    sl = make_shortlist(con, vacancy_id=v.vacancy_id, requested_by="liaison", profiles=people)
    assert len(sl.candidates) == 4
    for c in sl.candidates:
        i = int(c.participant_id.split("-")[1])
        direct = [s for s in c.supporting_skills if s.direct and s.relation == "essential"]
        assert len(direct) == 4
        assert {(s.level, s.evidence_kind) for s in direct} == {(0.5 + 0.1 * i, kinds[i % 3])}
