"""Token verification: only a correctly signed, unexpired token with a registratienummer passes."""

from __future__ import annotations

import time

import jwt
import pytest

from bot.identity import (
    IdentityError,
    TokenConfig,
    issue_token,
    leader_from_metadata,
    same_secret,
    verified_metadata,
    verify_token,
)

CFG = TokenConfig(algorithm="HS256", verify_key="k" * 40, signing_key="k" * 40)


def make(claims: dict[str, object], key: str = "k" * 40, alg: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=alg)


def test_issued_token_verifies() -> None:
    assert verify_token(issue_token("100234", config=CFG), CFG) == "100234"


@pytest.mark.parametrize("bad", [
    None, "", "a.b.c", "x" * 5000,
    make({"registratienummer": "100234", "exp": int(time.time()) - 3600}),
    make({"registratienummer": "100234"}),
    make({"exp": int(time.time()) + 60}),
    make({"registratienummer": "12", "exp": int(time.time()) + 60}),
    make({"registratienummer": "100234", "exp": int(time.time()) + 60}, key="other" * 10),
    make({"registratienummer": "100234", "exp": int(time.time()) + 60}, alg="HS512"),
    jwt.encode({"registratienummer": "100234", "exp": int(time.time()) + 60}, None, algorithm="none"),
])
def test_bad_tokens_raise(bad: object) -> None:
    with pytest.raises(IdentityError):
        verify_token(bad, CFG)


def test_issuer_and_audience_are_checked_when_configured() -> None:
    strict = TokenConfig("HS256", "k" * 40, "k" * 40, issuer="portal", audience="registerwijzer")
    good = issue_token("100234", config=strict)
    assert verify_token(good, strict) == "100234"
    with pytest.raises(IdentityError):
        verify_token(issue_token("100234", config=CFG), strict)


def test_metadata_round_trip_and_rejects_junk() -> None:
    assert leader_from_metadata(verified_metadata("100234", "web")) == "100234"
    assert leader_from_metadata({"verified_leader": "abc"}) is None
    assert leader_from_metadata("100234") is None
    assert leader_from_metadata(None) is None


def test_backoffice_secret_comparison() -> None:
    assert same_secret("abc", "abc")
    assert not same_secret("abc", None)
    assert not same_secret(None, "abc")
    assert not same_secret("abd", "abc")
