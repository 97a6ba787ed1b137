"""Job-title search benchmark on real ESCO: every ranker part beside werkbrug's fusion.

Query sets (occupations only; every held-out text is removed from the whole index, so
no query finds its own label):

* ``nl-alt``: up to 3 Dutch alternative labels per occupation, held out (fixed seed).
* ``nl-typed``: the same held-out labels as people type them, written by :func:`noisy`
  (female forms, ``(m/v/x)``-style tags, seniority and employer words, a typo, a compound
  written apart, case and punctuation); every query has at least one change.
* ``en-typed``: one English alternative label per occupation held out, made noisy the
  same way (English tags and words).
* ``en→nl``: the English preferred label against an index of the Dutch labels only.

Methods: the lexical ranker (char TF-IDF) on the raw query (the baseline) and on the
normalised one, each sentence encoder alone (raw and normalised query), the issue's
baseline (50/50 fusion of raw char TF-IDF and e5-small), and werkbrug's fusion
(normalised query, weights of :data:`taxonomy.fusion.LEARNED`). ``--tune`` learns those
weights per query language on separate splits (seed + 1; the other half of the
occupations for ``en→nl``), prints them and reports with them; the reported queries are
never used for it.
Vectors are cached in the benchmark's DuckDB file (``benchmarks/out/``): only the first
run embeds the ~54k labels (USE ≈3 min, e5-small ≈15 min on 2 shared cores).

    python benchmarks/title_normalisation.py [--encoders use-multilingual,e5-small]
        [--sample 1000] [--tune]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
import pandas as pd
from ranx import Qrels, Run, evaluate

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from foundation.db import connect  # noqa: E402
from foundation.settings import load_settings  # noqa: E402
from taxonomy import fusion  # noqa: E402
from taxonomy.encoders import get_encoder  # noqa: E402
from taxonomy.esco_import import import_esco  # noqa: E402
from taxonomy.index import text_vectors  # noqa: E402
from taxonomy.search import LanguageGuesser, Searcher  # noqa: E402
from taxonomy.store import default_esco_path  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
METRICS = ["mrr@10", "recall@1", "recall@5", "recall@10"]
NL_TAGS = ["(m/v/x)", "m/v", "(h/f)", "M/V/X", "(m/v)", "(M/V/X)", "- m/v/x", "(v/m/x)"]
NL_BEFORE = ["Junior", "Senior", "Ervaren", "Medior", "Startende", "Interim", "Vacature:", "vacature"]
NL_AFTER = ["voor onze klant", "in Brugge", "regio Gent", "voor ons team in Kortrijk", "te Aalst",
            "(voltijds)", "- deeltijds", "dringend gezocht", "interim"]
EN_TAGS = ["(m/f)", "(m/f/d)", "M/F", "(f/m/x)"]
EN_BEFORE = ["Junior", "Senior", "Experienced", "Lead", "Interim"]
EN_AFTER = ["wanted", "- Bruges", "(full-time)", "for our client", "in Ghent", "- urgent"]


@dataclass
class QuerySet:
    name: str
    queries: pd.DataFrame  # qid, text, uris (the correct occupations)
    index: pd.DataFrame  # uri, lang, label
    guesser_labels: pd.DataFrame  # lang, label: what the language guesser learns from
    lang: str  # the query language the fusion weights are tuned for


def load_labels(db: Path, esco: Path | None) -> pd.DataFrame:
    con = connect(db)
    has = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name='taxonomy' AND table_name='imports'"
    ).fetchall()[0][0]
    if not has or not con.execute("SELECT count(*) FROM taxonomy.imports").fetchall()[0][0]:
        if esco is None:
            sys.exit("No ESCO download found: pass --esco or set WERKBRUG_ESCO.")
        print(f"importing ESCO from {esco} into {db}", file=sys.stderr)
        import_esco(con, esco)
    labels = con.execute(
        "SELECT uri, lang, kind, label FROM taxonomy.labels WHERE concept_type = 'occupation' "
        "ORDER BY uri, lang, kind, label"
    ).df()
    con.close()
    return labels


def _held_out(labels: pd.DataFrame, held: list[str], name: str, lang: str, sample: int | None,
              seed: int) -> QuerySet:
    """Queries from held-out texts: every occupation with the text is correct; text leaves the index."""
    folded = labels.label.str.casefold()
    queries = _sample(pd.DataFrame({"label": sorted(set(held))}), sample, seed)
    out = set(queries.label.str.casefold())
    owners = labels[folded.isin(out)].groupby(folded[folded.isin(out)])["uri"].apply(set)
    queries["uris"] = [owners[t.casefold()] for t in queries.label]
    queries["text"] = queries.label
    queries["qid"] = [f"q{i}" for i in range(len(queries))]
    index = labels[~folded.isin(out)][["uri", "lang", "label"]].drop_duplicates(["uri", "label"])
    return QuerySet(name, queries, index, index, lang)


def nl_alt_set(labels: pd.DataFrame, seed: int, sample: int | None) -> QuerySet:
    """Up to 3 Dutch alternative labels per occupation, held out."""
    rng = np.random.default_rng(seed)
    alts = labels[(labels.lang == "nl") & (labels.kind == "alternative")].drop_duplicates(["uri", "label"])
    held = []
    for _uri, group in alts.groupby("uri", sort=True):
        pick = rng.choice(len(group), size=min(3, len(group)), replace=False)
        held.extend(group.label.iloc[i] for i in sorted(pick))
    return _held_out(labels, held, "nl-alt", "nl", sample, seed)


def en_typed_set(labels: pd.DataFrame, seed: int, sample: int | None) -> QuerySet:
    """One English alternative label per occupation, held out, then made noisy."""
    rng = np.random.default_rng(seed)
    alts = labels[(labels.lang == "en") & (labels.kind == "alternative")].drop_duplicates(["uri", "label"])
    held = [g.label.iloc[int(rng.integers(len(g)))] for _u, g in alts.groupby("uri", sort=True)]
    return typed(_held_out(labels, held, "en-typed", "en", sample, seed), seed, "en")


def typed(qs: QuerySet, seed: int, lang: str) -> QuerySet:
    """The same held-out labels as people type them (see :func:`noisy`)."""
    rng = np.random.default_rng(seed + 100)
    vocab = {w for label in qs.index.label for w in label.lower().split()}
    queries = qs.queries.copy()
    queries["text"] = [noisy(t, rng, lang, vocab) for t in queries.label]
    return QuerySet(f"{lang}-typed" if lang == "nl" else qs.name, queries, qs.index, qs.guesser_labels, lang)


def en_nl_set(labels: pd.DataFrame, seed: int, sample: int | None, half: int) -> QuerySet:
    """English preferred labels against the Dutch labels; ``half`` 0 = reported, 1 = tuning."""
    pref = labels[(labels.lang == "en") & (labels.kind == "preferred")]
    uris = np.array(sorted(pref.uri.unique()))
    rng = np.random.default_rng(seed + 1)
    mask = rng.random(len(uris)) < 0.5
    chosen = set(uris[mask if half == 1 else ~mask])
    queries = pref[pref.uri.isin(chosen)][["uri", "label"]].rename(columns={"label": "text"})
    queries = _sample(queries.reset_index(drop=True), sample, seed)
    queries["uris"] = [{u} for u in queries.uri]
    queries["qid"] = [f"q{i}" for i in range(len(queries))]
    index = labels[labels.lang == "nl"][["uri", "lang", "label"]].drop_duplicates(["uri", "label"])
    not_query = labels[~((labels.lang == "en") & (labels.kind == "preferred"))]
    return QuerySet("en→nl", queries, index, not_query[["lang", "label"]], "en")


def _sample(queries: pd.DataFrame, sample: int | None, seed: int) -> pd.DataFrame:
    if sample and len(queries) > sample:
        queries = queries.sample(n=sample, random_state=seed).sort_index()
    return queries.reset_index(drop=True)


# -- the generator of typed titles ---------------------------------------------------------

def feminine(word: str, rng: np.random.Generator) -> str:
    """A Dutch female form people write: verkoper → verkoopster, monteur → monteuse."""
    rules = [("teur", "trice"), ("eur", "euse"), ("aar", "ares"), ("ent", "ente"), ("ist", "iste"),
             ("oog", "oge"), ("ker", "kster"), ("er", "ster")]
    for old, new in rules:
        if word.endswith(old) and len(word) > len(old) + 2:
            stem = word[: -len(old)]
            if new == "ster" and len(stem) >= 3 and stem[-1] not in "aeiou" and stem[-2] in "aeiou" \
                    and stem[-3] not in "aeiou" and rng.random() < 0.5:
                stem = stem[:-1] + stem[-2] + stem[-1]  # verkop → verkoop
            return stem + new
    return word


def typo(word: str, rng: np.random.Generator) -> str:
    """One random edit: a deleted, doubled, swapped or replaced letter."""
    i = int(rng.integers(1, len(word) - 1))
    op = rng.integers(4)
    if op == 0:
        return word[:i] + word[i + 1:]
    if op == 1:
        return word[:i] + word[i] + word[i:]
    if op == 2:
        return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]
    return word[:i] + "aeiourstnl"[int(rng.integers(10))] + word[i + 1:]


def split_compound(word: str, vocab: set[str], rng: np.random.Generator) -> str:
    """A compound written apart: magazijnmedewerker → magazijn medewerker (or magazijn-medewerker)."""
    cuts = [i for i in range(4, len(word) - 3) if word[:i] in vocab and word[i:] in vocab]
    if not cuts:
        return word
    i = cuts[int(rng.integers(len(cuts)))]
    return word[:i] + (" " if rng.random() < 0.7 else "-") + word[i:]


def noisy(title: str, rng: np.random.Generator, lang: str, vocab: set[str]) -> str:
    """A held-out label as someone types it in a job board or an intake form."""
    tags, before, after = (NL_TAGS, NL_BEFORE, NL_AFTER) if lang == "nl" else (EN_TAGS, EN_BEFORE, EN_AFTER)
    for _attempt in range(10):
        words = title.split()
        if rng.random() < 0.2:
            words = " ".join(split_compound(w, vocab, rng) if len(w) >= 9 else w for w in words).split()
        if lang == "nl" and rng.random() < 0.5:
            words[0] = feminine(words[0], rng)
        if rng.random() < 0.5:
            long = [k for k, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
            if long:
                k = long[int(rng.integers(len(long)))]
                words[k] = typo(words[k], rng)
        if rng.random() < 0.4:
            words.insert(0, before[int(rng.integers(len(before)))])
        if rng.random() < 0.5:
            words.append(tags[int(rng.integers(len(tags)))])
        if rng.random() < 0.3:
            words.append(after[int(rng.integers(len(after)))])
        text = " ".join(words)
        r = rng.random()
        text = text.title() if r < 0.2 else text.upper() if r < 0.25 else text.replace("-", " ") \
            if r < 0.35 else text
        if text != title:
            return text
    return title + " " + tags[0]


# -- evaluation ----------------------------------------------------------------------------

def evaluate_ranking(qs: QuerySet, uris: list[str], scores: np.ndarray) -> dict[str, float]:
    """ranx metrics of a (queries × concepts) score matrix, ties broken by URI as in search."""
    top = fusion.top_k(scores, 10)
    run = {qid: {uris[c]: float(10 - r) for r, c in enumerate(row)}
           for qid, row in zip(qs.queries.qid, top, strict=True)}
    qrels = {qid: dict.fromkeys(u, 1) for qid, u in zip(qs.queries.qid, qs.queries.uris, strict=True)}
    return evaluate(Qrels(qrels), Run(run), METRICS)


_SEARCHERS: dict[tuple, tuple[pd.DataFrame, Searcher]] = {}  # holds the index: ids stay unique


def searcher_for(qs: QuerySet, db: Path, encoders: list[str], *, plain: bool = False) -> Searcher:
    """The searcher of a query set's index (built once per index; ``plain``: the baseline)."""
    key = (id(qs.index), tuple(encoders), plain)
    if key not in _SEARCHERS:
        _SEARCHERS[key] = (qs.index, _build(qs, db, [] if plain else encoders, plain))
    return _SEARCHERS[key][1]


def _build(qs: QuerySet, db: Path, encoders: list[str], plain: bool) -> Searcher:
    guesser = LanguageGuesser.fit(qs.guesser_labels.label.tolist(), qs.guesser_labels.lang.tolist())
    encs, vectors = {}, {}
    con = connect(db)
    for name in encoders:
        enc = get_encoder(name)
        vectors[enc.name], n_new = text_vectors(con, qs.index.label.tolist(), encoder=enc, progress=True)
        encs[enc.name] = enc
        if n_new:
            print(f"  embedded {n_new} new labels with {enc.name}", file=sys.stderr)
    con.close()
    return Searcher(qs.index, encoders=encs, vectors=vectors, guesser=guesser, normalise=not plain)


def parts_of(qs: QuerySet, searcher: Searcher, plain: Searcher | None = None
             ) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Part scores of the raw and of the normalised queries, and the seconds each took.

    "lexical raw" is ``plain``'s char TF-IDF: raw labels, raw queries (the baseline).
    """
    texts = qs.queries.text.tolist()
    normalised, _ = searcher.prepare(texts)
    out, secs = {}, {}
    for label, index in (("lexical raw", plain), (fusion.LEXICAL, searcher)):
        if index is None:
            continue
        t = time.perf_counter()
        out[label] = index.part_scores(texts, {})[fusion.LEXICAL]
        secs[label] = time.perf_counter() - t
    for name, enc in searcher.encoders.items():
        for label, qtexts in ((f"{name} raw", texts), (name, normalised)):
            t = time.perf_counter()
            out[label] = searcher.part_scores(texts, {name: enc.encode(qtexts)})[name]
            secs[label] = time.perf_counter() - t
    return out, secs


def run_set(qs: QuerySet, db: Path, encoders: list[str]) -> list[dict]:
    """Rows of the result table for one query set."""
    searcher = searcher_for(qs, db, encoders)
    parts, secs = parts_of(qs, searcher, searcher_for(qs, db, encoders, plain=True))
    n = len(qs.queries)
    langs = searcher.query_langs(searcher.prepare(qs.queries.text.tolist())[0], None)
    print(f"  {qs.name}: query language guessed {pd.Series(langs).value_counts().to_dict()}", file=sys.stderr)
    rows = []

    def add(method: str, scores: np.ndarray, seconds: float | None) -> None:
        m = evaluate_ranking(qs, searcher.uris, scores)
        rows.append({"query set": f"{qs.name} ({n:,})", "method": method, "MRR@10": m["mrr@10"],
                     "R@1": m["recall@1"], "R@5": m["recall@5"], "R@10": m["recall@10"],
                     "queries/s": n / seconds if seconds else None})

    add("TF-IDF char 2–4 (raw query, baseline)", parts["lexical raw"], secs["lexical raw"])
    add("TF-IDF char 2–4 (normalised)", parts[fusion.LEXICAL], secs[fusion.LEXICAL])
    for name in searcher.encoders:
        add(f"{name} (raw query)", parts[f"{name} raw"], secs[f"{name} raw"])
        add(f"{name} (normalised)", parts[name], secs[name])
    if "e5-small" in searcher.encoders:
        add("50/50 TF-IDF + e5-small (raw, issue baseline)",
            fusion.fuse(parts["lexical raw"], parts["e5-small raw"], 0.5), None)
    for combo in _combos(list(searcher.encoders)):
        table = fusion.weights_for(combo)
        w = {k: np.array([table.get(lg, table["other"]).get(k, 0.0) for lg in langs])
             for k in (fusion.LEXICAL, *combo)}
        fused = fusion.fuse_parts({k: parts[k] for k in w}, w)
        bold = len(combo) == len(searcher.encoders)
        label = f"fused: lexical + {' + '.join(combo)}"
        add(f"**{label} (werkbrug)**" if bold else label, fused, sum(secs[k] for k in w))
    return rows


def _combos(encoders: list[str]) -> list[tuple[str, ...]]:
    singles = [(e,) for e in encoders]
    return singles + ([tuple(sorted(encoders))] if len(encoders) > 1 else [])


def tune(sets: list[QuerySet], db: Path, encoders: list[str]) -> dict:
    """Learned weights per encoder combination and query language, on the tuning splits."""
    by_lang: dict[str, list[tuple[dict, list[set[int]]]]] = {}
    for qs in sets:
        searcher = searcher_for(qs, db, encoders)
        parts, _ = parts_of(qs, searcher)
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
        cells = []
        for c in cols:
            v = r[c]
            if v is None:
                cells.append("–")
            elif isinstance(v, float):
                cells.append(f"{v:.3f}" if c.startswith(("MRR", "R@")) else f"{v:,.0f}")
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def query_sets(labels: pd.DataFrame, seed: int, sample: int | None) -> list[QuerySet]:
    alt = nl_alt_set(labels, seed, sample)
    return [alt, typed(alt, seed, "nl"), en_typed_set(labels, seed, sample),
            en_nl_set(labels, seed, sample, 0 if seed % 2 == 0 else 1)]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--esco", type=Path, default=default_esco_path(load_settings().esco))
    p.add_argument("--db", type=Path, default=OUT / "title_normalisation.duckdb")
    p.add_argument("--encoders", default="use-multilingual,e5-small")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sample", type=int, default=None, help="at most this many queries per set")
    p.add_argument("--tune", action="store_true", help="learn the fusion weights on the tuning splits")
    p.add_argument("--out", type=Path, default=OUT / "title_normalisation.md")
    args = p.parse_args(argv)
    args.db.parent.mkdir(parents=True, exist_ok=True)
    labels = load_labels(args.db, args.esco)
    encoders = [e for e in args.encoders.split(",") if e]
    if args.tune:  # learned on the tuning splits, then used for the report below
        learned = tune(query_sets(labels, args.seed + 1, args.sample), args.db, encoders)
        print("LEARNED = " + repr(learned))
        for combo, table in learned.items():
            fusion.LEARNED[combo] = {**table, "other": table.get("nl", {})}
    rows = []
    for qs in query_sets(labels, args.seed, args.sample):
        print(f"{qs.name}: {len(qs.queries)} queries, {len(qs.index)} indexed labels, e.g. "
              f"{qs.queries.text.iloc[:3].tolist()}", file=sys.stderr)
        rows.extend(run_set(qs, args.db, encoders))
    info = (f"ESCO occupations, seed {args.seed}, sample {args.sample or 'all'}, "
            f"CPU threads: {os.cpu_count()}; fusion weights "
            f"{'learned now on seed ' + str(args.seed + 1) if args.tune else 'taxonomy.fusion.LEARNED'}: "
            + "; ".join(f"{'+'.join(k)}: {v}" for k, v in fusion.LEARNED.items() if set(k) <= set(encoders)))
    table = markdown(rows)
    print(info + "\n\n" + table)
    args.out.write_text(info + "\n\n" + table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
