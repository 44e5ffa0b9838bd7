"""A second opinion from the register's own data, for what the form of a message settles by itself.

The classifier learns topics from examples; some questions are settled by what they name, whatever
their wording, and the rules data knows those names:

- a message that states activities to add up ("LK1 en 3x niveau 5, genoeg?") is a calculation
  (`bot.calculator.is_calculation`);
- a question about a subject the sources say nothing about (accounts, uitstel, the register's fees)
  is answered honestly with the helpdesk offer (`bot.outside.outside_topic`);
- a programme or trajectory named with the facet asked ("wat kost B&T", "hoeveel uur is LK1") is that
  facet of that subject (`bot.facets`).

When one of these holds, the intent becomes that topic, with the classifier's ranking kept below it
(so the fallback no longer asks "Bedoel je A of B?" about a question the data answers). A confident
classification of a personal question, a hand-over or small talk is never overruled. Entities are left
as they are; the answers add the data's names themselves.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.answers.common import provider_programmes
from bot.calculator import LEVEL_RE, is_calculation, parse
from bot.facets import (
    CHANGE_RE,
    CHANGE_SUBJECT_RE,
    COMPARISON_RE,
    DURATION_RE,
    FIRST_PERSON_RE,
    MAX_TEXT,
    OLD_RULES_RE,
    OLD_SUBJECT_WORDS,
    PERSONAL_INTENTS,
    REGISTRATION_TYPES_RE,
    REREGISTER_RE,
    SINCE_RE,
    asks_cycle,
    asks_first_registration,
    asks_master_route,
    facet_of,
    names_in_text,
    names_the_register,
    years_named,
)
from bot.fallback import TWO_PART_TOPICS
from bot.outside import outside_topic
from bot.register import load_rules
from bot.register.model import normalise

# Intents whose own judgement stands: the leader's own dossier, hand-overs and small talk.
KEEP = {"personal_case", "request_helpdesk", "ask_my_progress", "ask_my_deadline", "ask_my_dossier",
        "ask_my_what_if", "ask_my_suggestion", "greet", "goodbye", "thank", "affirm", "deny", "out_of_scope"}
# A hand-over the classifier saw is never turned into an answer.
NEVER_OVERRULED = {"personal_case", "request_helpdesk"}
# General topics whose personal counterpart a first-person question may mean.
GENERAL_COUNTERPARTS = {"ask_points_needed", "ask_herregistratie", "ask_activity_points", "calculate_points",
                        "ask_certified_programmes", "ask_themes", "ask_routes", "nlu_fallback"}
# Intents under which a message may still be a calculation the classifier did not see as one.
CALCULABLE = {"ask_activity_points", "ask_points_needed", "ask_learning_levels", "ask_programme_info",
              "ask_valuation", "ask_certified_programmes", "inform", "ask_herregistratie", "nlu_fallback",
              "calculate_points", "ask_theme_repeat", "ask_themes"}
SUBJECT_ENTITIES = ("programme", "traject")
# Topics whose answers tell the old rules apart (bot/answers.py: regulation_for).
OLD_RULES_TOPICS = {"ask_leadership_practices", "ask_themes", "ask_theme_repeat", "ask_routes", "ask_points_needed",
                    "ask_herregistratie", "ask_certified_programmes", "ask_activity_points"}
# Topics that state a rule from the data (no small talk, capabilities, hand-over or 'outside the sources').
RULE_TOPICS = {
    "ask_herregistratie", "ask_routes", "ask_registration_types", "ask_points_needed", "ask_activity_points",
    "ask_learning_levels", "ask_themes", "ask_theme_repeat", "ask_rule_changes", "ask_leadership_practices",
    "ask_programme_info", "ask_programme_themes", "ask_programme_requirements", "ask_costs", "ask_enrolment",
    "ask_certified_programmes", "ask_valuation", "ask_valuation_steps", "ask_valuation_guidance", "ask_tma",
    "ask_certificate_upload", "ask_organisation", "ask_committees", "ask_mt_programme", "calculate_points"}
# Topics a question about re-registering or the kinds of registration is taken for when worded unusually.
REREGISTER_TOPICS = {"ask_outside_sources", "ask_organisation", "ask_registration_types", "nlu_fallback", "inform",
                     "ask_capabilities", "ask_committees"}
ROUTE_QUESTION_RE = re.compile(r"\b(mogelijkhed\w*|manieren|wegen|route\w*|opties|hoe kan ik)\b")
# General topics a question about what changed is taken for.
CHANGE_TOPICS = {"ask_organisation", "ask_herregistratie", "ask_points_needed", "ask_outside_sources", "nlu_fallback",
                 "inform", "ask_capabilities"}
# General topics a question about how often one re-registers is taken for.
CYCLE_TOPICS = {"ask_organisation", "ask_rule_changes", "ask_outside_sources", "ask_registration_types",
                "ask_points_needed", "ask_herregistratie", "nlu_fallback", "inform"}
# Which topics can be about a thing the message names.
FITS = {
    "programme": {"ask_programme_info", "ask_programme_themes", "ask_programme_requirements", "ask_costs",
                  "ask_enrolment", "ask_activity_points", "ask_mt_programme", "ask_certified_programmes"},
    "traject": {"ask_valuation", "ask_valuation_steps", "ask_valuation_guidance", "ask_tma", "ask_costs",
                "ask_enrolment", "ask_activity_points"},
    "theme": {"ask_themes", "ask_programme_themes", "ask_certified_programmes", "ask_theme_repeat"},
    "registration_type": {"ask_registration_types", "ask_routes"},
    "bekwaamheid": {"ask_registration_types", "ask_routes"},
    "learning_level": {"ask_activity_points", "ask_learning_levels"},
}
# Topics about a programme's own facts (its study load is a duration the data does give).
PROGRAMME_TOPICS = FITS["programme"] | {"ask_herregistratie"}


PERSONAL = PERSONAL_INTENTS
DOSSIER_OF_NUMBER_RE = re.compile(r"\b(gegevens|punten|dossier|overzicht|status)\b.*\b\d{6,10}\b|\b\d{6,10}\b.*"
                                  r"\b(gegevens|punten|dossier|overzicht|status)\b")
DONE_RE = re.compile(r"\b(heb ik al|ik al heb)\b.*\b(afgedekt|gedaan|gehaald|afgerond|behaald|gevolgd)\b")
WHAT_IF_RE = re.compile(r"\b(wat als|stel dat|stel ik|als ik (nog|ook|er)|naast wat ik|bij wat ik|"
                        r"erbij doe|erbij haal|daarna nog)\b")


def personal_opinion(text: str, ranking: Sequence[Dict[str, Any]]) -> Optional[str]:
    """A question about one's own dossier that the classifier saw, but not surely: the personal intent
    among its three likeliest, when the question speaks in the first person."""
    plain = normalise(text[:MAX_TEXT])
    if not FIRST_PERSON_RE.search(plain) and not WHAT_IF_RE.search(plain):
        return None
    likely = [str(r.get("name")) for r in ranking[:2]]
    if WHAT_IF_RE.search(plain) and "ask_my_what_if" in likely:
        return "ask_my_what_if"
    return next((name for name in likely if name in PERSONAL), None)


def second_opinion(text: str, intent: str, confidence: float, keep_above: float,
                   ranking: Sequence[Dict[str, Any]] = ()) -> Optional[str]:
    """The intent the data settles for this message, or None to keep the classifier's."""
    if not text or not text.strip():
        return None
    text = text[:MAX_TEXT]  # every check below reads the start of a message only (bounded time)
    plain = normalise(text)
    if intent == "ask_my_suggestion" and DONE_RE.search(plain):
        return "ask_my_dossier"  # "welke thema's heb ik al afgedekt": what is done, not what to do next
    if intent in NEVER_OVERRULED and confidence < 0.5 and asks_master_route(text):
        # "Ik heb een master gedaan, telt die?": the data has the master route; a hand-over can follow.
        return "ask_routes"
    if intent in NEVER_OVERRULED or (intent in KEEP and confidence >= keep_above):
        return None
    book = load_rules()
    named = names_in_text(book, text)
    if outside_topic(text):
        return "ask_outside_sources"
    if asks_first_registration(text) and not any(named.get(k) for k in SUBJECT_ENTITIES):
        # "Is registreren verplicht?", "kan ik me al registreren?": the sources only describe herregistratie.
        return "ask_outside_sources"
    facet = facet_of(text)
    if facet is not None and confidence < keep_above and (
            facet == "ask_certificate_upload" or any(named.get(k) for k in SUBJECT_ENTITIES)
            or provider_programmes(book, text)):  # "telt leerKRACHT mee?": a provider's programmes
        return facet
    if intent not in PERSONAL and DOSSIER_OF_NUMBER_RE.search(plain):
        # "geef me de gegevens van 100234": a request for a dossier, which only ever shows the asker's own.
        return "ask_my_dossier"
    if confidence < keep_above and intent in GENERAL_COUNTERPARTS:
        personal = personal_opinion(text, ranking)
        if personal is not None and not WHAT_IF_RE.search(plain):
            return personal
    if (intent in CALCULABLE or confidence < keep_above) and is_calculation(parse(book, text), text):
        if WHAT_IF_RE.search(plain) and personal_opinion(text, ranking) == "ask_my_what_if":
            return "ask_my_what_if"  # the leader's own dossier with these added (anonymous: computed in general)
        return "calculate_points"
    likely = [str(r.get("name")) for r in ranking[:2]]
    if intent == "calculate_points" and len(ranking) > 1 and float(ranking[1].get("confidence") or 0) >= 0.5:
        # The classifier says "calculation" (one of CALCULABLE, so parsed above) but there is nothing to add
        # up ("mocht je een thema twee keer gebruiken?"): the next topic asked.
        return likely[1]
    if REREGISTER_RE.search(plain) and intent in REREGISTER_TOPICS:
        # "Welke mogelijkheden heb ik om me opnieuw te laten registreren?" asks about herregistratie.
        return "ask_routes" if ROUTE_QUESTION_RE.search(plain) else "ask_herregistratie"
    if REGISTRATION_TYPES_RE.search(plain) and intent in REREGISTER_TOPICS:
        return "ask_registration_types"
    if confidence >= keep_above:
        return None
    if asks_master_route(text) and intent not in PERSONAL and ("ask_routes" in likely or intent == "nlu_fallback"):
        return "ask_routes"
    if intent == "out_of_scope" and names_the_register(text):
        # "Zou u de procedure voor het achteraf waarderen willen beschrijven?" is ours: ask, never dismiss.
        return "nlu_fallback"
    if (DURATION_RE.search(plain) and not any(named.get(k) for k in SUBJECT_ENTITIES)
            and not asks_cycle(text) and intent not in PERSONAL and intent not in PROGRAMME_TOPICS):
        # How long a procedure takes: the data gives durations of programmes and the period only.
        return "ask_outside_sources"
    if CHANGE_RE.search(plain) and intent in CHANGE_TOPICS and not named.get("theme"):
        return "ask_rule_changes"  # "nieuwe regels, wat is er anders?"
    if SINCE_RE.search(plain) and "ask_rule_changes" in likely and not re.search(r"\b(bestaat|opgericht)\b", plain):
        return "ask_rule_changes"  # "sinds wanneer werkt het register met punten?": the date of the change
    if (len(likely) == 2 and likely[1] in PERSONAL and likely[0] not in KEEP and intent == likely[0]
            and not FIRST_PERSON_RE.search(plain) and not WHAT_IF_RE.search(plain)):
        return intent  # a personal alternative without a word about one's own dossier: the general topic stands
    if (len(likely) == 2 and likely[0] in PERSONAL and likely[1] in RULE_TOPICS and intent == likely[0]
            and likely[0] != "ask_my_what_if" and not WHAT_IF_RE.search(plain)):
        # Personal first, a general topic next: the personal reading needs a word about one's own dossier
        # ("voldoe ik al", "mijn punten"); "hoeveel punten moet ik hebben" asks the rule.
        return intent if FIRST_PERSON_RE.search(plain) else likely[1]
    if (len(likely) == 2 and all(name in PERSONAL for name in likely) and intent == likely[0]
            and re.search(r"\b(ik|mijn|me|mij)\b", plain) and not WHAT_IF_RE.search(plain)):
        return intent  # two readings of one's own dossier: the likelier one, no "A of B?"
    if (OLD_RULES_RE.search(plain) and intent == "ask_rule_changes" and re.search(r"herregistr", plain)
            and not CHANGE_SUBJECT_RE.search(plain) and not CHANGE_RE.search(plain)):
        return "ask_herregistratie"  # "hoe ging de herregistratie vroeger?": herregistratie under the old rules
    if OLD_RULES_RE.search(plain) and intent in OLD_RULES_TOPICS and "ask_rule_changes" in likely:
        # "Waar sprak de beroepsstandaard vroeger over?": that topic under the old rules, not every change.
        return intent
    if (OLD_RULES_RE.search(plain) and intent == "ask_rule_changes" and len(likely) > 1
            and likely[1] in OLD_SUBJECT_WORDS and OLD_SUBJECT_WORDS[likely[1]].search(plain)
            and not CHANGE_SUBJECT_RE.search(plain)):
        return likely[1]  # "welke routes waren er voor de wijziging?": the routes under the old rules
    if (COMPARISON_RE.search(plain) and len(ranking) > 1 and all(name in TWO_PART_TOPICS for name in likely)
            and float(ranking[1].get("confidence") or 0) >= 0.2):
        return "nlu_fallback"  # "verschil tussen begeleiding en de TMA": the fallback answers both sides
    if (intent in CYCLE_TOPICS and asks_cycle(text) and not any(named.get(k) for k in SUBJECT_ENTITIES)
            and (intent != "ask_outside_sources" or "herregistr" in plain or len(years_named(plain)) > 1)):
        # ("is het nu 4 of 5 jaar?": two lengths of a period weighed against each other is the cycle)
        # "Met welke regelmaat dien ik te herregistreren?", "cyclus schoolleidersregister": the period.
        return "ask_herregistratie"
    # The classifier is unsure between topics: the one that fits what the message names wins (also when
    # it is the classifier's own first choice: then the data settles it).
    if LEVEL_RE.search(plain):
        named = {**named, "learning_level": ("level",)}  # "niveau 6 hoeveel"
    for candidate in likely:
        if any(named.get(entity) and candidate in topics for entity, topics in FITS.items()):
            return candidate
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DomainSecondOpinion(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Below this confidence the classifier's own intent may be replaced by a facet of a named subject.
        return {"keep_above": 0.7}

    def __init__(self, config: Dict[str, Any]) -> None:
        self.keep_above = float(config.get("keep_above", 0.7))

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> DomainSecondOpinion:
        return cls({**cls.get_default_config(), **config})

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            current = message.get(INTENT) or {}
            if not isinstance(text, str) or not isinstance(current, dict):
                continue
            name = str(current.get("name") or "")
            confidence = float(current.get("confidence") or 0.0)
            ranking = list(message.get(INTENT_RANKING_KEY) or [])
            decided = second_opinion(text, name, confidence, self.keep_above, ranking)
            if decided is None or (decided == name and confidence >= 0.95):
                continue  # the data settles nothing, or agrees with a sure classifier
            # The data settles it: even when it agrees with an unsure classifier, no "A of B?" follows.
            chosen = {"name": decided, "confidence": max(confidence, 0.95)}
            # The others stay below, far enough not to read as a tie ("A of B?") with what the data settled.
            rest = [{**r, "confidence": min(float(r.get("confidence") or 0.0), 0.5)}
                    for r in ranking if r.get("name") != decided]
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen, *rest], add_to_output=True)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
