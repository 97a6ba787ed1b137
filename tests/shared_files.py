"""Expensive test databases built once per test run and shared by the xdist workers."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from pathlib import Path

import pytest


def build_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """The file ``name`` in the run's common temporary folder, built by ``build(path)`` by one worker only.

    For files that tests on both workers need (the search tests and the demo database both use
    the occupation vectors; several browser modules use the demo): the workers share the file
    through a lock; it is built under a temporary name and renamed when complete.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    target = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not target.exists():
                partial = root / f"partial-{os.getpid()}-{name}"
                build(partial)
                partial.rename(target)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target
