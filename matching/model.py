"""The precomputed matching model: sparse occupation×skill weights and related-skill credit.

Built once per taxonomy import (and neighbour settings) and kept in memory per database file:

* ``E``, ``Opt`` — occupations × skills, 1 where the occupation lists ``s`` as essential
  (optional); skills of ESCO's language collection ("Nederlands") are left out: Dutch is
  compared with a declared level only, never scored as a skill.
* ``A`` — occupations × skills, ``a_os = idf_s · (1 essential | optional_weight optional)``,
  ``idf_s = ln(1 + N / df_s)`` with ``df_s`` the number of occupations that list ``s``: rare,
  specific skills weigh more than "communicate with customers" (see :mod:`matching.scoring`).
* ``P`` — skills × skills, ``P[s, t]`` = credit skill ``s`` gets from a participant's skill
  ``t``: ``similarity_credit · cos(s, t)`` for the top-k embedding neighbours (cosine ≥
  ``min_similarity``; English MiniLM on preferred labels via :mod:`taxonomy.index`), and
  fixed credits for broader/narrower skills, siblings in small skill groups and ESCO
  skill-skill relations. The neighbour lists are stored in ``matching.skill_neighbours`` so
  a restart does not recompute them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np
import scipy.sparse as sp

from foundation.cache import IMPORT, cached, caches
from foundation.db import transaction
from matching.config import MatchingConfig
from taxonomy.store import current_version


@dataclass
class MatchingModel:
    """Everything scoring needs, as arrays (see module docstring)."""

    import_id: int
    taxonomy_version: str
    neighbour_model: str
    config: MatchingConfig
    skill_uris: list[str]
    skill_index: dict[str, int]
    skill_is_knowledge: np.ndarray
    skill_is_language: np.ndarray
    occ_uris: list[str]
    occ_index: dict[str, int]
    occ_isco: list[str]
    idf: np.ndarray
    E: sp.csr_matrix
    Opt: sp.csr_matrix
    A: sp.csr_matrix
    P: sp.csr_matrix          # rows: skill that gets credit; columns: skill that gives it
    P_csc: sp.csc_matrix
    isco4_index: dict[str, int] = field(default_factory=dict)
    occ_isco4: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))

    def __post_init__(self) -> None:
        self._labels: dict[str, dict[str, str]] = {}
        self.isco_arr = np.array(self.occ_isco, dtype=str)
        self.isco3_arr = np.array([c[:3] for c in self.occ_isco], dtype=str)

    @property
    def name(self) -> str:
        """What the request log records: the formula's version, its neighbour lists and its settings."""
        c = self.config
        if c.skill_fit == "f_beta":
            return f"werkbrug-match/3 {self.neighbour_model} g{c.trade_group_credit:g}"
        return (f"werkbrug-match/4 {self.neighbour_model} g{c.trade_group_credit:g} "
                f"E{c.essential_prior[0]:g},{c.essential_prior[1]:g}O{c.optional_prior[0]:g},{c.optional_prior[1]:g}"
                f"t{c.trade_skills:g},{c.trade_spread:g}c{c.chance_skills:g}s{c.fit_scale:g}")

    def essential_of(self, o: int) -> np.ndarray:
        """Skill indices of occupation ``o``'s essential skills."""
        return self.E.indices[self.E.indptr[o]:self.E.indptr[o + 1]]

    def optional_of(self, o: int) -> np.ndarray:
        return self.Opt.indices[self.Opt.indptr[o]:self.Opt.indptr[o + 1]]

    def target_weights(self, essential: np.ndarray, optional: np.ndarray) -> sp.csr_matrix:
        """One row ``a_s`` for a pseudo-occupation (a vacancy's confirmed skills), as in ``A``."""
        ess = np.unique(np.asarray(essential, np.int64))
        ess = ess[~self.skill_is_language[ess]]
        opt = np.setdiff1d(np.asarray(optional, np.int64), ess)
        opt = opt[~self.skill_is_language[opt]]
        cols = np.r_[ess, opt]
        vals = self.idf[cols] * np.r_[np.ones(ess.size), np.full(opt.size, self.config.optional_weight)]
        return sp.csr_matrix((vals.astype(np.float32), (np.zeros(cols.size, np.int64), cols)),
                             shape=(1, len(self.skill_uris)))

    def label_table(self, con: duckdb.DuckDBPyConnection, *, lang: str = "nl") -> dict[str, str]:
        """Every occupation's and skill's preferred label in ``lang`` (else English), by URI (read once; do not
        change it)."""
        table = self._labels.get(lang)
        if table is None:
            rows = con.execute(
                """SELECT uri, lang, label FROM taxonomy.labels
                   WHERE kind = 'preferred' AND concept_type IN ('occupation', 'skill') AND lang IN (?, 'en')""",
                [lang],
            ).fetchall()
            table = {}
            for uri, lg, label in rows:
                if lg == lang or uri not in table:
                    table[uri] = label
            self._labels[lang] = table
        return table


def _read_only(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT readonly FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return bool(row and row[0])


def _hierarchy_pairs(con: duckdb.DuckDBPyConnection, cfg: MatchingConfig, index: dict[str, int]):
    """(s, t, weight, source) from ESCO's skill hierarchy and skill-skill relations."""
    out_s, out_t, out_w, out_src = [], [], [], []

    def add(s: list[int], t: list[int], w: float, src: str) -> None:
        out_s.extend(s)
        out_t.extend(t)
        out_w.extend([w] * len(s))
        out_src.extend([src] * len(s))

    br = con.execute(
        """SELECT uri, broader_uri, broader_type FROM taxonomy.broader
           WHERE pillar = 'skill' AND concept_type = 'KnowledgeSkillCompetence'"""
    ).fetchall()
    parent_pairs = [(index[u], index[b]) for u, b, bt in br if bt == "KnowledgeSkillCompetence"
                    and u in index and b in index]
    if cfg.hierarchy_credit > 0 and parent_pairs:
        a, b = zip(*parent_pairs, strict=True)
        add(list(a), list(b), cfg.hierarchy_credit, "hierarchy")
        add(list(b), list(a), cfg.hierarchy_credit, "hierarchy")
    if cfg.sibling_credit > 0:
        groups: dict[str, list[int]] = {}
        for u, b, _ in br:
            if u in index:
                groups.setdefault(b, []).append(index[u])
        for members in groups.values():
            members = sorted(set(members))
            if 2 <= len(members) <= cfg.max_sibling_group:
                m = np.array(members)
                s, t = np.meshgrid(m, m, indexing="ij")
                keep = s != t
                add(s[keep].tolist(), t[keep].tolist(), cfg.sibling_credit, "sibling")
    if cfg.relation_credit > 0:
        rel = con.execute("SELECT skill_uri, related_uri FROM taxonomy.skill_relations").fetchall()
        pairs = [(index[a], index[b]) for a, b in rel if a in index and b in index]
        if pairs:
            a, b = zip(*pairs, strict=True)
            add(list(a), list(b), cfg.relation_credit, "relation")
            add(list(b), list(a), cfg.relation_credit, "relation")
    return out_s, out_t, out_w, out_src


def _embedding_pairs(con: duckdb.DuckDBPyConnection, cfg: MatchingConfig, index: dict[str, int]):
    """Top-k cosine neighbours of every skill (sim ≥ min_similarity)."""
    from taxonomy.encoders import get_encoder
    from taxonomy.index import skill_matrix

    uris, matrix = skill_matrix(con, encoder=get_encoder(cfg.encoder), lang="en", progress=False)
    order = np.array([index[u] for u in uris])
    k = cfg.neighbours
    out_s, out_t, out_w = [], [], []
    for start in range(0, len(uris), 2048):
        sims = matrix[start:start + 2048] @ matrix.T
        rows = np.arange(sims.shape[0])
        sims[rows, rows + start] = -1.0
        top = np.argpartition(-sims, k, axis=1)[:, :k]
        vals = np.take_along_axis(sims, top, axis=1)
        r, c = np.nonzero(vals >= cfg.min_similarity)
        out_s.extend(order[start + r].tolist())
        out_t.extend(order[top[r, c]].tolist())
        out_w.extend((cfg.similarity_credit * vals[r, c]).tolist())
    return out_s, out_t, out_w, ["embedding"] * len(out_s)


def _neighbour_lists(con, cfg: MatchingConfig, import_id: int, skill_uris: list[str], index: dict[str, int]):
    """(s, t, w) arrays: read from matching.skill_neighbours, else computed (and stored)."""
    model = cfg.neighbour_model
    built = con.execute(
        "SELECT 1 FROM matching.neighbour_builds WHERE import_id = ? AND model = ?", [import_id, model]
    ).fetchone() if _has_table(con) else None
    if built:
        got = con.execute(
            """SELECT skill_uri, neighbour_uri, weight FROM matching.skill_neighbours
               WHERE import_id = ? AND model = ?""",
            [import_id, model],
        ).fetchnumpy()
        s = np.array([index[u] for u in got["skill_uri"].tolist()], dtype=np.int64)
        t = np.array([index[u] for u in got["neighbour_uri"].tolist()], dtype=np.int64)
        return s, t, np.asarray(got["weight"], dtype=np.float32)
    s, t, w, src = _hierarchy_pairs(con, cfg, index)
    if cfg.encoder:
        es, et, ew, esrc = _embedding_pairs(con, cfg, index)
        s, t, w, src = s + es, t + et, w + ew, src + esrc
    s_arr, t_arr, w_arr = np.array(s, np.int64), np.array(t, np.int64), np.array(w, np.float32)
    # keep the strongest credit per pair
    order = np.lexsort((-w_arr, t_arr, s_arr))
    s_arr, t_arr, w_arr = s_arr[order], t_arr[order], w_arr[order]
    src_arr = np.array(src, dtype=object)[order]
    first = np.ones(len(s_arr), bool)
    first[1:] = (s_arr[1:] != s_arr[:-1]) | (t_arr[1:] != t_arr[:-1])
    s_arr, t_arr, w_arr, src_arr = s_arr[first], t_arr[first], w_arr[first], src_arr[first]
    if _has_table(con) and not _read_only(con):
        import pandas as pd

        uris = np.array(skill_uris, dtype=object)
        frame = pd.DataFrame({
            "import_id": import_id, "model": model, "skill_uri": uris[s_arr], "neighbour_uri": uris[t_arr],
            "weight": w_arr.astype(float), "source": src_arr,
        })
        with transaction(con):
            con.execute("DELETE FROM matching.skill_neighbours WHERE import_id = ? AND model = ?", [import_id, model])
            con.register("_neighbours", frame)
            try:
                con.execute("INSERT INTO matching.skill_neighbours SELECT * FROM _neighbours")
            finally:
                con.unregister("_neighbours")
            con.execute(
                "INSERT OR REPLACE INTO matching.neighbour_builds (import_id, model, pairs) VALUES (?, ?, ?)",
                [import_id, model, len(frame)],
            )
    return s_arr, t_arr, w_arr


def _has_table(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute(
        """SELECT 1 FROM duckdb_tables() WHERE database_name = current_database()
           AND schema_name = 'matching' AND table_name = 'neighbour_builds'"""
    ).fetchall())


def build_model(con: duckdb.DuckDBPyConnection, *, config: MatchingConfig | None = None) -> MatchingModel:
    """Build the model from the taxonomy tables (neighbour lists cached in the database)."""
    cfg = config or MatchingConfig()
    version = current_version(con)
    skills = con.execute("SELECT uri, skill_type FROM taxonomy.skills ORDER BY uri").fetchall()
    skill_uris = [r[0] for r in skills]
    skill_index = {u: i for i, u in enumerate(skill_uris)}
    occs = con.execute("SELECT uri, coalesce(isco_group, '') FROM taxonomy.occupations ORDER BY uri").fetchall()
    occ_uris = [r[0] for r in occs]
    occ_index = {u: i for i, u in enumerate(occ_uris)}
    rel = con.execute(
        """SELECT occupation_uri, skill_uri, relation_type FROM taxonomy.occupation_skills
           WHERE occupation_uri IN (SELECT uri FROM taxonomy.occupations)
             AND skill_uri IN (SELECT uri FROM taxonomy.skills)"""
    ).fetchnumpy()
    o = np.array([occ_index[u] for u in rel["occupation_uri"].tolist()], dtype=np.int64)
    s = np.array([skill_index[u] for u in rel["skill_uri"].tolist()], dtype=np.int64)
    ess = np.asarray(rel["relation_type"] == "essential")
    n_o, n_s = len(occ_uris), len(skill_uris)
    df = np.bincount(s, minlength=n_s).astype(np.float32)
    idf = np.log1p(n_o / np.maximum(df, 1.0)).astype(np.float32)
    language = {r[0] for r in con.execute("SELECT uri FROM taxonomy.collections WHERE collection = 'language'")
                .fetchall()}
    is_language = np.array([u in language for u in skill_uris], dtype=bool)
    scored = ~is_language[s]
    one = np.ones(int(scored.sum()), np.float32)
    E = sp.csr_matrix((one[ess[scored]], (o[scored][ess[scored]], s[scored][ess[scored]])), shape=(n_o, n_s))
    Opt = sp.csr_matrix((one[~ess[scored]], (o[scored][~ess[scored]], s[scored][~ess[scored]])), shape=(n_o, n_s))
    A = sp.csr_matrix((E + cfg.optional_weight * Opt) @ sp.diags(idf), dtype=np.float32)
    ns, nt, nw = _neighbour_lists(con, cfg, version.import_id, skill_uris, skill_index)
    P = sp.csr_matrix((nw, (ns, nt)), shape=(n_s, n_s), dtype=np.float32)
    isco = [r[1] for r in occs]
    isco4_index = {c: i for i, c in enumerate(sorted(set(isco)))}
    return MatchingModel(
        import_id=version.import_id,
        taxonomy_version=f"ESCO {version.esco_version} (import {version.import_id})",
        neighbour_model=cfg.neighbour_model, config=cfg,
        skill_uris=skill_uris, skill_index=skill_index,
        skill_is_knowledge=np.array([r[1] == "knowledge" for r in skills]), skill_is_language=is_language,
        occ_uris=occ_uris, occ_index=occ_index, occ_isco=isco, idf=idf,
        E=E, Opt=Opt, A=A, P=P, P_csc=P.tocsc(),
        isco4_index=isco4_index, occ_isco4=np.array([isco4_index[c] for c in isco], dtype=np.int32),
    )


def get_model(con: duckdb.DuckDBPyConnection, *, config: MatchingConfig | None = None) -> MatchingModel:
    """The model for this database's current taxonomy import, built once per process."""
    cfg = config or MatchingConfig()
    if caches.where(con)[1] is None:
        current_version(con)  # no import yet: NotFoundError with the message for people
    return cached(con, "matching.model", lambda: build_model(con, config=cfg),
                  config=cfg.model_dump_json(), on=(IMPORT,), shared=True, maxsize=4)
