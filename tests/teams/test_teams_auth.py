"""Verification of Bot Framework requests: one test per rejection case, plus key and token fetching
against the local stand-in over real HTTP."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Iterator

import pytest

from channels.teams import (
    AuthError,
    BotToken,
    Choices,
    KeyStore,
    TeamsConfig,
    TeamsInput,
    bearer_token,
    message_text,
    parse_jwks,
    service_url_allowed,
    teams_markdown,
    teams_metadata,
    tenant_of,
    token_key_id,
    verify_activity,
)

from .msstub import MicrosoftStub


@pytest.fixture(scope="module")
def stub() -> Iterator[MicrosoftStub]:
    running = MicrosoftStub().start()
    yield running
    running.stop()


@pytest.fixture()
def config(stub: MicrosoftStub) -> TeamsConfig:
    return TeamsConfig.from_credentials({k.removeprefix("TEAMS_").lower(): v for k, v in stub.env.items()})


def check(stub: MicrosoftStub, config: TeamsConfig, header: object, activity: dict[str, Any]) -> dict[str, Any]:
    """The full check as the webhook does it, with the published keys."""
    token = bearer_token(header)
    token_key_id(token)
    return verify_activity(token, activity, config, parse_jwks(stub.jwks()))


def rejected(stub: MicrosoftStub, config: TeamsConfig, header: object, activity: dict[str, Any]) -> str:
    with pytest.raises(AuthError) as caught:
        check(stub, config, header, activity)
    return caught.value.reason


def test_a_genuine_token_is_accepted(stub: MicrosoftStub, config: TeamsConfig) -> None:
    claims = check(stub, config, f"Bearer {stub.token()}", stub.activity())
    assert claims["aud"] == stub.app_id and claims["serviceurl"] == stub.service_url


@pytest.mark.parametrize("header,reason", [
    (None, "no bearer token"), ("", "no bearer token"), ("Bearer ", "empty or oversized token"),
    ("Basic dXNlcjpwYXNz", "no bearer token"), ("bearer", "no bearer token"), (42, "no bearer token"),
])
def test_missing_token(stub: MicrosoftStub, config: TeamsConfig, header: object, reason: str) -> None:
    assert rejected(stub, config, header, stub.activity()) == reason


@pytest.mark.parametrize("garbage,reason", [
    ("not-a-jwt", "malformed token"), ("a.b.c", "malformed token"), ("eyJhbGciOiJSUzI1NiJ9.e30", "malformed token"),
    ("x" * 9000, "empty or oversized token"),
])
def test_garbage_token(stub: MicrosoftStub, config: TeamsConfig, garbage: str, reason: str) -> None:
    assert rejected(stub, config, f"Bearer {garbage}", stub.activity()) == reason


def test_key_id_not_published(stub: MicrosoftStub, config: TeamsConfig) -> None:
    assert "unknown key" in rejected(stub, config, f"Bearer {stub.token(key='rogue')}", stub.activity())


def test_signed_by_an_unpublished_key_under_a_published_key_id(stub: MicrosoftStub, config: TeamsConfig) -> None:
    reason = rejected(stub, config, f"Bearer {stub.token(key='rogue', kid='teams')}", stub.activity())
    assert "InvalidSignature" in reason


def test_bad_signature(stub: MicrosoftStub, config: TeamsConfig) -> None:
    head, payload, signature = stub.token().split(".")
    forged = stub.token(aud="someone-else").split(".")[1]  # a different payload under the old signature
    assert "InvalidSignature" in rejected(stub, config, f"Bearer {head}.{forged}.{signature}", stub.activity())
    flipped = signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")
    assert "InvalidSignature" in rejected(stub, config, f"Bearer {head}.{payload}.{flipped}", stub.activity())


def test_wrong_audience(stub: MicrosoftStub, config: TeamsConfig) -> None:
    assert "InvalidAudience" in rejected(stub, config, f"Bearer {stub.token(aud='other-app')}", stub.activity())


def test_no_audience(stub: MicrosoftStub, config: TeamsConfig) -> None:
    assert "MissingRequiredClaim" in rejected(stub, config, f"Bearer {stub.token(drop=('aud',))}", stub.activity())


def test_wrong_issuer(stub: MicrosoftStub, config: TeamsConfig) -> None:
    token = stub.token(iss="https://sts.windows.net/evil/")
    assert "InvalidIssuer" in rejected(stub, config, f"Bearer {token}", stub.activity())


def test_expired(stub: MicrosoftStub, config: TeamsConfig) -> None:
    token = stub.token(exp=int(time.time()) - 400)
    assert "ExpiredSignature" in rejected(stub, config, f"Bearer {token}", stub.activity())


def test_expired_within_the_leeway_is_accepted(stub: MicrosoftStub, config: TeamsConfig) -> None:
    check(stub, config, f"Bearer {stub.token(exp=int(time.time()) - 60)}", stub.activity())


def test_no_expiry(stub: MicrosoftStub, config: TeamsConfig) -> None:
    assert "MissingRequiredClaim" in rejected(stub, config, f"Bearer {stub.token(drop=('exp',))}", stub.activity())


def test_not_yet_valid(stub: MicrosoftStub, config: TeamsConfig) -> None:
    token = stub.token(nbf=int(time.time()) + 3600)
    assert "ImmatureSignature" in rejected(stub, config, f"Bearer {token}", stub.activity())


def test_service_url_claim_mismatch(stub: MicrosoftStub, config: TeamsConfig) -> None:
    token = stub.token(f"{stub.base}/teams/other/")
    assert "serviceurl claim" in rejected(stub, config, f"Bearer {token}", stub.activity())
    assert "serviceurl claim" in rejected(stub, config, f"Bearer {stub.token(drop=('serviceurl',))}", stub.activity())


def test_unendorsed_channel(stub: MicrosoftStub, config: TeamsConfig) -> None:
    reason = rejected(stub, config, f"Bearer {stub.token(key='webchat')}", stub.activity())
    assert "not endorsed" in reason
    assert "not endorsed" in rejected(stub, config, f"Bearer {stub.token()}", stub.activity(channelId="webchat"))
    assert "not endorsed" in rejected(stub, config, f"Bearer {stub.token()}", stub.activity(channelId=None))


def test_only_the_teams_channel_is_accepted(stub: MicrosoftStub, config: TeamsConfig) -> None:
    """A genuine Bot Framework activity from another channel (its key endorsed for that channel) is not
    a Teams message: refused (issue 17)."""
    reason = rejected(stub, config, f"Bearer {stub.token(key='webchat')}", stub.activity(channelId="webchat"))
    assert reason == "only Microsoft Teams, not channel 'webchat'"


def test_disallowed_service_url(stub: MicrosoftStub, config: TeamsConfig) -> None:
    evil = f"{stub.base}/evil/"
    assert "serviceUrl not allowed" in rejected(stub, config, f"Bearer {stub.token(evil)}",
                                                stub.activity(serviceUrl=evil))


@pytest.mark.parametrize("alg", ["HS256", "none", "RS512", "PS256"])
def test_only_rs256(stub: MicrosoftStub, config: TeamsConfig, alg: str) -> None:
    assert "algorithm" in rejected(stub, config, f"Bearer {stub.token(alg=alg)}", stub.activity())


@pytest.mark.parametrize("url,ok", [
    ("https://smba.trafficmanager.net/emea/", True),
    ("https://smba.trafficmanager.net/amer", True),
    ("https://smba.trafficmanager.net.evil.example/emea/", False),
    ("https://smba.trafficmanager.net@evil.example/", False),
    ("http://smba.trafficmanager.net/emea/", False),
    ("https://smba.trafficmanager.net:444/emea/", False),
    ("https://evil.example/https://smba.trafficmanager.net/", False),
    ("https://smba.trafficmanager.net/emea/../x/", False),
    ("https://smba.trafficmanager.net/emea/?x=1", False),
    ("", False), (None, False), (["https://smba.trafficmanager.net/"], False),
])
def test_service_url_allow_list(url: object, ok: bool) -> None:
    assert service_url_allowed(url, ("https://smba.trafficmanager.net/",)) is ok


def test_allow_list_prefix_ends_at_a_path_segment() -> None:
    assert service_url_allowed("http://127.0.0.1:8000/teams/", ("http://127.0.0.1:8000/teams",))
    assert not service_url_allowed("http://127.0.0.1:8000/teamsevil/", ("http://127.0.0.1:8000/teams",))
    assert not service_url_allowed("http://127.0.0.1:80001/teams/", ("http://127.0.0.1:8000/teams",))


def test_configuration_defaults() -> None:
    config = TeamsConfig.from_credentials({"app_id": "x", "app_password": "y", "tenant_id": "t1",
                                           "token_endpoint": None, "openid_metadata_url": "",
                                           "allowed_service_urls": " "})
    assert config.configured
    assert config.token_endpoint == "https://login.microsoftonline.com/t1/oauth2/v2.0/token"
    assert config.openid_metadata_url == "https://login.botframework.com/v1/.well-known/openidconfiguration"
    assert config.allowed_service_urls == ("https://smba.trafficmanager.net/",)
    assert not TeamsConfig.from_credentials(None).configured
    assert not TeamsConfig.from_credentials({"app_id": "", "app_password": "y", "tenant_id": "t"}).configured


def test_creating_the_channel_contacts_nobody(stub: MicrosoftStub, config: TeamsConfig) -> None:
    before = (stub.key_requests, len(stub.token_requests))
    TeamsInput.from_credentials({"app_id": "x", "app_password": "y", "tenant_id": "t",
                                 "openid_metadata_url": f"{stub.base}/openid"})
    assert (stub.key_requests, len(stub.token_requests)) == before


def test_keys_are_fetched_lazily_cached_and_refetched_once_for_an_unknown_key(stub: MicrosoftStub) -> None:
    async def scenario() -> None:
        store = KeyStore(f"{stub.base}/openid", refetch=0)
        assert store.fetches == 0
        results = await asyncio.gather(*(store.get("teams") for _ in range(5)))
        assert store.fetches == 1 and all("teams" in keys for keys in results)
        await store.get("webchat")
        assert store.fetches == 1
        stub.published["later"] = ["msteams"]  # Microsoft rotates in a new key
        try:
            assert "later" in await store.get("later")
            assert store.fetches == 2
        finally:
            del stub.published["later"]
        limited = KeyStore(f"{stub.base}/openid")  # the default: at most one refetch a minute
        await limited.get("teams")
        for _ in range(3):
            assert "nope" not in await limited.get("nope")
        assert limited.fetches == 1

    asyncio.run(scenario())


def test_keys_that_cannot_be_refreshed_expire(stub: MicrosoftStub) -> None:
    """Issue 17: when Microsoft's keys cannot be fetched again for longer than max_age, the old ones are
    dropped (503 at the webhook) instead of being trusted forever."""
    from channels.teams import KeysUnavailable

    async def scenario() -> None:
        store = KeyStore(f"{stub.base}/openid", ttl=0.1, refetch=0, max_age=0.5)
        assert "teams" in await store.get("teams")
        store.metadata_url = f"http://127.0.0.1:{unused_port()}/openid"  # Microsoft unreachable from now on
        await asyncio.sleep(0.2)
        assert "teams" in await store.get("teams")  # stale but within max_age: still used
        await asyncio.sleep(0.5)
        with pytest.raises(KeysUnavailable):
            await store.get("teams")

    asyncio.run(scenario())


def unused_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_bot_token_is_fetched_once_and_shared(stub: MicrosoftStub, config: TeamsConfig) -> None:
    async def scenario() -> None:
        token = BotToken(config)
        values = await asyncio.gather(*(token.get() for _ in range(10)))
        assert len(set(values)) == 1 and values[0] in stub.issued
        assert token.fetches == 1
        assert await token.get() == values[0] and token.fetches == 1

    asyncio.run(scenario())
    last = stub.token_requests[-1]
    assert last["scope"] == "https://api.botframework.com/.default" and last["client_id"] == stub.app_id


def test_wrong_app_password_gets_no_token(stub: MicrosoftStub, config: TeamsConfig) -> None:
    wrong = TeamsConfig(**{**config.__dict__, "app_password": "wrong"})
    with pytest.raises(Exception):
        asyncio.run(BotToken(wrong).get())


def test_choices_map_an_offered_title_back_once() -> None:
    async def scenario() -> None:
        choices = Choices(limit=2)
        await choices.offer("c1", {"Niveau 5": '/inform{"learning_level":"5"}', "B&T": "/x"})
        assert await choices.resolve("c1", "  niveau   5 ") == '/inform{"learning_level":"5"}'
        assert await choices.resolve("c1", "Niveau 5") == "Niveau 5"  # the offer is used up
        await choices.offer("c1", {"B&T": "/x"})
        assert await choices.resolve("c1", "B&amp;T") == "/x"
        for conversation in ("a", "b", "c"):
            await choices.offer(conversation, {"Ja": "/affirm"})
        assert await choices.resolve("a", "Ja") == "Ja"  # the oldest offer was dropped
        assert await choices.resolve("c", "Ja") == "/affirm"

    asyncio.run(scenario())


def test_teams_markdown_keeps_lists_and_separates_lines() -> None:
    text = "Dit zijn de kosten:\n- een\n- twee\nWat het register kost, weet ik niet.\n\nBron: x"
    assert teams_markdown(text) == "Dit zijn de kosten:\n\n- een\n- twee\n\nWat het register kost, weet ik niet.\n\nBron: x"


def test_metadata_never_claims_a_verified_leader(stub: MicrosoftStub) -> None:
    activity = stub.activity(channelData={"tenant": {"id": stub.tenant_id}, "verified_leader": "100234"},
                             metadata={"verified_leader": "100234"})
    metadata = teams_metadata(activity)
    assert metadata == {"teams_user_id": activity["from"]["id"], "teams_aad_object_id": activity["from"]["aadObjectId"],
                        "teams_tenant_id": stub.tenant_id, "verified_channel": "teams"}


def test_the_tenant_comes_from_channel_data_and_must_agree_with_the_conversation(stub: MicrosoftStub) -> None:
    assert tenant_of(stub.activity()) == stub.tenant_id
    contradicted = stub.activity(conversation="a:x")
    contradicted["conversation"]["tenantId"] = "another-tenant"
    assert tenant_of(contradicted) == ""
    assert tenant_of(stub.activity(channelData={})) == ""


def test_a_mention_of_the_bot_is_not_part_of_the_message(stub: MicrosoftStub) -> None:
    assert message_text(stub.activity("<at>Registerwijzer</at> Niveau 5 ")) == "Niveau 5"
    assert message_text(stub.activity(None)) == ""
