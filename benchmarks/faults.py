"""Faults: kill -9 during imports and writes, then integrity and acknowledged writes; a write soak.

Loopback only (127.0.0.1), every loop bounded in count and time.

1. ``kill -9`` of ``werkbrug taxonomy import`` (real ESCO) at a random moment, N times: the
   database must hold the whole import or none of it.
2. ``kill -9`` of ``werkbrug serve`` while clients upload assessment batches, N times: every
   acknowledged batch (201) is there with all its records, no batch is partial.
3. ``kill -9`` of ``werkbrug serve`` during concurrent writes (16 clients: register, edit,
   consent), N times: every acknowledged write is found after restart; audit chain intact.
4. 16 concurrent writers for ``--soak`` seconds over HTTP: requests, errors (5xx / dropped),
   409s, p50, p95, and the WAL size at the end (checkpoints keep it bounded).

    .venv/bin/python benchmarks/faults.py [--runs 3] [--soak 60]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from foundation.audit import verify  # noqa: E402
from foundation.db import connect  # noqa: E402
from tests.live import PASSWORD, add_role_users  # noqa: E402

CLI = [sys.executable, "-c", "from service.cli import app; app()"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "WERKBRUG_LANG": "en"}
ESCO = Path(os.environ.get("WERKBRUG_ESCO", ROOT.parent / "shared" / "esco"))


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``werkbrug serve`` in a child process on a free loopback port."""

    def __init__(self, db: Path) -> None:
        self.url = f"http://127.0.0.1:{_port()}"
        self.proc = subprocess.Popen([*CLI, "serve", "--db", str(db), "--port", self.url.rsplit(":", 1)[1]],
                                     env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/login", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.kill()
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)


def _token(url: str, user: str) -> dict[str, str]:
    r = httpx.post(url + "/api/auth/token", json={"username": user, "password": PASSWORD}, timeout=30)
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _wait_for(acked: list, n: int, limit: float = 180.0) -> None:
    """Until ``n`` writes were acknowledged (at most ``limit`` seconds): kills then land mid-stream."""
    deadline = time.monotonic() + limit
    while len(acked) < n and time.monotonic() < deadline:
        time.sleep(0.05)


def _integrity(db: Path) -> tuple[bool, str]:
    """The file opens, every table reads, the audit chain verifies (its head may lag a killed commit)."""
    con = connect(db)
    try:
        tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
        for s, t in tables:
            con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()
        report = verify(con)
        return report.intact, ",".join(report.problems) or (f"broken {report.broken[:3]}" if report.broken else "ok")
    finally:
        con.close()


# ---------------------------------------------------------------- 1. ESCO import


def _esco_state(db: Path) -> str:
    con = connect(db)
    try:
        has = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'taxonomy' "
                          "AND table_name IN ('imports', 'occupations')").fetchone()[0] == 2
        imports = con.execute("SELECT count(*) FROM taxonomy.imports").fetchone()[0] if has else 0
        occupations = con.execute("SELECT count(*) FROM taxonomy.occupations").fetchone()[0] if has else 0
    finally:
        con.close()
    if imports and occupations:
        return f"complete ({occupations} occupations)"
    return "partial!" if occupations else "none (nothing written)"


def esco_import_kills(runs: int) -> tuple[float, list[str]]:
    """The time of one whole import (baseline), then ``runs`` imports killed at 10–110 % of that time."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run([*CLI, "taxonomy", "import", str(ESCO), "--db", str(Path(tmp) / "full.duckdb")], env=ENV,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=900)
        whole = time.perf_counter() - start
        for n in range(runs):
            db = Path(tmp) / f"esco{n}.duckdb"
            proc = subprocess.Popen([*CLI, "taxonomy", "import", str(ESCO), "--db", str(db)], env=ENV,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(whole * random.uniform(0.1, 1.1))
            finished = proc.poll() is not None
            if not finished:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            out.append(_esco_state(db) + (" (finished first)" if finished else ""))
    return whole, out


# ---------------------------------------------------------------- 2. batch import


def _batch_csv(pids: list[str], day: int) -> bytes:
    lines = ["instrument;versie;deelnemer;datum;opmerking;glass;floor_machine"]
    lines += [f"cleaning;;{p};{day:02d}/10/2026;;{(i + day) % 5};{(i * day) % 5}" for i, p in enumerate(pids)]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def batch_kills(runs: int) -> list[tuple[int, int, int, str]]:
    """(acknowledged batches, found, partial, integrity) per run."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(runs):
            db = Path(tmp) / f"batch{n}.duckdb"
            add_role_users(db)
            server = Server(db)
            auth = _token(server.url, "assessor")
            pids = [httpx.post(server.url + "/api/participants", json={"postcode": "8000"}, headers=auth,
                               timeout=30).json()["participant_id"] for _ in range(300)]
            acked: list[str] = []
            stop = threading.Event()

            def upload(k: int, acked=acked, stop=stop, server=server, auth=auth, pids=pids) -> None:
                day = 1 + k
                while not stop.is_set() and day <= 28:
                    try:
                        r = httpx.post(server.url + "/api/assessments/import", headers=auth, timeout=60,
                                       files={"file": (f"b{day}.csv", _batch_csv(pids, day))})
                    except httpx.HTTPError:
                        return
                    if r.status_code == 201:
                        acked.append(r.json()["batch_id"])
                    day += 4

            threads = [threading.Thread(target=upload, args=(k,)) for k in range(4)]
            for t in threads:
                t.start()
            _wait_for(acked, 2)
            time.sleep(random.uniform(0.2, 3))
            server.kill()
            stop.set()
            for t in threads:
                t.join(timeout=60)
            con = connect(db)
            try:
                rows = con.execute("""SELECT b.batch_id, b.n_records, count(r.record_id) FROM assessment.batches b
                                      LEFT JOIN assessment.records r ON r.batch_id = b.batch_id
                                      GROUP BY ALL""").fetchall()
            finally:
                con.close()
            stored = {b for b, _, _ in rows}
            partial = sum(1 for _, want, have in rows if want != have)
            out.append((len(acked), len(set(acked) & stored), partial, _integrity(db)[1]))
    return out


# ---------------------------------------------------------------- 3. concurrent writes


def _writer(url: str, auth: dict, pid: str, stop: threading.Event, acked: list, lock: threading.Lock,
            stats: dict | None = None, k: int = 0) -> None:
    rnd = random.Random(k)
    with httpx.Client(base_url=url, headers=auth, timeout=30) as c:
        i = 0
        while not stop.is_set():
            i += 1
            kind = ("create", "patch", "consent")[i % 3]
            start = time.perf_counter()
            try:
                if kind == "create":
                    r = c.post("/api/participants", json={"postcode": "8500", "hours_per_week": 20 + i % 10})
                elif kind == "patch":
                    hours = 10 + rnd.randint(0, 28)
                    r = c.patch(f"/api/participants/{pid}", json={"changes": {"hours_per_week": hours}})
                else:
                    r = c.put(f"/api/participants/{pid}/consent", json={"given": True, "note": f"{k}-{i}"})
            except httpx.HTTPError:
                if stats is not None and not stop.is_set():
                    with lock:
                        stats["dropped"] += 1
                return
            took = time.perf_counter() - start
            with lock:
                if kind == "create" and r.status_code == 201:
                    acked.append(r.json()["participant_id"])
                if stats is not None:
                    stats["latency"].append(took)
                    stats["codes"][r.status_code] = stats["codes"].get(r.status_code, 0) + 1


def write_kills(runs: int) -> list[tuple[int, int, str]]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(runs):
            db = Path(tmp) / f"writes{n}.duckdb"
            add_role_users(db)
            server = Server(db)
            auth = _token(server.url, "admin")
            pid = httpx.post(server.url + "/api/participants", json={"postcode": "8000"}, headers=auth,
                             timeout=30).json()["participant_id"]
            acked: list[str] = []
            stop, lock = threading.Event(), threading.Lock()
            threads = [threading.Thread(target=_writer, args=(server.url, auth, pid, stop, acked, lock),
                                        kwargs={"k": k}) for k in range(16)]
            for t in threads:
                t.start()
            _wait_for(acked, 20)
            time.sleep(random.uniform(0.2, 3))
            server.kill()
            stop.set()
            for t in threads:
                t.join(timeout=60)
            con = connect(db)
            try:
                found = {r[0] for r in con.execute("SELECT participant_id FROM assessment.participants").fetchall()}
            finally:
                con.close()
            out.append((len(acked), len(set(acked) & found), _integrity(db)[1]))
    return out


# ---------------------------------------------------------------- 4. soak


def soak(seconds: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "soak.duckdb"
        add_role_users(db)
        server = Server(db)
        try:
            auth = _token(server.url, "admin")
            pid = httpx.post(server.url + "/api/participants", json={"postcode": "8000"}, headers=auth,
                             timeout=30).json()["participant_id"]
            stats = {"latency": [], "codes": {}, "dropped": 0}
            acked: list[str] = []
            stop, lock = threading.Event(), threading.Lock()
            threads = [threading.Thread(target=_writer, args=(server.url, auth, pid, stop, acked, lock, stats, k))
                       for k in range(16)]
            for t in threads:
                t.start()
            time.sleep(seconds)
            stop.set()
            for t in threads:
                t.join(timeout=60)
            wal = Path(str(db) + ".wal")
            stats["wal_mb"] = wal.stat().st_size / 2**20 if wal.exists() else 0.0
        finally:
            server.kill()
        con = connect(db)
        try:
            found = {r[0] for r in con.execute("SELECT participant_id FROM assessment.participants").fetchall()}
        finally:
            con.close()
        stats["acked"], stats["found"] = len(acked), len(set(acked) & found)
        stats["integrity"] = _integrity(db)[1]
        return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--soak", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    random.seed(args.seed)
    print(f"faults benchmark: {args.runs} kill -9 runs per scenario, {args.soak:.0f} s soak, 16 writers, loopback")
    print()
    print(f"| {'scenario':<34} | {'run':>3} | {'acknowledged':>12} | {'found':>6} | {'partial':>7} | "
          f"{'integrity':<40} |")
    print(f"|{'-' * 36}|{'-' * 5}|{'-' * 14}|{'-' * 8}|{'-' * 9}|{'-' * 42}|")
    if ESCO.is_dir():
        whole, states = esco_import_kills(args.runs)
        print(f"| {'ESCO import, not killed (baseline)':<34} | {'-':>3} | {'-':>12} | {'-':>6} | {'no':>7} | "
              f"{f'complete in {whole:.0f} s':<40} |")
        for i, state in enumerate(states, 1):
            print(f"| {'kill -9 during ESCO import':<34} | {i:>3} | {'-':>12} | {'-':>6} | "
                  f"{'yes' if state.startswith('partial') else 'no':>7} | {state:<40} |")
    for i, (acked, found, partial, integrity) in enumerate(batch_kills(args.runs), 1):
        print(f"| {'kill -9 during batch imports':<34} | {i:>3} | {acked:>12} | {found:>6} | {partial:>7} | "
              f"{integrity:<40} |")
    for i, (acked, found, integrity) in enumerate(write_kills(args.runs), 1):
        print(f"| {'kill -9 during 16 writers':<34} | {i:>3} | {acked:>12} | {found:>6} | {'-':>7} | "
              f"{integrity:<40} |")
    s = soak(args.soak)
    lat = sorted(s["latency"])
    errors = sum(n for code, n in s["codes"].items() if code >= 500) + s["dropped"]
    q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else [0.0] * 99
    print()
    print(f"| {'16 writers, ' + format(args.soak, '.0f') + ' s':<22} | {'requests':>8} | {'errors':>6} | {'409':>5} | "
          f"{'p50 ms':>7} | {'p95 ms':>7} | {'acked':>6} | {'found':>6} | {'WAL MB':>6} | {'integrity':<10} |")
    print(f"|{'-' * 24}|{'-' * 10}|{'-' * 8}|{'-' * 7}|{'-' * 9}|{'-' * 9}|{'-' * 8}|{'-' * 8}|{'-' * 8}|{'-' * 12}|")
    print(f"| {'create/patch/consent':<22} | {len(lat):>8} | {errors:>6} | {s['codes'].get(409, 0):>5} | "
          f"{q[49] * 1000:>7.1f} | {q[94] * 1000:>7.1f} | {s['acked']:>6} | {s['found']:>6} | {s['wal_mb']:>6.1f} | "
          f"{s['integrity']:<10} |")
    print(f"status codes: {dict(sorted(s['codes'].items()))}; dropped connections: {s['dropped']}")


if __name__ == "__main__":
    main()
