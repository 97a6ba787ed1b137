"""Vacancies: a liaison's free-text vacancy → proposed ESCO occupation(s) and skills → confirmed.

A vacancy is created from title, Dutch description, employer, postcode, hours, shifts and an
optional declared Dutch level. werkbrug then *proposes*:

* occupations — a search of the title over ESCO occupation labels: :func:`taxonomy.search.search`
  (hybrid lexical + sentence vectors) with ``method="hybrid"``, else a character n-gram TF-IDF
  over the labels (``"lexical"``, no encoder). The default ``"auto"`` (or ``$WERKBRUG_VACANCY_SEARCH``)
  is hybrid once the occupation labels' vectors are cached (``taxonomy.label_vectors``), else lexical;
* skills — n-grams (1–4 words) of the description that equal a skill label (Dutch or English,
  preferred or alternative), plus the essential skills of the best proposed occupation,
  ranked by word overlap with the description (and by sentence-vector similarity with
  ``method="hybrid"``).

Proposals are never used as such: a liaison confirms or edits occupations and skills
(:func:`confirm_vacancy`) and only confirmed vacancies get shortlists. A vacancy belongs to the
liaison who created it (``owner``). Batch import from CSV/Excel validates every row first and
writes all rows or none; every problem names its row and column.
"""

from __future__ import annotations

import io
import json
import os
import re
import threading
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Literal

import duckdb
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from foundation.db import transaction
from foundation.errors import InputError, NotFoundError, Problem
from matching import geo
from matching.language import SUB_SKILLS, LanguageRequirement, check_level, occupation_requirement
from taxonomy.store import preferred_labels

SEARCH_ENV = "WERKBRUG_VACANCY_SEARCH"
Shift = Literal["day", "early", "late", "night"]
STATUSES = ("proposed", "confirmed", "closed")
IMPORT_COLUMNS = ("title", "description", "employer", "postcode", "hours_per_week", "shifts", "weekends",
                  "dutch_level", "dutch_listening", "dutch_reading", "dutch_speaking", "dutch_writing")
REQUIRED_COLUMNS = ("title", "description", "employer", "postcode")
MAX_ROWS = 5000
STEM = 6  # words compare on their first letters: "heftruck" ~ "heftrucks"


class VacancyInput(BaseModel):
    """What a liaison types in (or one row of an import file)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=2, max_length=200)
    description: str = Field(min_length=1, max_length=20000)
    employer: str = Field(min_length=1, max_length=200)
    postcode: str = Field(pattern=r"^\d{4}$")
    hours_per_week: int = Field(38, ge=1, le=60)
    shifts: list[Shift] = Field(default_factory=lambda: ["day"])
    weekends: bool = False
    dutch_level: str | None = Field(None, description="One declared level for all four sub-skills.")
    dutch_listening: str | None = None
    dutch_reading: str | None = None
    dutch_speaking: str | None = None
    dutch_writing: str | None = None

    @field_validator("postcode")
    @classmethod
    def _known(cls, value: str) -> str:
        if not geo.known_postcode(value):
            raise ValueError(f"{value!r} is not a Belgian postcode with known coordinates")
        return value

    @field_validator("dutch_level", "dutch_listening", "dutch_reading", "dutch_speaking", "dutch_writing")
    @classmethod
    def _cefr(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        try:
            return check_level(value, field="dutch")
        except InputError as exc:
            raise ValueError(exc.problems[0].message) from None

    def declared(self) -> dict[str, str | None]:
        return {k: getattr(self, f"dutch_{k}") or self.dutch_level for k in SUB_SKILLS}


class Proposed(BaseModel):
    uri: str
    label: str
    score: float
    why: str


class Proposal(BaseModel):
    method: str
    occupations: list[Proposed]
    skills: list[Proposed]


class Vacancy(BaseModel):
    vacancy_id: str
    owner: str
    title: str
    description: str
    employer: str
    postcode: str
    municipality: str | None
    hours_per_week: int
    shifts: list[str]
    weekends: bool
    dutch: dict[str, str | None]          # declared per sub-skill (None: occupation default)
    status: str
    proposal: Proposal
    occupation_uris: list[str]
    essential_skills: list[str]
    optional_skills: list[str]
    confirmed_by: str | None
    confirmed_at: datetime | None
    created_at: datetime
    source: str | None


# --- proposing occupations and skills -----------------------------------------------------

_WORD = re.compile(r"[\w'-]+", re.UNICODE)
_STOP_WORDS = (
    "de het een en van in op met voor te is je jij u wij we zij ze die dat als of aan bij om door naar "
    "tot uit over ook niet zijn wordt worden heeft hebben kan kunnen moet moeten your the a an and of to in "
    "for with on at by is are be as or you we our"
)
_STOP = frozenset(_STOP_WORDS.split())
_lex_cache: dict[tuple, dict] = {}
_lex_lock = threading.Lock()


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return " ".join(_WORD.findall("".join(c for c in text if not unicodedata.combining(c))))


def _words(text: str) -> list[str]:
    return _norm(text).split()


def _lexicon(con: duckdb.DuckDBPyConnection) -> dict:
    """Label indexes of the current import, built once per process."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from matching.model import taxonomy_key

    key = taxonomy_key(con)
    with _lex_lock:
        got = _lex_cache.get(key)
        if got is None:
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
            got = {"occ_uris": [u for u, _ in occ], "occ_labels": [lab for _, lab in occ], "vec": vec,
                   "matrix": matrix, "skill_by_label": by_label}
            _lex_cache[key] = got
    return got


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


_auto_cache: dict[tuple, str] = {}


def _search_method(con: duckdb.DuckDBPyConnection, method: str | None) -> str:
    """``hybrid`` or ``lexical``; ``auto`` (default) is hybrid once the occupation labels have vectors."""
    method = method or os.environ.get(SEARCH_ENV, "auto")
    if method not in ("hybrid", "lexical", "auto"):
        raise InputError(f"method: use 'auto', 'hybrid' or 'lexical', not {method!r}")
    if method != "auto":
        return method
    from matching.model import taxonomy_key

    key = taxonomy_key(con)
    if key not in _auto_cache:
        try:
            from taxonomy.encoders import DEFAULT_ENCODER

            missing = con.execute(
                """SELECT count(*) FROM (SELECT DISTINCT label FROM taxonomy.labels WHERE concept_type = 'occupation')
                   l ANTI JOIN (SELECT text FROM taxonomy.label_vectors WHERE model = ?) v ON v.text = l.label""",
                [DEFAULT_ENCODER],
            ).fetchone()[0]
        except (duckdb.Error, ImportError):
            missing = 1
        _auto_cache[key] = "hybrid" if missing == 0 else "lexical"
    return _auto_cache[key]


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


# --- storing --------------------------------------------------------------------------------

def _parse_input(data: VacancyInput | dict, **where) -> VacancyInput:
    if isinstance(data, VacancyInput):
        return data
    try:
        return VacancyInput.model_validate(data)
    except ValidationError as exc:
        problems = [Problem(e["msg"], column=".".join(str(p) for p in e["loc"]) or None, **where)
                    for e in exc.errors()]
        raise InputError("Invalid vacancy", problems) from None


def _insert(con, owner: str, v: VacancyInput, proposal: Proposal, source: str) -> str:
    n = con.execute("SELECT nextval('matching.vacancy_seq')").fetchone()[0]
    vid = f"V-{n:05d}"
    d = v.declared()
    con.execute(
        """INSERT INTO matching.vacancies (vacancy_id, owner, title, description, employer, postcode,
               hours_per_week, shifts, weekends, dutch_listening, dutch_reading, dutch_speaking, dutch_writing,
               proposal, status, source)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'proposed', ?)""",
        [vid, owner, v.title, v.description, v.employer, v.postcode, v.hours_per_week, list(v.shifts), v.weekends,
         d["listening"], d["reading"], d["speaking"], d["writing"], proposal.model_dump_json(), source],
    )
    return vid


def create_vacancy(
    con: duckdb.DuckDBPyConnection, *, owner: str, vacancy: VacancyInput | dict, method: str | None = None,
) -> Vacancy:
    """Store a vacancy with proposed occupations and skills (status ``proposed``)."""
    v = _parse_input(vacancy)
    proposal = propose(con, title=v.title, description=v.description, method=method)
    with transaction(con):
        vid = _insert(con, owner, v, proposal, "form")
    return get_vacancy(con, vacancy_id=vid)


def _read_table(data: bytes, filename: str) -> tuple[pd.DataFrame, str | None]:
    name = filename.lower()
    try:
        if name.endswith((".xlsx", ".xlsm")):
            frame = pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False, engine="openpyxl")
            return frame, None
        if name.endswith((".csv", ".txt")):
            text = data.decode("utf-8-sig")
            sep = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
            return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep), None
    except (ValueError, UnicodeDecodeError, IndexError, KeyError, pd.errors.ParserError) as exc:
        raise InputError(f"{filename}: cannot read the file ({exc})", [Problem(str(exc), file=filename)]) from None
    raise InputError(f"{filename}: use a .csv or .xlsx file", [Problem("unsupported file type", file=filename)])


_TRUE = {"ja", "yes", "true", "1", "j", "y", "x"}
_FALSE = {"nee", "no", "false", "0", "n", ""}


def import_vacancies(
    con: duckdb.DuckDBPyConnection, *, owner: str, data: bytes | None = None, filename: str,
    path: str | Path | None = None, method: str | None = None,
) -> list[Vacancy]:
    """Import every row of a CSV/Excel file as a vacancy: all rows, or none.

    Columns: ``title, description, employer, postcode`` (required), ``hours_per_week, shifts``
    (e.g. ``day;late``), ``weekends`` (ja/nee), ``dutch_level`` or ``dutch_<sub-skill>``.
    Row numbers in problems are the spreadsheet's (the header is row 1).
    """
    if data is None:
        if path is None:
            raise InputError("Give the file's data or path")
        data = Path(path).read_bytes()
    frame, _ = _read_table(data, filename)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    problems = []
    for col in REQUIRED_COLUMNS:
        if col not in frame.columns:
            problems.append(Problem(f"required column {col!r} is missing", file=filename, column=col))
    for col in frame.columns:
        if col not in IMPORT_COLUMNS:
            problems.append(Problem(f"unknown column {col!r} (use {', '.join(IMPORT_COLUMNS)})",
                                    file=filename, column=col))
    if problems:
        raise InputError(f"{filename}: the columns are not right", problems)
    if frame.empty:
        raise InputError(f"{filename}: no vacancies in the file", [Problem("no data rows", file=filename)])
    if len(frame) > MAX_ROWS:
        raise InputError(f"{filename}: at most {MAX_ROWS} rows per file")
    parsed: list[tuple[int, VacancyInput]] = []
    for i, row in enumerate(frame.to_dict("records"), start=2):
        values: dict = {k: v.strip() for k, v in row.items() if str(v).strip() != ""}
        row_problems = []
        if "shifts" in values:
            values["shifts"] = [s.strip().lower() for s in re.split(r"[;,/ ]+", values["shifts"]) if s.strip()]
        if "weekends" in values:
            w = values["weekends"].lower()
            if w in _TRUE | _FALSE:
                values["weekends"] = w in _TRUE
            else:
                row_problems.append(Problem(f"{values['weekends']!r}: use ja or nee", file=filename, row=i,
                                            column="weekends"))
                values.pop("weekends")
        try:
            parsed.append((i, _parse_input(values, file=filename, row=i)))
        except InputError as exc:
            row_problems.extend(exc.problems)
        problems.extend(row_problems)
    if problems:
        raise InputError(f"{filename}: {len(problems)} problem(s); nothing was imported", problems)
    proposals = [propose(con, title=v.title, description=v.description, method=method) for _, v in parsed]
    with transaction(con):
        ids = [_insert(con, owner, v, p, f"file {filename} row {i}")
               for (i, v), p in zip(parsed, proposals, strict=True)]
    return [get_vacancy(con, vacancy_id=vid) for vid in ids]


_COLS = """vacancy_id, owner, title, description, employer, postcode, hours_per_week, shifts, weekends,
           dutch_listening, dutch_reading, dutch_speaking, dutch_writing, proposal, status, occupation_uris,
           essential_skills, optional_skills, confirmed_by, confirmed_at, created_at, source"""


def _row(r) -> Vacancy:
    place = geo._places().get(r[5])
    return Vacancy(
        vacancy_id=r[0], owner=r[1], title=r[2], description=r[3], employer=r[4], postcode=r[5],
        municipality=place.municipality if place else None, hours_per_week=r[6], shifts=list(r[7]), weekends=r[8],
        dutch=dict(zip(SUB_SKILLS, r[9:13], strict=True)), proposal=Proposal.model_validate(json.loads(r[13])),
        status=r[14], occupation_uris=list(r[15] or []), essential_skills=list(r[16] or []),
        optional_skills=list(r[17] or []), confirmed_by=r[18], confirmed_at=r[19], created_at=r[20], source=r[21],
    )


def get_vacancy(con: duckdb.DuckDBPyConnection, *, vacancy_id: str) -> Vacancy:
    r = con.execute(f"SELECT {_COLS} FROM matching.vacancies WHERE vacancy_id = ?", [vacancy_id]).fetchone()
    if r is None:
        raise NotFoundError(f"Unknown vacancy {vacancy_id}")
    return _row(r)


def list_vacancies(
    con: duckdb.DuckDBPyConnection, *, owner: str | None = None, status: str | None = None
) -> list[Vacancy]:
    """Vacancies, newest first; optionally one liaison's or one status."""
    rows = con.execute(
        f"""SELECT {_COLS} FROM matching.vacancies
            WHERE (?::VARCHAR IS NULL OR owner = ?) AND (?::VARCHAR IS NULL OR status = ?)
            ORDER BY created_at DESC, vacancy_id DESC""",
        [owner, owner, status, status],
    ).fetchall()
    return [_row(r) for r in rows]


def confirm_vacancy(
    con: duckdb.DuckDBPyConnection, *, vacancy_id: str, by: str, occupation_uris: list[str],
    essential_skills: list[str], optional_skills: list[str] | None = None,
) -> Vacancy:
    """A person confirms (or edits) the occupations and skills; only these are used for shortlists."""
    get_vacancy(con, vacancy_id=vacancy_id)
    optional_skills = list(dict.fromkeys(optional_skills or []))
    occupation_uris, essential_skills = list(dict.fromkeys(occupation_uris)), list(dict.fromkeys(essential_skills))
    problems = []
    if not occupation_uris:
        problems.append(Problem("confirm at least one occupation", column="occupation_uris"))
    if not essential_skills:
        problems.append(Problem("confirm at least one required skill", column="essential_skills"))
    occ_ok = {r[0] for r in con.execute(
        "SELECT uri FROM taxonomy.occupations WHERE uri IN (SELECT unnest(?))", [occupation_uris]).fetchall()}
    skill_ok = {r[0] for r in con.execute(
        "SELECT uri FROM taxonomy.skills WHERE uri IN (SELECT unnest(?))",
        [essential_skills + optional_skills]).fetchall()}
    problems += [Problem(f"{u} is not an ESCO occupation", column="occupation_uris")
                 for u in occupation_uris if u not in occ_ok]
    for col, uris in (("essential_skills", essential_skills), ("optional_skills", optional_skills)):
        problems += [Problem(f"{u} is not an ESCO skill", column=col) for u in uris if u not in skill_ok]
    problems += [Problem(f"{u} is both essential and optional", column="optional_skills")
                 for u in optional_skills if u in essential_skills]
    if problems:
        raise InputError("The vacancy cannot be confirmed like this", problems)
    with transaction(con):
        con.execute(
            """UPDATE matching.vacancies SET status = 'confirmed', occupation_uris = ?, essential_skills = ?,
                   optional_skills = ?, confirmed_by = ?, confirmed_at = now() WHERE vacancy_id = ?""",
            [occupation_uris, essential_skills, optional_skills, by, vacancy_id],
        )
    return get_vacancy(con, vacancy_id=vacancy_id)


def close_vacancy(con: duckdb.DuckDBPyConnection, *, vacancy_id: str, by: str) -> Vacancy:
    get_vacancy(con, vacancy_id=vacancy_id)
    with transaction(con):
        con.execute("UPDATE matching.vacancies SET status = 'closed' WHERE vacancy_id = ?", [vacancy_id])
    return get_vacancy(con, vacancy_id=vacancy_id)


def vacancy_requirement(con: duckdb.DuckDBPyConnection, *, vacancy: Vacancy) -> LanguageRequirement:
    """The vacancy's declared Dutch level, per sub-skill, else its first occupation's requirement."""
    base = (occupation_requirement(con, occupation_uri=vacancy.occupation_uris[0])
            if vacancy.occupation_uris else None)
    levels = {}
    for k in SUB_SKILLS:
        if vacancy.dutch.get(k):
            levels[k] = vacancy.dutch[k]
        elif base is not None:
            levels[k] = getattr(base, k)
        else:
            levels[k] = "A1"
    declared = any(vacancy.dutch.get(k) for k in SUB_SKILLS)
    source = "vacancy" if declared else (base.source if base else "default")
    return LanguageRequirement(**levels, source=source)


def open_vacancy_counts(
    con: duckdb.DuckDBPyConnection, *, occupation_uris: list[str], postcode: str | None,
    transport_modes: tuple[str, ...] | list[str] = (), max_commute_minutes: int = 45,
) -> dict[str, int]:
    """Confirmed vacancies per occupation within the participant's commute (all when no postcode)."""
    wanted = set(occupation_uris)
    rows = [(occ, pc) for occs, pc in con.execute(
        "SELECT occupation_uris, postcode FROM matching.vacancies WHERE status = 'confirmed'").fetchall()
        for occ in occs or [] if occ in wanted]
    if not rows:
        return {}
    reach = np.ones(len(rows), dtype=bool)
    if geo.known_postcode(postcode):
        here = geo.place(postcode)
        lat, lon = geo.coordinates([r[1] for r in rows])
        minutes = geo.commute_minutes(geo.haversine_km(here.latitude, here.longitude, lat, lon),
                                      geo.best_speed(tuple(transport_modes)))
        reach = np.nan_to_num(minutes, nan=np.inf) <= max_commute_minutes
    out: dict[str, int] = {}
    for (occ, _), ok in zip(rows, reach, strict=True):
        if ok:
            out[occ] = out.get(occ, 0) + 1
    return out
