"""End to end over HTTP: `scripts/run.sh` (what `make run` starts) answers over the REST channel."""

from __future__ import annotations

import socket
import subprocess
from datetime import date

import pytest

from bot.register import load_rules

from .conftest import ROOT, Servers, port_open

pytestmark = pytest.mark.e2e


def test_hallo_gets_a_dutch_greeting(servers: Servers) -> None:
    text = servers.texts("hallo")
    assert "Registerwijzer" in text
    assert "herregistratie" in text


def test_capabilities_come_from_the_rules_data(servers: Servers) -> None:
    """The action server renders the point rule from the data, not from a hard-coded text."""
    regulation = load_rules().regulation_on(date.today())
    assert regulation.points_required is not None
    text = servers.texts("wat kun je allemaal?", sender="e2e-cap")
    assert f"{regulation.points_required.value} punten" in text
    assert f"{regulation.cycle_years.value} jaar" in text


def test_out_of_scope_is_declined_honestly(servers: Servers) -> None:
    text = servers.texts("wat voor weer wordt het morgen?", sender="e2e-oos")
    assert "niet mee helpen" in text or "begrijp ik niet" in text


def test_goodbye(servers: Servers) -> None:
    assert "Tot ziens" in servers.texts("doei", sender="e2e-bye")


def _outside_address() -> str | None:
    """A non-loopback address of this machine, if it has one."""
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return None
    addresses = [a for a in out if ":" not in a and not a.startswith("127.")]
    return addresses[0] if addresses else None


def test_servers_listen_on_loopback_only(servers: Servers) -> None:
    address = _outside_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address to test against")
    assert port_open(servers.rasa_port) and port_open(servers.actions_port)
    assert not port_open(servers.rasa_port, address)
    assert not port_open(servers.actions_port, address)


def test_ctrl_c_stops_both_servers(servers: Servers) -> None:
    """Runs last in this module: Ctrl-C (SIGINT to the group) stops Rasa and the action server."""
    code = servers.interrupt()
    assert code in (0, 130), f"run.sh exited with {code}"
    assert "[run] stopped" in servers.log.read_text()
    assert not port_open(servers.rasa_port)
    assert not port_open(servers.actions_port)


def test_second_setup_and_training_are_skipped() -> None:
    setup = subprocess.run(["bash", "scripts/setup.sh"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert setup.returncode == 0, setup.stderr
    assert "dependencies up to date" in setup.stdout
    assert "pipeline up to date" in setup.stdout
    train = subprocess.run(["bash", "scripts/train.sh"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert train.returncode == 0, train.stderr
    assert "model up to date" in train.stdout


def test_rasa_data_validate_is_clean() -> None:
    result = subprocess.run(
        [str(ROOT / ".venv/bin/rasa"), "data", "validate", "--fail-on-warnings"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
