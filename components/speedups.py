"""A fix for a fixed cost in Rasa 3.6 on every custom-action call.

Rasa checks each action server reply with `jsonschema.validate(result, spec)`. That call checks the
schema itself against its meta-schema every time before it checks the reply: about 56 ms per action
call on this project's machines, against 0.04 ms with a validator built once (bench/, issue 7). The
check stays exactly as strict; only the schema check moves to the first call.

Imported by our Rasa components (components/input_guard.py, components/tracker_store.py), so it is
active wherever our model or endpoints are loaded. Applying it twice is harmless.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

import jsonschema
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def action_result_validator() -> Any:
    spec = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(spec)
    validator_class.check_schema(spec)
    return validator_class(spec)


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    try:
        action_result_validator().validate(result)
        return True
    except jsonschema.ValidationError as e:  # the same message as Rasa's own check
        e.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise e


def apply() -> None:
    RemoteAction._validate_action_result = validate_action_result


apply()
