"""Profile → occupation recovery on real ESCO: our job-target ranker beside two baselines.

For a fixed sample of occupations (``--sample``, default 1,000, seed 13) a synthetic
participant is built from the occupation's essential skills with realistic noise:

* about 40 % of the essential skills are dropped (at least one kept);
* 3 unrelated skills (drawn from all ESCO skills) are added;
* levels vary uniformly in [0.4, 1.0], confidence in [0.5, 1.0], evidence kind is
  assessed / observed / self-declared at random;
* Dutch meets the occupation's requirement, except for 30 % who are one level short on
  listening and speaking.

The true occupation must be found among all 3,007. Systems:

* ``werkbrug`` — :func:`matching.job_targets.rank_profiles` with MiniLM + hierarchy credit;
* ``werkbrug (hierarchy only)`` — the same without the embedding neighbours;
* ``cosine`` — MiniLM embedding of the skill labels joined as text vs. the embedding of the
  occupation's English preferred label and description;
* ``jaccard`` — overlap of the participant's skill set with the occupation's skills.

Metrics with ranx (Recall@1/5/10, MRR). Vectors are cached in ``benchmarks/out/match_bench.duckdb``.

    .venv/bin/python benchmarks/job_targets.py [--sample 1000] [--seed 13]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
import scipy.sparse as sp
from ranx import Qrels, Run, evaluate

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assessment.profile import CompetenceProfile  # noqa: E402
from foundation.db import connect  # noqa: E402
from matching.config import MatchingConfig  # noqa: E402
from matching.job_targets import rank_profiles, requirements  # noqa: E402
from matching.language import LEVELS, SUB_SKILLS  # noqa: E402
from matching.model import get_model  # noqa: E402
from service.app import migrate_all  # noqa: E402
from taxonomy.encoders import get_encoder  # noqa: E402
from taxonomy.esco_import import import_esco  # noqa: E402
from taxonomy.index import text_vectors  # noqa: E402
from taxonomy.store import default_esco_path  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
METRICS = ["recall@1", "recall@5", "recall@10", "mrr"]
TOP = 100


def open_db(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    con = connect(path)
    migrate_all(con)
    if con.execute("SELECT count(*) FROM taxonomy.imports").fetchone()[0] == 0:
        esco = default_esco_path()
        if esco is None:
            sys.exit("No ESCO download found: set WERKBRUG_ESCO")
        import_esco(con, esco)
    return con


def _level(value: float) -> str:
    base = int(np.ceil(value))
    return LEVELS[base] + (".1" if base - value >= 0.5 else "")


def make_profiles(con, *, sample: int, seed: int) -> tuple[list[CompetenceProfile], list[str]]:
    rng = np.random.default_rng(seed)
    rel = con.execute(
        """SELECT occupation_uri, list(skill_uri ORDER BY skill_uri) FROM taxonomy.occupation_skills
           WHERE relation_type = 'essential' AND occupation_uri IN (SELECT uri FROM taxonomy.occupations)
           GROUP BY occupation_uri HAVING count(*) >= 3 ORDER BY occupation_uri"""
    ).fetchall()
    all_skills = [r[0] for r in con.execute("SELECT uri FROM taxonomy.skills ORDER BY uri").fetchall()]
    picks = rng.choice(len(rel), size=min(sample, len(rel)), replace=False)
    model = get_model(con, config=MatchingConfig(encoder=None))
    required, _ = requirements(con, model)
    kinds = ["assessed", "observed", "self_declared"]
    profiles, truth = [], []
    for n, i in enumerate(sorted(picks)):
        occ, ess = rel[i]
        keep = [s for s in ess if rng.random() >= 0.4] or [ess[int(rng.integers(len(ess)))]]
        noise = [all_skills[j] for j in rng.choice(len(all_skills), 3, replace=False) if all_skills[j] not in ess]
        req = required[model.occ_index[occ]]
        dutch = {k: _level(v) for k, v in zip(SUB_SKILLS, req, strict=True)}
        if rng.random() < 0.3:
            for k, idx in (("listening", 0), ("speaking", 2)):
                dutch[k] = _level(max(0.0, req[idx] - 1))
        profiles.append(CompetenceProfile.model_validate({
            "participant_id": f"Q{n:05d}",
            "skills": [{"uri": s, "level": float(rng.uniform(0.4, 1.0)), "confidence": float(rng.uniform(0.5, 1.0)),
                        "evidence_kind": kinds[int(rng.integers(3))]} for s in keep + noise],
            "dutch": dutch,
        }))
        truth.append(occ)
    return profiles, truth


def run_of(ids: list[str], occ_uris: list[str], scores: np.ndarray) -> Run:
    out = {}
    for q, row in zip(ids, scores, strict=True):
        top = np.argpartition(-row, TOP)[:TOP]
        out[q] = {occ_uris[o]: float(row[o]) for o in top}
    return Run(out)


def cosine_baseline(con, profiles, encoder) -> tuple[list[str], np.ndarray]:
    occ = con.execute(
        """SELECT o.uri, coalesce(max(l.label), '') || ': ' || coalesce(max(d.text), '')
           FROM taxonomy.occupations o
           LEFT JOIN taxonomy.labels l ON l.uri = o.uri AND l.kind = 'preferred' AND l.lang = 'en'
           LEFT JOIN taxonomy.descriptions d ON d.uri = o.uri AND d.lang = 'en' AND d.kind = 'description'
           GROUP BY o.uri ORDER BY o.uri"""
    ).fetchall()
    occ_vecs, _ = text_vectors(con, [t for _, t in occ], encoder=encoder, progress=True, desc="Occupation texts")
    labels = dict(con.execute(
        "SELECT uri, label FROM taxonomy.labels WHERE concept_type = 'skill' AND kind = 'preferred' AND lang = 'en'"
    ).fetchall())
    texts = ["; ".join(labels.get(s.uri, "") for s in p.skills) for p in profiles]
    q = encoder.encode(texts)
    return [u for u, _ in occ], q @ occ_vecs.T


def jaccard_baseline(con, profiles) -> tuple[list[str], np.ndarray]:
    model = get_model(con, config=MatchingConfig(encoder=None))
    B = (model.A > 0).astype(np.float32)
    rows, cols = [], []
    for p, prof in enumerate(profiles):
        for s in prof.skills:
            rows.append(p)
            cols.append(model.skill_index[s.uri])
    P = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(profiles), B.shape[1]))
    P.data[:] = 1
    inter = (P @ B.T).toarray()
    union = np.asarray(P.sum(axis=1)) + np.asarray(B.sum(axis=1)).T - inter
    return model.occ_uris, inter / np.maximum(union, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, default=OUT / "match_bench.duckdb")
    ap.add_argument("--sample", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    con = open_db(args.db)
    profiles, truth = make_profiles(con, sample=args.sample, seed=args.seed)
    ids = [p.participant_id for p in profiles]
    qrels = Qrels({q: {t: 1} for q, t in zip(ids, truth, strict=True)})
    rows = []
    for name, cfg in (("werkbrug (MiniLM + hierarchy credit)", MatchingConfig(encoder="minilm")),
                      ("werkbrug (hierarchy credit only)", MatchingConfig(encoder=None))):
        get_model(con, config=cfg)  # build (and store) neighbours outside the timing
        t = time.perf_counter()
        ranked = rank_profiles(con, profiles=profiles, top=TOP, log=False, config=cfg)
        secs = time.perf_counter() - t
        run = Run({q: dict(r) for q, r in zip(ids, ranked, strict=True)})
        rows.append((name, evaluate(qrels, run, METRICS), secs))
    encoder = get_encoder("minilm")
    t = time.perf_counter()
    occ_uris, scores = cosine_baseline(con, profiles, encoder)
    rows.append(("baseline: cosine(skill text, occupation text), MiniLM", evaluate(
        qrels, run_of(ids, occ_uris, scores), METRICS), time.perf_counter() - t))
    t = time.perf_counter()
    occ_uris, scores = jaccard_baseline(con, profiles)
    rows.append(("baseline: Jaccard(skill sets)", evaluate(qrels, run_of(ids, occ_uris, scores), METRICS),
                 time.perf_counter() - t))
    n_occ = con.execute("SELECT count(*) FROM taxonomy.occupations").fetchone()[0]
    print(f"\n### Profile → occupation recovery ({len(profiles)} noisy profiles, {n_occ:,} ESCO occupations, "
          f"seed {args.seed})\n")
    print("| system | Recall@1 | Recall@5 | Recall@10 | MRR | time (s) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, m, secs in rows:
        print(f"| {name} | {m['recall@1']:.3f} | {m['recall@5']:.3f} | {m['recall@10']:.3f} | {m['mrr']:.3f} "
              f"| {secs:.1f} |")


if __name__ == "__main__":
    main()
