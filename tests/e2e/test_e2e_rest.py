"""End to end over HTTP: `scripts/run.sh` (what `make run` starts) answers over the REST channel."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest

from bot.register import load_rules

from .conftest import ROOT, Servers, port_open, start_servers

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
    assert "Daar kan ik je niet mee helpen" in text
    assert "registratie en herregistratie" in text


def test_does_leerkracht_count(servers: Servers) -> None:
    text = servers.texts("telt leerKRACHT jaar 1 mee?", sender="e2e-lk")
    assert "herregistratiewaarde van 70 punten" in text
    assert "Bron:" in text


def test_does_leerkracht_count_without_naming_a_programme(servers: Servers) -> None:
    text = servers.texts("telt leerKRACHT mee?", sender="e2e-lk0")
    assert "Stichting leerKRACHT heeft meer dan één programma" in text
    assert "70 punten" in text and "35 punten" in text


def test_calculator_in_one_turn_over_http(servers: Servers) -> None:
    text = servers.texts(
        "Ik heb leerKRACHT jaar-1 gedaan en één thema op niveau 5 laten waarderen. Heb ik genoeg punten?",
        sender="e2e-calc",
    )
    assert "70 (leerKRACHT jaar-1) + 20 (thema op niveau 5: 10 + 10 extra) = 90 van de 100" in text


def test_calculator_follow_up_question_over_http(servers: Servers) -> None:
    first = servers.say("ik heb LK1 gedaan en een thema laten waarderen, heb ik genoeg punten?", sender="e2e-calc2")
    assert first[0]["text"] == "Op welk leerniveau is je thema gewaardeerd?"
    assert [b["title"] for b in first[0]["buttons"]] == ["Niveau 4", "Niveau 5", "Niveau 6"]  # type: ignore[index]
    text = servers.texts('/inform{"learning_level":"6"}', sender="e2e-calc2")
    assert "= 100 van de 100; je hebt genoeg punten." in text


def test_old_rules_question_gets_the_old_rule_and_the_change_date(servers: Servers) -> None:
    text = servers.texts("hoeveel punten moest je vroeger halen voor je herregistratie", sender="e2e-old")
    assert "Vóór 17 november 2020" in text


def test_english_gets_a_dutch_reply(servers: Servers) -> None:
    text = servers.texts("How many points do I need for my re-registration?", sender="e2e-en")
    assert text.startswith("Ik spreek alleen Nederlands")


@pytest.mark.parametrize("message,expected", [
    ("🙂🙂🙂", "Ik zie geen vraag in je bericht"),
    ("???", "Ik zie geen vraag in je bericht"),
    ("   ", "Je bericht is leeg."),
])
def test_messages_without_words(servers: Servers, message: str, expected: str) -> None:
    replies = servers.say(message, sender=f"e2e-nowords-{message.encode().hex()}")
    text = "\n".join(str(r.get("text", "")) for r in replies)
    assert expected and text.startswith(expected), text
    assert "Traceback" not in text


def test_script_tags_are_not_echoed(servers: Servers) -> None:
    text = servers.texts("<script>alert('x')</script> hoeveel punten heb ik nodig?", sender="e2e-html")
    assert "<script>" not in text
    assert "punten" in text


def test_a_very_long_message_is_answered(servers: Servers) -> None:
    message = "hoeveel punten heb ik nodig " + "bla " * 2500
    assert len(message) >= 10_000
    text = servers.texts(message, sender="e2e-long")
    assert text.strip()
    assert "Traceback" not in text


def test_server_still_answers_after_bad_input(servers: Servers) -> None:
    assert "Registerwijzer" in servers.texts("hallo", sender="e2e-after")


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


def test_a_crashed_server_is_restarted_and_ctrl_c_stops_them_all(tmp_path: Path) -> None:
    """make run's servers run under supervisord (issue 16). A server killed with SIGKILL is started
    again and the assistant answers as before. Ctrl-C (SIGINT to the group) then stops every server;
    one that does not stop on SIGTERM (the helpdesk worker, frozen with SIGSTOP) is killed after
    RUN_STOP_GRACE seconds and named in the log, so Ctrl-C never leaves a server behind. On an
    instance of its own, so the shared servers stay up for every other test whatever the order."""
    from bench.assistant_servers import _children, _cmdline, _descendants

    def running(match: str) -> list[int]:
        return [pid for pid in _descendants(servers.process.pid, _children()) if match in _cmdline(pid)]

    servers = start_servers(tmp_path, {"RUN_STOP_GRACE": "3"})
    [actions] = running("actions.server")
    os.kill(actions, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while not (running("actions.server") and port_open(servers.actions_port)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert running("actions.server") and running("actions.server") != [actions], servers.log.read_text()[-2000:]
    assert "Registerwijzer" in servers.texts("hallo", sender="e2e-after-crash")  # a custom action answers
    everything = _descendants(servers.process.pid, _children())
    [worker] = running("bot helpdesk worker")
    os.kill(worker, signal.SIGSTOP)
    code = servers.interrupt()
    assert code in (0, 130), f"run.sh exited with {code}"
    log = servers.log.read_text()
    assert re.search(r"killing 'helpdesk-worker' \(\d+\) with SIGKILL", log), log[-2000:]
    assert "[run] stopped" in log
    assert not port_open(servers.rasa_port)
    assert not port_open(servers.actions_port)
    assert not port_open(servers.web_port)
    assert [pid for pid in everything if Path(f"/proc/{pid}").exists()] == []


@pytest.mark.parametrize("grace", ["2.5", "abc", "-1"])
def test_a_bad_stop_grace_is_refused_before_anything_starts(grace: str, tmp_path: Path) -> None:
    """RUN_STOP_GRACE that is not a whole number would break the Ctrl-C clean-up, so run.sh refuses it
    at once, before it starts a server or touches the database."""
    database = tmp_path / "untouched.db"
    result = subprocess.run(["bash", "scripts/run.sh"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "RUN_STOP_GRACE": grace, "DATABASE_URL": f"sqlite:///{database}"})
    assert result.returncode == 2
    assert f"RUN_STOP_GRACE must be a whole number of seconds, not '{grace}'" in result.stderr
    assert not database.exists()


def test_second_setup_and_training_are_skipped() -> None:
    setup = subprocess.run(["bash", "scripts/setup.sh"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert setup.returncode == 0, setup.stderr
    steps = [line.split(" ", 2)[1] for line in setup.stdout.splitlines()]
    assert sorted(set(steps)) == ["1/4", "2/4", "3/4", "4/4"], setup.stdout
    assert "Python packages up to date" in setup.stdout and "pipeline up to date" in setup.stdout
    assert "widget up to date" in setup.stdout and "installing" not in setup.stdout
    train = subprocess.run(["bash", "scripts/train.sh"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert train.returncode == 0, train.stderr
    assert "model up to date" in train.stdout


def test_rasa_data_validate_is_clean() -> None:
    """Rasa checks the training data and the domain, its responses included. Its one allowed remark: a
    fixed text of domain.yml `responses:` is "not used in any story or rule", because the actions say it
    (tests/test_texts.py proves each is said from Python); any other warning fails."""
    from bot import texts

    result = subprocess.run(
        [str(ROOT / ".venv/bin/rasa"), "data", "validate"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    warnings = re.findall(r"UserWarning: (.*)", output) + re.findall(r" (?:WARNING|ERROR) +(.*)", output)
    unused = {m.group(1) for w in warnings if (m := re.fullmatch(r"The utterance '(\w+)' is not used in any story "
                                                                 r"or rule\.", w.strip()))}
    assert [w for w in warnings if "is not used in any story or rule" not in w] == []
    assert unused == set(texts.responses())


def test_rest_conversations_are_kept_apart_from_other_channels(servers: Servers) -> None:
    # A REST client cannot address a widget session (32 hex) or a Teams conversation by its id.
    [reply, *_] = servers.say("hallo", sender="0123456789abcdef0123456789abcdef", input_channel="socketio")
    assert reply["recipient_id"] == "rest:anon:0123456789abcdef0123456789abcdef"
    status, replies = servers.post({"message": "hallo"})
    assert status == 200 and str(replies[0]["recipient_id"]).startswith("rest:")  # type: ignore[index]
    assert replies[0]["recipient_id"] != "rest:default"  # type: ignore[index]


def test_make_run_prints_its_banner_and_runs_nothing_of_it(tmp_path: Path) -> None:
    """The banner tells how to add the demo leaders and get a token; it must not do either. Against an
    empty database, run.sh leaves it without leaders and prints no token (a JWT starts with 'eyJ')."""
    import sqlite3
    from .conftest import JWT_KEY, Servers, free_port
    database = tmp_path / "empty.db"
    env = {**os.environ, "RASA_PORT": str(free_port()), "ACTIONS_PORT": str(free_port()),
           "WEB_PORT": str(free_port()), "DATABASE_URL": f"sqlite:///{database}",
           "REGISTERWIJZER_JWT_KEY": JWT_KEY, "REGISTERWIJZER_JWT_ALGORITHM": "HS256"}
    env.pop("ACTION_SERVER_URL", None)
    subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "bot", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=300)
    log = tmp_path / "run.log"
    process = subprocess.Popen(["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=log.open("wb"),
                               stderr=subprocess.STDOUT, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    servers = Servers(process, int(env["RASA_PORT"]), int(env["ACTIONS_PORT"]), log, env)
    try:
        deadline = time.monotonic() + 120
        while "Ctrl-C stops them all" not in log.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()[-3000:]
            time.sleep(0.5)
    finally:
        servers.interrupt()
    text = log.read_text()
    assert "'.venv/bin/python -m bot demo'" in text and "'.venv/bin/python -m bot token 100234'" in text
    assert "eyJ" not in text
    with sqlite3.connect(database) as db:
        assert db.execute("select count(*) from leaders").fetchone() == (0,)


def test_rasas_own_commands_work_from_a_fresh_terminal(tmp_path: Path) -> None:
    """Issue 19: a Rasa developer's habit, `rasa run actions` and `rasa run` after activating the venv,
    with no variable of make run set (a fresh terminal: only HOME and PATH; the database in a temporary
    file so the repository's own is untouched). Rasa reads endpoints.yml and credentials.yml as they are
    and the custom actions answer; Teams, without TEAMS_APP_ID and the rest, answers 503 in Dutch. On the
    default ports 5005 and 5055, so it is skipped when those are taken (a `make run` on this machine)."""
    import json
    import urllib.error
    import urllib.request

    if port_open(5005) or port_open(5055):
        pytest.skip("ports 5005/5055 are in use (make run?); rasa's defaults cannot be tried")
    env = {"HOME": str(tmp_path), "PATH": "/usr/local/bin:/usr/bin:/bin", "RASA_TELEMETRY_ENABLED": "false",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    started = []
    try:
        for command in ("rasa run actions", "rasa run"):
            log = (tmp_path / (command.replace(" ", "-") + ".log")).open("wb")
            started.append(subprocess.Popen(["bash", "-c", f"source .venv/bin/activate && exec {command}"],
                                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True))
        deadline = time.monotonic() + 240
        while not (port_open(5005) and port_open(5055)) and time.monotonic() < deadline:
            assert all(p.poll() is None for p in started), (tmp_path / "rasa-run.log").read_text()[-3000:]
            time.sleep(1)
        request = urllib.request.Request("http://127.0.0.1:5005/webhooks/rest/webhook",
                                         data=json.dumps({"sender": "fresh", "message": "hallo"}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as reply:
            texts = [m.get("text", "") for m in json.loads(reply.read())]
        assert any("Registerwijzer" in t for t in texts), texts  # said by the action server
        teams = urllib.request.Request("http://127.0.0.1:5005/webhooks/teams/webhook", data=b'{"type": "message"}',
                                       headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(teams, timeout=30)
        body = json.loads(refused.value.read())
        assert refused.value.code == 503 and body["error"] == "niet_ingesteld" and "Teams-kanaal" in body["message"]
    finally:
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=60)
