"""An incoming e-mail made fit for understanding (issue 20): HTML to text, earlier replies, signatures,
disclaimers and mobile footers removed, then split into its questions.

    cleaned = clean_mail("Vraag over punten", body, html=False)
    cleaned.text        -> the sender's own words
    cleaned.questions   -> ("Hoeveel punten heb ik nodig?", "Telt leerKRACHT mee?")
    cleaned.removed     -> what was taken out, by kind ("quoted", "signature", "disclaimer", "footer")
    cleaned.before      -> per question, the sentence before it when the question points back at it
                           ("… mijn certificaat uploaden. Waar doe ik dat?"), else None
    cleaned.bulk        -> why the mail asks nothing of the helpdesk (a newsletter, phishing), else None

Plain Python, no Rasa. Bounded: at most MAX_CHARS of the body are read, at most MAX_QUESTIONS returned.
The rules are written from how Dutch mail clients (Outlook, Gmail, Apple Mail, Thunderbird) quote and
sign, not from the evaluation set in tests/triage_eval/, which is only measured on.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

MAX_CHARS = 50_000
MAX_QUESTIONS = 8

# -- HTML ---------------------------------------------------------------------------------------

_BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
                     "section", "article", "header", "footer", "hr"})
_SKIPPED = frozenset({"style", "script", "head", "title", "template"})


class _Text(HTMLParser):
    """Text of an HTML body; blockquotes (earlier messages) and Gmail's quote block are left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.quoting = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = " ".join(value or "" for name, value in attrs if name == "class")
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "blockquote" or "gmail_quote" in classes or "moz-cite-prefix" in classes:
            self.quoting += 1
        if tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":  # a Gmail or Thunderbird quote block is never closed: it runs to the end
            self.quoting = max(0, self.quoting - 1)
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping and not self.quoting:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup[:MAX_CHARS])
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# -- earlier replies, signatures, disclaimers ---------------------------------------------------------

# A line that starts the quoted earlier message: everything from it on is not the sender's new text.
_REPLY_HEADERS = (
    re.compile(r"^\s*Op .{3,120}(schreef|heeft .{0,40} geschreven)\s*.{0,80}:\s*$", re.IGNORECASE),
    re.compile(r"^\s*On .{3,120} wrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*(Oorspronkelijk bericht|Original Message|Doorgestuurd bericht|Forwarded message)"
               r"\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*(Van|From)\s*:\s*.+$", re.IGNORECASE),  # Outlook's header block (Van: … Verzonden: …)
)
_CLOSINGS = re.compile(
    r"^\s*(met )?(vriendelijke|hartelijke|collegiale|warme|beste|zonnige) groet(en)?\b.{0,30}$"
    r"|^\s*(groet(en|jes)?|gr\.?|mvg|m\.v\.g\.?|vr\.? gr\.?|hgr|met groet|alvast bedankt[,!. ]*(en )?(groet(en)?)?"
    r"|bij voorbaat dank\b.{0,20}|dank je wel\b.{0,20}|kind regards|best regards|regards)[,.!]?"
    r"(\s+[A-Z][\w.'-]*){0,3}\s*$",  # "Groeten, Els" and "Mvg Jan de Vries" on one line
    re.IGNORECASE,
)
_FOOTERS = re.compile(
    r"^\s*(Verzonden (vanaf|met|vanuit) (mijn|de) .{1,40}|Sent from my .{1,40}|Verstuurd (vanaf|vanuit|met) .{1,40}"
    r"|Get Outlook for .{1,30}|Download Outlook voor .{1,30})\s*$",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"(uitsluitend bestemd voor de geadresseerde|alleen bestemd voor de geadresseerde|is vertrouwelijk"
    r"|niet de geadresseerde|verzoeken wij u .{0,40}(verwijderen|te melden)|aansprakelijkheid"
    r"|intended solely for|intended only for|confidential|if you are not the intended|disclaimer"
    r"|denk aan het milieu|think before you print|print deze e-?mail)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CleanMail:
    text: str
    questions: tuple[str, ...]
    removed: tuple[str, ...]
    before: tuple[str | None, ...] = ()
    bulk: str | None = None


# -- mail that asks nothing: newsletters, advertising, phishing -------------------------------------------

# The footer every mailing list and newsletter carries (the law requires a way to unsubscribe).
_UNSUBSCRIBE = re.compile(r"\b(afmelden|uitschrijven|unsubscribe|opzeggen)\b", re.IGNORECASE)
_MAILING = re.compile(r"\b(nieuwsbrief|mailing|newsletter|(u|je) ontvangt deze (e-?mail|mail|nieuwsbrief|berichten) "
                      r"omdat|you are receiving this|aangemeld voor (onze|de) (nieuwsbrief|mailing))", re.IGNORECASE)
# Phishing: a link to click with a demand to confirm an account or password, often with a threat.
_LINK = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
_CLICK = re.compile(r"\b(klik|click|ga naar onderstaande|via onderstaande link|volg de link)\b", re.IGNORECASE)
_CREDENTIALS = re.compile(r"\b(verifi\w+|valideer\w*|bevestig (uw|je) (account|gegevens|identiteit|e-?mailadres|"
                          r"wachtwoord)|inloggegevens|wachtwoord verloopt|mailbox (is )?(bijna )?vol|opslaglimiet|"
                          r"account (wordt|zal worden) (geblokkeerd|opgeschort|verwijderd|gesloten)|verify your)",
                          re.IGNORECASE)


def bulk_mail(text: str) -> str | None:
    """Why a mail is not a question for the helpdesk: a newsletter or advertising, or likely phishing."""
    if _LINK.search(text) and _CLICK.search(text) and _CREDENTIALS.search(text):
        return "lijkt phishing (een link met een verzoek om een account of wachtwoord te bevestigen): niet op de link klikken"
    if _UNSUBSCRIBE.search(text) and _MAILING.search(text) and (_LINK.search(text) or _CLICK.search(text)
                                                                 or re.search(r"\b(kan|kun je|kunt u) hier\b", text, re.I)):
        return "nieuwsbrief of reclame (met een afmeldlink): geen vraag"
    return None


def _cut_quoted(lines: list[str], removed: list[str]) -> list[str]:
    kept: list[str] = []
    for index, line in enumerate(lines):
        if any(header.match(line) for header in _REPLY_HEADERS):
            # "Van: x" alone is a header only when Outlook's next lines follow (Verzonden/Sent/Aan/To).
            if re.match(r"^\s*(Van|From)\s*:", line, re.IGNORECASE) and not any(
                    re.match(r"^\s*(Verzonden|Sent|Datum|Date|Aan|To|Onderwerp|Subject)\s*:", following, re.IGNORECASE)
                    for following in lines[index + 1:index + 4]):
                kept.append(line)
                continue
            removed.append("quoted")
            break
        if line.lstrip().startswith(">"):
            if "quoted" not in removed:
                removed.append("quoted")
            continue
        kept.append(line)
    return kept


def _cut_signature(lines: list[str], removed: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if line.rstrip() in ("--", "-- ", "__", "___"):
            removed.append("signature")
            return lines[:index]
        if _CLOSINGS.match(line) and index > 0:
            removed.append("signature")
            return lines[:index]
    return lines


def _cut_footers(lines: list[str], removed: list[str]) -> list[str]:
    kept = [line for line in lines if not _FOOTERS.match(line)]
    if len(kept) != len(lines):
        removed.append("footer")
    paragraphs = "\n".join(kept).split("\n\n")
    own = [p for p in paragraphs if not (_DISCLAIMER.search(p) and len(p) > 60)]
    if len(own) != len(paragraphs):
        removed.append("disclaimer")
    return "\n\n".join(own).splitlines()


# -- questions ------------------------------------------------------------------------------------

_GREETING = re.compile(r"^\s*(beste|geachte|hoi|hallo|hi|hey|goedemorgen|goedemiddag|goedenavond|dag|l\.s\.?)\b[^\n]{0,60}[,!]?\s*$",
                       re.IGNORECASE)
_ASKING = re.compile(
    r"\b(ik (wil|zou) (graag )?(weten|vragen)|(wil|zou) ik (graag )?(weten|vragen)|graag (hoor|zou) ik"
    r"|kunt u (mij )?(laten weten|vertellen)"
    r"|kun je (mij |me )?(laten weten|vertellen)|(ik )?vraag (ik )?(me|mij) af|mijn vraag is|van u (te )?vernemen"
    r"|(graag|willen) (weten|vernemen))\b",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)]|[a-z][.)])\s+")
# Sentence ends: . ! ? followed by a space or the end; never inside "€ 1.200" or "15.30".
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# Dutch abbreviations whose full stop ends no sentence ("bv. kwaliteitsmanagement").
_ABBREVIATION = re.compile(r"\b(bv|bijv|o\.a|d\.w\.z|i\.p\.v|t\.a\.v|m\.b\.t|z\.s\.m|ca|mevr|dhr|drs|dr|ir|mr|nr|"
                           r"incl|excl|evt|resp|etc|vgl|zgn|t\.o\.v|a\.s|o\.b\.v)\.$", re.IGNORECASE)


def _paragraphs(text: str) -> list[str]:
    """Hard-wrapped lines joined again (mail clients wrap at about 72 characters); a list item or an empty
    line starts a new paragraph."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        item = _LIST_ITEM.match(line)
        if not line.strip() or item:
            if current:
                paragraphs.append(" ".join(current))
            current = [line[item.end():].strip()] if item else []
            continue
        current.append(line.strip())
    if current:
        paragraphs.append(" ".join(current))
    return [" ".join(p.split()) for p in paragraphs if p.strip()]


def _sentences(paragraph: str) -> list[str]:
    sentences: list[str] = []
    for piece in _SENTENCE_END.split(paragraph):
        if sentences and _ABBREVIATION.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return sentences


# "Wat kost dat en telt het mee?": two questions in one sentence, the second starting with its verb or a
# question word after "en". "Hoeveel punten levert het op en voor welke thema's?" is one question with two
# facets (the triage answers both) and stays whole.
_SECOND_QUESTION = re.compile(
    r",? en (?=(?:telt|tellen|is|zijn|mag|mogen|kan|kun|kunnen|moet|moeten|heb|hebben|krijg|krijgt|krijgen|wordt|"
    r"worden|geldt|gelden|hoe|wat|waar|wanneer|welke|wie|hoeveel|waarom)\b)", re.IGNORECASE)
_QUESTION_START = re.compile(
    r"^(?:\w+ )?(?:telt|tellen|is|zijn|mag|mogen|kan|kun|kunt|kunnen|moet|moeten|heb|hebben|krijg|krijgt|krijgen|"
    r"wordt|worden|geldt|gelden|hoe|wat|waar|wanneer|welke|wie|hoeveel|waarom)\b", re.IGNORECASE)
# A short question that points back at the sentence before it ("Waar doe ik dat?", "Welke zijn dat dan?").
_POINTS_BACK = re.compile(r"\b(dat|dit|die|deze|daar\w*|ervoor|ervan|ermee|hij|ze)\b", re.IGNORECASE)
POINTS_BACK_WORDS = 7


_CLAUSE_BREAK = re.compile(r"(?:,\s*|\s+)(?:maar|want|omdat|terwijl|alleen)\s+|[;:]\s+|,\s+(?=ik\b)", re.IGNORECASE)


def last_clause(sentence: str) -> str:
    """The last clause of a sentence ("… rond hebben maar ik weet niet hoe ik mijn certificaat moet uploaden"
    → "ik weet niet hoe …"): what a word like "dat" in the next question points back at."""
    parts = [p for p in _CLAUSE_BREAK.split(sentence) if len(p.split()) >= 3]
    return parts[-1].strip() if parts else sentence


def _clauses(sentence: str) -> list[str]:
    """A question sentence as its questions: split after "en" only when both sides are questions."""
    parts = _SECOND_QUESTION.split(sentence, maxsplit=1)
    if len(parts) == 2 and _QUESTION_START.match(parts[0]) and len(parts[0].split()) >= 3 \
            and len(parts[1].split()) >= 3:
        left, right = parts[0].rstrip(" ,"), parts[1]
        return [left if left.endswith("?") else f"{left}?", right[:1].upper() + right[1:]]
    return [sentence]


def _questions(text: str) -> tuple[tuple[str, str | None], ...]:
    """The questions, each with the sentence before it when it is short and points back at it."""
    found: dict[str, str | None] = {}
    previous: str | None = None
    for paragraph in _paragraphs(text):
        for sentence in _sentences(paragraph):
            if len(sentence) < 4:
                continue
            if sentence.endswith("?") or _ASKING.search(sentence):
                for clause in _clauses(sentence):
                    short = len(clause.split()) <= POINTS_BACK_WORDS and _POINTS_BACK.search(clause)
                    found.setdefault(clause, previous if short else None)
            previous = sentence
    return tuple(found.items())[:MAX_QUESTIONS]


# What a letter wraps around a question ("Kunt u mij laten weten …", "Daarnaast vraag ik mij af …"): the
# chat's users ask directly, so the understanding reads the question without the wrapping.
_WRAPPERS = tuple(re.compile(p, re.IGNORECASE) for p in (
    r"^(hoi|hallo|hi|hey|beste|geachte|goedemorgen|goedemiddag|goedenavond)\b[^,!?]{0,30}[,!]\s*",
    r"^(en|ook|verder|daarnaast|bovendien|tot slot|tenslotte|nog een vraag|nog iets|tweede vraag|eerste vraag)\b[,:]?\s+",
    r"^(graag )?(zou|wil) ik (graag )?(van (u|jullie|je) )?(willen )?(weten|vernemen|horen|vragen)\b( of)?[,:]?\s*",
    r"^ik (wil|zou|wou) (graag |u |jullie )?(willen )?(weten|vragen|informeren)\b( of)?[,:]?\s*",
    r"^(kunt|kan|kun|zou|zouden) (u|je|jij|jullie) (mij |me |ons )?(laten weten|vertellen|uitleggen|aangeven|zeggen|"
    r"informeren)\b( of)?[,:]?\s*",
    r"^(ik )?vraag (ik )?(me|mij) (af|eigenlijk af)\b( of)?[,:]?\s*",
    r"^(mijn|de) vraag is\b( of)?[,:]?\s*",
))


def core_question(question: str) -> str:
    """The question without the letter's wrapping, for the understanding; the question itself when little
    would be left."""
    text = question.strip()
    for _ in range(4):
        before = text
        for wrapper in _WRAPPERS:
            text = wrapper.sub("", text, count=1)
        if text == before:
            break
    return text[:1].upper() + text[1:] if len(text.split()) >= 3 else question.strip()


def subject_line(subject: str) -> str:
    """The subject without reply and forward prefixes (Re:, Fw:, Fwd:, Antw:, Doorst:, TR:)."""
    return " ".join(re.sub(r"^\s*((re|fw|fwd|antw|doorst|tr)\s*:\s*)+", "", subject or "", flags=re.I).split())


def clean_mail(subject: str, body: str, *, html_body: bool = False) -> CleanMail:
    """The sender's own words and their questions; the subject stands in when the body asks nothing."""
    text = html_to_text(body) if html_body else html.unescape(body[:MAX_CHARS])
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    removed: list[str] = []
    lines = _cut_quoted(text.split("\n"), removed)
    lines = _cut_footers(lines, removed)
    lines = _cut_signature(lines, removed)
    lines = [line for line in lines if not _GREETING.match(line)]
    own = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in lines)).strip()
    bulk = bulk_mail(f"{subject}\n{text}")
    if bulk:
        return CleanMail(own, (), tuple(dict.fromkeys(removed)), (), bulk)
    found = _questions(own)
    if not found:
        subject = subject_line(subject)
        fallback = own if own else subject
        found = ((fallback, None),) if fallback else ()
    return CleanMail(own, tuple(q for q, _ in found), tuple(dict.fromkeys(removed)), tuple(b for _, b in found))
