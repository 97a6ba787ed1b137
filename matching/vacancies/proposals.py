"""Proposing occupations, skills and requirements for a vacancy (a person confirms them).

* occupations — a search of the title over ESCO occupation labels: :func:`taxonomy.search.search`
  (hybrid lexical + sentence vectors) with ``method="hybrid"``, else a character n-gram TF-IDF
  over the labels (``"lexical"``, no encoder). The default ``"auto"`` (the app passes the ``vacancy_search`` setting)
  is hybrid once the occupation labels' vectors are cached (``taxonomy.label_vectors``), else lexical;
* skills — read from the text sentence by sentence (:mod:`matching.vacancies.extraction`), with
  the best occupation's skills as a prior; each says which sentence it came from;
* requirements — Dutch level, licences, attests, shifts, hours, contract
  (:mod:`matching.vacancies.requirements`), proposed as vacancy fields, never as skills.
"""

from __future__ import annotations

import duckdb
import numpy as np

from foundation.cache import IMPORT, INDEX, cached
from foundation.errors import InputError
from matching.vacancies.extraction import missing_parts, sentence_skills, skill_index
from matching.vacancies.models import Proposal, Proposed, Sentence, Vacancy
from matching.vacancies.requirements import read_requirements
from matching.vacancies.text import normalise, segment
from taxonomy.store import display_labels, preferred_labels


def _lexicon(con: duckdb.DuckDBPyConnection) -> dict:
    """Occupation label index of the current import, built once per process."""
    return cached(con, "vacancies.lexicon", lambda: _build_lexicon(con), on=(IMPORT,), shared=True, maxsize=4)


def _build_lexicon(con: duckdb.DuckDBPyConnection) -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer

    occ = con.execute(
        """SELECT DISTINCT uri, label FROM taxonomy.labels
           WHERE concept_type = 'occupation' AND lang IN ('nl', 'en') ORDER BY uri, label"""
    ).fetchall()
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True, dtype=np.float32)
    matrix = vec.fit_transform([normalise(label) for _, label in occ])
    return {"occ_uris": [u for u, _ in occ], "occ_labels": [lab for _, lab in occ], "vec": vec, "matrix": matrix}


def _lexical_occupations(con, text: str, top: int) -> list[Proposed]:
    lex = _lexicon(con)
    sims = (lex["matrix"] @ lex["vec"].transform([normalise(text)]).T).toarray().ravel()
    best: dict[str, tuple[float, str]] = {}
    for i in np.argsort(-sims, kind="stable")[: top * 20]:  # ties: URI, then label order
        uri = lex["occ_uris"][i]
        if uri not in best or sims[i] > best[uri][0]:
            best[uri] = (float(sims[i]), lex["occ_labels"][i])
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))[:top]
    labels = preferred_labels(con, [u for u, _ in ranked])
    return [Proposed(uri=u, label=labels.get(u, m), score=round(s, 4), why=f"title matches '{m}'",
                     code="vacancy.why.title", params={"label": m})
            for u, (s, m) in ranked if s > 0]


QUOTE_CHARS = 80


def quote(sentence: str, limit: int = QUOTE_CHARS) -> str:
    """The sentence as a proposal quotes it: whole up to ``limit`` characters, else cut after a word, with "…"."""
    if len(sentence) <= limit:
        return sentence
    head = sentence[:limit - 1]
    return (head.rsplit(" ", 1)[0] if " " in head else head).rstrip(" ,;:") + "…"


def _search_method(con: duckdb.DuckDBPyConnection, method: str | None) -> str:
    """``hybrid`` or ``lexical``; ``auto`` (default) is hybrid once the occupation labels have vectors."""
    method = method or "auto"
    if method not in ("hybrid", "lexical", "auto"):
        raise InputError(f"method: use 'auto', 'hybrid' or 'lexical', not {method!r}", code="vacancy.proposal_method",
                         params={"value": str(method)})
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
    """Proposed occupations and skills for a vacancy text (to be confirmed by a person).

    ``method``: ``lexical`` compares spelling only; ``hybrid`` and ``auto`` (default) read the skills
    with every skill vector that is built, and the proposal notes when none is (spelling only).
    """
    asked = method or "auto"
    method = _search_method(con, method)
    query = title.strip()
    if method == "hybrid":
        from taxonomy.search import search

        hits = search(con, query, kind="occupation", lang="nl", top=top_occupations)
        occupations = [Proposed(uri=h.uri, label=h.label, score=round(float(h.score), 4),
                                why=f"title matches '{h.matched_label}'",
                                code="vacancy.why.title", params={"label": h.matched_label}) for h in hits]
    else:
        occupations = _lexical_occupations(con, query, top_occupations)
    segments = segment(description)
    index = skill_index(con, dense=asked != "lexical")
    missing = missing_parts(index)
    lexical_only = not index.vectors
    prior: dict[str, float] = {}
    if occupations:
        for uri, rel in con.execute(
            "SELECT skill_uri, relation_type FROM taxonomy.occupation_skills WHERE occupation_uri = ?",
            [occupations[0].uri],
        ).fetchall():
            prior[uri] = 1.0 if rel == "essential" else 0.5
    found = sentence_skills(index, segments, prior=prior, lexical_only=lexical_only, top=top_skills)
    labels = preferred_labels(con, [u for u, _, _ in found])
    quotes = {sid: quote(segments[sid].text) for _, _, sid in found}
    skills = [Proposed(uri=u, label=labels.get(u, u), score=s, sentence=sid, source="text",
                       why=f"sentence {sid + 1}: '{quotes[sid]}'",
                       code="vacancy.why.sentence", params={"n": sid + 1, "text": quotes[sid]})
              for u, s, sid in found]
    note = None
    if asked != "lexical" and lexical_only:
        note = "lexical: skill vectors are not cached (werkbrug taxonomy index --skills)"
    return Proposal(
        method=method, occupations=occupations, skills=skills, note=note,
        missing_encoders=missing if asked != "lexical" else [],
        sentences=[Sentence(index=s.index, text=s.text, boilerplate=s.boilerplate) for s in segments],
        requirements=read_requirements(segments),
    )


def in_language(con: duckdb.DuckDBPyConnection, vacancy: Vacancy, lang: str) -> Vacancy:
    """The vacancy with its proposal's occupation and skill labels in the reader's ``lang``.

    A proposal stores the labels it was made with (Dutch first); a reader gets the label of each
    concept that :func:`~taxonomy.store.display_labels` shows in ``lang`` (English where it has no label
    in ``lang``), as the confirm page does. The stored vacancy is not changed.
    """
    p = vacancy.proposal
    labels = display_labels(con, [o.uri for o in p.occupations] + [s.uri for s in p.skills], lang)

    def relabel(items: list[Proposed]) -> list[Proposed]:
        return [i.model_copy(update={"label": labels[i.uri][0]}) if i.uri in labels else i for i in items]

    proposal = p.model_copy(update={"occupations": relabel(p.occupations), "skills": relabel(p.skills)})
    return vacancy.model_copy(update={"proposal": proposal})


def proposed_terms(vacancy: Vacancy) -> dict:
    """The vacancy's terms as the confirm step starts from: what was typed, completed from the text.

    Declared Dutch levels, licences, attests and contract win over the text; the text's hours,
    shifts and weekend work win over the form's defaults. The result validates as
    :class:`~matching.vacancies.models.VacancyTerms`.
    """
    req = vacancy.proposal.requirements
    declared = any(vacancy.dutch.values())
    dutch = vacancy.dutch if declared else req.dutch.levels
    return {
        "hours_per_week": req.hours_per_week if req.hours_per_week is not None else vacancy.hours_per_week,
        "shifts": req.shifts or vacancy.shifts, "weekends": vacancy.weekends if req.weekends is None else req.weekends,
        "licences": vacancy.licences or req.licences, "attests": vacancy.attests or req.attests,
        "contract": vacancy.contract or req.contract, **{f"dutch_{k}": dutch.get(k) for k in dutch},
    }
