"""Job-title search benchmark on real ESCO: every ranker part beside werkbrug's fusion.

Query sets (:mod:`benchmarks.title_queries`): held-out Dutch ESCO alternative labels, the same
as people type them, held-out Flemish VDAB Competent titles, noisy English alternative labels,
and English preferred labels against the Dutch labels. The reported queries come from one half
of the occupations; ``--tune`` learns the fusion weights per query language on queries from
the other half (never on the reported ones), prints them and reports with them.

Methods: the lexical ranker (char TF-IDF) on the raw query (the baseline) and on the
normalised one, each sentence encoder alone (raw and normalised query), the issue's
baseline (50/50 fusion of raw char TF-IDF and e5-small), and werkbrug's fusion
(normalised query, weights of :data:`taxonomy.fusion.LEARNED`, or learned now with ``--tune``).
Label and query vectors are cached in the benchmark's DuckDB file (``benchmarks/out/``), built
by ``werkbrug taxonomy index --db benchmarks/out/esco_bench.duckdb`` (e5-small over the ~60k
occupation labels takes 15–30 minutes on 2 shared cores).

    python benchmarks/title_normalisation.py [--encoders use-multilingual,e5-small]
        [--sample 600] [--tune]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import duckdb
import numpy as np
import pandas as pd
from ranx import Qrels, Run, evaluate

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.title_queries import QuerySet, load_labels, query_sets  # noqa: E402
from foundation.db import connect  # noqa: E402
from foundation.settings import load_settings  # noqa: E402
from taxonomy import fusion  # noqa: E402
from taxonomy.encoders import get_encoder  # noqa: E402
from taxonomy.index import text_vectors  # noqa: E402
from taxonomy.search import LanguageGuesser, Searcher  # noqa: E402
from taxonomy.store import default_esco_path  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
DB = OUT / "esco_bench.duckdb"
METRICS = ["mrr@10", "recall@1", "recall@5", "recall@10"]


def evaluate_ranking(qs: QuerySet, uris: list[str], scores: np.ndarray) -> dict[str, float]:
    """ranx metrics of a (queries × concepts) score matrix, ties broken by URI as in search."""
    top = fusion.top_k(scores, 10)
    run = {qid: {uris[c]: float(10 - r) for r, c in enumerate(row)}
           for qid, row in zip(qs.queries.qid, top, strict=True)}
    qrels = {qid: dict.fromkeys(u, 1) for qid, u in zip(qs.queries.qid, qs.queries.uris, strict=True)}
    return evaluate(Qrels(qrels), Run(run), METRICS)


_SEARCHERS: dict[tuple, tuple[pd.DataFrame, Searcher]] = {}  # holds the index: ids stay unique


def searcher_for(qs: QuerySet, con: duckdb.DuckDBPyConnection, encoders: list[str], *,
                 plain: bool = False) -> Searcher:
    """The searcher of a query set's index (built once per index; ``plain``: the baseline)."""
    key = (id(qs.index), tuple(encoders), plain)
    if key not in _SEARCHERS:
        _SEARCHERS[key] = (qs.index, _build(qs, con, [] if plain else encoders, plain))
    return _SEARCHERS[key][1]


def _build(qs: QuerySet, con: duckdb.DuckDBPyConnection, encoders: list[str], plain: bool) -> Searcher:
    guesser = LanguageGuesser.fit(qs.guesser_labels.label.tolist(), qs.guesser_labels.lang.tolist())
    encs, vectors = {}, {}
    for name in encoders:
        enc = get_encoder(name)
        vectors[enc.name], n_new = text_vectors(con, qs.index.label.tolist(), encoder=enc, progress=True)
        encs[enc.name] = enc
        if n_new:
            print(f"  embedded {n_new} new labels with {enc.name}", file=sys.stderr)
    return Searcher(qs.index, encoders=encs, vectors=vectors, guesser=guesser, normalise=not plain)


def parts_of(qs: QuerySet, con: duckdb.DuckDBPyConnection, searcher: Searcher,
             plain: Searcher | None = None) -> dict[str, np.ndarray]:
    """Part scores of the raw and of the normalised queries (query vectors cached in ``con``).

    "lexical raw" is ``plain``'s char TF-IDF: raw labels, raw queries (the baseline).
    """
    texts = qs.queries.text.tolist()
    normalised, _ = searcher.prepare(texts)
    out = {}
    for label, index in (("lexical raw", plain), (fusion.LEXICAL, searcher)):
        if index is not None:
            out[label] = index.part_scores(texts, {})[fusion.LEXICAL]
    for name, enc in searcher.encoders.items():
        for label, qtexts in ((f"{name} raw", texts), (name, normalised)):
            out[label] = searcher.part_scores(texts, {name: text_vectors(con, qtexts, encoder=enc)[0]})[name]
    return out


def run_set(qs: QuerySet, con: duckdb.DuckDBPyConnection, encoders: list[str]) -> list[dict]:
    """Rows of the result table for one query set."""
    searcher = searcher_for(qs, con, encoders)
    parts = parts_of(qs, con, searcher, searcher_for(qs, con, encoders, plain=True))
    n = len(qs.queries)
    langs = searcher.query_langs(searcher.prepare(qs.queries.text.tolist())[0], None)
    print(f"  {qs.name}: query language guessed {pd.Series(langs).value_counts().to_dict()}", file=sys.stderr)
    rows = []

    def add(method: str, scores: np.ndarray) -> None:
        m = evaluate_ranking(qs, searcher.uris, scores)
        rows.append({"query set": f"{qs.name} ({n:,})", "method": method, "MRR@10": m["mrr@10"],
                     "R@1": m["recall@1"], "R@5": m["recall@5"], "R@10": m["recall@10"]})

    add("TF-IDF char 2–4 (raw query, baseline)", parts["lexical raw"])
    add("TF-IDF char 2–4 (normalised)", parts[fusion.LEXICAL])
    for name in searcher.encoders:
        add(f"{name} (raw query)", parts[f"{name} raw"])
        add(f"{name} (normalised)", parts[name])
    if "e5-small" in searcher.encoders:
        add("50/50 TF-IDF + e5-small (raw, issue baseline)",
            fusion.fuse(parts["lexical raw"], parts["e5-small raw"], 0.5))
    for combo in _combos(list(searcher.encoders)):
        table = fusion.weights_for(combo)
        w = {k: np.array([table.get(lg, table["other"]).get(k, 0.0) for lg in langs])
             for k in (fusion.LEXICAL, *combo)}
        fused = fusion.fuse_parts({k: parts[k] for k in w}, w)
        bold = len(combo) == len(searcher.encoders)
        label = f"fused: lexical + {' + '.join(combo)}"
        add(f"**{label} (werkbrug)**" if bold else label, fused)
    return rows


def _combos(encoders: list[str]) -> list[tuple[str, ...]]:
    singles = [(e,) for e in encoders]
    return singles + ([tuple(sorted(encoders))] if len(encoders) > 1 else [])


def tune(sets: list[QuerySet], con: duckdb.DuckDBPyConnection, encoders: list[str]) -> dict:
    """Learned weights per encoder combination and query language, on the tuning queries."""
    by_lang: dict[str, list[tuple[dict, list[set[int]]]]] = {}
    for qs in sets:
        searcher = searcher_for(qs, con, encoders)
        parts = parts_of(qs, con, searcher)
        col = {u: i for i, u in enumerate(searcher.uris)}
        gold = [{col[u] for u in g if u in col} for g in qs.queries.uris]
        by_lang.setdefault(qs.lang, []).append((parts, gold))
    learned: dict = {}
    for combo in _combos(encoders):
        names = [fusion.LEXICAL, *combo]
        for lang, items in by_lang.items():
            groups = [({k: parts[k] for k in names}, gold) for parts, gold in items]
            w, score = fusion.learn_weights(groups)
            learned.setdefault(tuple(sorted(combo)), {})[lang] = w
            print(f"  tuned {'+'.join(names)} / {lang}: {w} (MRR@10 {score:.3f})", file=sys.stderr)
    return learned


def markdown(rows: list[dict]) -> str:
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |",
             "|" + "|".join("---" if i < 2 else "---:" for i in range(len(cols))) + "|"]
    for r in rows:
        cells = [f"{r[c]:.3f}" if isinstance(r[c], float) else str(r[c]) for c in cols]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--esco", type=Path, default=default_esco_path(load_settings().esco))
    p.add_argument("--db", type=Path, default=DB)
    p.add_argument("--encoders", default="use-multilingual,e5-small")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sample", type=int, default=600, help="at most this many queries per set (0: all)")
    p.add_argument("--tune", action="store_true", help="learn the fusion weights on the tuning half")
    p.add_argument("--out", type=Path, default=OUT / "title_normalisation.md")
    args = p.parse_args(argv)
    args.db.parent.mkdir(parents=True, exist_ok=True)
    labels = load_labels(args.db, args.esco)
    vdab = int((labels.origin == "vdab").sum())
    encoders = [e for e in args.encoders.split(",") if e]
    con = connect(args.db)
    if args.tune:  # learned on the other half of the occupations, then used for the report below
        learned = tune(query_sets(labels, 1, args.seed, args.sample), con, encoders)
        print("LEARNED = " + repr(learned))
        for combo, table in learned.items():
            fusion.LEARNED[combo] = {**table, "other": table.get("nl", {})}
    rows = []
    for qs in query_sets(labels, 0, args.seed, args.sample):
        print(f"{qs.name}: {len(qs.queries)} queries, {len(qs.index)} indexed labels, e.g. "
              f"{qs.queries.text.iloc[:3].tolist()}", file=sys.stderr)
        rows.extend(run_set(qs, con, encoders))
    con.close()
    info = (f"ESCO occupations ({vdab:,} VDAB Competent title labels imported), seed {args.seed}, "
            f"sample {args.sample or 'all'}; fusion weights "
            f"{'learned now on the tuning half' if args.tune else 'taxonomy.fusion.LEARNED'}: "
            + "; ".join(f"{'+'.join(k)}: {v}" for k, v in fusion.LEARNED.items() if set(k) <= set(encoders)))
    table = markdown(rows)
    print(info + "\n\n" + table)
    args.out.write_text(info + "\n\n" + table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
