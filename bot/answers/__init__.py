"""Dutch answers (B1, je-form) rendered from the rules data: every number and name comes from
`bot/register/data`, every answer names its source. No Rasa here.

`answer(book, query, today)` dispatches on the intent through the topics table (`topics.py`); the
renderers live one module per part of the rules: `registration`, `points`, `themes`, `programmes`,
`valuation`, `organisation`, `smalltalk`; what they share in `common`; the rules' results (a dossier's
derivation, a what-if, why something does not count) worded in `explain`. Reply types (`Answer`, `Button`,
`Query`) and source lines are in `bot.replies`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ..facets import (
    COMPARISON_RE,
    PROGRAMME_FACETS,
    compared_learning_forms,
    defined_learning_form,
    facet_of,
    plain_text,
    refine,
    with_names,
)
from ..outside import outside_topic
from ..register import RuleBook, RulesError
from ..replies import HELPDESK_BUTTONS, HELPDESK_OFFER, Answer, Button, Query, source_line, with_sources
from .common import dated, known_programmes, programme_asked, programme_of, provider_programmes
from .programmes import detail_answer, per_programme, programme_info
from .registration import comparison
from .smalltalk import outside_sources
from .topics import BY_INTENT, TOPIC_TITLES, TOPICS
from .valuation import asks_several_themes_in_one_valuation, several_themes_in_one_valuation

__all__ = [
    "HELPDESK_BUTTONS", "HELPDESK_OFFER", "TOPICS", "TOPIC_TITLES", "Answer", "Button", "Query", "answer", "dated",
    "programme_asked", "provider_programmes", "source_line", "with_sources",
]


def answer(book: RuleBook, query: Query, today: date) -> Answer:
    """The answer to a question; an honest 'I don't know' for an intent without a topic."""
    topic = BY_INTENT.get(query.intent)
    answered_here = topic is not None and topic.render is not None
    if answered_here and topic is not None and not topic.small_talk and outside_topic(query.text):
        # Accounts, postponement, fees of the register...: the sources are silent, whatever the topic looked like.
        return outside_sources(book, query, today)
    if topic is not None and not topic.small_talk and asks_several_themes_in_one_valuation(query.text):
        # "Kan ik in één waardering meerdere thema's tegelijk laten beoordelen?": not theme_repeat's question;
        # the sources describe one theme per valuation and do not say whether one can cover several.
        return several_themes_in_one_valuation(book, query)
    if topic is not None and topic.comparable:
        forms = compared_learning_forms(book, query.text) or defined_learning_form(book, query.text)
        if forms:
            return comparison(book, forms, today)
    query = refine(book, with_names(book, query))
    topic = BY_INTENT.get(query.intent)
    if topic is None or topic.render is None:
        return outside_sources(book, query, today)
    render = topic.render
    try:
        if query.intent in PROGRAMME_FACETS and len(known_programmes(book, query)) > 1:
            if facet_of(query.text) is None and COMPARISON_RE.search(plain_text(query.text)):
                render = programme_info  # "verschil LK1 en SLP": what each is and is worth, side by side
            return per_programme(book, query, today, render)
        if topic.details:
            detail = detail_answer(book, query, topic.own_blocks, topic.trajectory_subject)
            if detail is not None:
                return detail
        result = render(book, query, today)
    except RulesError as exc:
        return Answer(exc.message)
    inferred = programme_of(book, Query(query.intent, {"programme": query.all("programme_inferred")}))
    if inferred is not None:
        # Say which programme the answer is about: the question named a detail only its data holds.
        result = replace(result, text=f"Dit staat in mijn bronnen alleen bij {inferred.short}.\n{result.text}")
    return result
