"""The action-reply validator built once (components/speedups.py) is exactly as strict as Rasa's own
check: valid replies pass, invalid ones raise the same ValidationError."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from components import speedups

VALID: list[dict[str, Any]] = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "hoi"}]},
    {"events": [{"event": "rewind"}], "responses": [{"text": "a", "buttons": [{"title": "t", "payload": "/p"}]}]},
]
INVALID: list[Any] = [
    {"events": [{"name": "x"}], "responses": []},          # an event without its type
    {"events": "none", "responses": []},                   # events not a list
    {"events": [], "responses": "hoi"},                    # responses not a list
    {"events": [{"event": 42}], "responses": []},          # event type not a string
    [],                                                    # not an object
]


def test_the_patch_is_in_place() -> None:
    assert RemoteAction._validate_action_result is speedups.validate_action_result


@pytest.mark.parametrize("reply", VALID)
def test_valid_replies_pass_both_checks(reply: dict[str, Any]) -> None:
    jsonschema.validate(reply, RemoteAction.action_response_format_spec())  # Rasa's own, unpatched check
    assert speedups.validate_action_result(None, reply) is True  # type: ignore[arg-type]


@pytest.mark.parametrize("reply", INVALID)
def test_invalid_replies_are_refused_as_rasa_refuses_them(reply: Any) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(reply, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as refused:
        speedups.validate_action_result(None, reply)  # type: ignore[arg-type]
    assert "Failed to validate Action server response" in refused.value.message
