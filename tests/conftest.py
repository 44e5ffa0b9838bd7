"""Shared fixtures for the rules test-suite (rootdir conftest; tests/ is not a package)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from hypothesis import settings as hypothesis_settings  # noqa: E402

from bot.register import RuleBook, load_rules  # noqa: E402

# Property tests are about what holds, not how fast: no per-example deadline (a loaded 2-core machine
# made them flaky), and no .hypothesis/ example database in the checkout.
hypothesis_settings.register_profile("registerwijzer", deadline=None, database=None)
hypothesis_settings.load_profile("registerwijzer")
from bot.register.loader import DATA_DIR  # noqa: E402

# Several test modules start a Sanic app of their own in this one process (the REST channel, the helpdesk
# API). Sanic 21.12 rewrites its request methods when the first app starts ("TouchUp"); a second app then
# fails to start unless Sanic keeps the originals, which it does in test mode.
from sanic import Sanic  # noqa: E402

Sanic.test_mode = True


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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--shuffle", type=int, default=None, metavar="SEED",
                     help="run the tests in a random order (seeded): proves they do not depend on each other")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    seed = config.getoption("--shuffle")
    if seed is not None:
        # Modules in a random order, and the tests of each module in a random order (a module's servers
        # are started once, not again for every test that moved).
        import random
        rng = random.Random(seed)
        modules: dict[str, list[pytest.Item]] = {}
        for item in items:
            modules.setdefault(str(item.fspath), []).append(item)
        groups = list(modules.values())
        rng.shuffle(groups)
        for group in groups:
            rng.shuffle(group)
        items[:] = [item for group in groups for item in group]
