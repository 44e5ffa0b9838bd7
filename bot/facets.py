"""The facet of a question from its form, the programme from the data's own words. No Rasa here.

The classifier decides the topic of a question; for questions about a programme, the *facet* — how
much time, what it costs, what it is worth, which themes, how to enrol — is plainer in the question's
form than in any learned model: "hoeveel tijd kost LK1" and "wat kost LK1" share almost every word.
`refine` therefore lets the form decide between the programme facets, so the two can never swap, and
picks the programme when the question names a detail that only one programme's data holds ("hoeveel
webinars moet ik volgen?"), so that no follow-up question is needed.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from .register import RuleBook
from .register.model import Info, LearningForm, Programme, Regulation, Trajectory, normalise

# A message is read up to this many characters: several patterns below look across the sentence
# (".*"), which on a hostile 200,000-character message would take a minute; no question is this long.
MAX_TEXT = 2000


def plain_text(text: str | None) -> str:
    """A user's message as the patterns here read it: its first MAX_TEXT characters, normalised."""
    return normalise((text or "")[:MAX_TEXT])


# The old rules named in a question: "vroeger", "volgens de oude regels", "vóór 17 november 2020".
OLD_RULES_RE = re.compile(
    r"\b(?:vroeger|oude (?:regels|regeling|systeem|thema|indeling)|het oude|onder de oude|destijds|"
    r"vo{1,2}r (?:17 november 2020|de regelwijziging|de wijziging|november 2020|2020))\b")

# Numbers as people write them, in digits or in words.
NUMBERS = {
    "een": 1, "eén": 1, "één": 1, "1": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6,
    "zeven": 7, "acht": 8, "negen": 9, "tien": 10,
}
NUMBER = r"(?:\d{1,3}|een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien)"
YEARS_RE = re.compile(rf"\b({NUMBER})\s*jaar\b")


def number(word: str) -> int | None:
    """A number written in digits or in words ("5", "vijf"), or None."""
    word = word.strip().lower()
    if word.isdigit():
        return int(word)
    return NUMBERS.get(word)


def years_named(text: str) -> set[int]:
    """The numbers of years a question names ("is het nu vijf jaar?", "4 of 5 jaar")."""
    plain = plain_text(text)
    found = {number(m) for m in YEARS_RE.findall(plain)}
    # "vier of vijf jaar": the first number shares the second's "jaar".
    for first, _ in re.findall(rf"\b({NUMBER})\s+(?:of|en)\s+({NUMBER})\s*jaar\b", plain):
        found.add(number(first))
    return {n for n in found if n}


# The intents about the asker's own dossier (answered only for a verified identity).
PERSONAL_INTENTS = frozenset({"ask_my_progress", "ask_my_deadline", "ask_my_dossier", "ask_my_suggestion",
                              "ask_my_what_if"})
# The leader speaking of their own dossier: "heb ik", "mijn punten", "voldoe ik", "wanneer verloopt mijn registratie".
FIRST_PERSON_RE = re.compile(
    r"\b(heb ik (al|nu|nog|er|genoeg)|punten heb ik|ik al heb|mis ik|voldoe ik|sta ik|haal ik|moet ik nog|"
    r"mijn (huidige |eigen )?(punten|dossier|periode|registratieperiode|herregistratieperiode|deadline|einddatum|"
    r"herregistratiedatum|status|overzicht|stand|thema)|"
    r"mijn registratie (verloopt|afloopt|loopt af|vervalt)|(verloopt|vervalt) mijn registratie)\b")


def speaks_of_own_dossier(text: str) -> bool:
    """Whether a question asks about the asker's own dossier (points so far, own end date)."""
    return bool(FIRST_PERSON_RE.search(plain_text(text)))


# Words of the register's own subject: a message with one of them is never "nothing to do with us".
REGISTER_WORDS_RE = re.compile(
    r"\b(herregistr\w*|registr\w*|inschrijv\w*|waarder\w*|punten|thema\w*|certific\w*|opleiding\w*|"
    r"portfolio|schoolleider\w*|register\w*|leerkracht\w*|rdo|rado|beroepsstandaard|leiderschap\w*|"
    r"professionaliser\w*)\b")
# How long something takes that the data gives no duration for ("hoe lang duurt het voordat ...").
DURATION_RE = re.compile(
    r"\bhoe lang (duurt|kan het duren|moet ik wachten|ben je bezig met)|\bhoe snel\b|\bdoorlooptijd|"
    r"\bwachttijd|\bbinnen hoeveel (dagen|weken|tijd)\b|\bhoeveel (dagen|weken) duurt\b")
# "Wat is er anders?", "wat is er veranderd?", "nieuwe regels": what changed.
CHANGE_RE = re.compile(r"\bwat is er (anders|veranderd|nieuw|gewijzigd)\b|\bwat (is|zijn) (er )?veranderd\b"
                       r"|\bwat verandert er\b|\bnieuwe (regels|regeling|systeem)\b")
# "Sinds wanneer ...?", "vanaf wanneer geldt ...?": the date of a change.
SINCE_RE = re.compile(r"\b(sinds|vanaf) wanneer\b|\bwanneer (is|zijn) .{0,40}\b(veranderd|ingevoerd|gewijzigd)\b")


OLD_WORDS_RE = re.compile(r"\b(oud\w*|vroeger|destijds|vo{1,2}r|eerder\w*|toen(tertijd)?|vorige)\b")
NEW_WORDS_RE = re.compile(r"\b(nieuw\w*|nu|huidig\w*|sinds|tegenwoordig|vanaf|actue\w*|momenteel)\b")


def regeling_value(said: str) -> str | None:
    """'oud' or 'nieuw' for the words a regulation was named with ("de oude regels", "nu"), else None
    (the classifier sometimes marks another word, such as "bijschrijven" or "ingangsdatum")."""
    plain = plain_text(said)
    if OLD_WORDS_RE.search(plain):
        return "oud"
    if NEW_WORDS_RE.search(plain):
        return "nieuw"
    return None


# First registration (not herregistratie), which the sources do not describe: whether it is required,
# when and how to register, registering while still in training.
FIRST_REGISTRATION_RE = re.compile(
    r"\b(kan|mag|moet|hoe|wanneer|waar) (ik|je|men) (me |mij |je |zich )?(al |ook |eigenlijk |nog )*(laten )?registreren\b"
    r"|\bregistratie ?(aanvraag|aanvragen|aangevraagd)\b|\b(verplicht|vrijwillig)\b.*\bregistr"
    r"|\bregistr\w*\b.*\b(verplicht|vrijwillig)\b|\binschrijven (bij|in) het (schoolleiders)?register\b"
    r"|\bhoe registreer ik\b|\bzich (laten )?registreren\b")


def asks_first_registration(text: str) -> bool:
    """A question about registering in the register at all, which the sources leave to the register."""
    plain = plain_text(text)
    return "herregistr" not in plain and "opnieuw" not in plain and bool(FIRST_REGISTRATION_RE.search(plain))


# The subject words of topics that have an old-rules answer of their own.
OLD_SUBJECT_WORDS: dict[str, re.Pattern[str]] = {
    "ask_routes": re.compile(r"\broute"),
    "ask_leadership_practices": re.compile(r"praktijk|beroepsstandaard|competentie"),
    "ask_certified_programmes": re.compile(r"\bgecertificeerd"),
    "ask_theme_repeat": re.compile(r"\b(zelfde|hetzelfde|twee keer|vaker|opnieuw)\b"),
}
# The subject words of "what changed" itself: the old and new names of the ways of learning.
CHANGE_SUBJECT_RE = re.compile(r"\b(in)?formee?l\w*|\bvooraf\b|\bachteraf\b")


def names_the_register(text: str) -> bool:
    return bool(REGISTER_WORDS_RE.search(plain_text(text)))


# "Opnieuw (laten) registreren" is herregistreren.
REREGISTER_RE = re.compile(r"\bopnieuw (\w+ ){0,2}registr\w*|\bweer (\w+ )?registreren\b")
# The kinds of registration ("welke registratietypen", "soorten registratie").
REGISTRATION_TYPES_RE = re.compile(r"\bregistratie ?(typen|types|type|soorten|soort|vormen|vorm)\b"
                                   r"|\b(soorten|typen|types|vormen) (van )?registratie")


# How often one re-registers, in the question's form: "met welke regelmaat", "cyclus", "elk jaar",
# "om de hoeveel jaar", "vier of vijf jaar".
CYCLE_RE = re.compile(
    r"\bregelmaat\b|\bcyclus\b|\b(elk|ieder) jaar\b|\bjaarlijks\b|\bom de hoeveel jaar\b|\btermijn\b"
    r"|\bhoe vaak\b.*\b(herregistr\w*|registr\w*|opnieuw)\b|periode\b")


def asks_cycle(text: str) -> bool:
    """Whether the question asks how often one re-registers (and names no theme)."""
    plain = plain_text(text)
    if re.search(r"\b(thema|punt)", plain):
        return False  # "hoeveel punten in 4 jaar" asks for points; "jaarlijks nieuwe thema's" for themes
    return bool(CYCLE_RE.search(plain) or years_named(plain))


# A master's degree and whether it counts: the master route ("telt mijn master mee?", "is mijn herregistratie
# daarmee rond?").
MASTER_RE = re.compile(r"\bmaster\w*")
COUNTS_RE = re.compile(r"\b(telt|tellen|meetellen|mee|rond|voldoe\w*|geldig|herregistr\w*|route)\b")


def asks_master_route(text: str) -> bool:
    plain = plain_text(text)
    return bool(MASTER_RE.search(plain) and COUNTS_RE.search(plain))


# Intents that are one facet of a programme (or of the valuation trajectory).
PROGRAMME_FACETS = {
    "ask_programme_info", "ask_programme_themes", "ask_programme_requirements", "ask_costs",
    "ask_enrolment", "ask_activity_points", "ask_certificate_upload",
}

# Topics about one subject whose costs or enrolment are asked in the same words.
SUBJECT_TOPICS = {"ask_valuation", "ask_valuation_steps", "ask_valuation_guidance", "ask_tma", "ask_mt_programme"}

# The form of the question, strongest first. Each facet: the intent that answers it.
FACET_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ask_programme_requirements", re.compile(
        r"\b(hoeveel|hoe ?veel|aantal)\s+(tijd|uur|uren|uurtjes|studie ?uren|studiebelasting)\b"
        r"|\bhoe lang (duurt|ben je bezig|kost)|\bstudiebelasting|\btijdsinvestering|\bhoeveel tijd\b"
        r"|\bduurt\b|\buren\b")),
    ("ask_costs", re.compile(
        r"\b(wat|hoeveel) (kost|kosten|betaal|moet ik betalen)|\bkosten\b|\bprijs\b|\bgratis\b|\btarief\b"
        r"|\bbetaa?l\w*\b|€|\beuro\b|\bkost (het|dat|dit|die|een|de)\b|\bkost\s*\?|\bwat kost\b"
        r"|\btarie\w*|\bprijzen\b|\bbedrag\w*|\bhoevee?l kost\b|\bhoevul kost\b|\bkost\b")),
    ("ask_enrolment", re.compile(
        r"\b(aanmeld\w*|aan ?melden|inschrijv\w*|in ?schrijven|schrijf\w* (ik )?(me|mij|je) in|meld\w* (ik |je )?(me|mij|je) aan|opgeven)\b")),
    # What one has to do for it: the validation (and the certificate it leads to).
    ("ask_programme_requirements", re.compile(
        r"\bwat moet (ik|je) (\w+ ){0,2}doen (om|voor)\b|\b(krijg|haal|behaal)\w* (ik|je)\b.{0,30}\bcertificaat"
        r"|\bcertificaat\w* (te )?(halen|behalen|krijgen)\b")),
    # Whom to ask: the contact the data gives with the enrolment.
    ("ask_enrolment", re.compile(r"\bbij wie (kan|moet|kun) (ik|je)\b.{0,40}\bterecht|\bcontactpersoon|\baanspreekpunt"
                                 r"|\bwie kan ik (bellen|mailen)")),
    ("ask_programme_themes", re.compile(r"\bvoor welke thema|\bwelke thema'?s?\b.*\b(telt|dekt|horen)|\bthema'?s? (van|bij)\b")),
    # What to do with a certificate once you have it: upload it in the register, whichever programme.
    ("ask_certificate_upload", re.compile(
        r"certificaat\w*\b.*\b(upload\w*|indien\w*|opvoer\w*|invoer\w*|inlever\w*|ermee|mee doen|zetten|"
        r"invullen)|\b(upload\w*|indien\w*|opvoer\w*|inlever\w*)\b.*\bcertificaat"
        r"|\bhoe rond (ik|je) (een|het|mijn) thema\b.*\baf\b")),
    ("ask_activity_points", re.compile(r"\b(hoeveel|aantal) punten\b|\bpunten\b.*\b(op|oplevert|waard)\b|waarde\b|\bwaard\b"
                                       r"|^\W*\w+(\W+\w+)?\W+punten\W*$"
                                       r"|\blever\w*\b.{0,30}\bop\b.{0,20}\b(voor )?(mijn |de |je )?herregistratie"
                                       r"|^\W*(telt|tellen)\b.{0,40}\bmee\b")),
)

STOPWORDS = {
    "hoeveel", "welke", "moeten", "worden", "kunnen", "zijn", "heeft", "hebben", "waarom", "wanneer",
    "opleiding", "programma", "traject", "schoolleider", "schoolleiders", "register", "punten", "thema",
    "themas", "leerkracht", "deelname", "minimaal", "tijdens", "relevante", "zelf", "eigen", "nodig",
    "schrijf", "schrijven", "volgen", "krijgen", "krijg", "halen", "maken", "gedaan", "doen", "allemaal",
    "precies", "ongeveer", "eigenlijk", "vraag", "vragen", "weten",
    "waarmee", "waarvoor", "waardoor", "waaraan", "waarop", "waarin", "daarmee", "daarvoor",
    # The asker's role ("ik als directeur"), not a detail of a programme.
    "directeur", "schooldirecteur", "adjunct", "adjunctdirecteur",
}
# The blocks of a programme's data that describe details of the programme itself.
DETAIL_BLOCKS = ("validation", "learning_goals", "phases", "study_load_hours")


def asks_time(text: str) -> bool:
    """Whether the question asks how much time something takes."""
    return bool(FACET_FORMS[0][1].search(plain_text(text)))


def facet_of(text: str) -> str | None:
    """The programme facet the form of the question asks for, or None when it is not clear."""
    plain = plain_text(text)
    found = [intent for intent, pattern in FACET_FORMS if pattern.search(plain)]
    if not found:
        return None
    # "Hoeveel tijd kost het?" is about time: the strongest form wins, in the order above.
    return found[0]


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.name not in ("key", "source", "also"):
                yield from _strings(getattr(value, f.name))


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", normalise(text)) if len(w) >= 6 and w not in STOPWORDS}


T = TypeVar("T")


def per_book(compute: Callable[[RuleBook], T]) -> Callable[[RuleBook], T]:
    """Compute once per rule book (a RuleBook is not hashable; a new book is computed anew)."""
    cache: dict[int, tuple[RuleBook, T]] = {}

    def cached(book: RuleBook) -> T:
        hit = cache.get(id(book))
        if hit is None or hit[0] is not book:
            hit = cache[id(book)] = (book, compute(book))
        return hit[1]

    return cached


@per_book
def _programme_words(book: RuleBook) -> dict[str, frozenset[str]]:
    """Per programme, the words of its own data (validation items, goals, phases, ...)."""
    result = {}
    for programme in book.programmes.values():
        words: set[str] = set()
        for block in programme.blocks():
            if block.key in DETAIL_BLOCKS:
                words |= {w for text in _strings(block) for w in _words(text)}
        result[programme.id] = frozenset(words)
    return result


def _stem(word: str) -> str:
    return word[: max(5, len(word) - 3)]


def _same_word(asked: str, own: str) -> bool:
    """One word, allowing inflection ("webinars", "webinar") and compounds ("coachgesprekken")."""
    if own.startswith(_stem(asked)) or asked.startswith(_stem(own)):
        return True
    return len(own) >= 6 and len(asked) >= 9 and (asked.endswith(own) or asked.startswith(own))


@per_book
def _general_words(book: RuleBook) -> frozenset[str]:
    """Words of the register's own texts (herregistratie, certificaat, ...): they name no programme."""
    return frozenset(w for block in book.texts.blocks() for text in _strings(block) for w in _words(text))


def programme_by_detail(book: RuleBook, text: str) -> Programme | None:
    """The one programme whose data holds a detail the question names, when exactly one does."""
    # Words that only say the facet ("inschrijving", "kosten") or belong to the register's own texts
    # ("herregistratie") name no detail of a programme.
    general = _general_words(book)
    asked = {w for w in _words(plain_text(text))
             if not any(pattern.search(w) for _, pattern in FACET_FORMS) and w not in general}
    if not asked:
        return None
    words = _programme_words(book)
    hits: dict[str, int] = {}
    for programme_id, own in words.items():
        others = set().union(*(w for pid, w in words.items() if pid != programme_id))
        distinctive = {w for w in own if w not in others}
        score = sum(1 for a in asked if any(_same_word(a, d) for d in distinctive))
        if score:
            hits[programme_id] = score
    if len(hits) != 1:
        return None
    return book.programmes[next(iter(hits))]


def _inflected(one: str, other: str) -> bool:
    short, long = sorted((one, other), key=len)
    return long.startswith(short) and len(long) - len(short) <= 2


@per_book
def _programme_all_words(book: RuleBook) -> dict[str, frozenset[str]]:
    """Per programme, the words of all of its own data (enrolment, costs, validation, ...)."""
    general = _general_words(book)  # "registratie", "school": words of the register's own texts tell nothing apart
    result = {}
    for programme in book.programmes.values():
        own = {w for block in programme.blocks() for text in _strings(block) for w in _words(text)
               if w not in general}
        # Its names count whatever the register's texts say: "het eerste leerKRACHT-jaar" is jaar-1.
        own |= {w for name in (programme.name, *programme.aliases) for w in _words(name)}
        result[programme.id] = frozenset(own)
    return result


def narrow_by_detail(book: RuleBook, text: str, candidates: Sequence[Programme]) -> list[Programme]:
    """Of several candidate programmes, the one whose own data holds a word the question names that the
    other candidates' data lacks ("met mijn school mee aan leerKRACHT", "in het eerste jaar"); all of
    them when no word, or words of several, tell them apart."""
    if len(candidates) < 2:
        return list(candidates)
    words = _programme_all_words(book)
    asked = {w for w in _words(plain_text(text)) if not any(pattern.search(w) for _, pattern in FACET_FORMS)}
    hits = []
    for programme in candidates:
        others = set().union(*(words[p.id] for p in candidates if p.id != programme.id))
        distinctive = {w for w in words[programme.id] if w not in others}
        # One word, inflected at most ("webinar", "webinars"); no compounds: "school" is not "schooljaar".
        if any(_inflected(a, d) for a in asked for d in distinctive):
            hits.append(programme)
    return hits if len(hits) == 1 else list(candidates)


def refine(book: RuleBook, query: Any) -> Any:
    """The query with its facet taken from the question's form and, for a detail only one programme
    has, that programme filled in. Other questions are returned unchanged."""
    facet = facet_of(query.text)
    if query.intent in SUBJECT_TOPICS and facet in ("ask_costs", "ask_enrolment"):
        # "wat kost B&T met begeleiding": the valuation's or the management programme's costs.
        return replace(query, intent=facet)
    if query.intent not in PROGRAMME_FACETS:
        return query
    intent = query.intent
    has_subject = bool(query.entities.get("programme") or query.entities.get("traject"))
    if facet is not None and facet != intent and (has_subject or intent != "ask_activity_points"):
        intent = facet
    entities = dict(query.entities)
    if not entities.get("programme") and not entities.get("traject") and intent != "ask_activity_points":
        programme = programme_by_detail(book, query.text)
        if programme is not None:
            entities["programme"] = (programme.id,)
            entities["programme_inferred"] = (programme.id,)
    if intent == query.intent and entities == dict(query.entities):
        return query
    return replace(query, intent=intent, entities=entities)


COMPARISON_RE = re.compile(r"\bverschil\w*\b|\bvergelijk\w*|\bversus\b|\bvs\.?\b|\bonderscheid\b|\bwat is .+ en wat is\b")
FORM_WORDS = {"formeel": r"(?<!in)formel?e?\b|\bformeel", "informeel": r"\binformel?e?\b|\binformeel",
              "vooraf": r"\bvooraf\b", "achteraf": r"\bachteraf\b"}


DEFINITION_RE = re.compile(r"\bwat (is|zijn|betekent|betekende|betekenen|was|waren|houdt|houden|bedoel\w*)\b|"
                           r"\bwat versta\w*\b|\bbetekenis\b|\buitleg\b")


# What counts in a learning form ("telt het aantal uren bij informeel leren?"): its definition says.
COUNTS_WHAT_RE = re.compile(r"\b(uren|uur|aantal activiteiten)\b")


def defined_learning_form(book: RuleBook, text: str) -> list[tuple[LearningForm, Regulation]]:
    """The one learning form a definition question names ("wat betekende formeel leren?"), or []."""
    plain = plain_text(text)
    if not (DEFINITION_RE.search(plain) or COUNTS_WHAT_RE.search(plain)) or COMPARISON_RE.search(plain):
        return []
    found = _forms_named(book, plain)
    return found if len(found) == 1 else []


def compared_learning_forms(book: RuleBook, text: str) -> list[tuple[LearningForm, Regulation]]:
    """The learning forms a comparison question names ("het verschil tussen formeel en informeel leren"),
    each with its regulation, when it names at least two; else an empty list."""
    plain = plain_text(text)
    if not COMPARISON_RE.search(plain):
        return []
    found = _forms_named(book, plain)
    return found if len(found) >= 2 else []


def _forms_named(book: RuleBook, plain: str) -> list[tuple[LearningForm, Regulation]]:
    found: list[tuple[LearningForm, Regulation]] = []
    for regulation in book.regulations:
        for form in regulation.learning_forms.value:
            pattern = FORM_WORDS.get(form.id)
            if pattern and re.search(pattern, plain) and all(f.id != form.id for f, _ in found):
                found.append((form, regulation))
    return found


# -- names from the data --------------------------------------------------------------------------
# The entity a name in the rules data stands for, as the NLU names it.
NAME_KINDS = {"programme": "programme", "theme": "theme", "trajectory": "traject",
              "registration_type": "registration_type", "level": "bekwaamheid"}
MAX_NAME_TOKENS = 8


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9&]", "", text)


@per_book
def _name_index(book: RuleBook) -> dict[str, tuple[str, str]]:
    """Every name and alias in the rules data, squashed ("lk jaar 1" -> "lkjaar1"), to (entity, id)."""
    index: dict[str, tuple[str, str]] = {}
    for kind, names in book.names.items():
        entity = NAME_KINDS.get(kind)
        if entity is None:
            continue
        for name, item in names.items():
            key = _squash(normalise(name))
            if len(key) >= 3 and key not in index:
                index[key] = (entity, str(getattr(item, "id", item)))
    return index


def names_in_text(book: RuleBook, text: str) -> dict[str, tuple[str, ...]]:
    """The programmes, themes, trajectories, registration types and levels the text names, found by
    the data's own names and aliases, whatever the spacing or hyphens ("lk jaar1", "leerkracht-jaar 1").
    Longest names first; a word is used by one name only."""
    tokens = re.findall(r"[a-z0-9&]+", plain_text(text))
    index = _name_index(book)
    used = [False] * len(tokens)
    found: list[tuple[int, str, str]] = []
    for size in range(min(MAX_NAME_TOKENS, len(tokens)), 0, -1):
        for start in range(0, len(tokens) - size + 1):
            if any(used[start:start + size]):
                continue
            hit = index.get("".join(tokens[start:start + size]))
            if hit is not None:
                found.append((start, *hit))
                for i in range(start, start + size):
                    used[i] = True
    result: dict[str, list[str]] = {}
    for _, entity, value in sorted(found):
        values = result.setdefault(entity, [])
        if value not in values:
            values.append(value)
    return {k: tuple(v) for k, v in result.items()}


# Entities whose values the rules data can resolve (the NLU's entity name -> the data's kind).
RESOLVABLE = {"programme": "programme", "traject": "trajectory", "theme": "theme"}
REGELING_VALUES = ("oud", "nieuw")


def with_names(book: RuleBook, query: Any) -> Any:
    """The query with the entities' values made canonical ("leerkracht jaar 1" -> leerkracht-jaar-1;
    unknown values dropped) and the data's names added where the classifier found none of that entity."""
    entities = dict(query.entities)
    if "regeling" in entities:
        # Only old and new rules exist; a raw value ("oude regels") is read for its words, others are dropped.
        read = [v if v in REGELING_VALUES else regeling_value(v) for v in entities["regeling"]]
        entities["regeling"] = tuple(dict.fromkeys(v for v in read if v))
    for entity, kind in RESOLVABLE.items():
        if entity in entities:
            resolved = []
            for value in entities[entity]:
                found = book.find(kind, value)
                if found is not None and found.id not in resolved:
                    resolved.append(found.id)
            entities[entity] = tuple(resolved)
    for key, values in names_in_text(book, query.text).items():
        if not entities.get(key):
            entities[key] = values
    if not entities.get("regeling") and OLD_RULES_RE.search(plain_text(query.text)):
        entities["regeling"] = ("oud",)
    entities = {k: v for k, v in entities.items() if v}
    if entities == dict(query.entities):
        return query
    return replace(query, entities=entities)


# -- details from the data ------------------------------------------------------------------------
# Words that say what is asked about a subject, mapped to the data block that answers it; together
# with the words of each block itself ("ijsbergcoaching" is in the validation block).
BLOCK_WORDS: dict[str, tuple[str, ...]] = {
    "learning_goals": ("leerdoel", "doelen", "leer ik", "wat leer"),
    "benefits": ("oplever", "levert het", "levert dat", "levert dit", "voordeel", "voordelen", "opbrengst", "waarom",
                 "inspectie"),
    "contact": ("contact", "mail", "bellen", "telefoon", "vragen over", "terecht", "contactpersoon"),
    "directieteam": ("directieteam is", "bedoel", "betekent directieteam", "mbo", " vo ", "po "),
    "phases": ("fase", "fases", "opbouw", "onderdelen"),
    "reflection_instrument": ("tma", "talenten", "motivatie", "analyse", "drijfveren", "reflectie"),
    "guidance": ("begeleiding", "begeleider", "hulp bij"),
    "steps": ("stappen", "verloop", "hoe gaat", "portfolio", "assessment"),
    "validation": ("valider", "moet ik doen", "certificaat halen"),
    "enrolment": ("link", "toegestuurd", "aanmeldlink"),
}


def _block_words(block: Any) -> set[str]:
    return {w for text in _strings(block) for w in _words(text)}


def detail_blocks(subject: Programme | Trajectory, text: str) -> list[Info]:
    """The data blocks of a programme or trajectory that the question asks about, best first: by the
    words that name a block ("leerdoelen", "contact") and by the block's own words ("ijsbergcoaching",
    "inspectiekader"). Empty when the question names no detail."""
    plain = " " + plain_text(text) + " "
    asked = _words(plain_text(text)) - _words(subject.name)
    for alias in subject.aliases:
        asked -= _words(alias)
    scored: list[tuple[int, Info]] = []
    for block in subject.blocks():
        score = 2 * sum(1 for cue in BLOCK_WORDS.get(block.key, ()) if cue in plain)
        own = _block_words(block)
        score += sum(1 for a in asked if any(_same_word(a, w) for w in own))
        if score:
            scored.append((score, block))
    return [block for _, block in sorted(scored, key=lambda item: -item[0])]
