"""Profile → occupation recovery on real ESCO, per profile family: werkbrug beside baselines.

Profiles come from :mod:`benchmarks.profiles` (families: dense, sparse, very sparse, confusers
from sibling occupations, transversal noise, related skills; with and without Dutch levels; and
three families with confusers from any occupation); each true occupation must be found among all
3,007. Systems, in the same run:

* ``werkbrug`` — :func:`matching.job_targets.rank_profiles` (MiniLM + hierarchy credit), with the
  skills part as evidence (:mod:`matching.fit`) and as before (the F-measure, ``skill_fit="f_beta"``);
* ``Jaccard`` — ``|p ∩ o| / |p ∪ o|`` over the occupation's essential ∪ optional skills;
* ``coverage`` — essential-weighted coverage ``(|p ∩ ess| + ½ |p ∩ opt|) / (|ess| + ½ |opt|)``;
* ``ceiling`` — the occupation of highest posterior for a ranker that knows the generator
  (:mod:`benchmarks.ceiling`): what the family allows, not a system;
* ``cosine`` — MiniLM embedding of the profile's skill labels joined as text vs. the embedding
  of the occupation's English label and description (on the first ``--cosine-sample`` profiles
  of each family; Recall there is over that subsample).

Metrics with ranx (Recall@1/5/10, MRR). Tune on one seed, report on another (default 2).

    .venv/bin/python benchmarks/job_targets.py [--sample 1000] [--seed 2] [--cosine-sample 300]
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
sys.path.insert(0, str(ROOT / "benchmarks"))

from ceiling import Ceiling  # noqa: E402
from profiles import FAMILIES, Generator  # noqa: E402

from foundation.db import connect  # noqa: E402
from foundation.settings import load_settings  # noqa: E402
from matching.config import MatchingConfig  # noqa: E402
from matching.job_targets import rank_profiles, requirements  # noqa: E402
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
        esco = default_esco_path(load_settings().esco)
        if esco is None:
            sys.exit("No ESCO download found: set WERKBRUG_ESCO")
        import_esco(con, esco)
    return con


def run_of(ids: list[str], occ_uris: list[str], scores: np.ndarray, *, seed: int = 0) -> Run:
    """The top ``TOP`` of each row as a ranx run; exact ties (frequent in set overlap: ESCO's near-duplicate
    occupations) broken at random with ``seed``, not by the order of the occupations or of a sort."""
    out = {}
    jitter = np.random.default_rng(seed).uniform(0.0, 1e-9, size=scores.shape)
    for q, row in zip(ids, scores.astype(np.float64) + jitter, strict=True):
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


def set_baselines(con, profiles) -> tuple[list[str], dict[str, np.ndarray]]:
    """Jaccard and essential-weighted coverage over ESCO's own lists (all skills, as published)."""
    occ = [r[0] for r in con.execute("SELECT uri FROM taxonomy.occupations ORDER BY uri").fetchall()]
    skills = [r[0] for r in con.execute("SELECT uri FROM taxonomy.skills ORDER BY uri").fetchall()]
    oi, si = {u: i for i, u in enumerate(occ)}, {u: i for i, u in enumerate(skills)}
    rel = con.execute("SELECT occupation_uri, skill_uri, relation_type FROM taxonomy.occupation_skills").fetchall()
    rel = [(oi[o], si[s], r == "essential") for o, s, r in rel if o in oi and s in si]
    o_, s_, e_ = (np.array(v) for v in zip(*rel, strict=True))
    shape = (len(occ), len(skills))
    B = sp.csr_matrix((np.ones(len(o_), np.float32), (o_, s_)), shape=shape)
    W = sp.csr_matrix((np.where(e_, 1.0, 0.5).astype(np.float32), (o_, s_)), shape=shape)
    rows = [p for p, prof in enumerate(profiles) for s in {s.uri for s in prof.skills}]
    cols = [si[s] for prof in profiles for s in {s.uri for s in prof.skills}]
    P = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(profiles), len(skills)))
    inter = (P @ B.T).toarray()
    union = np.asarray(P.sum(axis=1)) + np.asarray(B.sum(axis=1)).T - inter
    cover = (P @ W.T).toarray() / np.maximum(np.asarray(W.sum(axis=1)).T, 1e-9)
    return occ, {"baseline: Jaccard (essential ∪ optional)": inter / np.maximum(union, 1),
                 "baseline: essential-weighted coverage": cover}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, default=OUT / "match_bench.duckdb")
    ap.add_argument("--sample", type=int, default=1000, help="Profiles per family.")
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--cosine-sample", type=int, default=300)
    ap.add_argument("--families", nargs="*", metavar="NAME",
                    help="Run only these families (names as in benchmarks/profiles.py); default all.")
    args = ap.parse_args()
    con = open_db(args.db)
    cfg = MatchingConfig(encoder="minilm")
    before = cfg.model_copy(update={"skill_fit": "f_beta"})
    model = get_model(con, config=cfg)  # build (and store) neighbours outside the timing
    required, _ = requirements(con, model)
    gen = Generator(con, required=required, occ_index=model.occ_index)
    encoder = get_encoder("minilm")
    n_occ = con.execute("SELECT count(*) FROM taxonomy.occupations").fetchone()[0]
    ceiling = Ceiling(gen)
    summary = []
    for index, family in enumerate(FAMILIES):
        if args.families and family.name not in args.families:
            continue  # each family has its own random stream: skipping others changes nothing
        profiles, truth = gen.profiles(family, sample=args.sample, seed=args.seed, index=index)
        ids = [p.participant_id for p in profiles]
        qrels = Qrels({q: {t: 1} for q, t in zip(ids, truth, strict=True)})
        rows = []
        t = time.perf_counter()
        ranked = rank_profiles(con, profiles=profiles, top=TOP, log=False, config=cfg)
        run = Run({q: dict(r) for q, r in zip(ids, ranked, strict=True)})
        rows.append(("werkbrug (evidence: likelihood ratio, MiniLM + hierarchy credit)", evaluate(qrels, run, METRICS),
                     time.perf_counter() - t))
        t = time.perf_counter()
        ranked = rank_profiles(con, profiles=profiles, top=TOP, log=False, config=before)
        run = Run({q: dict(r) for q, r in zip(ids, ranked, strict=True)})
        rows.append(("werkbrug before (F-measure, werkbrug-match/3)", evaluate(qrels, run, METRICS),
                     time.perf_counter() - t))
        t = time.perf_counter()
        occ_uris, scores = set_baselines(con, profiles)
        secs = (time.perf_counter() - t) / len(scores)
        for name, sc in scores.items():
            rows.append((name, evaluate(qrels, run_of(ids, occ_uris, sc, seed=args.seed), METRICS), secs))
        t = time.perf_counter()
        sc = ceiling.scores(family, profiles)
        rows.append(("ceiling: the generator's posterior (knows how the profiles were drawn; not a system)",
                     evaluate(qrels, run_of(ids, ceiling.occ, sc, seed=args.seed), METRICS), time.perf_counter() - t))
        k = min(args.cosine_sample, len(profiles))
        t = time.perf_counter()
        occ_uris, sc = cosine_baseline(con, profiles[:k], encoder)
        sub = Qrels({q: {t_: 1} for q, t_ in zip(ids[:k], truth[:k], strict=True)})
        rows.append((f"baseline: cosine(skill text, occupation text), MiniLM, first {k}",
                     evaluate(sub, run_of(ids[:k], occ_uris, sc, seed=args.seed), METRICS), time.perf_counter() - t))
        print(f"\n### {family.name} ({len(profiles)} profiles, {n_occ:,} ESCO occupations, seed {args.seed})\n")
        print("| system | Recall@1 | Recall@5 | Recall@10 | MRR | time (s) |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, m, secs in rows:
            print(f"| {name} | {m['recall@1']:.3f} | {m['recall@5']:.3f} | {m['recall@10']:.3f} | {m['mrr']:.3f} "
                  f"| {secs:.1f} |")
        summary.append((family.name, [m["recall@1"] for _, m, _ in rows]))
    print(f"\n### Recall@1 per family (seed {args.seed})\n")
    print("| family | werkbrug | werkbrug before (F-measure) | Jaccard | coverage | cosine (subsample) "
          "| ceiling (knows the generator) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in summary:
        print(f"| {name} | {r[0]:.3f} | {r[1]:.3f} | {r[2]:.3f} | {r[3]:.3f} | {r[5]:.3f} | {r[4]:.3f} |")
    means = np.mean([r for _, r in summary], axis=0)
    print(f"| mean | {means[0]:.3f} | {means[1]:.3f} | {means[2]:.3f} | {means[3]:.3f} | {means[5]:.3f} "
          f"| {means[4]:.3f} |")


if __name__ == "__main__":
    main()
