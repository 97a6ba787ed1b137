"""Latency of job targets and shortlists on real ESCO (2-core machine: read the table, not one number).

Measures, with the MiniLM + hierarchy model of the default configuration, wall-clock p50/p95 and
the process's own CPU time p50/p95 per run (a loaded, shared machine inflates wall time, not CPU):

1. one participant's job targets over all 3,007 occupations — scoring only, and the full request
   (top-10 explanations, open vacancies, durable log row) in-process and over HTTP (uvicorn in a
   thread of this process, bearer token, audit entry: the CPU column holds client and server);
2. a shortlist for one vacancy over 10,000 and 100,000 synthetic participants — building the
   participant matrix (once, cached until profiles change), ranking + filtering on it, and the
   request with the profiles passed in (matrix rebuilt);
3. the full shortlist request through the database (``--stored`` consenting participants stored
   with :mod:`assessment.participants`: cold = profiles built, warm = cached matrix);
4. bulk job targets for 10,000 profiles (:func:`matching.job_targets.rank_profiles`).

Reference rows in the same run: the cache look-up as it was (file, import and version queried
on every call), a full sort instead of a partition for a shortlist's top 20, the floor of a
durable commit on this disk (one ``fdatasync`` of a small append), the in-process request
without its log row, the log row alone, the request through the service layer (log row and audit entry in one
transaction: what the HTTP route calls) and the cheapest authenticated HTTP request (``GET /api/auth/me``). The
HTTP rows start once the app's start-up thread (the vacancy skill index) has finished. With ``--before REV`` the same
measurements also run on the code of git revision ``REV`` (extracted to a temporary folder, same
database, same profiles), printed beside ours.

    .venv/bin/python benchmarks/latency.py [--runs 200] [--sizes 10000,100000] [--stored 0] [--before REV]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"


class Rows(list):
    """Table rows ``(what, runs, p50, p95, cpu50, cpu95)``, each also written to stderr when measured."""

    def append(self, row) -> None:
        super().append(row)
        print("partial:", row, file=sys.stderr, flush=True)


def timed(fn, runs: int) -> tuple[float, float, float, float]:
    """Wall-clock and process CPU p50, p95 (ms) over ``runs`` calls after one warm-up call."""
    fn()
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return percentiles(np.array(wall) * 1000, np.array(cpu) * 1000)


def percentiles(wall: np.ndarray, cpu: np.ndarray) -> tuple[float, float, float, float]:
    """Wall-clock p50, p95 and CPU p50, p95 of samples in ms."""
    return (float(np.percentile(wall, 50)), float(np.percentile(wall, 95)), float(np.percentile(cpu, 50)),
            float(np.percentile(cpu, 95)))


def extract_revision(rev: str, to: Path | str) -> None:
    """The tree of git revision ``rev`` of this repository, written into the folder ``to``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(to)], input=archive, check=True)


def once(fn) -> tuple[float, None, float, None]:
    t, c = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - t) * 1000, None, (time.process_time() - c) * 1000, None


def synthetic_profiles(con, n: int, seed: int) -> list:
    """Participants built around random occupations: 8-25 skills, Flemish postcodes, mixed availability
    (kept in ``benchmarks/out`` so runs, and the ``--before`` run, rank the same people)."""
    from assessment.profile import CompetenceProfile
    from matching import geo

    cache = OUT / f"profiles_{n}_{seed}.pkl"
    if cache.exists():
        return [CompetenceProfile.model_validate(d) for d in pickle.loads(cache.read_bytes())]
    rng = np.random.default_rng(seed)
    rel = con.execute(
        """SELECT occupation_uri, list(skill_uri) FROM taxonomy.occupation_skills GROUP BY occupation_uri
           ORDER BY occupation_uri""").fetchall()
    flemish = [p.postcode for p in geo.places().values() if p.region == "Vlaams Gewest"]
    modes = ["walk", "bike", "ebike_moped", "public_transport", "car"]
    shifts = [["day"], ["day", "early"], ["day", "early", "late"], ["early", "late", "night"]]
    levels = ["A0", "A1", "A1.2", "A2", "B1", "B2"]
    data = []
    for i in range(n):
        _, skills = rel[int(rng.integers(len(rel)))]
        k = int(rng.integers(8, 26))
        chosen = list(rng.choice(skills, size=min(k, len(skills)), replace=False))
        data.append({
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
        })
    cache.write_bytes(pickle.dumps(data))
    return [CompetenceProfile.model_validate(d) for d in data]


def _ranking():
    """``(participant_matrix, rank_candidates, vacancy_spec, scores_of, top_candidates)`` of this code or
    an older one (before the split the ranking lived in :mod:`matching.shortlist` and returned a tuple)."""
    try:
        from matching.candidate_ranking import participant_matrix, rank_candidates, top_candidates, vacancy_spec

        def scores_of(ranked):
            return ranked.total, ranked.filters["commute"] & ranked.filters["availability"]

        return participant_matrix, rank_candidates, vacancy_spec, scores_of, top_candidates
    except ImportError:
        from matching.shortlist import participant_matrix, rank_candidates, vacancy_spec

        def scores_of(ranked):
            return ranked[0], ranked[3]["commute"] & ranked[3]["availability"]

        return participant_matrix, rank_candidates, vacancy_spec, scores_of, None


SERVICE_ROW = "  reference: through the service layer (log row + audit entry, one transaction; no HTTP)"


def service_call(con, profile, cfg):
    """What the HTTP route calls, in-process: :func:`matching.service.profile_job_targets` for a coach."""
    from foundation.actor import Role, User
    from matching import service

    coach = User("bench", "Bench", Role.coach)
    return lambda: service.profile_job_targets(con, actor=coach, profile=profile, top=10, config=cfg)


def fsync_floor(runs: int) -> tuple[float, float, float, float]:
    """One small append made durable (what every commit waits for at least)."""
    path = OUT / "fsync.probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        return timed(lambda: (os.write(fd, b"x" * 512), os.fdatasync(fd)), runs)
    finally:
        os.close(fd)
        path.unlink()


def measure(args) -> Rows:
    from foundation.cache import database_file, taxonomy_import
    from matching.config import MatchingConfig
    from matching.features import ranking_features
    from matching.job_targets import job_targets, rank_profiles, requirements
    from matching.log import write_log
    from matching.model import get_model
    from matching.scoring import score_occupations
    from matching.shortlist import make_shortlist
    from matching.vacancies import confirm_vacancy, create_vacancy
    from taxonomy.store import current_version

    sys.path.insert(0, str((args.code or ROOT) / "benchmarks"))
    from job_targets import open_db  # of the measured tree (it puts that tree first on the path)

    participant_matrix, rank_candidates, vacancy_spec, scores_of, top_candidates = _ranking()
    cfg = MatchingConfig(encoder="minilm")
    con = open_db(args.db)
    rows = Rows()
    rows.append(("model load (neighbour lists from DuckDB, matrices)", "1 run",
                 *once(lambda: get_model(con, config=cfg))))
    model = get_model(con, config=cfg)
    occ = con.execute("SELECT uri FROM taxonomy.labels WHERE label = 'forklift operator' AND concept_type = "
                      "'occupation'").fetchone()[0]
    ess = [r[0] for r in con.execute("SELECT skill_uri FROM taxonomy.occupation_skills WHERE occupation_uri = ? "
                                     "AND relation_type = 'essential' ORDER BY skill_uri", [occ]).fetchall()]
    one = synthetic_profiles(con, 1, seed=1)[0]
    rows.append(("cache look-up of model + Dutch requirements (registry)", f"{args.runs} runs",
                 *timed(lambda: requirements(con, get_model(con, config=cfg)), args.runs)))
    rows.append(("  reference: the keys queried on every call, as before (file, import ×2, version)",
                 f"{args.runs} runs", *timed(lambda: (current_version(con), database_file(con), taxonomy_import(con),
                                                      database_file(con), taxonomy_import(con)), args.runs)))
    rows.append(("  reference: floor of a durable commit on this disk (fdatasync of a 512-byte append)",
                 f"{args.runs} runs", *fsync_floor(args.runs)))
    required, _ = requirements(con, model)
    feats = [ranking_features(one)]
    rows.append(("job targets, one participant: scoring 3,007 occupations", f"{args.runs} runs",
                 *timed(lambda: score_occupations(model, feats, required=required), args.runs)))
    rows.append(("job targets, one participant: full request in-process (top 10 explained, logged)",
                 f"{args.runs} runs",
                 *timed(lambda: job_targets(con, profile=one, top=10, requested_by="bench", config=cfg), args.runs)))
    rows.append(("  reference: the same without the log row (log=False)", f"{args.runs} runs",
                 *timed(lambda: job_targets(con, profile=one, top=10, requested_by="bench", log=False, config=cfg),
                        args.runs)))
    logged = job_targets(con, profile=one, top=10, requested_by="bench", log=False, config=cfg)
    outputs = [(t.occupation_uri, t.score, t.rank) for t in logged.targets]
    rows.append(("  reference: the log row alone (one INSERT, its commit)", f"{args.runs} runs",
                 *timed(lambda: write_log(con, kind="job_targets", requested_by="bench", input_ids=[one.participant_id],
                                          model=model.name, taxonomy_version=model.taxonomy_version, outputs=outputs),
                        args.runs)))

    rows.append((SERVICE_ROW, f"{args.runs} runs", *timed(service_call(con, one, cfg), args.runs)))

    v = create_vacancy(con, owner="bench", method="lexical", vacancy={
        "title": "heftruckchauffeur", "description": "magazijn", "employer": "X", "postcode": "8000",
        "hours_per_week": 30, "shifts": ["day"]})
    v = confirm_vacancy(con, vacancy_id=v.vacancy_id, by="bench", occupation_uris=[occ], essential_skills=ess)
    spec = vacancy_spec(con, vacancy=v)
    for n in [int(x) for x in args.sizes.split(",") if x]:
        profiles = synthetic_profiles(con, n, seed=n)
        feats = [ranking_features(p) for p in profiles]
        pm = None

        def build(feats=feats):
            nonlocal pm
            pm = participant_matrix(model, feats)

        rows.append((f"shortlist, {n:,} participants: build participant matrix (cached)", "1 run", *once(build)))
        runs = max(10, args.runs // (n // 10000 or 1) // 4)
        rows.append((f"shortlist, {n:,} participants: score + commute/availability filters", f"{runs} runs",
                     *timed(lambda pm=pm: rank_candidates(model, pm, spec), runs)))
        ranked = rank_candidates(model, pm, spec)
        total, ok = scores_of(ranked)

        def full_sort(total=total, ok=ok, pm=pm):
            eligible = np.flatnonzero(ok)
            return eligible[np.lexsort((pm.id_rank[eligible], -total[eligible]))][:20]

        rows.append((f"shortlist, {n:,} participants: top 20 by a full sort (reference: as before)", f"{runs} runs",
                     *timed(full_sort, runs)))
        if top_candidates is not None:
            rows.append((f"shortlist, {n:,} participants: top 20 by partition, then sort", f"{runs} runs",
                         *timed(lambda ranked=ranked, pm=pm: top_candidates(ranked, pm, 20), runs)))
        rows.append((f"shortlist, {n:,} participants: request with profiles passed in (matrix rebuilt)",
                     "3 runs", *timed(lambda profiles=profiles: make_shortlist(
                         con, vacancy_id=v.vacancy_id, requested_by="bench", profiles=profiles, config=cfg), 3)))
    if args.stored:
        from assessment.participants import create_participants

        already = con.execute("SELECT count(*) FROM assessment.participants").fetchone()[0]
        for chunk in range(already, args.stored, 2000):
            entries = [{"details": {"postcode": p.mobility.postcode, "transport_modes": p.mobility.transport_modes,
                                    "shifts": p.availability.shifts, "hours_per_week": p.availability.hours_per_week,
                                    "declared_skills": [s.uri for s in p.skills]}, "consent": True}
                       for p in synthetic_profiles(con, min(2000, args.stored - chunk), seed=chunk + 7)]
            create_participants(con, by="bench", entries=entries)
        rows.append((f"shortlist, {args.stored:,} stored participants: cold (profiles built from the database)",
                     "1 run", *once(lambda: make_shortlist(con, vacancy_id=v.vacancy_id, requested_by="bench",
                                                           config=cfg))))
        rows.append((f"shortlist, {args.stored:,} stored participants: warm (cached matrix, top 20 explained, "
                     "stored, logged)", "20 runs",
                     *timed(lambda: make_shortlist(con, vacancy_id=v.vacancy_id, requested_by="bench", config=cfg),
                            20)))
    bulk = synthetic_profiles(con, 10000, seed=99)
    rows.append(("bulk job targets, 10,000 profiles (top 10 each, logged)", "1 run",
                 *once(lambda: rank_profiles(con, profiles=bulk, top=10, requested_by="bench", log=True, config=cfg))))
    con.close()

    from tests.live import add_role_users, client_for, running_server

    add_role_users(args.db)
    with running_server(args.db) as url, client_for(url, "coach") as client:
        body = {"profile": one.model_dump(mode="json"), "top": 10}
        while any(t.name == "warm-vacancies" for t in threading.enumerate()):
            time.sleep(0.05)          # the app builds the vacancy skill index in a thread at start: not timed

        def call():
            client.post("/api/job-targets", json=body).raise_for_status()

        rows.append(("job targets, one participant: over HTTP (uvicorn, auth, audit, JSON; client + server CPU)",
                     f"{args.runs} runs", *timed(call, args.runs)))
        rows.append(("  reference: over HTTP, who am I (GET /api/auth/me: the HTTP stack and the token check)",
                     f"{args.runs} runs", *timed(lambda: client.get("/api/auth/me").raise_for_status(), args.runs)))
    rows.model = f"{model.taxonomy_version}, model {model.name}"
    return rows


def before_rows(args, rev: str) -> dict[str, tuple]:
    """The same measurements on the code of ``rev``, in a subprocess (keyed by row name)."""
    with tempfile.TemporaryDirectory(prefix="werkbrug-before-") as tmp:
        extract_revision(rev, tmp)
        out = Path(tmp) / "rows.json"
        subprocess.run([sys.executable, __file__, "--code", tmp, "--json", str(out), "--db", str(args.db),
                        "--runs", str(args.runs), "--sizes", args.sizes, "--stored", str(args.stored)],
                       check=True, env={**os.environ, "PYTHONPATH": tmp})
        return {r[0]: tuple(r[2:]) for r in json.loads(out.read_text())}


def _ms(v) -> str:
    return "" if v is None else f"{v:,.1f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, default=OUT / "match_bench.duckdb")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--stored", type=int, default=0, help="Participants stored in the database for (3).")
    ap.add_argument("--before", metavar="REV", help="Also measure the code of this git revision, same run.")
    ap.add_argument("--code", type=Path, help=argparse.SUPPRESS)   # the tree to import (the --before run)
    ap.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    sys.path.insert(0, str(args.code or ROOT))
    OUT.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()[0]
    before = before_rows(args, args.before) if args.before else {}
    rows = measure(args)
    if args.json:
        args.json.write_text(json.dumps(list(rows)))
        return
    load_end = os.getloadavg()[0]
    print(f"\n### Latency (ms) on {os.cpu_count()} cores, {rows.model}; load average {load_start:.1f} at the "
          f"start, {load_end:.1f} at the end\n")
    if before:
        print(f"| what | runs | before ({args.before}) p50 | p95 | CPU p50 | now p50 | p95 | CPU p50 | CPU p95 |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    else:
        print("| what | runs | p50 | p95 | CPU p50 | CPU p95 |")
        print("|---|---:|---:|---:|---:|---:|")
    for name, runs, p50, p95, c50, c95 in rows:
        now = f"{_ms(p50)} | {_ms(p95)} | {_ms(c50)} | {_ms(c95)}"
        if before:
            b = before.get(name)
            old = f"{_ms(b[0])} | {_ms(b[1])} | {_ms(b[2])}" if b else "| |"
            print(f"| {name} | {runs} | {old} | {now} |")
        else:
            print(f"| {name} | {runs} | {now} |")


if __name__ == "__main__":
    main()
