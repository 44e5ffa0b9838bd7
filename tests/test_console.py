"""Issue 19: what a newcomer sees and types. Rasa's own commands need no environment (the YAML files hold
literal defaults, variables replace them); the console filters and progress lines of scripts/ behave."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import console_filter  # noqa: E402
import ready  # noqa: E402
import train_progress  # noqa: E402


# -- Rasa's commands in a fresh terminal -----------------------------------------------------------

@pytest.mark.parametrize("name", ["endpoints.yml", "credentials.yml"])
def test_rasa_needs_no_environment_variable(name: str) -> None:
    """Rasa stops at start-up on an unset ${VAR}; these files hold none, so `rasa run` works as it is."""
    text = (ROOT / name).read_text(encoding="utf-8")
    assert "${" not in "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def test_the_action_server_default_is_where_rasa_run_actions_listens() -> None:
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    assert endpoints["action_endpoint"]["url"] == "http://127.0.0.1:5055/webhook"


def test_no_secret_is_written_in_credentials() -> None:
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    teams = credentials["channels.teams.TeamsInput"]
    assert not {"app_id", "app_password", "tenant_id"} & set(teams)


def test_an_environment_variable_replaces_the_written_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.teams_api import config_from_env
    from channels.webchat import WebchatInput

    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    monkeypatch.delenv("WEBCHAT_ALLOWED_ORIGINS", raising=False)
    widget = WebchatInput.from_credentials(credentials["channels.webchat.WebchatInput"])
    assert widget.allowed_origins == ("http://127.0.0.1:8080", "http://localhost:8080")
    monkeypatch.setenv("WEBCHAT_ALLOWED_ORIGINS", "https://portaal.example.nl")
    widget = WebchatInput.from_credentials(credentials["channels.webchat.WebchatInput"])
    assert widget.allowed_origins == ("https://portaal.example.nl",)

    written = credentials["channels.teams.TeamsInput"]
    config = config_from_env({}, written)
    assert config.allowed_service_urls == ("https://smba.trafficmanager.net/",) and not config.configured
    config = config_from_env({"TEAMS_APP_ID": "a", "TEAMS_APP_PASSWORD": "p", "TEAMS_TENANT_ID": "t",
                              "TEAMS_ALLOWED_SERVICE_URLS": "https://x.example/"}, written)
    assert config.configured and config.allowed_service_urls == ("https://x.example/",)


def endpoints_for(url: str, folder: Path) -> str:
    script = f'source scripts/env.sh >/dev/null 2>&1 || true; endpoints_for "$0" "$1"'
    done = subprocess.run(["bash", "-c", script, url, str(folder)], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "WEB_ORIGIN_PORT": "8080"}, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_make_run_gives_rasa_a_copy_of_endpoints_only_for_another_action_server(tmp_path: Path) -> None:
    assert endpoints_for("http://127.0.0.1:5055/webhook", tmp_path) == "endpoints.yml"
    copy = Path(endpoints_for("http://127.0.0.1:6123/webhook", tmp_path))
    original = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    changed = yaml.safe_load(copy.read_text(encoding="utf-8"))
    assert changed["action_endpoint"]["url"] == "http://127.0.0.1:6123/webhook"
    changed["action_endpoint"]["url"] = original["action_endpoint"]["url"]
    assert changed == original  # the tracker and lock stores as written


def test_rasa_run_actions_keeps_the_offer_slot() -> None:
    """`rasa run actions` uses Rasa SDK's own executor class; importing the actions package adds the slot."""
    from rasa_sdk.executor import ActionExecutor

    import actions  # noqa: F401
    from actions.server import Executor

    assert getattr(ActionExecutor.run, "keeps_offer", False)
    assert getattr(Executor.run, "keeps_offer", False)


# -- the console ---------------------------------------------------------------------------------

def test_deprecation_warnings_are_dropped_and_everything_else_kept() -> None:
    lines = [
        "[run] action server: http://127.0.0.1:5055\n",
        "/v/site-packages/pkg_resources/__init__.py:3117: DeprecationWarning: Deprecated call to x.\n",
        "Implementing implicit namespace packages is preferred.\n",
        "  declare_namespace(pkg)\n",
        "/v/rasa/core/tracker_store.py:1044: MovedIn20Warning: Deprecated API features detected!\n",
        "  Base: DeclarativeMeta = declarative_base()\n",
        "2026-12-03 15:44:36,300 INFO spawned: 'rasa' with pid 1\n",
        "/w/components/x.py:3: UserWarning: a real problem\n",
        "  warnings.warn(x)\n",
        "/v/sanic_cors/extension.py:39: DeprecationWarning: distutils Version classes are deprecated.\n",
        "Traceback (most recent call last):\n",
        "ValueError: kept\n",
    ]
    assert list(console_filter.filtered(lines)) == [
        lines[0], lines[6], lines[7], lines[8], lines[10], lines[11]]


def test_training_shows_components_and_every_tenth_epoch() -> None:
    shown: list[str] = []
    progress = train_progress.Progress(shown.append, time.monotonic())
    for text in [
        "2026-12-03 INFO rasa.engine.training.hooks - Starting to train component 'SpacyNLP'.",
        "2026-12-03 INFO some.library - nothing to see",
        "2026-12-03 INFO rasa.engine.training.hooks - Starting to train component 'BucketedDIETClassifier'.",
        *[f"Epochs:  {i * 100 // 60}%|###   | {i}/60 [00:{i:02d}<00:30, 2.0it/s, t_loss=1.0]" for i in range(1, 61)],
        "/v/x.py:1: DeprecationWarning: old",
        "2026-12-03 WARNING rasa.shared.utils.io - a real warning",
    ]:
        progress.line(text)
    assert [line.split("  ", 1)[1] for line in shown[:2]] == ["SpacyNLP", "BucketedDIETClassifier"]
    epochs = [line for line in shown if "epoch" in line]
    assert [line.rsplit(" ", 1)[1] for line in epochs] == [f"{i}/60" for i in (10, 20, 30, 40, 50, 60)]
    assert shown[-1].endswith("a real warning") and not any("DeprecationWarning" in line for line in shown)


def test_a_failed_training_shows_the_end_of_rasas_output(tmp_path: Path) -> None:
    """rasa-train.sh with a broken config: the exit status and Rasa's last lines reach the console."""
    fake = tmp_path / "fake"
    (fake / ".venv/bin").mkdir(parents=True)
    (fake / "scripts").mkdir()
    for name in ("rasa-train.sh", "train_progress.py", "console_filter.py"):
        (fake / "scripts" / name).write_text((ROOT / "scripts" / name).read_text())
    (fake / ".venv/bin/rasa").write_text("#!/bin/sh\necho 'Starting to train component '\"'\"'X'\"'\"'.'\n"
                                         "echo 'InvalidConfigException: the pipeline is wrong'\nexit 3\n")
    (fake / ".venv/bin/rasa").chmod(0o755)
    (fake / ".venv/bin/python").symlink_to(sys.executable)
    done = subprocess.run(["bash", "scripts/rasa-train.sh", str(tmp_path / "out"), "m"], cwd=fake,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 3
    assert "X" in done.stdout and "rasa train failed (exit 3)" in done.stderr
    assert "InvalidConfigException: the pipeline is wrong" in done.stderr
    assert (tmp_path / "out" / "train-output.log").read_text().count("InvalidConfigException") == 1


# -- the ready line ------------------------------------------------------------------------------

@pytest.fixture
def web() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_ready_once_every_address_answers(web: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert ready.main(["--label", "run", "--started", str(time.time() - 3), web, "--", "open the page"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("[run] ready after 3 s") and out[1] == "[run]   open the page"


def test_not_ready_names_the_address_that_does_not_answer(web: str, capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}/"
    assert ready.main(["--label", "cluster", "--timeout", "1", web, dead]) == 1
    assert capsys.readouterr().out == (f"[cluster] not ready after 1 s: no answer yet from {dead}; "
                                       "see the lines above\n")


def test_the_first_training_of_a_fresh_clone_runs_and_says_how_long_it_takes(tmp_path: Path) -> None:
    """No results/train.log yet (a fresh clone): train.sh still trains, and the second time it tells the
    time the first one took."""
    fake = tmp_path / "clone"
    (fake / ".venv/bin").mkdir(parents=True)
    (fake / "scripts").mkdir()
    for name in ("train.sh", "rasa-train.sh", "train_progress.py", "console_filter.py"):
        (fake / "scripts" / name).write_text((ROOT / "scripts" / name).read_text())
    for name in ("config.yml", "requirements.lock", ".venv/spacy-nl.name"):
        (fake / name).write_text(name)
    (fake / "domain.yml").write_text("intents: [greet]\nresponses:\n  utter_greet:\n    - text: Hoi!\n")
    (fake / "data").mkdir()
    (fake / "components").mkdir()
    (fake / ".venv/bin/rasa").write_text("#!/bin/sh\necho \"Starting to train component 'SpacyNLP'.\"\n"
                                         "mkdir -p models && echo model > models/registerwijzer.tar.gz\n")
    (fake / ".venv/bin/rasa").chmod(0o755)
    (fake / ".venv/bin/python").symlink_to(sys.executable)
    first = subprocess.run(["bash", "scripts/train.sh"], cwd=fake, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "usually about 5 minutes" in first.stdout and "SpacyNLP" in first.stdout
    assert (fake / "results/train.log").read_text().startswith("[train] done in ")
    (fake / "data" / "more.yml").write_text("changed")
    second = subprocess.run(["bash", "scripts/train.sh"], cwd=fake, capture_output=True, text=True, timeout=60)
    assert second.returncode == 0 and "the last training here took 0 min" in second.stdout, second.stdout
    # The wording (responses:, the end of domain.yml) is read from the file: a new text needs no new model.
    (fake / "domain.yml").write_text("intents: [greet]\nresponses:\n  utter_greet:\n    - text: Hallo!\n")
    third = subprocess.run(["bash", "scripts/train.sh"], cwd=fake, capture_output=True, text=True, timeout=60)
    assert "model up to date" in third.stdout
    (fake / "domain.yml").write_text("intents: [greet, bye]\nresponses:\n  utter_greet:\n    - text: Hallo!\n")
    fourth = subprocess.run(["bash", "scripts/train.sh"], cwd=fake, capture_output=True, text=True, timeout=60)
    assert "training models/registerwijzer.tar.gz" in fourth.stdout


def test_the_wording_is_the_last_section_of_the_domain() -> None:
    """train.sh cuts domain.yml at `responses:` for the fingerprint: nothing the model needs may follow."""
    keys = [line.split(":")[0] for line in (ROOT / "domain.yml").read_text(encoding="utf-8").splitlines()
            if line and not line[0].isspace() and not line.startswith("#")]
    assert keys[-1] == "responses" and keys.count("responses") == 1
