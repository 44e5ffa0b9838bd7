"""Issue 20: an e-mail made fit for understanding (bot/helpdesk/mailtext.py). Examples written for these
tests from how mail clients quote and sign; the frozen evaluation set (tests/triage_eval/) is not used."""

from __future__ import annotations

import time

import pytest

from bot.helpdesk.mailtext import MAX_QUESTIONS, bulk_mail, clean_mail, core_question, html_to_text, last_clause

OUTLOOK = """Goedemorgen,

Hoeveel punten moet ik halen voor mijn herregistratie? En telt een masteropleiding ook mee?

Met vriendelijke groet,

Pieter Bakker
Directeur obs De Vlinder
T 06-12345678

Van: Helpdesk Schoolleidersregister <helpdesk@example.nl>
Verzonden: maandag 30 november 2026 14:02
Aan: Pieter Bakker <p.bakker@example.nl>
Onderwerp: RE: vraag

Beste Pieter, wat is je registratienummer?
"""


def test_an_outlook_reply_keeps_only_the_new_text_and_its_two_questions() -> None:
    mail = clean_mail("RE: vraag", OUTLOOK)
    assert mail.questions == ("Hoeveel punten moet ik halen voor mijn herregistratie?",
                              "En telt een masteropleiding ook mee?")
    assert "registratienummer" not in mail.text and "06-12345678" not in mail.text and "Goedemorgen" not in mail.text
    assert set(mail.removed) == {"quoted", "signature"}


def test_gmail_quotes_with_angle_brackets_and_a_mobile_footer_are_removed() -> None:
    body = ("Hoi,\n\nkan ik mijn certificaat nog uploaden na de deadline?\n\nVerzonden vanaf mijn iPhone\n\n"
            "Op 2 dec. 2026 om 10:12 schreef Helpdesk <helpdesk@example.nl>:\n> Wat is je vraag precies?\n")
    mail = clean_mail("Certificaat", body)
    assert mail.questions == ("kan ik mijn certificaat nog uploaden na de deadline?",)
    assert "iPhone" not in mail.text and "Wat is je vraag" not in mail.text
    assert {"quoted", "footer"} <= set(mail.removed)


def test_a_disclaimer_paragraph_is_dropped_but_a_short_line_about_confidentiality_stays() -> None:
    body = ("Geachte heer, mevrouw,\n\nWat kost het laten waarderen van een activiteit?\n\n"
            "Dit e-mailbericht is uitsluitend bestemd voor de geadresseerde. Indien u niet de geadresseerde bent, "
            "verzoeken wij u dit bericht te verwijderen. Aan dit bericht kunnen geen rechten worden ontleend.")
    mail = clean_mail("Kosten", body)
    assert mail.questions == ("Wat kost het laten waarderen van een activiteit?",)
    assert "geadresseerde" not in mail.text and "disclaimer" in mail.removed


def test_html_is_read_as_text_without_styles_scripts_or_the_quoted_block() -> None:
    markup = ("<html><head><style>p{color:red}</style></head><body><p>Beste helpdesk,</p>"
              "<p>Welke thema&#39;s zijn er?<br>En op welk niveau&nbsp;moet ik ze doen?</p>"
              "<script>alert(1)</script><ul><li>leerKRACHT</li></ul>"
              "<div class=\"gmail_quote\">Op 1 dec. schreef X:<blockquote>Oud bericht?</blockquote></div>"
              "<p>niet meer van mij</p></body></html>")
    assert html_to_text(markup).splitlines() == [
        "Beste helpdesk,", "", "Welke thema's zijn er?", "En op welk niveau moet ik ze doen?", "", "- leerKRACHT"]
    mail = clean_mail("Thema's", markup, html_body=True)
    assert mail.questions == ("Welke thema's zijn er?", "En op welk niveau moet ik ze doen?")


def test_numbered_questions_and_questions_without_a_question_mark() -> None:
    body = ("Beste,\n\n1. Hoe lang duurt een periode?\n2) Kan ik uitstel krijgen?\n"
            "Verder wil ik graag weten of mijn scholing van vorig jaar telt.\nDank!\n")
    assert clean_mail("Vragen", body).questions == (
        "Hoe lang duurt een periode?", "Kan ik uitstel krijgen?",
        "Verder wil ik graag weten of mijn scholing van vorig jaar telt.")


def test_a_body_without_a_question_is_the_question_and_an_empty_body_falls_back_to_the_subject() -> None:
    assert clean_mail("Punten", "Graag informatie over de puntenregeling.\n\nGroeten, Els").questions == (
        "Graag informatie over de puntenregeling.",)
    assert clean_mail("RE: FW: Hoeveel punten heb ik nodig", "").questions == ("Hoeveel punten heb ik nodig",)
    assert clean_mail("", "").questions == ()


def test_a_line_starting_with_van_is_kept_when_no_outlook_header_follows() -> None:
    body = "Van: de directie kreeg ik de vraag of ik moet herregistreren?\n"
    assert clean_mail("", body).questions == ("Van: de directie kreeg ik de vraag of ik moet herregistreren?",)


def test_hostile_input_is_bounded() -> None:
    started = time.monotonic()
    mail = clean_mail("x" * 100_000, "Waarom? " * 200_000 + "<" * 100_000, html_body=False)
    assert len(mail.questions) <= MAX_QUESTIONS
    html_mail = clean_mail("", "<div>" * 50_000 + "Vraag?" + "</div>" * 50_000, html_body=True)
    assert len(html_mail.questions) <= 1
    assert time.monotonic() - started < 10


def test_hard_wrapped_lines_are_one_sentence_and_amounts_are_not_split() -> None:
    body = ("Hallo,\n\nIk doe mee aan leerKRACHT. Daarnaast vraag ik mij af hoeveel uur\nstudiebelasting ik moet "
            "rekenen. Het kost € 1.200 per\njaar; klopt dat? Bv. voor kwaliteitsmanagement.\n\nGroet, Jan")
    assert clean_mail("x", body).questions == (
        "Daarnaast vraag ik mij af hoeveel uur studiebelasting ik moet rekenen.", "Het kost € 1.200 per jaar; klopt dat?")


def test_an_abbreviation_ends_no_sentence() -> None:
    assert clean_mail("x", "Kan ik twee thema's samen doen, bv. kwaliteit en visie?").questions == (
        "Kan ik twee thema's samen doen, bv. kwaliteit en visie?",)


@pytest.mark.parametrize(("question", "core"), [
    ("Kunt u mij laten weten wat de einddatum van mijn periode is?", "Wat de einddatum van mijn periode is?"),
    ("Daarnaast vraag ik mij af hoeveel uur het kost.", "Hoeveel uur het kost."),
    ("Graag zou ik van u vernemen hoeveel punten het oplevert.", "Hoeveel punten het oplevert."),
    ("En binnen hoeveel jaar?", "Binnen hoeveel jaar?"),
    ("Kunt u mij laten weten?", "Kunt u mij laten weten?"),  # nothing left: the question as it was
])
def test_the_core_of_a_question(question: str, core: str) -> None:
    assert core_question(question) == core


def test_two_questions_in_one_sentence_are_split_but_two_facets_of_one_question_are_not() -> None:
    assert clean_mail("", "Wat kost de opleiding en telt die mee voor mijn herregistratie?").questions == (
        "Wat kost de opleiding?", "Telt die mee voor mijn herregistratie?")
    assert clean_mail("", "Hoeveel punten levert het op en voor welke thema's?").questions == (
        "Hoeveel punten levert het op en voor welke thema's?",)
    assert clean_mail("", "Is het verschil tussen RDO en RADO groot?").questions == (
        "Is het verschil tussen RDO en RADO groot?",)


def test_a_short_question_that_points_back_keeps_the_sentence_before_it() -> None:
    cleaned = clean_mail("", "Ik heb een boek gelezen over verandermanagement. Hoe laat ik dat waarderen?\n\n"
                             "Welke thema's zijn er voor schoolleiders?")
    assert cleaned.questions == ("Hoe laat ik dat waarderen?", "Welke thema's zijn er voor schoolleiders?")
    assert cleaned.before == ("Ik heb een boek gelezen over verandermanagement.", None)


@pytest.mark.parametrize("sentence, clause", [
    ("Ik moet alles rond hebben maar ik weet niet hoe ik mijn bewijs moet insturen.",
     "ik weet niet hoe ik mijn bewijs moet insturen."),
    ("Ik las dat de competenties zijn vervangen door praktijken.",
     "Ik las dat de competenties zijn vervangen door praktijken."),
    ("Kort: ik heb een master gedaan.", "ik heb een master gedaan."),
])
def test_the_last_clause_of_a_sentence(sentence: str, clause: str) -> None:
    assert last_clause(sentence) == clause


NEWSLETTER = """Beste lezer,

Schrijf je nu in voor ons congres en ontvang 15% korting tot 1 maart!
Meer weten? https://congres.example.com

Je ontvangt deze e-mail omdat je je hebt aangemeld voor onze nieuwsbrief. Afmelden kan hier.
"""
PHISHING = """Geachte gebruiker,

Uw wachtwoord verloopt vandaag. Klik hier om uw account te verifiëren: http://login-check.example.com/x
"""


def test_newsletters_and_phishing_ask_nothing() -> None:
    news = clean_mail("Congres: vroegboekkorting", NEWSLETTER)
    assert news.questions == () and news.bulk is not None and "nieuwsbrief" in news.bulk
    phish = clean_mail("Actie vereist", PHISHING)
    assert phish.questions == () and phish.bulk is not None and "phishing" in phish.bulk
    # A leader who writes about a link and their account is no phishing, and a question stays a question.
    own = clean_mail("Inloggen", "Ik heb op de link geklikt om mijn account te verifiëren, maar het lukt niet. "
                                 "Wat moet ik doen?")
    assert own.bulk is None and own.questions
    assert bulk_mail("Hoe meld ik me af voor de nieuwsbrief van het register?") is None
    assert bulk_mail("Ik wil me afmelden voor de nieuwsbrief, hoe doe ik dat?") is None
