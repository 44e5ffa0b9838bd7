"""The topics table: every intent the assistant understands, once, with what answers it (a renderer here,
or the Rasa action that does), its title when offered as a choice, its helpdesk category, and how the
general dispatcher (`bot.answers.answer`) treats it. `tests/test_topics.py` checks it against `domain.yml`
and the rules in `data/rules/`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from ..register import RuleBook
from ..replies import Answer, Query
from . import organisation, points, programmes, registration, smalltalk, themes, valuation
from .common import simple

Renderer = Callable[[RuleBook, Query, date], Answer]

# Rasa actions that answer an intent (see data/rules/).
ANSWER = "action_answer"                 # a renderer below, through bot.answers.answer
PERSONAL = "action_personal"             # the leader's own dossier (bot.progress)
CALCULATE = "action_calculate_points"    # the points calculator (bot.calculator)
HELPDESK = "action_helpdesk_start"       # the hand-over form (bot.handover, bot.helpdesk)
FALLBACK = "action_two_stage_fallback"   # not understood (bot.fallback)


@dataclass(frozen=True)
class Topic:
    intent: str
    action: str
    render: Renderer | None = None
    title: str | None = None             # offered as a choice (fallback buttons)
    category: str | None = None          # helpdesk category of a ticket about it (bot.helpdesk.triage)
    small_talk: bool = False             # never overruled by a word of a subject outside the sources
    comparable: bool = False             # a comparison between learning forms is answered on both sides
    own_blocks: frozenset[str] = frozenset()  # data blocks its own answer shows (others may be asked by name)
    details: bool = False                # a named block of a programme or trajectory may answer it instead
    trajectory_subject: bool = False     # about the valuation trajectory when no subject is named


def _blocks(*names: str) -> frozenset[str]:
    return frozenset(names)


# The helpdesk categories of the topics, by what the leader is after (docs/helpdesk.md, "Categories"):
# - registratie: getting into the register (RDO and RADO, enrolling);
# - herregistratie en punten: staying in it: the period, the 100 points, the routes for herregistratie
#   (seed 002, "kies je één van de routes voor herregistratie"), the themes, and what an activity or a
#   programme is worth and which themes it counts for (seed 000, "herregistratiewaarde");
# - certificaat of waardering: getting learning recognised: the certificate of a certified programme and
#   uploading it, what a programme validates, and the valuation of informal learning afterwards with its
#   steps, guidance, TMA and learning levels (seed 004: the levels are how a valuation is scored).
REGISTRATIE, PUNTEN, WAARDERING = "registratie", "herregistratie en punten", "certificaat of waardering"

TABLE: tuple[Topic, ...] = (
    # small talk
    Topic("greet", ANSWER, smalltalk.greet, small_talk=True),
    Topic("goodbye", ANSWER, simple("Tot ziens! Succes met je herregistratie."), small_talk=True),
    Topic("thank", ANSWER, simple("Graag gedaan! Heb je nog een vraag, stel hem gerust."), small_talk=True),
    Topic("affirm", ANSWER, simple("Prima. Wat wil je nog meer weten?"), small_talk=True),
    Topic("deny", ANSWER, simple("Goed. Kan ik je ergens anders mee helpen?"), small_talk=True),
    Topic("inform", CALCULATE, simple("Waar wil je iets over weten? Stel je vraag gerust in een hele zin.")),
    Topic("ask_capabilities", ANSWER, smalltalk.capabilities, "Wat kun je?", small_talk=True),
    Topic("out_of_scope", ANSWER, smalltalk.out_of_scope, small_talk=True),
    Topic("ask_outside_sources", ANSWER, smalltalk.outside_sources, "Iets anders over het register"),
    # registration and routes
    Topic("ask_herregistratie", ANSWER, registration.herregistratie, "Wat is herregistratie?", PUNTEN,
          comparable=True),
    Topic("ask_routes", ANSWER, registration.routes, "De routes voor herregistratie", PUNTEN, comparable=True),
    Topic("ask_registration_types", ANSWER, registration.registration_types, "RDO en RADO", REGISTRATIE,
          comparable=True),
    Topic("ask_rule_changes", ANSWER, registration.rule_changes, "Wat veranderde in november 2020?", PUNTEN,
          comparable=True),
    Topic("ask_leadership_practices", ANSWER, registration.leadership_practices, "De leiderschapspraktijken",
          PUNTEN),
    Topic("ask_certificate_upload", ANSWER, registration.certificate_upload, "Certificaat uploaden", WAARDERING),
    # points
    Topic("ask_points_needed", ANSWER, points.points_needed, "Hoeveel punten heb ik nodig?", PUNTEN,
          comparable=True),
    Topic("ask_activity_points", ANSWER, points.activity_points, "Punten voor een opleiding of thema", PUNTEN,
          comparable=True, details=True),
    Topic("ask_learning_levels", ANSWER, points.learning_levels, "Leerniveaus", WAARDERING),
    # themes
    Topic("ask_themes", ANSWER, themes.themes, "De professionaliseringsthema's", PUNTEN, comparable=True),
    Topic("ask_theme_repeat", ANSWER, themes.theme_repeat, "Mag een thema vaker?", PUNTEN),
    # programmes
    Topic("ask_programme_info", ANSWER, programmes.programme_info, "Over een opleiding", WAARDERING,
          comparable=True, details=True),
    Topic("ask_programme_themes", ANSWER, programmes.programme_themes, "Thema's van een opleiding", PUNTEN,
          details=True),
    Topic("ask_programme_requirements", ANSWER, programmes.programme_requirements, "Voorwaarden van een opleiding",
          WAARDERING, own_blocks=_blocks("validation", "study_load_hours"), details=True),
    Topic("ask_costs", ANSWER, programmes.costs, "Kosten", "kosten", own_blocks=_blocks("costs"), details=True),
    Topic("ask_enrolment", ANSWER, programmes.enrolment, "Inschrijven", REGISTRATIE,
          own_blocks=_blocks("enrolment", "contact"), details=True),
    Topic("ask_certified_programmes", ANSWER, programmes.certified_programmes, "Gecertificeerde opleidingen",
          WAARDERING, comparable=True, details=True),
    Topic("ask_mt_programme", ANSWER, programmes.mt_programme, "leerKRACHT voor directieteams", WAARDERING,
          own_blocks=_blocks("phases", "costs"), details=True),
    # valuation
    Topic("ask_valuation", ANSWER, valuation.valuation, "Achteraf laten waarderen", WAARDERING, comparable=True,
          details=True),
    Topic("ask_valuation_steps", ANSWER, valuation.valuation_steps, "De stappen van een waardering", WAARDERING,
          comparable=True, own_blocks=_blocks("steps"), details=True, trajectory_subject=True),
    Topic("ask_valuation_guidance", ANSWER, valuation.valuation_guidance, "Begeleiding bij een waardering",
          WAARDERING, own_blocks=_blocks("guidance"), details=True, trajectory_subject=True),
    Topic("ask_tma", ANSWER, valuation.tma, "De TMA", WAARDERING, own_blocks=_blocks("reflection_instrument"),
          details=True, trajectory_subject=True),
    # organisation
    Topic("ask_organisation", ANSWER, organisation.organisation, "Over het register", "overig"),
    Topic("ask_committees", ANSWER, organisation.committees, "Commissies en raden", "overig"),
    # answered by other parts
    Topic("calculate_points", CALCULATE, title="Punten uitrekenen", category=PUNTEN),
    Topic("ask_my_progress", PERSONAL, title="Mijn punten", category=PUNTEN),
    Topic("ask_my_deadline", PERSONAL, title="Mijn herregistratiedatum", category=PUNTEN),
    Topic("ask_my_dossier", PERSONAL, title="Mijn dossier", category=PUNTEN),
    Topic("ask_my_what_if", PERSONAL, title="Wat als ik nog iets doe?", category=PUNTEN),
    Topic("ask_my_suggestion", PERSONAL, title="Welke opleiding past bij mij?", category=PUNTEN),
    Topic("request_helpdesk", HELPDESK, title="Contact met de helpdesk"),
    Topic("personal_case", HELPDESK),
    Topic("nlu_fallback", FALLBACK),
)


BY_INTENT: Mapping[str, Topic] = {topic.intent: topic for topic in TABLE}

# Views of the table for the parts that need one column.
TOPICS: Mapping[str, Renderer] = {t.intent: t.render for t in TABLE if t.render is not None}
TOPIC_TITLES: Mapping[str, str] = {t.intent: t.title for t in TABLE if t.title is not None}
INTENT_CATEGORIES: Mapping[str, str] = {t.intent: t.category for t in TABLE if t.category is not None}
