"""Interleaved A/B of one participant's job targets in-process: the code of git revision REV beside ours.

On a shared 2-core machine the two halves of ``latency.py --before REV`` meet different loads (an
unchanged row moves by ±50 % between them). Here two worker processes — one importing the code of
``REV`` (extracted to a temporary folder), one ours — each open their own copy of the benchmark
database (``benchmarks/out/match_bench.duckdb``) and load the model; the parent then asks them in
turn, ``--rounds`` times, for ``runs / rounds`` runs of each measurement (who goes first alternates),
so both sides meet the same load. Rows: scoring against the 3,007 occupations, the full request
(top 10 explained, durable log row), the same without the log row, the log row alone, the request
through the service layer (log row and audit entry in one transaction, as over HTTP), and over HTTP: each worker
serves its database with uvicorn in a thread and asks it as a coach (client and server CPU, as in
``latency.py``), beside the cheapest authenticated request.

    .venv/bin/python benchmarks/latency_ab.py --before REV [--runs 100] [--rounds 10]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ROWS = {
    "scoring": "job targets, one participant: scoring 3,007 occupations",
    "logged": "job targets, one participant: full request in-process (top 10 explained, logged)",
    "nolog": "  the same without the log row (log=False)",
    "log_row": "  the log row alone (one INSERT, its commit)",
    "service": "  through the service layer (log row + audit entry, one transaction; what the HTTP route calls)",
    "http": "job targets, one participant: over HTTP (uvicorn, auth, audit, JSON; client + server CPU)",
    "http_me": "  over HTTP, who am I (GET /api/auth/me: the HTTP stack and the token check)",
}


def _latency():
    """This run's ``latency.py`` (its profiles in benchmarks/out, its helpers), whatever tree is measured."""
    spec = importlib.util.spec_from_file_location("latency_of_this_run", HERE / "latency.py")
    latency = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(latency)
    return latency


def serve(db: Path, code: Path) -> None:
    """Worker: load the model of the tree ``code``, then answer ``[row, runs]`` lines with samples (ms)."""
    latency = _latency()
    sys.path.insert(0, str(code))
    sys.path.insert(0, str(code / "benchmarks"))
    from job_targets import open_db  # of the measured tree (it puts that tree first on the path)

    from matching.config import MatchingConfig
    from matching.features import ranking_features
    from matching.job_targets import job_targets, requirements
    from matching.log import write_log
    from matching.model import get_model
    from matching.scoring import score_occupations

    cfg = MatchingConfig(encoder="minilm")
    stack = contextlib.ExitStack()
    con = open_db(db)
    model = get_model(con, config=cfg)
    required, _ = requirements(con, model)
    one = latency.synthetic_profiles(con, 1, seed=1)[0]
    feats = [ranking_features(one)]
    outputs = [(t.occupation_uri, t.score, t.rank)
               for t in job_targets(con, profile=one, top=10, log=False, config=cfg).targets]
    fns = {
        "scoring": lambda: score_occupations(model, feats, required=required),
        "logged": lambda: job_targets(con, profile=one, top=10, requested_by="bench", config=cfg),
        "nolog": lambda: job_targets(con, profile=one, top=10, requested_by="bench", log=False, config=cfg),
        "log_row": lambda: write_log(con, kind="job_targets", requested_by="bench", input_ids=[one.participant_id],
                                     model=model.name, taxonomy_version=model.taxonomy_version, outputs=outputs),
        "service": latency.service_call(con, one, cfg),
        **_http(stack, db, one),
    }
    for fn in fns.values():
        fn()                                  # warm-up
    import matching.scoring

    print(json.dumps({"model": f"{model.taxonomy_version}, model {model.name}", "code": matching.scoring.__file__}),
          flush=True)
    for line in sys.stdin:
        name, runs = json.loads(line)
        wall, cpu = [], []
        for _ in range(runs):
            t, c = time.perf_counter(), time.process_time()
            fns[name]()
            wall.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        print(json.dumps([wall, cpu]), flush=True)
    stack.close()
    con.close()


def _http(stack: contextlib.ExitStack, db: Path, profile) -> dict:
    """The HTTP rows: a server of the measured tree on this worker's database, in a thread of the worker
    (as in ``latency.py``: the CPU column holds client and server), a coach's client."""
    from tests.live import add_role_users, client_for, running_server

    add_role_users(db)
    client = stack.enter_context(client_for(stack.enter_context(running_server(db)), "coach"))
    while any(t.name == "warm-vacancies" for t in threading.enumerate()):
        time.sleep(0.05)          # the app builds the vacancy skill index in a thread at start: not timed
    body = {"profile": profile.model_dump(mode="json"), "top": 10}
    return {"http": lambda: client.post("/api/job-targets", json=body).raise_for_status(),
            "http_me": lambda: client.get("/api/auth/me").raise_for_status()}


class Worker:
    def __init__(self, code: Path, db: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", "--code", str(code), "--db", str(db)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(code)}, cwd=str(code))
        ready = json.loads(self.proc.stdout.readline())
        self.model = ready["model"]
        assert ready["code"].startswith(str(code)), (ready["code"], code)   # the tree asked for

    def ask(self, name: str, runs: int) -> list[list[float]]:
        self.proc.stdin.write(json.dumps([name, runs]) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def _copy(db: Path, to: Path) -> Path:
    for f in db.parent.glob(db.name + "*"):
        if not f.name.endswith(".wal"):
            shutil.copy(f, to / f.name)
    return to / db.name


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", metavar="REV")
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--db", type=Path, default=HERE / "out" / "match_bench.duckdb")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--code", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.db, args.code)
        return
    if not args.before:
        ap.error("--before REV is required")
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="werkbrug-ab-", dir=args.db.parent) as tmp:
        tmp = Path(tmp)
        old = tmp / "code"
        old.mkdir()
        _latency().extract_revision(args.before, old)
        (tmp / "a").mkdir()
        (tmp / "b").mkdir()
        sides = {"before": Worker(old, _copy(args.db, tmp / "a")), "now": Worker(ROOT, _copy(args.db, tmp / "b"))}
        samples = {(side, name): [[], []] for side in sides for name in ROWS}
        per = max(1, args.runs // args.rounds)
        for r in range(args.rounds):
            for name in ROWS:
                for side in (("before", "now") if r % 2 == 0 else ("now", "before")):
                    wall, cpu = sides[side].ask(name, per)
                    samples[side, name][0].extend(wall)
                    samples[side, name][1].extend(cpu)
        model = sides["now"].model
        for w in sides.values():
            w.close()
    load_end = os.getloadavg()[0]
    print(f"\n### Job targets in-process, interleaved A/B (ms) on {os.cpu_count()} cores, {model}; "
          f"{args.rounds} rounds of {per} runs per side; load average {load_start:.1f} at the start, "
          f"{load_end:.1f} at the end\n")
    print(f"| what | runs | before ({args.before}) p50 | p95 | CPU p50 | CPU p95 | now p50 | p95 | CPU p50 | CPU p95 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    percentiles = _latency().percentiles
    for name, label in ROWS.items():
        cells = []
        for side in ("before", "now"):
            cells += percentiles(*(np.array(v) for v in samples[side, name]))
        print(f"| {label} | {per * args.rounds} runs | " + " | ".join(f"{v:,.1f}" for v in cells) + " |")


if __name__ == "__main__":
    main()
