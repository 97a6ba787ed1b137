"""Words shared by the pages and the CLI come from one function each, in the same order as the facts they name."""

from __future__ import annotations

import pytest

from matching.language import SUB_SKILLS
from service.i18n import translator
from service.labels import sub_skill_labels, sub_skill_names


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_sub_skill_words_follow_the_one_tuple(lang: str) -> None:
    _ = translator(lang)
    assert tuple(sub_skill_labels(_)) == SUB_SKILLS
    assert tuple(sub_skill_names(_)) == SUB_SKILLS
