"""Suggestions against outcomes: how the job targets suggested at the time ranked the occupations people were placed in.

Reads ``matching.suggestion_outcomes``: for every placement, the job targets werkbrug showed before
it (from the request log, with the model version), which of them the coach agreed with the
participant (``chosen``) and the occupation of the placement (``placed``). One query per
placement; the relevant item is the placed occupation. Systems, in the same run:

* ``werkbrug (shown)`` — the suggestions as they were shown, by their score;
* ``agreed targets`` — the coach's agreed job targets only (in the order agreed; the rest unranked);
* ``employer demand`` — occupations by how many employers of the region hire for them;
* ``shown, shuffled`` — the same suggestions in a random order (seeded): what the ranking adds.

Metrics with ranx (Recall@1/5/10, MRR). On the demo these are its invented outcomes (a handful of
placements), so the numbers show the method, not werkbrug's quality.

    .venv/bin/python benchmarks/outcomes.py [--db demo.duckdb] [--seed 1]

Without ``--db`` a fresh demo database is built (sample taxonomy with ``--sample``).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("WERKBRUG_VACANCY_SEARCH", "lexical")
os.environ.setdefault("WERKBRUG_MATCHING_ENCODER", "none")

from ranx import Qrels, Run, evaluate

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from foundation.db import connect  # noqa: E402

METRICS = ["recall@1", "recall@5", "recall@10", "mrr"]
EMPTY = {"(none)": 0.0}  # ranx needs at least one item per query


def outcome_rows(con) -> list[tuple]:
    """(placement, occupation, shown rank, score, chosen, placed, model) per stored suggestion outcome."""
    return con.execute(
        """SELECT placement_id, occupation_uri, shown_rank, score, chosen, placed, model
           FROM matching.suggestion_outcomes ORDER BY placement_id, shown_rank NULLS LAST, occupation_uri""").fetchall()


def runs(con, *, seed: int = 1) -> tuple[Qrels, dict[str, Run], dict[str, int]]:
    """The relevance judgements (placed occupations) and one run per system."""
    rows = outcome_rows(con)
    by_placement: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        by_placement[row[0]].append(row)
    qrels = Qrels({p: {r[1]: 1 for r in rs if r[5]} for p, rs in by_placement.items()})
    demand = dict(con.execute("""SELECT occupation_uri, count(*) FROM matching.employer_occupations
                                 GROUP BY occupation_uri""").fetchall())
    rng = random.Random(seed)
    shown, agreed, popular, shuffled = {}, {}, {}, {}
    for p, rs in by_placement.items():
        listed = [r for r in rs if r[2] is not None]
        shown[p] = {r[1]: float(r[3]) for r in listed} or EMPTY
        chosen = [r for r in listed if r[4]] + [r for r in rs if r[2] is None and r[4]]
        agreed[p] = {r[1]: 1.0 / (i + 1) for i, r in enumerate(chosen)} or EMPTY
        popular[p] = {u: float(n) + 1e-6 * (len(demand) - i)
                      for i, (u, n) in enumerate(sorted(demand.items(), key=lambda x: (-x[1], x[0])))} or EMPTY
        order = [r[1] for r in listed]
        rng.shuffle(order)
        shuffled[p] = {u: float(len(order) - i) for i, u in enumerate(order)} or EMPTY
    models = defaultdict(int)
    for rs in by_placement.values():
        models[rs[0][6] or "(no suggestion logged)"] += 1
    return qrels, {"werkbrug (shown)": Run(shown), "agreed targets": Run(agreed),
                   "employer demand": Run(popular), "shown, shuffled": Run(shuffled)}, dict(models)


def table(con, *, seed: int = 1) -> str:
    """The benchmark table as text."""
    qrels, systems, models = runs(con, seed=seed)
    n = len(qrels.qrels)
    if n == 0:
        return "no placements with stored suggestions"
    counts = con.execute("""SELECT count(*), count(*) FILTER (shown_rank IS NOT NULL), count(*) FILTER (chosen),
                                   count(*) FILTER (placed) FROM matching.suggestion_outcomes""").fetchone()
    lines = [f"placements: {n}; models: " + ", ".join(f"{m} ({k})" for m, k in sorted(models.items())),
             f"stored for a later ranker: {counts[0]} rows, {counts[1]} shown, {counts[2]} chosen, {counts[3]} placed",
             "", f"{'system':<20}" + "".join(f"{m:>11}" for m in METRICS)]
    for name, run in systems.items():
        scores = evaluate(qrels, run, METRICS, make_comparable=True)
        lines.append(f"{name:<20}" + "".join(f"{scores[m]:>11.3f}" for m in METRICS))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="A werkbrug database with placements (default: a fresh demo).")
    parser.add_argument("--sample", action="store_true", help="Build the demo on the sample taxonomy.")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    db = args.db
    if db is None:
        from service.demo import build_demo

        db = Path(tempfile.mkdtemp(prefix="werkbrug-outcomes-")) / "demo.duckdb"
        build_demo(db, sample=args.sample)
    con = connect(db, read_only=True)
    print(table(con, seed=args.seed))
    con.close()


if __name__ == "__main__":
    main()
