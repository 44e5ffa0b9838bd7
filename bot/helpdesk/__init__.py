"""The helpdesk: what the assistant cannot answer becomes a well-prepared ticket (issue 6).

Plain Python, no Rasa. The Rasa side (actions/) calls::

    check = check_question(text)            # .ok, .value (cleaned) or .prompt (Dutch)
    helpdesk = services().helpdesk          # bot.bootstrap: on the process's one Database (DATABASE_URL)
    ticket = await helpdesk.acreate_ticket(TicketDraft(...))   # committed before it returns
    dispatcher.utter_message(next_steps(ticket))
    await helpdesk.arecord_unanswered(text, intent)            # scrubbed of personal data

Delivery (signed webhook, optional e-mail) runs in `python -m bot helpdesk worker`. See docs/helpdesk.md.
"""

from .checks import Check, check_consent, check_email, check_question, check_registratienummer
from .config import ConfigError, HelpdeskConfig
from .core import (
    Delivery,
    Helpdesk,
    HelpdeskError,
    TicketDraft,
    TicketRecord,
    TranscriptLine,
    UnansweredSummary,
    next_steps,
    ticket_json,
)
from .scrub import scrub
from .service import ServiceLevel, load_service_level
from .triage import CATEGORIES, PRIORITIES, Triage, triage

__all__ = [
    "CATEGORIES", "PRIORITIES", "Check", "ConfigError", "Delivery", "Helpdesk", "HelpdeskConfig", "HelpdeskError",
    "ServiceLevel", "TicketDraft", "TicketRecord", "TranscriptLine", "Triage", "UnansweredSummary",
    "check_consent", "check_email", "check_question", "check_registratienummer", "load_service_level",
    "next_steps", "scrub", "ticket_json", "triage",
]
