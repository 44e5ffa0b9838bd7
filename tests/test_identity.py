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


def _live(**claims: object) -> dict[str, object]:
    """Claims valid for a minute from now: built inside each test, so they cannot expire before it runs."""
    return {"exp": int(time.time()) + 60, **claims}


# Each bad token with the reason it must be refused for: a token refused for another reason (an expired
# one standing in for a bad number) would pass a bare pytest.raises.
BAD_TOKENS = {
    "none": (lambda: None, "missing or malformed token"),
    "empty": (lambda: "", "missing or malformed token"),
    "three dots": (lambda: "a.b.c", "invalid token: DecodeError"),
    "oversized": (lambda: "x" * 5000, "missing or malformed token"),
    "expired": (lambda: make({"registratienummer": "100234", "exp": int(time.time()) - 3600}),
                "invalid token: ExpiredSignatureError"),
    "no expiry": (lambda: make({"registratienummer": "100234"}), "invalid token: MissingRequiredClaimError"),
    "no number": (lambda: make(_live()), "invalid token: MissingRequiredClaimError"),
    "bad number": (lambda: make(_live(registratienummer="12")), "token has no valid registratienummer"),
    "number not a string": (lambda: make(_live(registratienummer=100234)), "token has no valid registratienummer"),
    "other key": (lambda: make(_live(registratienummer="100234"), key="other" * 10),
                  "invalid token: InvalidSignatureError"),
    "other algorithm": (lambda: make(_live(registratienummer="100234"), alg="HS512"),
                        "invalid token: InvalidAlgorithmError"),
    "alg none": (lambda: jwt.encode(_live(registratienummer="100234"), None, algorithm="none"),
                 "invalid token: InvalidAlgorithmError"),
    "valid for too long": (lambda: make({"registratienummer": "100234", "exp": int(time.time()) + 13 * 3600}),
                           "token valid for longer than allowed"),
}


@pytest.mark.parametrize("name", list(BAD_TOKENS))
def test_bad_tokens_raise_for_their_own_reason(name: str) -> None:
    build, reason = BAD_TOKENS[name]
    with pytest.raises(IdentityError) as refused:
        verify_token(build(), CFG)
    assert refused.value.reason == reason


def test_a_good_token_with_the_same_shape_passes() -> None:
    """The control for the table above: the same claims, signed right and unexpired, pass."""
    assert verify_token(make(_live(registratienummer="100234")), CFG) == "100234"


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


def test_outside_development_issuer_audience_and_a_key_are_required(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.identity import IdentityConfigError

    for name in ("REGISTERWIJZER_JWT_KEY", "REGISTERWIJZER_JWT_ISSUER", "REGISTERWIJZER_JWT_AUDIENCE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REGISTERWIJZER_ENV", "production")
    with pytest.raises(IdentityConfigError) as missing:
        TokenConfig.from_env()
    assert "REGISTERWIJZER_JWT_KEY, REGISTERWIJZER_JWT_ISSUER, REGISTERWIJZER_JWT_AUDIENCE" in missing.value.message
    monkeypatch.setenv("REGISTERWIJZER_JWT_KEY", "k" * 40)
    monkeypatch.setenv("REGISTERWIJZER_JWT_ISSUER", "portal")
    monkeypatch.setenv("REGISTERWIJZER_JWT_AUDIENCE", "registerwijzer")
    monkeypatch.setenv("REGISTERWIJZER_JWT_MAX_LIFETIME", "600")
    config = TokenConfig.from_env()
    assert (config.issuer, config.audience, config.max_lifetime) == ("portal", "registerwijzer", 600)
    assert verify_token(issue_token("100234", ttl_seconds=300, config=config), config) == "100234"
    with pytest.raises(IdentityError):
        verify_token(issue_token("100234", ttl_seconds=3600, config=config), config)  # beyond the cap
