"""ruff and mypy with the project's configuration (pyproject.toml) find nothing in bot/, actions/,
channels/ and components/ (mypy strict; ruff's rule set and its justified ignores are listed there)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing() -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is missing: it is a development dependency (make setup installs it)"
    result = subprocess.run([ruff, "check", "--no-cache", "--output-format", "concise", "."],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_finds_nothing() -> None:
    # The packages and options come from [tool.mypy] in pyproject.toml.
    result = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
