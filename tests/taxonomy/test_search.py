"""Vector cache, fusion and hybrid search on the real ESCO data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from foundation.cache import caches
from foundation.db import connect
from foundation.errors import InputError, NotFoundError
from service.cli import app
from taxonomy.encoders import Encoder
from taxonomy.esco_import import import_esco
from taxonomy.index import concept_vectors, ensure_vectors, skill_matrix, text_vectors
from taxonomy.search import Searcher, fuse, search, search_many
from tests.taxonomy.conftest import SEARCH_GROUP

pytestmark = [pytest.mark.esco, pytest.mark.xdist_group(SEARCH_GROUP)]


class CountingEncoder:
    """A real encoder that counts the texts it embeds (and may claim another version)."""

    def __init__(self, inner: Encoder, version: str | None = None):
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.version = version or inner.version
        self.embedded: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return self.inner.encode(texts)


def _english_label(con, uri: str) -> str:
    return con.execute(
        "SELECT label FROM taxonomy.labels WHERE uri = ? AND lang = 'en' AND kind = 'preferred'",
        [uri],
    ).fetchall()[0][0]


# -- the vector cache ------------------------------------------------------------------

def test_vectors_are_embedded_once_and_changed_labels_again(esco_db: Path, use_encoder) -> None:
    con = connect(esco_db)
    enc = CountingEncoder(use_encoder)
    n = ensure_vectors(con, concept_type="isco_group", encoder=enc, progress=False)
    distinct = con.execute(
        "SELECT count(DISTINCT label) FROM taxonomy.labels WHERE concept_type = 'isco_group'"
    ).fetchall()[0][0]
    assert n == distinct == len(enc.embedded) > 1000
    assert ensure_vectors(con, concept_type="isco_group", encoder=enc, progress=False) == 0
    assert len(enc.embedded) == distinct

    con.execute("""UPDATE taxonomy.labels SET label = 'lasrobotoperatoren (groep)'
                   WHERE concept_type = 'isco_group' AND lang = 'nl' AND uri = (
                     SELECT min(uri) FROM taxonomy.labels WHERE concept_type = 'isco_group')""")
    assert ensure_vectors(con, concept_type="isco_group", encoder=enc, progress=False) == 1
    assert enc.embedded[-1] == "lasrobotoperatoren (groep)"

    other = CountingEncoder(use_encoder, version="another version")
    assert ensure_vectors(con, concept_type="isco_group", encoder=other, langs=["nl"],
                          progress=False) == len(other.embedded) > 500
    stored = con.execute("SELECT count(*) FROM taxonomy.label_vectors").fetchall()[0][0]
    assert stored == distinct + 1 + len(other.embedded)


def test_cached_vectors_equal_fresh_ones(esco_db: Path, use_encoder) -> None:
    con = connect(esco_db)
    uris, labels, matrix = concept_vectors(con, concept_type="isco_group", encoder=use_encoder,
                                           lang="nl", progress=False)
    assert len(uris) == len(labels) == len(matrix) > 500
    again, n = text_vectors(con, labels[:50], encoder=use_encoder)
    assert n == 0
    np.testing.assert_allclose(again, use_encoder.encode(labels[:50]), atol=1e-5)
    np.testing.assert_allclose(again, matrix[:50], atol=1e-6)


def test_read_only_connection_embeds_without_storing(esco_db: Path, use_encoder) -> None:
    connect(esco_db).close()
    con = connect(esco_db, read_only=True)
    enc = CountingEncoder(use_encoder)
    vectors, n = text_vectors(con, ["lasser", "lasser", "bakker"], encoder=enc)
    assert n == 2 and vectors.shape == (3, use_encoder.dim) and enc.embedded == ["lasser", "bakker"]
    con.close()
    con = connect(esco_db)
    assert text_vectors(con, ["lasser"], encoder=enc)[1] == 1


def test_unknown_concept_type(esco_db: Path, use_encoder) -> None:
    with pytest.raises(InputError, match="Unknown concept type"):
        ensure_vectors(connect(esco_db), concept_type="beroep", encoder=use_encoder)


def test_skill_matrix_one_vector_per_skill(esco_db: Path, use_encoder) -> None:
    con = connect(esco_db)
    uris, matrix = skill_matrix(con, encoder=use_encoder, progress=False)
    n_skills = con.execute("SELECT count(*) FROM taxonomy.skills").fetchall()[0][0]
    assert len(uris) == len(set(uris)) == n_skills == matrix.shape[0]
    np.testing.assert_allclose(np.linalg.norm(matrix[:100], axis=1), 1.0, atol=1e-5)
    labels = dict(con.execute(
        "SELECT uri, label FROM taxonomy.labels WHERE concept_type = 'skill' AND lang = 'en' "
        "AND kind = 'preferred'").fetchall())
    weld = uris.index(next(u for u in uris if labels[u] == "use welding equipment"))
    nearest = np.argsort(-(matrix @ matrix[weld]))[1:6]
    assert any("weld" in labels[uris[i]] for i in nearest)


# -- fusion ----------------------------------------------------------------------------

def test_fusion_weights_and_scale_invariance() -> None:
    lexical = np.array([[0.9, 0.8, 0.1, 0.0]])
    dense = np.array([[0.30, 0.80, 0.82, 0.2]])
    assert np.argmax(fuse(lexical, dense, 1.0)) == 0
    assert np.argmax(fuse(lexical, dense, 0.0)) == 2
    assert np.argmax(fuse(lexical, dense, 0.5)) == 1  # second in both parts, first fused
    np.testing.assert_allclose(fuse(lexical, dense * 10 + 3, 0.5), fuse(lexical, dense, 0.5), atol=1e-5)
    per_query = fuse(np.vstack([lexical, lexical]), np.vstack([dense, dense]), np.array([1.0, 0.0]))
    assert list(per_query.argmax(axis=1)) == [0, 2]


# -- search on real ESCO ---------------------------------------------------------------

@pytest.fixture(scope="module")
def searcher(search_db_file: Path, use_encoder) -> Searcher:
    con = connect(search_db_file, read_only=True)
    return Searcher.for_connection(con, encoder=use_encoder)


@pytest.mark.parametrize(("query", "english_word"), [
    ("lasser", "welder"), ("poetsvrouw", "cleaner"), ("heftruckchauffeur", "forklift"),
    ("forklift driver", "forklift"), ("kitchen help", "kitchen"), ("kuisvrouw", "cleaner"),
])
def test_search_finds_the_occupation(search_db_file: Path, searcher, query, english_word) -> None:
    con = connect(search_db_file, read_only=True)
    hits = searcher.search(query, top=3)
    assert len(hits) == 3 and hits[0].score >= hits[1].score >= hits[2].score
    assert any(english_word in _english_label(con, h.uri) for h in hits), hits


def test_hit_fields(searcher) -> None:
    hit = searcher.search("lasser", top=1)[0]
    assert hit.uri.startswith("http://data.europa.eu/esco/occupation/")
    assert hit.matched_label == "lasser" and hit.lexical == pytest.approx(1.0, abs=1e-3)
    assert (hit.label, hit.label_lang) == searcher.display["nl"][hit.uri][:2] == ("lasser", "nl")
    assert searcher.search("lasser", top=1, lang="en")[0].label == searcher.display["en"][hit.uri][0]
    assert set(hit.to_dict()) == {"uri", "label", "label_lang", "matched_label", "score", "lexical", "dense"}
    assert set(hit.dense) == {"use-multilingual"}


def test_ties_are_broken_by_uri(searcher) -> None:
    """Several occupations have the label "lasser": equal scores come in URI order, every time."""
    hits = searcher.search("lasser", top=10)
    tied = [h for h in hits if h.score == hits[0].score]
    assert len(tied) >= 2 and [h.uri for h in tied] == sorted(h.uri for h in tied)
    assert [h.uri for h in hits] == [h.uri for h in searcher.search("lasser", top=10)]
    scores = [(-h.score, h.uri) for h in hits]
    assert scores == sorted(scores)


def test_titles_as_people_type_them(searcher) -> None:
    """Gender tags, seniority and employer words, a typo: the same occupation as the plain title."""
    plain = searcher.search("heftruckchauffeur", top=1)[0].uri
    for typed in ("Heftruckchauffeur (m/v/x)", "Ervaren heftruckchauffeur voor ons magazijn in Brugge",
                  "HEFTRUCKCHAUFEUR M/V/X", "Vacature: junior heftruck-chauffeur"):
        assert searcher.search(typed, top=3)[0].uri == plain, typed


def test_fused_is_at_least_as_good_as_its_parts(searcher) -> None:
    """Variant spellings and English titles: fused finds at least what each part finds."""
    queries = {"heftruck chauffeur": "forklift", "lasser-monteur": "welder",
               "schoonmaakster": "cleaner", "truck driver": "lorry", "nurse": "nurse",
               "electricien": "electrician", "programmeur": "developer",
               "verkoopster": ("sales", "seller"), "bakker": "baker", "poetshulp": "cleaner"}
    found = {}
    for mode in ("lexical", "dense", "hybrid"):
        results = searcher.search_many(list(queries), top=5, mode=mode)
        found[mode] = sum(
            any(word in searcher.display["en"][h.uri][0] for h in hits for word in ([w] if isinstance(w, str) else w))
            for hits, w in zip(results, queries.values(), strict=True))
    assert found["hybrid"] >= max(found["lexical"], found["dense"])
    assert found["hybrid"] >= 9, found


def test_startup_reads_vectors_from_the_cache(search_db: Path, use_encoder, esco_path) -> None:
    enc = CountingEncoder(use_encoder, version=use_encoder.version)
    con = connect(search_db)
    caches.clear()
    first = Searcher.for_connection(con, encoder=enc)
    assert enc.embedded == []  # every occupation label was cached by the fixture
    assert Searcher.for_connection(con, encoder=enc) is first
    first.search("lasser")
    assert enc.embedded == ["lasser"]  # only the query

    import_esco(con, esco_path)  # a re-import: new import id, same label texts
    second = Searcher.for_connection(con, encoder=enc)
    assert second is not first and enc.embedded == ["lasser"]
    assert caches.names()["taxonomy.searcher"] == 1  # the old import's searcher is gone


def test_search_many_batches(searcher) -> None:
    queries = ["lasser", "poetsvrouw", "forklift driver"] * 100
    results = searcher.search_many(queries, top=2)
    assert len(results) == 300 and all(len(r) == 2 for r in results)
    alone = searcher.search("lasser", top=2)
    for hits in (results[3], alone):  # the same ranking; float32 sums may differ in the last digit
        assert [h.uri for h in hits] == [h.uri for h in results[0]]
        assert [h.score for h in hits] == pytest.approx([h.score for h in results[0]], abs=1e-3)


def test_skill_search(search_db_file: Path, use_encoder) -> None:
    con = connect(search_db_file, read_only=True)
    hits = search(con, "lassen", kind="skill", top=5, encoder=use_encoder, langs=["nl"])
    labels = [_english_label(con, h.uri) for h in hits]
    assert any("weld" in label for label in labels), labels
    [hits] = search_many(con, ["Nederlands spreken"], kind="skill", top=3, encoder=use_encoder,
                         langs=["nl"])
    assert "Dutch" in _english_label(con, hits[0].uri)


def test_bad_queries_are_input_errors(search_db_file: Path, searcher, use_encoder) -> None:
    with pytest.raises(InputError, match="Empty search query"):
        searcher.search("   ")
    with pytest.raises(InputError, match="too long"):
        searcher.search("x" * 501)
    with pytest.raises(InputError, match="top must be"):
        searcher.search("lasser", top=0)
    con = connect(search_db_file, read_only=True)
    with pytest.raises(InputError, match="Unknown kind"):
        search(con, "lasser", kind="beroep", encoder=use_encoder)
    with pytest.raises(InputError, match="Unknown encoder"):
        search(con, "lasser", encoder="bert-huge")


def test_search_without_vectors_is_lexical_and_loads_no_encoder(esco_db: Path) -> None:
    """A fresh database: the answer comes from the lexical ranker, says so, and embeds nothing."""
    from taxonomy import encoders

    con = connect(esco_db)
    loads = encoders._load.cache_info()
    result = search(con, "Lasser (m/v/x)", top=3)
    assert result.mode == "lexical" and result.notice == "taxonomy.search_lexical_only"
    assert result.encoders == () and all(h.dense == {} for h in result)
    assert "lasser" in [h.label for h in result]
    [many] = search_many(con, ["poetsvrouw"], top=2)
    assert many.mode == "lexical" and len(many) == 2
    assert encoders._load.cache_info() == loads  # no encoder was even looked up
    cache = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'label_vectors'").fetchone()[0]
    assert cache == 0 or con.execute("SELECT count(*) FROM taxonomy.label_vectors").fetchone()[0] == 0


def test_search_is_hybrid_once_indexed(search_db: Path) -> None:
    con = connect(search_db)
    result = search(con, "lasser", top=3)
    assert result.mode == "hybrid" and result.encoders == ("use-multilingual",) and result.notice is None


def test_search_without_import(tmp_path: Path, use_encoder) -> None:
    con = connect(tmp_path / "empty.duckdb")
    with pytest.raises(NotFoundError, match="taxonomy import"):
        search(con, "lasser", encoder=use_encoder)


# -- CLI -------------------------------------------------------------------------------

def test_cli_search_json_and_batch(search_db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["taxonomy", "search", "lasser", "--db", str(search_db), "--json",
                              "--top", "3", "--encoder", "use-multilingual"])
    assert res.exit_code == 0, res.output
    line = json.loads(res.stdout.strip().splitlines()[-1])
    assert line["query"] == "lasser" and len(line["results"]) == 3 and line["mode"] == "hybrid"
    assert {"uri", "label", "score"} <= set(line["results"][0])

    titles = tmp_path / "titles.txt"
    titles.write_text("lasser\n\npoetsvrouw\nforklift driver\n", encoding="utf-8")
    res = runner.invoke(app, ["taxonomy", "search", "--file", str(titles), "--db", str(search_db),
                              "--json", "--encoder", "use-multilingual"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.strip().splitlines()]
    assert [x["query"] for x in lines] == ["lasser", "poetsvrouw", "forklift driver"]
    assert all(len(x["results"]) == 10 for x in lines)

    res = runner.invoke(app, ["taxonomy", "search", "lasser", "--db", str(search_db),
                              "--lang", "en", "--top", "2", "--encoder", "use"])
    assert res.exit_code == 0, res.output
    assert "welder" in res.stdout


def test_cli_search_without_vectors_says_so(esco_db: Path) -> None:
    res = CliRunner().invoke(app, ["taxonomy", "search", "lasser", "--db", str(esco_db), "--json",
                                   "--lang", "nl"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout.strip().splitlines()[-1])["mode"] == "lexical"
    assert "werkbrug taxonomy index" in _flat(res.stderr) and "spelling" in res.stderr


def test_cli_index_embeds_only_what_is_missing(search_db: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["taxonomy", "index", "--db", str(search_db), "--encoder", "use", "--no-skills"])
    assert res.exit_code == 0, res.output
    assert "occupation labels: 0 newly embedded" in _flat(res.output)
    con = connect(search_db)
    con.execute("UPDATE taxonomy.labels SET label = 'lasser-snijder (nieuw)' WHERE label = 'lasser'")
    con.close()
    res = runner.invoke(app, ["taxonomy", "index", "--db", str(search_db), "--encoder", "use", "--no-skills"])
    assert "occupation labels: 1 newly embedded" in _flat(res.output), res.output
    res = runner.invoke(app, ["taxonomy", "index", "--db", str(search_db), "--encoder", "bert", "--no-skills"])
    assert res.exit_code == 2 and "Unknown encoder 'bert'" in _flat(res.output)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_cli_search_errors(search_db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["taxonomy", "search", "--db", str(search_db)])
    assert res.exit_code == 2 and "QUERY or --file" in _flat(res.output)
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    res = runner.invoke(app, ["taxonomy", "search", "--file", str(empty), "--db", str(search_db)])
    assert res.exit_code == 2 and "holds no queries" in _flat(res.output)
    res = runner.invoke(app, ["taxonomy", "search", " ", "--db", str(search_db), "--encoder", "use"])
    assert res.exit_code == 2 and "Empty search query" in _flat(res.output)
