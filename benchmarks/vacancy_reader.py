"""Time of the vacancy text reader per vacancy, with the variants it can run as, in one run.

Vacancies: the Dutch sentences of ``../shared/benchmarks/skills_nl_dev.jsonl`` in their file
order, ``--per`` sentences to a vacancy (136 sentences → 17 vacancies of 8). Each vacancy is
read by :func:`matching.vacancies.extraction.sentence_skills` (segmenting, queries per sentence,
every part, fusion, the best skills) against the skill index of the benchmark's DuckDB file:

* as shipped: lexical + spans + USE + e5 (query and passage labels) + both e5 parts again on
  the sentence's English words (the word table);
* without the word table (the reader before it; one e5 pass fewer);
* lexical + USE only (no e5 vectors cached), and lexical only (no vectors at all): the
  baselines of a database without vectors;
* the whole proposal (:func:`matching.vacancies.proposals.propose`: title search, the
  occupation's skills as prior, structured requirements) as the confirm page calls it.

Every variant is warmed up once (index, encoders and word table loaded), then the vacancies
are read in turn, ``--rounds`` times, interleaved so load hits every variant alike. Wall
and the process's CPU time per vacancy; the load average is printed with the table. With
``--before REV`` the code of revision ``REV`` is measured first, in a subprocess on the same
file and vacancies, and its columns are printed beside ours (the proposals must be equal).

    .venv/bin/python benchmarks/vacancy_reader.py [--db benchmarks/out/esco_bench.duckdb] [--before REV]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
from latency import extract_revision, percentiles  # benchmarks/latency.py of this tree

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
DATA = ROOT.parent / "shared" / "benchmarks" / "skills_nl_dev.jsonl"
SHIPPED = "werkbrug as shipped (lexical + spans + USE + e5 + e5 passages + word table)"
TITLE = "Medewerker"  # the proposal's title: one common word, so the title search costs what a short title costs


def vacancies(path: Path, per: int) -> list[str]:
    """The Dutch dev sentences, ``per`` to a vacancy text (one sentence per line)."""
    rows = [json.loads(line)["sentence_nl"] for line in path.read_text(encoding="utf-8").splitlines() if line]
    return ["\n".join(rows[i:i + per]) for i in range(0, len(rows), per)]


def _skills(out) -> tuple[list[tuple[str, int]], list[float]]:
    """(uri, sentence) pairs and scores, best first, of a reader output (uri, score, sentence) or a proposal."""
    rows = [(s["uri"], s["score"], s["sentence"]) for s in out["skills"]] if isinstance(out, dict) else out
    return [(u, i) for u, _, i in rows], [float(x) for _, x, _ in rows]


def same_skills(before: list, now: list) -> str:
    """How many vacancies got the same skills from the same sentences in the same order; the largest score change.

    USE's vectors differ in the last bits (≈ 1e-7) with the batch a text is embedded in, so scores
    may move in the third decimal when the batches change.
    """
    pairs = [(_skills(a), _skills(b)) for a, b in zip(before, now, strict=True)]
    same = sum(a[0] == b[0] for a, b in pairs)
    diff = max((abs(x - y) for a, b in pairs if a[0] == b[0] for x, y in zip(a[1], b[1], strict=True)), default=0.0)
    return f"{same} of {len(pairs)} (scores within {diff:.3f})"


def measure(db: Path, texts: list[str], rounds: int) -> dict[str, tuple[list[float], list[float], list]]:
    """Wall and CPU samples (ms) and the outputs per variant, with the code first on ``sys.path``."""
    from foundation.db import connect
    from matching.vacancies.extraction import sentence_skills, skill_index
    from matching.vacancies.proposals import propose
    from matching.vacancies.text import segment

    con = connect(db, read_only=True)
    shipped = skill_index(con)
    if shipped.translator is None or "e5-small" not in shipped.vectors:
        sys.exit(f"{db}: needs every skill vector and the word table (werkbrug taxonomy index --skills)")
    no_e5 = {n: v for n, v in shipped.vectors.items() if not n.startswith("e5")}
    variants = {
        SHIPPED: lambda text: sentence_skills(shipped, segment(text)),
        "without the word table (the reader before it)":
            lambda text: sentence_skills(replace(shipped, translator=None), segment(text)),
        "baseline: lexical + USE (no e5 vectors)":
            lambda text: sentence_skills(replace(shipped, translator=None, vectors=no_e5), segment(text)),
        "baseline: lexical only (no vectors)":
            lambda text: sentence_skills(shipped, segment(text), lexical_only=True),
        "whole proposal as the confirm page asks it (title search, prior, requirements)":
            lambda text: propose(con, title=TITLE, description=text).model_dump(mode="json"),
    }
    for fn in variants.values():
        fn(texts[0])                                  # warm-up: index, encoders, word table
    got = {n: ([], [], []) for n in variants}
    for r in range(rounds):
        for text in texts:
            for name, fn in variants.items():
                t, c = time.perf_counter(), time.process_time()
                out = fn(text)
                got[name][0].append((time.perf_counter() - t) * 1000)
                got[name][1].append((time.process_time() - c) * 1000)
                if r == 0:
                    got[name][2].append(json.loads(json.dumps(out)))
    con.close()
    return got


def before(rev: str, args: argparse.Namespace) -> dict:
    """:func:`measure` on the code of git revision ``rev``, in a subprocess."""
    with tempfile.TemporaryDirectory(prefix="werkbrug-before-") as tmp:
        extract_revision(rev, tmp)
        out = Path(tmp) / "samples.json"
        subprocess.run([sys.executable, __file__, "--code", tmp, "--json", str(out), "--db", str(args.db),
                        "--data", str(args.data), "--per", str(args.per), "--rounds", str(args.rounds)],
                       check=True, env={**os.environ, "PYTHONPATH": tmp})
        return json.loads(out.read_text())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--db", type=Path, default=OUT / "esco_bench.duckdb")
    p.add_argument("--data", type=Path, default=DATA)
    p.add_argument("--per", type=int, default=8, help="Sentences per vacancy.")
    p.add_argument("--rounds", type=int, default=3, help="Times each vacancy is read by each variant.")
    p.add_argument("--before", metavar="REV", help="Also measure the code of this git revision, same file.")
    p.add_argument("--code", type=Path, help=argparse.SUPPRESS)   # the tree to import (the --before run)
    p.add_argument("--json", type=Path, help=argparse.SUPPRESS)   # where the --before run writes its samples
    args = p.parse_args()
    sys.path.insert(0, str(args.code or ROOT))
    texts = vacancies(args.data, args.per)
    if args.json:
        args.json.write_text(json.dumps(measure(args.db, texts, args.rounds)))
        return
    load = os.getloadavg()[0]
    old = before(args.before, args) if args.before else {}
    now = measure(args.db, texts, args.rounds)
    from matching.vacancies.text import segment

    n_sent = sum(len(segment(t)) for t in texts)
    print(f"### Vacancy reader, time per vacancy (ms): {len(texts)} vacancies of {args.per} Dutch dev sentences "
          f"({n_sent} segments), {args.rounds} rounds, on {os.cpu_count()} cores; load average {load:.1f} at the "
          f"start, {os.getloadavg()[0]:.1f} at the end\n")
    cols = ["p50", "p95", "CPU p50", "CPU p95"]
    head = [f"before ({args.before}) {c}" for c in cols] + [f"now {c}" for c in cols] if old else cols
    print("| variant | runs | " + " | ".join(head + (["same skills in the same order"] if old else [])) + " |")
    print("|---|---:|" + "---:|" * len(head) + ("---|" if old else ""))
    for name, (wall, cpu, outs) in now.items():
        cells = [f"{v:.0f}" for v in percentiles(np.array(old[name][0]), np.array(old[name][1]))] if old else []
        cells += [f"{v:.0f}" for v in percentiles(np.array(wall), np.array(cpu))]
        if old:
            cells.append(same_skills(old[name][2], outs))
        print(f"| {name} | {len(wall)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
