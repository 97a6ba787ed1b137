"""The vacancy reader's dense parts: read from the vector cache only, used as far as they are built.

A small index (the preferred labels of a forklift operator's skills) keeps the real encoders
fast: e5-small embeds a few dozen labels here, never the taxonomy.
"""

from __future__ import annotations

import numpy as np
import pytest

from matching.vacancies import propose
from matching.vacancies.extraction import (
    SKILL_ENCODERS,
    TRANSLATION,
    cached_parts,
    missing_parts,
    skill_label_kinds,
    weights_for,
)
from matching.vacancies.skills import SkillIndex, calibrate, fused_scores, skill_labels
from taxonomy.encoders import get_encoder
from taxonomy.index import text_vectors
from tests.matching.helpers import occupation_by_label, skills_of

TEXT = "Je laadt en lost vrachtwagens met de heftruck en je houdt de voorraad bij."
SENTENCE = "Je rijdt met de heftruck en je stapelt lege paletten."


def _best(index: SkillIndex, text: str, k: int = 3) -> set[str]:
    """English preferred labels of the ``k`` best skills of the small index for ``text``."""
    fused = fused_scores(index.parts([text]), weights_for(list(index.vectors)), excluded=index.excluded)[0]
    en = index.labels[index.labels["lang"] == "en"].set_index("uri")["label"]
    return {en.get(index.uris[i]) for i in np.argsort(-fused, kind="stable")[:k]}


def _small_index(con) -> SkillIndex:
    skills = set(skills_of(con, occupation_by_label(con, "forklift operator")))
    labels = skill_labels(con)
    labels = labels[labels["uri"].isin(skills) & (labels["kind"] == "preferred")]
    return SkillIndex.build(labels.reset_index(drop=True))


def _vectors(con) -> int:
    return con.execute("SELECT count(*) FROM taxonomy.label_vectors").fetchone()[0]


def test_dense_parts_are_read_from_the_cache_and_used_as_far_as_they_are_built(con):
    index = _small_index(con)
    texts = index.labels["label"].tolist()
    assert cached_parts(con, index) == {}                      # nothing built: lexical, nothing embedded
    assert missing_parts(index) == [*SKILL_ENCODERS, TRANSLATION]

    use = get_encoder("use-multilingual")
    text_vectors(con, texts, encoder=use)                      # what `taxonomy index --skills` stores
    before = _vectors(con)
    parts = cached_parts(con, index)
    assert set(parts) == {"use-multilingual"} and _vectors(con) == before
    enc, rows, matrix = parts["use-multilingual"]
    index.add_vectors(enc, rows, matrix)
    assert missing_parts(index) == ["e5-small", "e5-small-passage", TRANSLATION]
    assert set(weights_for(list(index.vectors)).dense) == {"use-multilingual"}
    assert _best(index, SENTENCE) & {"operate forklift", "stack empty pallets"}

    text_vectors(con, texts, encoder=get_encoder("e5-small"))
    parts = cached_parts(con, index)
    assert set(parts) == {"use-multilingual", "e5-small"}
    for enc, rows, matrix in parts.values():
        index.add_vectors(enc, rows, matrix)
    assert missing_parts(index) == ["e5-small-passage", TRANSLATION]
    assert set(weights_for(list(index.vectors)).dense) == {"use-multilingual", "e5-small"}
    assert _best(index, SENTENCE) & {"operate forklift", "stack empty pallets"}

    text_vectors(con, texts, encoder=get_encoder("e5-small-passage"))  # labels as passages
    parts = cached_parts(con, index)
    assert set(parts) == set(SKILL_ENCODERS)
    for enc, rows, matrix in parts.values():
        index.add_vectors(enc, rows, matrix)
    assert missing_parts(index) == [TRANSLATION]
    assert set(weights_for(list(index.vectors)).dense) == set(SKILL_ENCODERS)
    assert _best(index, SENTENCE) & {"operate forklift", "stack empty pallets"}


def test_e5_passage_part_searches_the_passage_vectors_with_the_sentence_as_e5_query(con):
    index = _small_index(con)
    texts = index.labels["label"].tolist()
    for name in SKILL_ENCODERS:
        text_vectors(con, texts, encoder=get_encoder(name))
    for enc, rows, matrix in cached_parts(con, index).values():
        index.add_vectors(enc, rows, matrix)
    e5, passage = get_encoder("e5-small"), get_encoder("e5-small-passage")
    query = e5.encode([SENTENCE])
    parts = index.parts([SENTENCE], query_vectors={"e5-small": query})  # one e5 query serves both parts
    rows, labels = index.vectors["e5-small-passage"]
    np.testing.assert_allclose(labels, passage.encode(texts), atol=1e-5)
    expected = index._per_skill(calibrate(query @ labels.T, index.langs[rows]), rows)
    np.testing.assert_allclose(parts["e5-small-passage"], expected, atol=1e-5)
    np.testing.assert_allclose(index.parts([SENTENCE])["e5-small-passage"], expected, atol=1e-4)
    wrong = index._per_skill(calibrate(passage.encode([SENTENCE]) @ labels.T, index.langs[rows]), rows)
    assert not np.allclose(parts["e5-small-passage"], wrong, atol=1e-3)
    assert not np.allclose(parts["e5-small-passage"], parts["e5-small"], atol=1e-3)


def test_a_set_of_parts_without_its_own_weights_uses_the_largest_set_inside_it():
    assert weights_for(["e5-small-passage", "use-multilingual"]) == weights_for(["use-multilingual"])
    assert weights_for(["e5-small-passage"]) == weights_for([])
    assert "e5-small-passage" in weights_for(list(SKILL_ENCODERS)).dense


def test_a_proposal_without_skill_vectors_is_lexical_and_says_which_are_missing(con):
    before = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'label_vectors'").fetchone()[0]
    prop = propose(con, title="Heftruckchauffeur", description=TEXT, method="hybrid")
    assert prop.note and prop.note.startswith("lexical")
    assert prop.missing_encoders == [*SKILL_ENCODERS, TRANSLATION]
    assert prop.skills and all(s.sentence == 0 for s in prop.skills)
    after = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'label_vectors'").fetchone()[0]
    assert after == before == 0 or con.execute("SELECT count(*) FROM taxonomy.label_vectors").fetchone()[0] == 0
    assert propose(con, title="Heftruckchauffeur", description=TEXT, method="lexical").missing_encoders == []


def test_dense_cosines_are_standardised_per_label_language():
    """A Dutch sentence is closer to every Dutch label than to any English one; per language the best wins."""
    import pandas as pd

    labels = pd.DataFrame({"uri": ["s1", "s1", "s2", "s3"], "lang": ["en", "nl", "en", "en"],
                           "kind": "preferred", "label": ["drive", "rijden", "stack pallets", "paint"]})
    index = SkillIndex.build(labels)
    cos = np.array([[0.20, 0.55, 0.45, 0.10]], np.float32)     # rows of index.labels (sorted by uri)
    plain = index._per_skill(cos)
    assert plain[0].argmax() == 0                               # s1 through its Dutch label
    z = calibrate(cos, index.langs)
    assert z[0, [0, 2, 3]].mean() == pytest.approx(0, abs=1e-6)
    assert z[0, 1] == pytest.approx(0, abs=1e-6)                # one Dutch label: std 0 → its deviation 0
    assert index._per_skill(z)[0].argmax() == 1                 # s2, the best English label, now first
    partial = index._per_skill(cos[:, [0, 1]], np.array([0, 1]))  # only s1's labels scored
    assert partial[0].tolist() == pytest.approx([0.55, 0.20, 0.20])


def test_taxonomy_index_builds_every_part_the_vacancy_reader_uses(tmp_path):
    """`werkbrug taxonomy index --skills` (sample taxonomy) embeds e5's passage side too; a proposal embeds no label."""
    from typer.testing import CliRunner

    from foundation.db import connect
    from service.cli import app
    from taxonomy.store import SAMPLE_DIR

    db = str(tmp_path / "t.duckdb")
    runner = CliRunner()
    assert runner.invoke(app, ["taxonomy", "import", str(SAMPLE_DIR), "--db", db]).exit_code == 0
    r = runner.invoke(app, ["taxonomy", "index", "--skills", "--db", db])
    assert r.exit_code == 0, r.output
    assert "e5-small-passage" in r.output and "word table" in r.output
    con = connect(db)
    try:
        index = SkillIndex.build(skill_labels(con))
        assert set(cached_parts(con, index)) == set(SKILL_ENCODERS)
        assert con.execute("SELECT count(*) FROM taxonomy.translations").fetchone()[0] > 0
        before = _vectors(con)
        prop = propose(con, title="Heftruckchauffeur", description=TEXT, method="hybrid")
        assert prop.missing_encoders == [] and prop.note is None
        assert _vectors(con) == before
    finally:
        con.close()


def test_vacancy_index_skills_leaves_nothing_for_skill_search_or_the_reader_to_embed(tmp_path):
    """`werkbrug vacancy index-skills` (sample taxonomy) builds the reader's parts and skill search's vectors too."""
    from typer.testing import CliRunner

    from foundation.db import connect
    from service.cli import app
    from taxonomy.index import missing_vectors
    from taxonomy.search import SEARCH_ENCODERS
    from taxonomy.store import SAMPLE_DIR

    db = str(tmp_path / "t.duckdb")
    runner = CliRunner()
    assert runner.invoke(app, ["taxonomy", "import", str(SAMPLE_DIR), "--db", db]).exit_code == 0
    r = runner.invoke(app, ["vacancy", "index-skills", "--db", db])
    assert r.exit_code == 0, r.output
    con = connect(db)
    try:
        assert set(cached_parts(con, SkillIndex.build(skill_labels(con)))) == set(SKILL_ENCODERS)
        use = get_encoder("use-multilingual")                  # skill search's USE part: every label, hidden too
        assert "use-multilingual" in SEARCH_ENCODERS and skill_label_kinds(use.name) is None
        assert missing_vectors(con, concept_type="skill", model=use.name, model_version=use.version) == 0
    finally:
        con.close()
