"""The Dutch → English word table: learned from ESCO's parallel labels ahead of time, read by the vacancy reader."""

from __future__ import annotations

import numpy as np
import pandas as pd

from matching.vacancies import propose, translation
from matching.vacancies.extraction import (
    ENGLISH_PARTS,
    SKILL_ENCODERS,
    TRANSLATION,
    build_translations,
    cached_parts,
    missing_parts,
    skill_index,
    weights_for,
)
from matching.vacancies.skills import EN, SkillIndex, skill_labels
from matching.vacancies.translation import Translator, learn, words
from taxonomy.encoders import get_encoder, query_encoder
from taxonomy.index import text_vectors
from tests.matching.helpers import occupation_by_label, skills_of

PAIRS = [("heftruck chauffeur", "forklift driver"), ("vrachtwagen chauffeur", "truck driver"),
         ("heftruck", "forklift"), ("vrachtwagen laden", "load truck"), ("magazijn", "warehouse")]


def _table() -> pd.DataFrame:
    return learn([(words(nl), words(en)) for nl, en in PAIRS])


def test_model_1_aligns_each_dutch_word_with_its_english_word():
    table = _table()
    best = table.groupby("source").head(1).set_index("source")["target"].to_dict()
    # "chauffeur" meets "driver" twice, "forklift" and "truck" once each: EM lets "heftruck" and
    # "vrachtwagen" explain those, so "chauffeur" keeps "driver" (co-occurrence alone would tie less clearly)
    assert best == {"chauffeur": "driver", "heftruck": "forklift", "vrachtwagen": "truck", "laden": "load",
                    "magazijn": "warehouse"}
    p = table.set_index(["source", "target"])["prob"]
    assert p["chauffeur", "driver"] > 0.6 > p.get(("chauffeur", "forklift"), 0.0)
    assert np.all(table.groupby("source")["prob"].sum() <= 1.0 + 1e-9)
    pd.testing.assert_frame_equal(table, _table())  # deterministic


def test_translate_keeps_unknown_words_and_splits_compounds_first():
    expand = {"heftruckchauffeur": "heftruckchauffeur heftruck chauffeur"}
    tr = Translator(_table(), lambda text: " ".join(expand.get(w, w) for w in text.split()))
    got = tr.translate("Je bent heftruckchauffeur in ons magazijn")
    assert got == "bent heftruckchauffeur forklift driver ons warehouse"
    assert tr.translate("HTML en CSS") == "html css"


def test_the_table_is_built_ahead_and_read_by_the_reader_never_built_by_a_request(con):
    def stored() -> int:
        return con.execute("SELECT count(*) FROM taxonomy.translations").fetchone()[0]

    assert skill_index(con).translator is None and TRANSLATION in missing_parts(skill_index(con))
    propose(con, title="Heftruckchauffeur", description="Je laadt en lost vrachtwagens.", method="hybrid")
    assert stored() == 0                                         # a request reads, never builds
    n = build_translations(con)
    assert n == stored() > 10_000
    index = skill_index(con)                                     # the index cache is renewed
    assert index.translator is not None and TRANSLATION not in missing_parts(index)
    got = index.translator.translate("heftruckchauffeur, vrachtwagens laden en lossen").split()
    assert {"forklift", "truck", "trucks"} & set(got) and "heftruckchauffeur" not in got[1:]
    assert "loading" in got or "load" in got


def _forklift_index(con, encoders: tuple[str, ...] = ("e5-small",)) -> SkillIndex:
    """The preferred labels of a forklift operator's skills, with the word table and ``encoders``' vectors."""
    build_translations(con)
    skills = set(skills_of(con, occupation_by_label(con, "forklift operator")))
    labels = skill_labels(con)
    labels = labels[labels["uri"].isin(skills) & (labels["kind"] == "preferred")].reset_index(drop=True)
    index = SkillIndex.build(labels)
    index.translator = Translator(translation.load(con), index.splitter.expand_normal)
    for name in encoders:
        text_vectors(con, labels["label"].tolist(), encoder=get_encoder(name))
    for enc, rows, matrix in cached_parts(con, index).values():
        index.add_vectors(enc, rows, matrix)
    return index


def test_english_parts_score_the_translation_with_the_same_label_vectors(con):
    index = _forklift_index(con)
    e5 = get_encoder("e5-small")
    sentence = "Je rijdt met de heftruck en je stapelt lege paletten."
    parts = index.parts([sentence], english=["e5-small", "lexical"])
    assert {"e5-small" + EN, "lexical" + EN} <= set(parts) and "spans" + EN not in parts
    english = index.translator.translate(sentence)
    assert "forklift" in english.split()
    np.testing.assert_allclose(parts["e5-small" + EN],
                               index.dense_scores("e5-small", [english], query_encoder(e5).encode([english])),
                               atol=1e-4)
    np.testing.assert_allclose(parts["lexical" + EN], index.lexical_scores([english]))
    assert not np.allclose(parts["e5-small" + EN], parts["e5-small"], atol=1e-3)
    assert index.parts([sentence]).keys() == {"lexical", "spans", "popularity", "e5-small"}


def test_the_english_parts_weigh_only_with_the_word_table_and_every_dense_part():
    full = weights_for([*SKILL_ENCODERS, TRANSLATION])
    assert set(full.english) | {n.removesuffix(EN) for n in full.sentence if n.endswith(EN)} <= set(ENGLISH_PARTS)
    assert full.english or any(n.endswith(EN) for n in full.sentence)
    assert weights_for(list(SKILL_ENCODERS)).english == {}
    assert weights_for(["use-multilingual", TRANSLATION]) == weights_for(["use-multilingual"])


def test_query_vectors_embedded_once_per_encoder_give_the_same_parts(con):
    index = _forklift_index(con, ("e5-small", "e5-small-passage"))
    assert set(index.vectors) == {"e5-small", "e5-small-passage"}
    queries = ["Je rijdt met de heftruck", "je stapelt lege paletten", "Je rijdt met de heftruck"]
    english = index.english(queries)
    assert english[0] != queries[0] and len(set(english)) == 2
    encoded = index.encode_queries((queries, None), (english, ["e5-small", "lexical"]))
    assert set(encoded) == {"e5-small"}                      # both e5 parts embed queries with e5's query side
    assert set(encoded["e5-small"]) == set(queries) | set(english)
    once = index.parts(queries, english=["e5-small", "lexical"], encoded=encoded)
    apart = index.parts(queries, english=["e5-small", "lexical"])
    assert once.keys() == apart.keys() == {"lexical", "spans", "popularity", "e5-small", "e5-small-passage",
                                           "e5-small" + EN, "lexical" + EN}
    for name in once:
        np.testing.assert_array_equal(once[name], apart[name], err_msg=name)
    q = index.vectorizer.transform([index.splitter.expand(t) for t in queries])
    np.testing.assert_array_equal(once["lexical"], index._per_skill((q @ index.lexical.T).toarray()))
    assert not np.array_equal(once["e5-small" + EN], once["e5-small"])
