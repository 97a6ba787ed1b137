"""Latency of job targets and shortlists on real ESCO (2-core machine: read the table, not one number).

Measures, with the MiniLM + hierarchy model of the default configuration:

1. one participant's job targets over all 3,007 occupations — scoring only, and the full request
   (top-10 explanations, open vacancies, log row) in-process and over HTTP (uvicorn, bearer token);
2. a shortlist for one vacancy over 10,000 and 100,000 synthetic participants — building the
   participant matrix (once, cached until profiles change) and ranking + filtering on it;
3. the full shortlist request through the database (10,000 consenting participants stored with
   :mod:`assessment.participants`: cold = profiles built, warm = cached matrix);
4. bulk job targets for 10,000 profiles (:func:`matching.job_targets.rank_profiles`).

    .venv/bin/python benchmarks/latency.py [--runs 200] [--sizes 10000,100000]
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assessment.profile import CompetenceProfile  # noqa: E402
from matching import geo  # noqa: E402
from matching.candidate_ranking import participant_matrix, rank_candidates, vacancy_spec  # noqa: E402
from matching.config import MatchingConfig  # noqa: E402
from matching.features import ranking_features  # noqa: E402
from matching.job_targets import job_targets, rank_profiles, requirements  # noqa: E402
from matching.model import get_model  # noqa: E402
from matching.scoring import score_occupations  # noqa: E402
from matching.shortlist import make_shortlist  # noqa: E402
from matching.vacancies import confirm_vacancy, create_vacancy  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT / "benchmarks"))
from job_targets import open_db  # noqa: E402


def pct(samples: list[float]) -> tuple[float, float]:
    ms = np.array(samples) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


CPU: dict[str, float] = {}


class Rows(list):
    """Table rows, each also written to stderr as soon as it is measured (a long run keeps its partial results)."""

    def append(self, row) -> None:
        super().append(row)
        print("partial:", row, file=sys.stderr, flush=True)


def timed(fn, runs: int) -> tuple[float, float]:
    """Wall-clock p50 and p95 (ms); the process's own CPU time per run (p50) is kept in ``CPU["last"]``
    so a shared, loaded machine can be told apart from slow code."""
    fn()  # warm-up
    out, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        out.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    CPU["last"] = float(np.percentile(np.array(cpu) * 1000, 50))
    return pct(out)


def synthetic_profiles(con, n: int, seed: int) -> list[CompetenceProfile]:
    """Participants built around random occupations: 8-25 skills, Flemish postcodes, mixed availability."""
    rng = np.random.default_rng(seed)
    rel = con.execute(
        """SELECT occupation_uri, list(skill_uri) FROM taxonomy.occupation_skills GROUP BY occupation_uri
           ORDER BY occupation_uri""").fetchall()
    flemish = [p.postcode for p in geo.places().values() if p.region == "Vlaams Gewest"]
    modes = ["walk", "bike", "ebike_moped", "public_transport", "car"]
    shifts = [["day"], ["day", "early"], ["day", "early", "late"], ["early", "late", "night"]]
    levels = ["A0", "A1", "A1.2", "A2", "B1", "B2"]
    out = []
    for i in range(n):
        _, skills = rel[int(rng.integers(len(rel)))]
        k = int(rng.integers(8, 26))
        chosen = list(rng.choice(skills, size=min(k, len(skills)), replace=False))
        out.append(CompetenceProfile.model_validate({
            "participant_id": f"S{i:06d}",
            "skills": [{"uri": s, "level": float(rng.uniform(0.3, 1)), "confidence": 0.8, "evidence_kind": "assessed"}
                       for s in chosen],
            "dutch": {s: levels[int(rng.integers(len(levels)))] for s in ("listening", "reading", "speaking",
                                                                           "writing")},
            "availability": {"hours_per_week": int(rng.choice([20, 30, 38])),
                             "shifts": shifts[int(rng.integers(len(shifts)))]},
            "mobility": {"postcode": flemish[int(rng.integers(len(flemish)))],
                         "transport_modes": [modes[int(rng.integers(len(modes)))]],
                         "max_commute_minutes": int(rng.choice([30, 45, 60]))},
        }))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, default=OUT / "match_bench.duckdb")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--stored", type=int, default=10000, help="Participants stored in the database for (3).")
    args = ap.parse_args()
    cfg = MatchingConfig(encoder="minilm")
    con = open_db(args.db)
    t = time.perf_counter()
    model = get_model(con, config=cfg)
    rows = Rows()
    rows.append(("model load (neighbour lists from DuckDB, matrices)", "1 run", (time.perf_counter() - t) * 1000, None))
    occ = con.execute("SELECT uri FROM taxonomy.labels WHERE label = 'forklift operator' AND concept_type = "
                      "'occupation'").fetchone()[0]
    ess = [r[0] for r in con.execute("SELECT skill_uri FROM taxonomy.occupation_skills WHERE occupation_uri = ? "
                                     "AND relation_type = 'essential' ORDER BY skill_uri", [occ]).fetchall()]
    one = synthetic_profiles(con, 1, seed=1)[0]
    required, _ = requirements(con, model)
    feats = [ranking_features(one)]
    p50, p95 = timed(lambda: score_occupations(model, feats, required=required), args.runs)
    rows.append(("job targets, one participant: scoring 3,007 occupations", f"{args.runs} runs", p50, p95,
                 CPU["last"]))
    p50, p95 = timed(lambda: job_targets(con, profile=one, top=10, requested_by="bench", config=cfg), args.runs)
    rows.append(("job targets, one participant: full request in-process (top 10 explained, logged)",
                 f"{args.runs} runs", p50, p95, CPU["last"]))

    # vacancy for the shortlists
    v = create_vacancy(con, owner="bench", method="lexical", vacancy={
        "title": "heftruckchauffeur", "description": "magazijn", "employer": "X", "postcode": "8000",
        "hours_per_week": 30, "shifts": ["day"]})
    v = confirm_vacancy(con, vacancy_id=v.vacancy_id, by="bench", occupation_uris=[occ], essential_skills=ess)
    spec = vacancy_spec(con, vacancy=v)
    for n in [int(x) for x in args.sizes.split(",") if x]:
        profiles = synthetic_profiles(con, n, seed=n)
        feats = [ranking_features(p) for p in profiles]
        t = time.perf_counter()
        pm = participant_matrix(model, feats)
        rows.append((f"shortlist, {n:,} participants: build participant matrix (cached)", "1 run",
                     (time.perf_counter() - t) * 1000, None))
        runs = max(10, args.runs // (n // 10000 or 1) // 4)
        p50, p95 = timed(lambda pm=pm: rank_candidates(model, pm, spec), runs)
        rows.append((f"shortlist, {n:,} participants: score + commute/availability filters", f"{runs} runs",
                     p50, p95, CPU["last"]))
        p50, p95 = timed(lambda profiles=profiles: make_shortlist(
            con, vacancy_id=v.vacancy_id, requested_by="bench", profiles=profiles, config=cfg), 3)
        rows.append((f"shortlist, {n:,} participants: request with profiles passed in (matrix rebuilt)",
                     "3 runs", p50, p95, CPU["last"]))
    if args.stored:
        from assessment.participants import create_participants

        already = con.execute("SELECT count(*) FROM assessment.participants").fetchone()[0]
        if already < args.stored:
            for chunk in range(already, args.stored, 2000):
                entries = [{"details": {"postcode": p.mobility.postcode,
                                        "transport_modes": p.mobility.transport_modes,
                                        "shifts": p.availability.shifts,
                                        "hours_per_week": p.availability.hours_per_week,
                                        "declared_skills": [s.uri for s in p.skills]}, "consent": True}
                           for p in synthetic_profiles(con, min(2000, args.stored - chunk), seed=chunk + 7)]
                create_participants(con, by="bench", entries=entries)
        t = time.perf_counter()
        make_shortlist(con, vacancy_id=v.vacancy_id, requested_by="bench", config=cfg)
        rows.append((f"shortlist, {args.stored:,} stored participants: cold (profiles built from the database)",
                     "1 run", (time.perf_counter() - t) * 1000, None))
        p50, p95 = timed(lambda: make_shortlist(con, vacancy_id=v.vacancy_id, requested_by="bench", config=cfg), 20)
        rows.append((f"shortlist, {args.stored:,} stored participants: warm (cached matrix, top 20 explained, "
                     "stored, logged)", "20 runs", p50, p95, CPU["last"]))
    bulk = synthetic_profiles(con, 10000, seed=99)
    t = time.perf_counter()
    rank_profiles(con, profiles=bulk, top=10, requested_by="bench", log=True, config=cfg)
    secs = time.perf_counter() - t
    rows.append(("bulk job targets, 10,000 profiles (top 10 each, logged)", "1 run", secs * 1000, None))
    con.close()

    # over HTTP
    from tests.live import add_role_users, client_for, running_server

    add_role_users(args.db)
    with running_server(args.db) as url, client_for(url, "coach") as client:
        body = {"profile": one.model_dump(mode="json"), "top": 10}

        def call():
            r = client.post("/api/job-targets", json=body)
            r.raise_for_status()

        p50, p95 = timed(call, args.runs)
        rows.append(("job targets, one participant: over HTTP (uvicorn, auth, JSON; client CPU)", f"{args.runs} runs",
                     p50, p95, CPU["last"]))
    print(f"\n### Latency (ms) on {os.cpu_count()} cores, {model.taxonomy_version}, model {model.name}\n")
    print("| what | runs | p50 (ms) | p95 (ms) | CPU p50 (ms) |")
    print("|---|---:|---:|---:|---:|")
    for name, runs, p50, p95, *cpu in rows:
        print(f"| {name} | {runs} | {p50:,.1f} | {'' if p95 is None else f'{p95:,.1f}'} "
              f"| {f'{cpu[0]:,.1f}' if cpu else ''} |")
    print(f"\nload average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"\nbulk throughput: {10000 / secs:,.0f} profiles/s")


if __name__ == "__main__":
    main()
