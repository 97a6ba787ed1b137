"""Scoring rules with worked examples (pure functions, no database)."""

from __future__ import annotations

from datetime import date

import pytest

from assessment.instrument import Instrument
from assessment.profile import Evidence, EvidenceKind
from assessment.scoring import (
    combine_evidence,
    evidence_confidence,
    experience_level,
    item_level,
    latest_cefr,
    skill_scores,
)

T = {"nl": "t", "en": "t"}


def _instrument() -> Instrument:
    return Instrument.model_validate({
        "id": "demo", "version": "1", "kind": "technical", "domain": "demo", "title": T, "instructions": T,
        "scale": {"min": 0, "max": 4, "labels": {i: T for i in range(5)}},
        "items": [
            {"id": "a", "text": T, "skills": [{"uri": "http://x/s1", "weight": 1.0}]},
            {"id": "b", "text": T, "skills": [{"uri": "http://x/s1", "weight": 0.5}, {"uri": "http://x/s2"}]},
            {"id": "c", "text": T, "skills": [{"uri": "http://x/s3", "weight": 0.4}]},
        ],
    })


def test_item_level_normalises_the_scale() -> None:
    assert item_level(3, low=0, high=4) == 0.75
    assert item_level(1, low=1, high=4) == 0.0
    assert item_level(4, low=1, high=4) == 1.0
    with pytest.raises(ValueError):
        item_level(5, low=0, high=4)


def test_skill_level_is_the_weighted_mean_of_linked_items() -> None:
    # a = 4 → 1.0 (weight 1 on s1); b = 2 → 0.5 (weight 0.5 on s1, 1 on s2); c blank.
    got = {s.uri: s for s in skill_scores(_instrument(), {"a": 4, "b": 2, "c": None})}
    assert set(got) == {"http://x/s1", "http://x/s2"}
    assert got["http://x/s1"].level == pytest.approx((1 * 1.0 + 0.5 * 0.5) / 1.5)  # 0.8333
    assert got["http://x/s1"].coverage == pytest.approx(1.5)
    assert got["http://x/s1"].items == ("a", "b")
    assert got["http://x/s2"].level == pytest.approx(0.5)


def test_confidence_depends_on_kind_and_coverage() -> None:
    assert evidence_confidence(EvidenceKind.assessed, 1.5) == pytest.approx(0.9)
    assert evidence_confidence(EvidenceKind.assessed, 0.4) == pytest.approx(0.36)
    assert evidence_confidence(EvidenceKind.observed) == pytest.approx(0.8)
    assert evidence_confidence(EvidenceKind.experience) < evidence_confidence(EvidenceKind.observed)
    assert evidence_confidence(EvidenceKind.self_declared) < evidence_confidence(EvidenceKind.experience)


def test_experience_level_saturates() -> None:
    assert experience_level(0) == 0
    assert experience_level(2) == pytest.approx(0.5)
    assert experience_level(4) == pytest.approx(0.75)
    assert experience_level(30) < 1


def _ev(kind: EvidenceKind, level: float, day: date | None = None, conf: float | None = None) -> Evidence:
    return Evidence(kind=kind, level=level, assessed_on=day, confidence=conf)


def test_recency_weighted_combination_worked_example() -> None:
    # Old test (a year earlier) counts half: w_old = 0.9 · 0.5 = 0.45, w_new = 0.9.
    old = _ev(EvidenceKind.assessed, 0.4, date(2025, 1, 1), 0.9)
    new = _ev(EvidenceKind.assessed, 0.8, date(2026, 1, 1), 0.9)
    level, confidence, kind = combine_evidence([old, new])
    assert level == pytest.approx((0.45 * 0.4 + 0.9 * 0.8) / 1.35)  # 0.6667
    assert confidence == pytest.approx(1 - (1 - 0.45) * (1 - 0.9))  # 0.945
    assert kind == EvidenceKind.assessed
    # Order of the evidence does not matter.
    assert combine_evidence([new, old])[0] == pytest.approx(level)


def test_tested_evidence_replaces_experience_and_self_declaration() -> None:
    exp = _ev(EvidenceKind.experience, 0.9, conf=0.5)
    said = _ev(EvidenceKind.self_declared, 1.0, conf=0.3)
    seen = _ev(EvidenceKind.observed, 0.2, date(2026, 3, 1), 0.8)
    level, confidence, kind = combine_evidence([exp, said, seen])
    assert (level, confidence, kind) == (pytest.approx(0.2), pytest.approx(0.8), EvidenceKind.observed)
    level, confidence, kind = combine_evidence([exp, said])
    assert (level, confidence, kind) == (pytest.approx(0.9), pytest.approx(0.5), EvidenceKind.experience)
    with pytest.raises(ValueError):
        combine_evidence([])


def test_cefr_most_recent_wins() -> None:
    obs = [(date(2026, 1, 1), "x", "B1"), (date(2026, 6, 1), "y", "A2.2"), (date(2025, 1, 1), "z", "C1")]
    assert latest_cefr(obs) == "A2.2"  # a later, lower level wins: levels are not averaged
    assert latest_cefr([]) is None
