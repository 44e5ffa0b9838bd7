"""Commands the channels answer themselves, before Rasa: "herinneringen aan/uit" (bot/reminders.py).
Teams sets reminders in Teams for a linked account; the widget by e-mail for a logged-in leader."""

from __future__ import annotations

import functools

from rasa.core.channels.channel import UserMessage

from bot.answers.linking import REMINDERS_OFF, REMINDERS_ON, REMINDERS_WHO, reminders_command
from bot.bootstrap import services


async def reminders_step(message: UserMessage, number: str | None, channel: str) -> bool:
    """Answer "herinneringen aan/uit" for the leader `number` (None: not known, so explain why not).
    False for any other message. A database error is raised, for the channel's apology."""
    wanted = reminders_command(message.text or "")
    if wanted is None:
        return False
    if number is None:
        text = REMINDERS_WHO[channel]
    else:
        reminders = services().reminders
        await reminders.database.in_thread(functools.partial(reminders.set, number, channel, wanted))
        text = REMINDERS_ON[channel] if wanted else REMINDERS_OFF
    await message.output_channel.send_text_message(message.sender_id, text)
    return True
