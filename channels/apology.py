"""One turn that fails (the database or Redis briefly unreachable, a replica going down) gets a
Dutch apology on the channel it came from, never a stack trace or an empty reply. The failure is
logged server-side without the user's text; the next message is handled as usual, so the service
recovers by itself as soon as the part that failed is back."""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels.channel import UserMessage

from channels.limits import Handler, with_cut_note
from components.tracker_store import StoreUnavailable

logger = logging.getLogger(__name__)

APOLOGY = ("Sorry, het lukt me op dit moment niet om je bericht te verwerken. Probeer het over een minuut "
           "nog eens; wat je eerder hebt ingevuld, blijft bewaard. Blijft het misgaan, neem dan contact op "
           "met de helpdesk van het Schoolleidersregister.")

def with_apology(on_new_message: Handler) -> Handler:
    async def handle(message: UserMessage) -> Any:
        try:
            return await on_new_message(message)
        except (Exception, StoreUnavailable) as exc:  # one failed turn must never reach the user as an error
            logger.error("a turn failed on channel %s: %s", message.input_channel, type(exc).__name__,
                         exc_info=logger.isEnabledFor(logging.DEBUG))
            try:
                await message.output_channel.send_text_message(message.sender_id, APOLOGY)
            except Exception as also:  # the channel itself is gone: nothing more to tell
                logger.error("the apology could not be sent either: %s", type(also).__name__)
            return None

    return handle


def guarded(on_new_message: Handler) -> Handler:
    """What every channel wraps around Rasa's handler: the note on a cut message, the apology on a failed turn."""
    return with_apology(with_cut_note(on_new_message))
