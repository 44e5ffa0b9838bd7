"""Issue 16: what replicas share goes through Redis when REDIS_URL is set (a real redis-server on
127.0.0.1 here), and stays in the process otherwise; a turn that fails gets the Dutch apology."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from channels.apology import APOLOGY, with_apology
from channels.shared_state import async_redis, socketio_manager
from channels.teams import Choices
from channels.web import Site
from components.lock_store import EnvironmentLockStore, lock_store_for, redis_settings

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    subprocess.run(["bash", str(ROOT / "scripts" / "packages.sh"), "redis-server:redis-server"], check=True,
                   timeout=600)
    port = free_port()
    process = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--bind", "127.0.0.1", "--port",
                                str(port), "--save", "", "--appendonly", "no",
                                "--dir", str(tmp_path_factory.mktemp("redis"))], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


def test_redis_url_settings() -> None:
    assert redis_settings("redis://127.0.0.1:26379/2") == {
        "host": "127.0.0.1", "port": 26379, "db": 2, "username": None, "password": None, "use_ssl": False}
    secured = redis_settings("rediss://user:geheim@redis.example:6380")
    assert secured["use_ssl"] is True and secured["password"] == "geheim" and secured["db"] == 0
    with pytest.raises(ValueError, match="REDIS_URL"):
        redis_settings("http://127.0.0.1:6379")


def test_without_redis_everything_stays_in_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert isinstance(EnvironmentLockStore(endpoint_config=EndpointConfig(type="x")), InMemoryLockStore)
    assert async_redis() is None and socketio_manager() is None


def test_with_redis_the_lock_is_shared(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    first = EnvironmentLockStore(endpoint_config=EndpointConfig(type="x", key_prefix="registerwijzer"))
    second = lock_store_for(redis_url, "registerwijzer")  # another replica
    assert isinstance(first, RedisLockStore) and isinstance(second, RedisLockStore)

    async def scenario() -> list[str]:
        order: list[str] = []

        async def turn(store: Any, name: str, hold: float) -> None:
            async with store.lock("gesprek-1", wait_time_in_seconds=0.05):
                order.append(f"{name} begint")
                await asyncio.sleep(hold)
                order.append(f"{name} klaar")

        await asyncio.gather(turn(first, "a", 0.5), turn(second, "b", 0.0))
        return order

    order = asyncio.run(scenario())
    assert order in (["a begint", "a klaar", "b begint", "b klaar"], ["b begint", "b klaar", "a begint", "a klaar"])


def test_teams_offers_in_redis_are_seen_by_another_replica(redis_url: str) -> None:
    async def scenario() -> tuple[str, str, str]:
        offering, receiving = Choices(redis=async_redis(redis_url)), Choices(redis=async_redis(redis_url))
        await offering.offer("a:conv", {"Niveau 5": "/niveau5", "Nee": "/deny"})
        first = await receiving.resolve("a:conv", " niveau 5 ")
        again = await receiving.resolve("a:conv", "Niveau 5")  # used up by the first
        down = Choices(redis=async_redis(f"redis://127.0.0.1:{free_port()}/0"))  # nobody listens there
        await down.offer("a:conv", {"Ja": "/affirm"})
        return first, again, await down.resolve("a:conv", "Ja")

    assert asyncio.run(scenario()) == ("/niveau5", "Niveau 5", "Ja")  # Redis down: the title as typed


@pytest.mark.parametrize("failure", [ConnectionError("database weg"), "unreachable"])
def test_a_failed_turn_gets_the_dutch_apology(failure: object) -> None:
    """Any exception, and StoreUnavailable (a BaseException that gets past Rasa's fail-safe store)."""
    from components.tracker_store import StoreUnavailable

    async def broken(message: UserMessage) -> None:
        raise failure if isinstance(failure, Exception) else StoreUnavailable("OperationalError")

    async def scenario() -> list[dict[str, Any]]:
        output = CollectingOutputChannel()
        await with_apology(broken)(UserMessage("hallo", output, "rest:iemand", input_channel="rest"))
        return list(output.messages)

    [message] = asyncio.run(scenario())
    assert message["text"] == APOLOGY and message["recipient_id"] == "rest:iemand"
    assert "Traceback" not in APOLOGY and "Probeer het over een minuut" in APOLOGY


def test_the_exported_site_carries_the_same_headers(tmp_path: Path) -> None:
    bundle = tmp_path / "webchat.js"
    bundle.write_text("/* widget */ @import url(https://fonts.example/x.css);", encoding="utf-8")
    site = Site.build("http://127.0.0.1:8000", bundle=bundle)
    site.export(tmp_path / "www")
    headers = (tmp_path / "www" / "headers.conf").read_text(encoding="utf-8").splitlines()
    assert headers == [f'add_header {name} "{value}" always;' for name, value in site.headers()]
    assert any(line.startswith("add_header Content-Security-Policy") for line in headers)
    assert (tmp_path / "www" / "index.html").read_bytes() == site.files["/"][0]
    assert b"fonts.example" not in (tmp_path / "www" / "vendor" / "webchat.js").read_bytes()
    assert os.path.exists(tmp_path / "www" / "config.json")

