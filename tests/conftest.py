"""Shared fixtures for the rules test-suite (rootdir conftest; tests/ is not a package)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.register import RuleBook, load_rules  # noqa: E402
from bot.register.loader import DATA_DIR  # noqa: E402


@pytest.fixture(scope="session")
def book() -> RuleBook:
    """The rule book from the shipped data (cached by load_rules)."""
    return load_rules()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A fresh copy of bot/register/data in a temp folder, for tests that edit the data."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target
