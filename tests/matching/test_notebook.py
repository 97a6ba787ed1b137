"""The job-targets walkthrough notebook runs top to bottom on real ESCO."""

import os
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.xdist_group("matching-minilm")  # one MiniLM build

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "job_targets_walkthrough.ipynb"


def test_walkthrough_notebook_executes(minilm_db_file: Path, tmp_path: Path, monkeypatch):
    db = tmp_path / "walkthrough.duckdb"
    shutil.copy(minilm_db_file, db)
    monkeypatch.setenv("WERKBRUG_DB", str(db))
    monkeypatch.setenv("WERKBRUG_MATCHING_ENCODER", "minilm")   # neighbour lists are stored in the copy
    monkeypatch.setenv("PYTHONPATH", str(NOTEBOOK.parents[1]) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                      for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "Traceback" not in outputs
    assert "Supporting skills" in outputs and "Next steps" in outputs
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if "image/png" in
              o.get("data", {})]
    assert len(images) == 2
