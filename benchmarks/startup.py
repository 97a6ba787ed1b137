"""Start-up timings that tests must not assert: demo build vs reuse, and a second server refused.

    .venv/bin/python benchmarks/startup.py

Prints one table. Baseline beside ours: building the sample demo from scratch (the reuse
should be a small fraction of it) and a plain ``python -c pass`` start (the floor of any
refusal that runs in a new process).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from foundation.db import connect  # noqa: E402
from service.demo import build_demo  # noqa: E402
from tests.service.world import fast_matching  # noqa: E402


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.duckdb"
        with fast_matching():
            rows.append(("demo build (sample taxonomy), baseline", _timed(lambda: build_demo(db, sample=True))))
            rows.append(("demo reuse", _timed(lambda: build_demo(db, sample=True))))
        rows.append(("python -c pass (process floor), baseline",
                     _timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))))
        holder = connect(db)
        try:
            werkbrug = [sys.executable, "-c", "from service.cli import app; app()"]
            rows.append(("second `werkbrug serve` refused", _timed(lambda: subprocess.run(
                [*werkbrug, "serve", "--db", str(db), "--port", "0"], capture_output=True, timeout=120,
                env={**os.environ, "PYTHONPATH": str(ROOT)}))))
        finally:
            holder.close()
    print(f"| {'step':<44} | {'seconds':>8} |")
    print(f"|{'-' * 46}|{'-' * 10}|")
    for name, seconds in rows:
        print(f"| {name:<44} | {seconds:8.2f} |")


if __name__ == "__main__":
    main()
