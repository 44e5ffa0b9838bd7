"""The action server: Rasa SDK's own (`rasa run actions`, or `python -m actions.server` with the options of
`python -m rasa_sdk`), with one addition for every action it runs.

The slot `helpdesk_offered` says whether the assistant's last message offered the helpdesk
(`bot.handover.offers_helpdesk`), so that a "ja" or the button right after it hands the unanswered
question over (actions/answers.py, actions/helpdesk.py), and nothing later does. It follows every
message the actions send, whichever action sends it (an answer, a fallback, a form's question or a
validation prompt), so it is set here, after the action, and not by each action itself:

- after an action that said something: True when its last message ends with the offer, else False;
- after an action that said nothing: unchanged (the last message still stands). When that action's
  own events reset or rewind the slots (a new session), its value before is set again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

import rasa_sdk.__main__
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import ActionExecutor

from bot.handover import offers_helpdesk

from .common import OFFERED

# Events after which a slot may no longer hold what the actions before set.
RESETS = frozenset({"session_started", "restart", "reset_slots", "rewind", "undo"})


def offer_events(responses: list[dict[str, Any]], events: Iterable[Mapping[str, Any]],
                 before: object) -> list[dict[str, Any]]:
    """The events that keep `helpdesk_offered` up to date after an action that sent `responses` and
    returned `events`, when the slot held `before`."""
    if responses:
        return [SlotSet(OFFERED, offers_helpdesk(str(responses[-1].get("text") or "")))]
    if before is not None and any(event.get("event") in RESETS for event in events):
        return [SlotSet(OFFERED, before is True)]
    return []


RunAction = Callable[[ActionExecutor, Any], Awaitable[dict[str, Any] | None]]


def with_offer(run: RunAction) -> RunAction:
    """`run` of an executor, followed by the events that keep `helpdesk_offered` up to date."""
    if getattr(run, "keeps_offer", False):
        return run

    async def run_keeping_offer(executor: ActionExecutor, action_call: Any) -> dict[str, Any] | None:
        result = await run(executor, action_call)
        if result is not None:
            before = ((action_call.get("tracker") or {}).get("slots") or {}).get(OFFERED)
            result["events"] = [*result["events"], *offer_events(result["responses"], result["events"], before)]
        return result

    run_keeping_offer.keeps_offer = True  # type: ignore[attr-defined]
    return run_keeping_offer


class Executor(ActionExecutor):
    run = with_offer(ActionExecutor.run)


def install() -> None:
    """Make Rasa SDK's own executor keep the slot too. `rasa run actions` builds that executor before it
    imports this package, so the package's import (actions/__init__.py) changes the class it already has;
    `rasa run actions` and `python -m actions.server` then behave the same."""
    ActionExecutor.run = with_offer(ActionExecutor.run)


def main() -> None:
    rasa_sdk.__main__.main()


if __name__ == "__main__":
    main()
