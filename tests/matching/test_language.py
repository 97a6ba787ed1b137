"""Dutch CEFR arithmetic, requirements and the language check."""

import numpy as np
import pytest

from assessment import cefr
from foundation.errors import InputError, NotFoundError
from matching.language import (
    check_language,
    language_fit,
    occupation_requirement,
    participant_values,
    set_requirement,
    shipped_defaults,
)
from tests.matching.helpers import occupation_by_label


def test_language_fit_never_rewards_beyond_requirement():
    req = participant_values({"listening": "A2", "reading": "A2", "speaking": "A2", "writing": "A1"})
    meets = participant_values({"listening": "A2", "reading": "A2", "speaking": "A2", "writing": "A1"})
    above = participant_values({"listening": "C2", "reading": "C1", "speaking": "C2", "writing": "B2"})
    below = participant_values({"listening": "A1", "reading": "A1", "speaking": "A2", "writing": "A1"})
    assert language_fit(meets, req) == language_fit(above, req) == 1.0
    assert language_fit(below, req) == pytest.approx(1 - 2 / 8)
    unassessed = participant_values({})
    assert np.isnan(unassessed).all()
    assert language_fit(unassessed, req) == pytest.approx(1 - (2 + 2 + 2 + 1) / 8)


def test_check_flags_the_gap_per_sub_skill(con):
    cook = occupation_by_label(con, "cook")
    req = occupation_requirement(con, occupation_uri=cook)
    assert req.source.startswith("default isco 512")
    check = check_language({"listening": "A1", "reading": "A2.1", "speaking": "B2", "writing": None}, req)
    by = {i.sub_skill: i for i in check.items}
    assert not check.meets
    assert by["listening"].status == "gap" and by["listening"].gap_levels == cefr.value(req.listening) - 1
    assert by["speaking"].status == "meets" and by["speaking"].gap_levels == 0
    assert by["writing"].status == "not_assessed"


def test_overrides_by_isco_group_and_occupation(con):
    cook = occupation_by_label(con, "cook")
    isco = con.execute("SELECT isco_group FROM taxonomy.occupations WHERE uri = ?", [cook]).fetchone()[0]
    levels = dict.fromkeys(("listening", "reading", "speaking", "writing"), "B1")
    set_requirement(con, isco_code=isco[:2], levels=levels, updated_by="admin")
    assert occupation_requirement(con, occupation_uri=cook).source == f"isco {isco[:2]}"
    set_requirement(con, occupation_uri=cook, updated_by="admin",
                    levels={"listening": "A2.2", "reading": "a1", "speaking": "A2", "writing": "A0"})
    req = occupation_requirement(con, occupation_uri=cook)
    assert (req.source, req.listening, req.reading, req.writing) == ("occupation", "A2.2", "A1", "A0")


def test_bad_requirement_input_is_located(con):
    with pytest.raises(InputError) as err:
        set_requirement(con, isco_code="51", levels={"listening": "A2", "reading": "Z9"}, updated_by="x")
    assert {p.column for p in err.value.problems} == {"speaking", "writing"}
    with pytest.raises(InputError) as err:
        set_requirement(con, isco_code="51", updated_by="x", levels=dict.fromkeys(
            ("listening", "reading", "speaking", "writing"), "Z9"))
    assert err.value.problems[0].column == "listening"
    with pytest.raises(InputError):
        set_requirement(con, isco_code="5x", updated_by="x", levels=dict.fromkeys(
            ("listening", "reading", "speaking", "writing"), "A1"))
    with pytest.raises(NotFoundError):
        set_requirement(con, occupation_uri="http://example.org/nope", updated_by="x", levels=dict.fromkeys(
            ("listening", "reading", "speaking", "writing"), "A1"))
    assert con.execute("SELECT count(*) FROM matching.language_requirements").fetchone()[0] == 0


def test_shipped_defaults_cover_every_isco_major_group():
    defaults = shipped_defaults()
    assert "*" in defaults
    assert all(str(d) in defaults for d in range(10))
