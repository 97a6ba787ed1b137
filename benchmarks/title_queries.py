"""Query sets of the job-title benchmark (``benchmarks/title_normalisation.py``), from real ESCO.

The occupations are split in two fixed halves: the reported queries come from half 0, the
queries the fusion weights are tuned on from half 1, so no reported query (nor its
occupation) is ever used to choose a weight. Every held-out text is removed from the whole
index, so no query finds its own label. Sets:

* ``nl-alt``: up to 3 Dutch ESCO alternative labels per occupation.
* ``nl-typed``: the same held-out labels as people type them, written by :func:`noisy`
  (female forms, ``(m/v/x)``-style tags, seniority and employer words, a typo, a compound
  written apart, case and punctuation); every query has at least one change.
* ``nl-vdab``: one Flemish VDAB Competent title per occupation (imported from the crosswalk as
  an alternative label) that no ESCO label writes the same way.
* ``en-typed``: one English alternative label per occupation, made noisy the same way.
* ``en→nl``: the English preferred label against an index of the Dutch labels only.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from foundation.db import connect
from taxonomy.esco_import import import_esco
from taxonomy.store import label_source

SPLIT_SEED = 7
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
    """Occupation labels (uri, lang, kind, label, origin: esco / vdab / local); imports ESCO first if needed."""
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
        "SELECT uri, lang, kind, label, source FROM taxonomy.labels WHERE concept_type = 'occupation' "
        "ORDER BY uri, lang, kind, label"
    ).df()
    con.close()
    labels["origin"] = [label_source(s) for s in labels.pop("source")]
    return labels


def in_half(labels: pd.DataFrame, half: int) -> pd.DataFrame:
    """The labels of the occupations in ``half`` (0: reported queries, 1: tuning queries)."""
    uris = np.array(sorted(labels.uri.unique()))
    chosen = uris[np.random.default_rng(SPLIT_SEED).random(len(uris)) < 0.5]
    mask = labels.uri.isin(set(chosen))
    return labels[mask if half == 1 else ~mask]


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


def nl_alt_set(labels: pd.DataFrame, half: int, seed: int, sample: int | None) -> QuerySet:
    """Up to 3 Dutch ESCO alternative labels per occupation of ``half``, held out."""
    rng = np.random.default_rng(seed)
    mine = in_half(labels, half)
    alts = mine[(mine.lang == "nl") & (mine.kind == "alternative") & (mine.origin == "esco")]
    held = []
    for _uri, group in alts.drop_duplicates(["uri", "label"]).groupby("uri", sort=True):
        pick = rng.choice(len(group), size=min(3, len(group)), replace=False)
        held.extend(group.label.iloc[i] for i in sorted(pick))
    return _held_out(labels, held, "nl-alt", "nl", sample, seed)


def nl_vdab_set(labels: pd.DataFrame, half: int, seed: int, sample: int | None) -> QuerySet:
    """One VDAB Competent title per occupation of ``half`` that no ESCO label spells the same, held out."""
    rng = np.random.default_rng(seed)
    mine = in_half(labels, half)
    esco = set(labels[labels.origin == "esco"].label.str.casefold())
    vdab = mine[(mine.origin == "vdab") & ~mine.label.str.casefold().isin(esco)].drop_duplicates(["uri", "label"])
    held = [g.label.iloc[int(rng.integers(len(g)))] for _u, g in vdab.groupby("uri", sort=True)]
    return _held_out(labels, held, "nl-vdab", "nl", sample, seed)


def en_typed_set(labels: pd.DataFrame, half: int, seed: int, sample: int | None) -> QuerySet:
    """One English alternative label per occupation of ``half``, held out, then made noisy."""
    rng = np.random.default_rng(seed)
    mine = in_half(labels, half)
    alts = mine[(mine.lang == "en") & (mine.kind == "alternative")].drop_duplicates(["uri", "label"])
    held = [g.label.iloc[int(rng.integers(len(g)))] for _u, g in alts.groupby("uri", sort=True)]
    return typed(_held_out(labels, held, "en-typed", "en", sample, seed), seed, "en")


def typed(qs: QuerySet, seed: int, lang: str) -> QuerySet:
    """The same held-out labels as people type them (see :func:`noisy`)."""
    rng = np.random.default_rng(seed + 100)
    vocab = {w for label in qs.index.label for w in label.lower().split()}
    queries = qs.queries.copy()
    queries["text"] = [noisy(t, rng, lang, vocab) for t in queries.label]
    return QuerySet(f"{lang}-typed" if lang == "nl" else qs.name, queries, qs.index, qs.guesser_labels, lang)


def en_nl_set(labels: pd.DataFrame, half: int, seed: int, sample: int | None) -> QuerySet:
    """English preferred labels of the occupations of ``half`` against the Dutch labels."""
    mine = in_half(labels, half)
    pref = mine[(mine.lang == "en") & (mine.kind == "preferred")]
    queries = pref[["uri", "label"]].rename(columns={"label": "text"})
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


def query_sets(labels: pd.DataFrame, half: int, seed: int, sample: int | None) -> list[QuerySet]:
    """Every query set of one half of the occupations."""
    alt = nl_alt_set(labels, half, seed, sample)
    return [alt, typed(alt, seed, "nl"), nl_vdab_set(labels, half, seed, sample),
            en_typed_set(labels, half, seed, sample), en_nl_set(labels, half, seed, sample)]


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
