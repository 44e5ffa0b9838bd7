"""Follow-up questions that lean on the conversation: "en voor een RADO?", "en wat kost dat?",
"en volgens de oude regels?". No Rasa here.

After each answer the actions keep what it was about (`Context`: the intent and the entities). A next
question that names no subject of its own takes the subject from there; one that only gives a value
(a registration type, the old rules, another programme) asks the previous question again with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .facets import PERSONAL_INTENTS, PROGRAMME_FACETS, facet_of, speaks_of_own_dossier
from .register.model import normalise
from .replies import Query

SUBJECTS = ("programme", "traject", "theme")
# Personal questions a follow-up may really ask about the previous subject (a what-if keeps its own reading).
PERSONAL = PERSONAL_INTENTS - {"ask_my_what_if"}
CARRIED = (*SUBJECTS, "regeling", "registration_type", "bekwaamheid")
# Intents that only give a value, or are too vague to stand alone after an answer.
VALUE_ONLY = {"inform", "affirm"}
FOLLOW_UP_RE = re.compile(r"^\s*(en|maar|ook|dus|en als|en bij|en voor|en met|en wat|en hoe|en hoeveel|en welke|"
                          r"en wie|en waar|en wanneer|geldt dat ook|hoe zit dat|wat als)\b")
POINTER_RE = re.compile(r"\b(dat|die|dit|deze|daar|daarvoor|daarvan|ervoor|hiervoor|het programma|die opleiding)\b")
MAX_FOLLOW_UP_WORDS = 9


@dataclass(frozen=True)
class Context:
    intent: str
    entities: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def to_slot(self) -> dict[str, Any]:
        return {"intent": self.intent, "entities": {k: list(v) for k, v in self.entities.items()}}

    @classmethod
    def from_slot(cls, value: Any) -> Context | None:
        if not isinstance(value, dict) or not isinstance(value.get("intent"), str):
            return None
        found = value.get("entities")
        raw: dict[Any, Any] = found if isinstance(found, dict) else {}
        entities = {str(k): tuple(str(x) for x in v) for k, v in raw.items()
                    if k in CARRIED and isinstance(v, list)}
        return cls(value["intent"], entities)


def remember(query: Query) -> Context:
    return Context(query.intent, {k: v for k, v in query.entities.items() if k in CARRIED and v})


def is_follow_up(text: str) -> bool:
    plain = normalise(text or "")
    words = plain.split()
    if not words or len(words) > MAX_FOLLOW_UP_WORDS:
        return False
    return bool(FOLLOW_UP_RE.search(plain) or POINTER_RE.search(plain))


def follow_up(query: Query, context: Context | None) -> Query:
    """The question with what it leaves out taken from the previous one; otherwise unchanged."""
    if context is None or not is_follow_up(query.text):
        return query
    own_subject = any(query.entities.get(k) for k in SUBJECTS)
    entities = dict(query.entities)
    if not own_subject:
        for key in SUBJECTS:
            if context.entities.get(key):
                entities[key] = context.entities[key]
    intent = query.intent
    facet = facet_of(query.text)
    context_subject = any(context.entities.get(k) for k in ("programme", "traject"))
    own_dossier = speaks_of_own_dossier(query.text)
    if facet is not None and not own_dossier and (own_subject or any(context.entities.get(k) for k in SUBJECTS)):
        intent = facet
    elif intent in PERSONAL and not own_subject and context_subject and not own_dossier:
        # "Telt dat ook mee voor mijn herregistratie?" after a programme: that programme's value, not the dossier.
        intent = "ask_activity_points"
    elif query.intent in VALUE_ONLY or (not own_subject and not facet and query.intent not in PROGRAMME_FACETS
                                        and _only_values(query)):
        intent = context.intent
        for key in ("regeling", "registration_type", "bekwaamheid"):
            if not entities.get(key) and context.entities.get(key) and key not in query.entities:
                entities[key] = context.entities[key]
    if intent == query.intent and entities == dict(query.entities):
        return query
    return replace(query, intent=intent, entities=entities)


# "En met LK1 erbij?", "plus nog een thema op niveau 5": activities added to the last calculation.
ADDS_RE = re.compile(r"\b(erbij|daarbij|er nog bij|ook nog|plus|bovenop|daarnaast nog|en dan nog)\b")


def adds_to_calculation(text: str) -> bool:
    """Whether a short follow-up adds activities to the calculation before it."""
    return is_follow_up(text) and bool(ADDS_RE.search(normalise(text or "")))


def _only_values(query: Query) -> bool:
    """A short 'en voor een RADO?' / 'en volgens de oude regels?': a value entity and little else."""
    return any(query.entities.get(k) for k in ("regeling", "registration_type", "bekwaamheid"))


# A bare value ("basisbekwaam", "fases leerkracht directieteam", "rdo rado verschil") asks about the
# thing it names: the first entity found decides the topic, the question's form the facet.
VALUE_TOPICS: tuple[tuple[str, str], ...] = (
    ("learning_level", "ask_activity_points"),
    ("programme", "ask_programme_info"),
    ("traject", "ask_valuation"),
    ("theme", "ask_themes"),
    ("registration_type", "ask_registration_types"),
    ("bekwaamheid", "ask_registration_types"),
    ("regeling", "ask_rule_changes"),
)
OWN_TOPIC = {"leerkracht-directieteams": "ask_mt_programme"}


def topic_for_values(query: Query) -> str | None:
    """The topic a message of bare values asks about, or None when it names nothing."""
    for entity, topic in VALUE_TOPICS:
        values = query.entities.get(entity)
        if not values:
            continue
        facet = facet_of(query.text)
        if entity in ("programme", "traject") and facet is not None:
            return facet
        if entity == "programme" and len(values) == 1 and values[0] in OWN_TOPIC:
            return OWN_TOPIC[values[0]]
        return topic
    return None
