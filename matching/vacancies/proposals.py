"""Proposing occupations and skills for a vacancy text (a person confirms them).

* occupations — a search of the title over ESCO occupation labels: :func:`taxonomy.search.search`
  (hybrid lexical + sentence vectors) with ``method="hybrid"``, else a character n-gram TF-IDF
  over the labels (``"lexical"``, no encoder). The default ``"auto"`` (the app passes the ``vacancy_search`` setting)
  is hybrid once the occupation labels' vectors are cached (``taxonomy.label_vectors``), else lexical;
* skills — n-grams (1–4 words) of the description that equal a skill label (Dutch or English,
  preferred or alternative), plus the essential skills of the best proposed occupation,
  ranked by word overlap with the description (and by sentence-vector similarity with
  ``method="hybrid"``).
"""

from __future__ import annotations

import re
import unicodedata

import duckdb
import numpy as np

from foundation.cache import IMPORT, INDEX, cached
from foundation.errors import InputError
from matching.vacancies.models import Proposal, Proposed
from taxonomy.store import preferred_labels

STEM = 6  # words compare on their first letters: "heftruck" ~ "heftrucks"

_WORD = re.compile(r"[\w'-]+", re.UNICODE)
_STOP_WORDS = (
    "de het een en van in op met voor te is je jij u wij we zij ze die dat als of aan bij om door naar "
    "tot uit over ook niet zijn wordt worden heeft hebben kan kunnen moet moeten your the a an and of to in "
    "for with on at by is are be as or you we our"
)
_STOP = frozenset(_STOP_WORDS.split())


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return " ".join(_WORD.findall("".join(c for c in text if not unicodedata.combining(c))))


def _words(text: str) -> list[str]:
    return _norm(text).split()


def _lexicon(con: duckdb.DuckDBPyConnection) -> dict:
    """Label indexes of the current import, built once per process."""
    return cached(con, "vacancies.lexicon", lambda: _build_lexicon(con), on=(IMPORT,), shared=True, maxsize=4)


def _build_lexicon(con: duckdb.DuckDBPyConnection) -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer

    occ = con.execute(
        """SELECT DISTINCT uri, label FROM taxonomy.labels
           WHERE concept_type = 'occupation' AND lang IN ('nl', 'en')"""
    ).fetchall()
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True, dtype=np.float32)
    matrix = vec.fit_transform([_norm(label) for _, label in occ])
    skills = con.execute(
        """SELECT DISTINCT uri, label FROM taxonomy.labels
           WHERE concept_type = 'skill' AND lang IN ('nl', 'en') AND kind IN ('preferred', 'alternative')"""
    ).fetchall()
    by_label: dict[str, set[str]] = {}
    for uri, label in skills:
        n = _norm(label)
        if len(n) >= 4:
            by_label.setdefault(n, set()).add(uri)
    return {"occ_uris": [u for u, _ in occ], "occ_labels": [lab for _, lab in occ], "vec": vec,
            "matrix": matrix, "skill_by_label": by_label}


def _lexical_occupations(con, text: str, top: int) -> list[Proposed]:
    lex = _lexicon(con)
    sims = (lex["matrix"] @ lex["vec"].transform([_norm(text)]).T).toarray().ravel()
    best: dict[str, tuple[float, str]] = {}
    for i in np.argsort(-sims)[: top * 20]:
        uri = lex["occ_uris"][i]
        if uri not in best or sims[i] > best[uri][0]:
            best[uri] = (float(sims[i]), lex["occ_labels"][i])
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])[:top]
    labels = preferred_labels(con, [u for u, _ in ranked])
    return [Proposed(uri=u, label=labels.get(u, m), score=round(s, 4), why=f"title matches '{m}'")
            for u, (s, m) in ranked if s > 0]


def _search_method(con: duckdb.DuckDBPyConnection, method: str | None) -> str:
    """``hybrid`` or ``lexical``; ``auto`` (default) is hybrid once the occupation labels have vectors."""
    method = method or "auto"
    if method not in ("hybrid", "lexical", "auto"):
        raise InputError(f"method: use 'auto', 'hybrid' or 'lexical', not {method!r}")
    if method != "auto":
        return method
    return cached(con, "vacancies.search_method", lambda: _auto_method(con), on=(IMPORT, INDEX))


def _auto_method(con: duckdb.DuckDBPyConnection) -> str:
    try:
        from taxonomy.encoders import DEFAULT_ENCODER

        missing = con.execute(
            """SELECT count(*) FROM (SELECT DISTINCT label FROM taxonomy.labels WHERE concept_type = 'occupation')
               l ANTI JOIN (SELECT text FROM taxonomy.label_vectors WHERE model = ?) v ON v.text = l.label""",
            [DEFAULT_ENCODER],
        ).fetchone()[0]
    except (duckdb.Error, ImportError):
        missing = 1
    return "hybrid" if missing == 0 else "lexical"


def propose(
    con: duckdb.DuckDBPyConnection, *, title: str, description: str, method: str | None = None,
    top_occupations: int = 5, top_skills: int = 20,
) -> Proposal:
    """Proposed occupations and skills for a vacancy text (to be confirmed by a person)."""
    method = _search_method(con, method)
    query = title.strip()
    if method == "hybrid":
        from taxonomy.search import search

        hits = search(con, query, kind="occupation", lang="nl", top=top_occupations)
        occupations = [Proposed(uri=h.uri, label=h.label, score=round(float(h.score), 4),
                                why=f"title matches '{h.matched_label}'") for h in hits]
    else:
        occupations = _lexical_occupations(con, query, top_occupations)
    lex = _lexicon(con)
    words = _words(description)
    found: dict[str, str] = {}
    for n in (4, 3, 2, 1):
        for i in range(len(words) - n + 1):
            gram = " ".join(words[i:i + n])
            if n == 1 and gram in _STOP:
                continue
            for uri in lex["skill_by_label"].get(gram, ()):
                found.setdefault(uri, gram)
    content = {w[:STEM] for w in words if w not in _STOP and len(w) > 2}
    candidates: dict[str, tuple[float, str]] = {u: (1.0, f"'{g}' in the description") for u, g in found.items()}
    if occupations:
        rows = con.execute(
            """SELECT skill_uri FROM taxonomy.occupation_skills
               WHERE occupation_uri = ? AND relation_type = 'essential'""", [occupations[0].uri]
        ).fetchall()
        ess = [r[0] for r in rows]
        labels = preferred_labels(con, ess)
        for uri in ess:
            label_words = {w[:STEM] for w in _words(labels.get(uri, "")) if w not in _STOP}
            overlap = len(content & label_words) / max(1, len(label_words))
            score = 0.5 + 0.4 * overlap
            if uri not in candidates or candidates[uri][0] < score:
                candidates[uri] = (score, f"essential for {occupations[0].label}")
        if method == "hybrid" and ess:
            candidates = _rerank_with_vectors(candidates, description, preferred_labels(con, list(candidates)))
    ranked = sorted(candidates.items(), key=lambda kv: (-kv[1][0], kv[0]))[:top_skills]
    labels = preferred_labels(con, [u for u, _ in ranked])
    skills = [Proposed(uri=u, label=labels.get(u, u), score=round(s, 4), why=w) for u, (s, w) in ranked]
    return Proposal(method=method, occupations=occupations, skills=skills)


def _rerank_with_vectors(candidates: dict, description: str, labels: dict[str, str]) -> dict:
    """Add the best cosine between a skill label and a description sentence (multilingual encoder)."""
    from taxonomy.encoders import get_encoder

    sentences = [s for s in re.split(r"[.\n;!?]+", description) if len(s.strip()) > 3][:50]
    if not sentences:
        return candidates
    enc = get_encoder("use-multilingual")
    uris = list(candidates)
    sv = enc.encode(sentences)
    lv = enc.encode([labels.get(u, u) for u in uris])
    best = (lv @ sv.T).max(axis=1)
    return {u: (round(0.5 * candidates[u][0] + 0.5 * float(b), 4), candidates[u][1])
            for u, b in zip(uris, best, strict=True)}
