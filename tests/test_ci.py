"""CI runs the README's test command: ``.ci/run`` reads it from the README, it holds no copy."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _read_command(tmp_path: Path, readme: str) -> str:
    """The command ``.ci/run`` takes from ``readme`` (its own ``test_command=`` line, run by bash)."""
    line = next(x for x in (ROOT / ".ci" / "run").read_text().splitlines() if x.startswith("test_command="))
    (tmp_path / "README.md").write_text(readme)
    got = subprocess.run(["bash", "-c", f'{line}\nprintf "%s" "$test_command"'], cwd=tmp_path, check=True,
                         capture_output=True, text=True)
    return got.stdout


def test_ci_runs_the_test_command_the_readme_gives(tmp_path):
    command = _read_command(tmp_path, (ROOT / "README.md").read_text())
    assert command.startswith("pytest ") and "-n 2" in command
    run = (ROOT / ".ci" / "run").read_text()
    assert 'eval "$test_command"' in run and "pytest -n" not in run.replace("# ", "")


def test_ci_takes_the_first_line_of_the_bash_block_under_tests(tmp_path):
    readme = "# x\n\n```bash\nmake all\n```\n\n## Tests\n\nRun:\n\n```bash\npytest -q tests\n```\n\n## Next\n"
    assert _read_command(tmp_path, readme) == "pytest -q tests"
    assert _read_command(tmp_path, "# x\n\n## Other\n\n```bash\npytest\n```\n") == ""
