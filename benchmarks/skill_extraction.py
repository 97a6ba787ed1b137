"""Vacancy sentence → ESCO skills benchmark on the Flemish dev set, baselines in the same run.

Data: ``../shared/benchmarks/skills_nl_dev.jsonl`` (136 sentences, Dutch and their English
originals, gold ESCO skill URIs). Convention of its README: rank **all** ESCO skills per
sentence; ``RP@5 = |top5 ∩ gold| / min(5, |gold|)``; MRR counts the first gold skill in the
top 100 (0 beyond). Methods, each run on the Dutch and on the English sentences:

* char TF-IDF (2–4-grams, sentence against each label, best label per skill) over English
  labels, and over Dutch + English labels (preferred + alternative);
* USE and e5-small dense: the sentence's vector against the vectors of the labels (nl + en;
  the labels :data:`~matching.vacancies.extraction.SKILL_ENCODERS` gives each encoder; e5 with
  the labels embedded as queries and as passages), the plain best cosine per skill;
* ``taxonomy search --skills``: the product's hybrid search over skills (before this work);
* werkbrug: :mod:`matching.vacancies.skills` (lexical + spans with Dutch compounds split,
  USE and e5 over the labels, cosines standardised per label language; language skills never
  proposed), once with every dense part and the e5 parts scored again on the sentence's English
  words (the word table learned from ESCO's parallel labels, :mod:`~matching.vacancies.translation`,
  built into the file if missing), once without the word table (before it), once without e5's passage
  vectors (before they were a part), once without e5 (what a database without e5 vectors gets) and
  once by spelling only (no vectors built). Its weights are picked on one half of the sentences and
  scored on the other (2-fold, the honest number); the weights picked on all sentences are printed and shipped
  (:data:`~matching.vacancies.extraction.WEIGHTS`). One split of 136 sentences is noisy (a few
  hundredths either way), so the 2-fold is also averaged over ``--splits`` random splits (the
  first is the 2-fold row).

Label vectors are read from the benchmark's DuckDB file under ``benchmarks/out/``, built ahead
by ``werkbrug taxonomy index --skills --db benchmarks/out/esco_bench.duckdb`` (anything missing
is embedded here first); sentence vectors are cached there too.

    .venv/bin/python benchmarks/skill_extraction.py [--db benchmarks/out/esco_bench.duckdb]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from foundation.db import connect  # noqa: E402
from matching.vacancies import translation  # noqa: E402
from matching.vacancies.extraction import (  # noqa: E402
    ENGLISH_PARTS,
    SKILL_ENCODERS,
    TRANSLATION,
    WEIGHTS,
    best_per_owner,
    segment_queries,
)
from matching.vacancies.skills import (  # noqa: E402
    EN,
    RetrievalWeights,
    SkillIndex,
    language_skills,
    occupation_uses,
    skill_labels,
    standardise,
)
from matching.vacancies.text import segment  # noqa: E402
from matching.vacancies.translation import Translator  # noqa: E402
from taxonomy import fusion  # noqa: E402
from taxonomy.encoders import get_encoder, query_encoder  # noqa: E402
from taxonomy.esco_import import import_esco  # noqa: E402
from taxonomy.index import text_vectors  # noqa: E402
from taxonomy.search import Searcher  # noqa: E402
from taxonomy.store import default_esco_path, ensure_schema  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
DATA = ROOT.parent / "shared" / "benchmarks" / "skills_nl_dev.jsonl"
GRID = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0)
ROUNDS = 2
WHOLE = "sentence:"  # prefix of the whole sentence's parts in the tuning


def rp_at_k(scores: np.ndarray, gold: list[set[int]], k: int = 5) -> float:
    """Mean over queries of ``|top-k ∩ gold| / min(k, |gold|)``."""
    top = np.argpartition(-scores, k, axis=1)[:, :k]
    return float(np.mean([len(set(t.tolist()) & g) / min(k, len(g)) for t, g in zip(top, gold, strict=True)]))


def mrr_at(scores: np.ndarray, gold: list[set[int]], k: int = 100) -> float:
    """Mean over queries of 1 / rank of the first gold item within the top ``k`` (0 beyond)."""
    out = []
    for row, g in zip(scores, gold, strict=True):
        top = np.argpartition(-row, k)[:k]
        top = top[np.lexsort((top, -row[top]))]
        out.append(next((1.0 / (r + 1) for r, c in enumerate(top.tolist()) if c in g), 0.0))
    return float(np.mean(out))


def load(path: Path, index: dict[str, int]) -> tuple[list[dict], list[set[int]]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    gold = [{index[s["uri"]] for s in r["skills"] if s["uri"] in index} for r in rows]
    return rows, gold


def tfidf_baseline(idx: SkillIndex, mask: np.ndarray, queries: list[str]) -> np.ndarray:
    """Plain char TF-IDF over the labels in ``mask`` (no compound splitting, no spans)."""
    labels = idx.labels[mask]
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), lowercase=True, strip_accents="unicode",
                          sublinear_tf=True, dtype=np.float32)
    m = vec.fit_transform(labels["label"])
    s = (vec.transform(queries) @ m.T).toarray()
    return idx._per_skill(s, np.flatnonzero(mask))


def plain_dense(idx: SkillIndex, name: str, query_vectors: np.ndarray) -> np.ndarray:
    """The dense baseline: per skill the best cosine of its labels (no per-language standardisation)."""
    rows, matrix = idx.vectors[name]
    return idx._per_skill(query_vectors @ matrix.T, rows)


def tune(z: dict[str, dict[str, np.ndarray]], owner: dict[str, np.ndarray], gold: list[set[int]],
         rows: np.ndarray, excluded: np.ndarray) -> RetrievalWeights:
    """Weights with the best mean RP@5 (then MRR@100) over both languages on the sentences ``rows``.

    Coordinate ascent over :data:`GRID` from equal weights, :data:`ROUNDS` rounds.
    ``z``: standardised part scores per language (one row per query), ``owner``: the sentence of each query.
    """
    names = list(next(iter(z.values())))
    g = [gold[i] for i in rows]
    mine = {lang: np.isin(owner[lang], rows) for lang in z}  # only the queries of these sentences are fused
    zs = {lang: {n: v[mine[lang]] for n, v in parts.items()} for lang, parts in z.items()}

    def score(w: dict[str, float]) -> tuple[float, float]:
        got = []
        for lang, parts in zs.items():
            fused = sum(wk * parts[n] for n, wk in w.items() if wk)
            fused[:, excluded] = -np.inf
            got.append(best_per_owner(fused, owner[lang][mine[lang]])[rows])
        return (float(np.mean([rp_at_k(s, g) for s in got])), float(np.mean([mrr_at(s, g) for s in got])))

    w = {n: 0.5 for n in names}
    best = score(w)
    for _ in range(ROUNDS):
        for n in names:
            for value in GRID:
                trial = {**w, n: value}
                if value == w[n] or not any(trial.values()):
                    continue
                got = score(trial)
                if got > best:
                    best, w = got, trial
    sentence = {n.removeprefix(WHOLE): w.pop(n) for n in list(w) if n.startswith(WHOLE)}
    english = {n.removesuffix(EN): w.pop(n) for n in list(w) if n.endswith(EN)}
    return RetrievalWeights(lexical=w.pop("lexical"), spans=w.pop("spans"), popularity=w.pop("popularity"),
                            dense=w, english=english, sentence=sentence, prior=0.0)


def product_queries(texts: list[str]) -> tuple[list[str], np.ndarray, list[str], np.ndarray]:
    """The product's queries of each text, as :func:`~matching.vacancies.extraction.sentence_skills` makes them.

    ``(queries, text of each query, sentences, sentence of each query)``: the clauses without
    requirements and those together, per sentence of the text.
    """
    queries, owner, whole, sentence_of = [], [], [], []
    for i, text in enumerate(texts):
        for seg in segment(text) or []:
            got = segment_queries(seg)
            if got:
                queries += got
                owner += [i] * len(got)
                sentence_of += [len(whole)] * len(got)
                whole.append(seg.text)
        if i not in owner:
            queries.append(text)
            owner.append(i)
            sentence_of.append(len(whole))
            whole.append(text)
    return queries, np.array(owner), whole, np.array(sentence_of)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--db", type=Path, default=OUT / "esco_bench.duckdb")
    p.add_argument("--data", type=Path, default=DATA)
    p.add_argument("--no-e5", action="store_true", help="Leave e5-small out.")
    p.add_argument("--no-translation", action="store_true", help="Leave the Dutch → English word table out.")
    p.add_argument("--splits", type=int, default=5, help="Random half/half splits for the 2-fold mean row.")
    p.add_argument("--e5-labels", choices=("preferred", "all"), default=SKILL_ENCODERS["e5-small"],
                   help="The skill labels e5-small embeds (default: as the product).")
    args = p.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    con = connect(args.db)
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name='taxonomy' "
                       "AND table_name='imports'").fetchone()[0]:
        import_esco(con, default_esco_path())
    t0 = time.time()
    labels = skill_labels(con)
    idx = SkillIndex.build(labels, excluded=language_skills(con), uses=occupation_uses(con))
    table = translation.load(con)
    if not len(table) and not args.no_translation:
        ensure_schema(con)
        translation.build(con, idx.splitter.expand_normal)  # as `taxonomy index --skills` builds it
        table = translation.load(con)
    if not args.no_translation:
        idx.translator = Translator(table, idx.splitter.expand_normal)
    index = {u: i for i, u in enumerate(idx.uris)}
    rows, gold = load(args.data, index)
    queries = {"nl": [r["sentence_nl"] for r in rows], "en": [r["sentence_en"] for r in rows]}
    print(f"{len(rows)} sentences, {len(idx.uris):,} skills, {len(labels):,} labels; "
          f"{sum(len(g & set(np.flatnonzero(idx.excluded))) > 0 for g in gold)} sentences with a language skill "
          "in the gold set", flush=True)

    encoders = ["use-multilingual"] + ([] if args.no_e5 else ["e5-small", "e5-small-passage"])
    pref = (idx.labels["kind"] == "preferred").to_numpy()
    for name in encoders:
        enc = get_encoder(name)
        which = args.e5_labels if name.startswith("e5-small") else SKILL_ENCODERS[name]
        rows_ = np.flatnonzero(pref) if which == "preferred" else np.arange(len(idx.labels))
        mat, n = text_vectors(con, idx.labels["label"].iloc[rows_].tolist(), encoder=enc, progress=True,
                              desc=f"Embedding skill labels ({name})")
        idx.add_vectors(enc, rows_, mat)
        print(f"{name}: {len(rows_):,} label vectors ({n:,} embedded now)", flush=True)
    qenc = {name: query_encoder(idx.encoders[name]) for name in encoders}  # e5's passage part: e5 queries
    qvec = {lang: {name: text_vectors(con, q, encoder=qenc[name])[0] for name in encoders}
            for lang, q in queries.items()}
    pq = {lang: product_queries(q) for lang, q in queries.items()}
    pvec = {lang: {name: text_vectors(con, pq[lang][0], encoder=qenc[name])[0] for name in encoders}
            for lang in queries}
    wvec = {lang: {name: text_vectors(con, pq[lang][2], encoder=qenc[name])[0] for name in encoders}
            for lang in queries}
    z = {}
    english = [n for n in ENGLISH_PARTS if n in encoders] if idx.translator is not None else []
    for lang in queries:
        z[lang] = {n: standardise(v) for n, v in idx.parts(pq[lang][0], query_vectors=pvec[lang],
                                                          english=english).items()}
        whole = idx.parts(pq[lang][2], query_vectors=wvec[lang], english=english)
        z[lang].update({WHOLE + n: standardise(v)[pq[lang][3]] for n, v in whole.items() if n != "popularity"})
    owner = {lang: pq[lang][1] for lang in queries}
    print(f"product queries: {len(pq['nl'][0])} nl, {len(pq['en'][0])} en; part scores ready "
          f"({time.time() - t0:.0f} s)", flush=True)

    results: list[tuple[str, str, float, float]] = []

    def report(method: str, lang: str, scores: np.ndarray) -> None:
        results.append((method, lang, rp_at_k(scores, gold), mrr_at(scores, gold)))

    en_mask = (idx.labels["lang"] == "en").to_numpy()
    for lang, q in queries.items():
        report("char TF-IDF, en labels", lang, tfidf_baseline(idx, en_mask, q))
        report("char TF-IDF, nl+en labels", lang, tfidf_baseline(idx, np.ones(len(en_mask), bool), q))
        for e5 in (n for n in encoders if n.startswith("e5-small")):
            report(f"{e5} dense, nl+en {'preferred' if args.e5_labels == 'preferred' else ''} labels"
                   .replace("  ", " "), lang, plain_dense(idx, e5, qvec[lang][e5]))
        report("USE dense, nl+en labels", lang, plain_dense(idx, "use-multilingual", qvec[lang]["use-multilingual"]))
    searcher = Searcher.for_connection(con, kind="skill", encoder="use-multilingual")
    col = np.array([index.get(u, -1) for u in searcher.uris])
    for lang, q in queries.items():
        got = searcher.part_scores(q, {"use-multilingual": qvec[lang]["use-multilingual"]})
        w = searcher._weights(searcher.query_langs(searcher.prepare(q)[0], None), list(got), "hybrid")
        fused = fusion.fuse_parts(got, w)
        scores = np.full((len(q), len(idx.uris)), -np.inf, np.float32)
        scores[:, col[col >= 0]] = fused[:, col >= 0]
        report("taxonomy search --skills (lexical + USE, before)", lang, scores)

    def werkbrug(lang: str, w: RetrievalWeights, rows: np.ndarray | None = None) -> np.ndarray:
        parts_ = {"lexical": w.lexical, "spans": w.spans, "popularity": w.popularity, **w.dense,
                  **{n + EN: v for n, v in w.english.items()},
                  **{WHOLE + n: v for n, v in w.sentence.items()}}
        fused = sum(wk * z[lang][n] for n, wk in parts_.items() if wk)
        fused[:, idx.excluded] = -np.inf
        out = best_per_owner(fused, owner[lang])
        return out if rows is None else out[rows]

    def two_fold(zz: dict, seed: int, name: str | None = None) -> dict[str, np.ndarray]:
        """Scores of each sentence with the weights picked on the other half of a random split."""
        order = np.random.default_rng(seed).permutation(len(rows))
        halves = [np.sort(order[: len(order) // 2]), np.sort(order[len(order) // 2:])]
        cv = {lang: np.zeros((len(rows), len(idx.uris)), np.float32) for lang in queries}
        for k in (0, 1):
            w = tune(zz, owner, gold, halves[k], idx.excluded)
            if name:
                print(f"{name}: weights picked on half {k}: {w.model_dump(exclude={'prior'})}", flush=True)
            for lang in queries:
                cv[lang][halves[1 - k]] = werkbrug(lang, w, halves[1 - k])
        return cv

    combos = [encoders, ["use-multilingual", "e5-small"], ["use-multilingual"]] if len(encoders) > 1 else [encoders]
    if idx.translator is not None:
        combos.insert(0, [*encoders, TRANSLATION])
    combos.append([])  # no vectors built yet: spelling only
    for dense in combos:
        name = (" + ".join(["lexical", *(n.replace("use-multilingual", "USE") for n in dense)]) if dense
                else "lexical only")
        keep = {*dense, "lexical", "spans", "popularity", *(n + EN for n in english if TRANSLATION in dense)}
        zz = {lang: {n: v for n, v in zl.items() if n.removeprefix(WHOLE) in keep} for lang, zl in z.items()}
        cv = two_fold(zz, 0, name)
        others = [two_fold(zz, seed) for seed in range(1, args.splits)]
        shipped = tune(zz, owner, gold, np.arange(len(rows)), idx.excluded)
        print(f"{name}: weights picked on all sentences (shipped): {shipped.model_dump(exclude={'prior'})}",
              flush=True)
        for lang in queries:
            report(f"werkbrug {name} (2-fold: weights from the other half)", lang, cv[lang])
            if others:
                got = [(rp_at_k(c[lang], gold), mrr_at(c[lang], gold)) for c in [cv, *others]]
                results.append((f"werkbrug {name} (2-fold, mean over {args.splits} random splits)", lang,
                                *np.mean(got, axis=0).tolist()))
            report(f"werkbrug {name} (weights from all sentences)", lang, werkbrug(lang, shipped))
    lexical_w = WEIGHTS[()]
    for lang in queries:
        report("werkbrug lexical only (no vectors built; shipped weights)", lang, werkbrug(lang, lexical_w))

    print(f"\nSkill extraction, {len(rows)} Flemish dev sentences, all {len(idx.uris):,} ESCO skills ranked "
          f"({time.time() - t0:.0f} s)\n")
    print("| method | RP@5 nl | MRR@100 nl | RP@5 en | MRR@100 en |")
    print("|---|---:|---:|---:|---:|")
    for method in dict.fromkeys(m for m, *_ in results):
        got = {lang: (rp, mrr) for m, lang, rp, mrr in results if m == method}
        print(f"| {method} | {got['nl'][0]:.3f} | {got['nl'][1]:.3f} | {got['en'][0]:.3f} | {got['en'][1]:.3f} |")


if __name__ == "__main__":
    main()
