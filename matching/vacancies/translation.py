"""A Dutch → English word table learned from ESCO's own parallel labels, for Dutch vacancy sentences.

58 % of the ESCO skills have English labels only, so a Dutch sentence meets most skills
through the dense encoders' cross-language vectors alone. ESCO is a parallel corpus,
though: every occupation has Dutch and English preferred and alternative labels and a
description in both, and 5,798 skills have a Dutch preferred label beside their English
ones. From those pairs :func:`learn` fits IBM model 1 (Brown et al. 1993)::

    t(e | f) ← Σ_d  c_d(e) · c_d(f) · t(e | f) / Σ_{f' ∈ d ∪ {NULL}} c_d(f') · t(e | f')   (normalised over e)

with ``d`` a pair of Dutch and English texts (a concept's preferred labels, its labels
together, its descriptions), ``f`` a Dutch word (compounds split into their parts, as the
lexical parts of :mod:`~matching.vacancies.skills` split them), ``e`` an English word, and
``NULL`` absorbing English words without a Dutch counterpart; uniform start, :data:`ITERATIONS`
EM rounds, deterministic. :func:`translate` turns a Dutch text into the English words its words
most probably stand for (``t ≥`` :data:`MIN_PROB`, at most :data:`PER_WORD` per word); a word
the table does not know stays as it is ("html", "scrum").

The table is built ahead of time from the imported ESCO (``werkbrug taxonomy index --skills``,
:func:`build`) into ``taxonomy.translations``; a request only reads it (:func:`load`).
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import numpy as np
import pandas as pd

from foundation.db import transaction
from matching.vacancies.text import normalise

ITERATIONS = 8
MIN_PROB = 0.3
PER_WORD = 1
KEEP = 5          # translations stored per Dutch word
STORE_MIN = 0.02  # smallest t(e | f) stored
NULL = ""

_STOP_WORDS = (
    "de het een en van in op met voor te is je jij u wij we zij ze die dat als of aan bij om door naar tot uit "
    "over ook niet zijn wordt worden heeft hebt hebben kan kunnen moet moeten er zich hun deze dit andere "
    "the a an and of to in for with on at by is are be as or you we our your their such other this that from "
    "into its it which including")
_STOP = frozenset(_STOP_WORDS.split())

def words(text: str, expand: Callable[[str], str] | None = None) -> list[str]:
    """Content words of ``text`` (normalised; with ``expand``, Dutch compounds followed by their parts)."""
    n = normalise(text)
    n = expand(n) if expand else n
    return [w for w in n.split() if w not in _STOP and len(w) > 1 and not w.isdigit()]


def parallel_texts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Pairs of Dutch and English texts of one concept: ``nl``, ``en`` (order: uri, kind).

    Per occupation or skill with a Dutch label: the preferred labels; all preferred and
    alternative labels together; the descriptions (where both languages have one).
    """
    return con.execute(
        """WITH l AS (
             SELECT uri, lang, kind, label FROM taxonomy.labels
             WHERE concept_type IN ('occupation', 'skill') AND kind IN ('preferred', 'alternative')),
           pref AS (
             SELECT uri, 0 AS part, max(label) FILTER (lang = 'nl' AND kind = 'preferred') AS nl,
                    max(label) FILTER (lang = 'en' AND kind = 'preferred') AS en
             FROM l GROUP BY uri),
           bag AS (
             SELECT uri, 1 AS part, string_agg(label, ' ; ' ORDER BY kind, label) FILTER (lang = 'nl') AS nl,
                    string_agg(label, ' ; ' ORDER BY kind, label) FILTER (lang = 'en') AS en
             FROM l GROUP BY uri),
           descr AS (
             SELECT uri, 2 AS part, max(text) FILTER (lang = 'nl') AS nl, max(text) FILTER (lang = 'en') AS en
             FROM taxonomy.descriptions WHERE kind = 'description' GROUP BY uri)
           SELECT uri, part, nl, en FROM (SELECT * FROM pref UNION ALL SELECT * FROM bag UNION ALL SELECT * FROM descr)
           WHERE nl IS NOT NULL AND en IS NOT NULL
           ORDER BY uri, part""").df()


def learn(pairs: list[tuple[list[str], list[str]]], *, iterations: int = ITERATIONS) -> pd.DataFrame:
    """IBM model 1 ``t(e | f)`` over ``(Dutch words, English words)`` pairs: ``source, target, prob``.

    Keeps the best :data:`KEEP` targets per source word with ``t ≥`` :data:`STORE_MIN`; rows sorted
    by source, then probability (descending), then target.
    """
    fv = {NULL: 0}
    ev: dict[str, int] = {}
    docs, fs, es, nfs, nes = [], [], [], [], []
    for d, (f_words, e_words) in enumerate(pairs):
        if not f_words or not e_words:
            continue
        fu, fc = np.unique([fv.setdefault(w, len(fv)) for w in f_words] + [0], return_counts=True)
        eu, ec = np.unique([ev.setdefault(w, len(ev)) for w in e_words], return_counts=True)
        fi, ei = np.meshgrid(np.arange(len(fu)), np.arange(len(eu)), indexing="ij")
        docs.append(np.full(fi.size, d, np.int64))
        fs.append(fu[fi.ravel()])
        es.append(eu[ei.ravel()])
        nfs.append(fc[fi.ravel()].astype(np.float64))
        nes.append(ec[ei.ravel()].astype(np.float64))
    doc, f, e = np.concatenate(docs), np.concatenate(fs), np.concatenate(es)
    nf, ne = np.concatenate(nfs), np.concatenate(nes)
    pair_keys, pair = np.unique(f * len(ev) + e, return_inverse=True)
    pf, pe = pair_keys // len(ev), pair_keys % len(ev)
    _, de = np.unique(doc * len(ev) + e, return_inverse=True)  # (document, English word) of each triple
    t = np.full(len(pair_keys), 1.0 / len(ev))
    for _ in range(iterations):
        w = t[pair] * nf
        post = w / np.bincount(de, w)[de] * ne
        c = np.bincount(pair, post, minlength=len(pair_keys))
        t = c / np.bincount(pf, c, minlength=len(fv))[pf]
    f_names = np.array(list(fv), dtype=object)
    e_names = np.array(list(ev), dtype=object)
    out = pd.DataFrame({"source": f_names[pf], "target": e_names[pe], "prob": t})
    out = out[(out["source"] != NULL) & (out["prob"] >= STORE_MIN)]
    out = out.sort_values(["source", "prob", "target"], ascending=[True, False, True], kind="stable")
    return out.groupby("source", sort=False).head(KEEP).reset_index(drop=True)


class Translator:
    """Dutch words → their most probable English words, from a ``source, target, prob`` table."""

    def __init__(self, table: pd.DataFrame, expand: Callable[[str], str] | None = None, *,
                 min_prob: float = MIN_PROB, per_word: int = PER_WORD):
        self.expand = expand
        keep = table[table["prob"] >= min_prob]
        self.table: dict[str, tuple[str, ...]] = {
            s: tuple(g["target"].head(per_word)) for s, g in keep.groupby("source", sort=True)}

    def __len__(self) -> int:
        return len(self.table)

    def translate(self, text: str) -> str:
        """The English words of ``text``'s words (a word the table does not know stays), in order, once each."""
        out: list[str] = []
        for w in words(text, self.expand):
            out.extend(self.table.get(w, (w,)))
        return " ".join(dict.fromkeys(out))


def build(con: duckdb.DuckDBPyConnection, expand: Callable[[str], str] | None = None) -> int:
    """Learn the table from this database's ESCO labels and descriptions into ``taxonomy.translations``."""
    texts = parallel_texts(con)
    table = learn([(words(nl, expand), words(en)) for nl, en in zip(texts["nl"], texts["en"], strict=True)])
    con.register("_translations", table)
    try:
        with transaction(con):
            con.execute("DELETE FROM taxonomy.translations")
            con.execute("INSERT INTO taxonomy.translations (source, target, prob) "
                        "SELECT source, target, prob FROM _translations")
    finally:
        con.unregister("_translations")
    return len(table)


def load(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The stored table (empty when :func:`build` has not run on this database)."""
    has = con.execute("""SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()
                         AND schema_name = 'taxonomy' AND table_name = 'translations'""").fetchone()[0]
    if not has:
        return pd.DataFrame({"source": [], "target": [], "prob": []})
    return con.execute("SELECT source, target, prob FROM taxonomy.translations "
                       "ORDER BY source, prob DESC, target").df()
