"""The triage of one e-mail (bot/helpdesk/mailtriage.py) with a stand-in understanding, so each rule of the
triage is tested on its own: drafts from the rules data with sources, 'buiten de bronnen' with the
reason, the mail's context, category and priority with reasons, and the sender's probable match.

The examples are our own; the frozen evaluation set in tests/triage_eval/ is only measured on
(tests/e2e/test_triage_eval.py). The real model is used there.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bot.helpdesk.mailtriage import DRAFT, OUTSIDE, Mail, MailTriage, Understood, triage_mail
from bot.register import RuleBook, load_rules
from bot.store import Store
from bot.store.demo import install_demo

TODAY = date(2026, 12, 3)


class Fake:
    """Understands by keywords: the first rule whose words all occur wins; else nlu_fallback."""

    def __init__(self, *rules: tuple[str, str, float]) -> None:
        self.rules = rules
        self.asked: list[str] = []

    def __call__(self, text: str) -> Understood:
        self.asked.append(text)
        lower = text.lower()
        for words, intent, confidence in self.rules:
            if all(w in lower for w in words.split("+")):
                return Understood(intent, confidence)
        return Understood("nlu_fallback", 0.3)


POINTS = ("hoeveel punten+herregistratie", "ask_points_needed", 0.93)


def run(body: str, understand: Fake, *, subject: str = "Vraag", sender: str = "x@school.example.nl",
        book: RuleBook | None = None, store: Store | None = None, confirmed: bool = False,
        number: str | None = None) -> MailTriage:
    return triage_mail(Mail(subject, body, sender=sender, registratienummer=number), understand,
                       book or load_rules(), TODAY, store=store, confirmed=confirmed)


def test_an_answerable_question_gets_a_draft_with_its_source_and_the_figure_from_the_data(book: RuleBook) -> None:
    result = run("Hoi,\n\nHoeveel punten heb ik nodig voor mijn herregistratie als schoolleider?\n\nGroet, Piet",
                 Fake(POINTS))
    [q] = result.questions
    assert q.status == DRAFT and q.intent == "ask_points_needed"
    assert "100 punten" in (q.draft or "") and "Bron" in (q.draft or "")
    assert q.sources and result.reply is not None and "100 punten" in result.reply
    assert result.category == "herregistratie en punten" and result.priority == "normaal"
    assert "Wil je dat ik" not in (q.draft or "")  # the chat's offer of the helpdesk is no part of a letter


def test_the_draft_follows_the_rules_data(data_copy: Path) -> None:
    """One source of truth: the required points in the data change the draft."""
    text = (data_copy / "regulations.yml").read_text(encoding="utf-8")
    assert "points_required:\n      value: 100" in text
    (data_copy / "regulations.yml").write_text(text.replace("points_required:\n      value: 100", "points_required:\n      value: 120"),
                                               encoding="utf-8")
    result = run("Hoeveel punten moet ik halen voor herregistratie?", Fake(POINTS), book=load_rules(data_copy))
    assert "120 punten" in (result.questions[0].draft or "")


def test_a_subject_outside_the_sources_is_left_to_a_person_with_the_reason() -> None:
    result = run("Kan ik uitstel krijgen voor mijn herregistratie? Ik ben lang ziek geweest.",
                 Fake(("uitstel", "ask_points_needed", 0.9)))
    [q] = result.questions
    assert q.status == OUTSIDE and q.draft is None and "uitstel" in q.reason
    assert result.category == "uitstel of bezwaar" and result.reply is None


def test_low_confidence_is_left_to_a_person() -> None:
    result = run("Hoeveel punten heb ik nodig voor herregistratie?", Fake(("punten", "ask_points_needed", 0.45)))
    assert result.questions[0].status == OUTSIDE and "45 %" in result.questions[0].reason


def test_two_questions_one_drafted_one_left_and_the_reply_says_so() -> None:
    understand = Fake(POINTS, ("salaris", "ask_outside_sources", 0.8))
    result = run("Beste helpdesk,\n\nHoeveel punten heb ik nodig voor herregistratie? En krijg ik dan een hoger "
                 "salaris?\n\nMet vriendelijke groet,\nIneke", understand)
    assert [q.status for q in result.questions] == [DRAFT, OUTSIDE]
    assert result.reply is not None and "andere vraag bekijkt een collega" in result.reply
    assert "Ineke" not in "".join(understand.asked)  # the signature is gone before understanding


def test_a_programme_named_in_the_subject_line_answers_a_question_that_says_hij() -> None:
    understand = Fake(("thema", "ask_themes", 0.9))
    result = run("Voor welke thema's telt hij?", understand, subject="Teamcoaching voor managers")
    [q] = result.questions
    assert q.status == DRAFT and q.intent == "ask_programme_themes"
    assert "Teamcoaching voor managers" in (q.draft or "") and "leerKRACHT" not in (q.draft or "")


def test_a_programme_question_without_a_programme_is_left_to_a_person() -> None:
    result = run("Voor welke thema's telt die?", Fake(("thema", "ask_themes", 0.9)), subject="vraagje")
    assert result.questions[0].status == OUTSIDE and "welke opleiding" in result.questions[0].reason


def test_one_sentence_asking_points_and_themes_of_a_programme_gets_both() -> None:
    result = run("Hoeveel punten levert leerKRACHT jaar-1 op en voor welke thema's telt het?",
                 Fake(("punten", "ask_activity_points", 0.9)))
    draft = result.questions[0].draft or ""
    assert "70 punten" in draft and "Verandermanagement" in draft
    assert draft.count("Verandermanagement") == 1  # the points answer names the themes: no second list


@pytest.fixture
def demo_store(tmp_path: Path, book: RuleBook) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'demo.db'}")
    store.upgrade()
    install_demo(store, book, TODAY)
    return store


def test_a_sender_on_file_is_a_probable_match_and_no_personal_figure_is_drafted(demo_store: Store) -> None:
    leader = demo_store.leader("100234")
    assert leader is not None
    understand = Fake(("hoeveel punten", "ask_my_progress", 0.9))
    result = run("Hoeveel punten heb ik al en hoeveel mis ik nog?", understand, sender=leader.email.upper(),
                 store=demo_store)
    assert result.sender_match.status == "waarschijnlijk" and result.sender_match.registratienummer == "100234"
    # Two questions in one sentence ("… heb ik al en hoeveel mis ik nog?"), neither drafted.
    assert [q.text for q in result.questions] == ["Hoeveel punten heb ik al?", "Hoeveel mis ik nog?"]
    assert all(q.status == OUTSIDE for q in result.questions) and "niet bevestigd" in result.questions[0].reason
    assert "Voor jou" not in str(result.to_json())


def test_personal_figures_only_once_the_helpdesk_confirms_the_sender(demo_store: Store) -> None:
    leader = demo_store.leader("100234")
    assert leader is not None
    understand = Fake(("hoeveel punten", "ask_points_needed", 0.9))
    confirmed = run("Hoeveel punten heb ik nog nodig voor mijn herregistratie?", understand, sender=leader.email,
                    store=demo_store, confirmed=True)
    assert confirmed.sender_match.status == "bevestigd"
    assert confirmed.questions[0].status == DRAFT and "Voor jou" in (confirmed.questions[0].draft or "")
    assert confirmed.period_end == leader.period_end


def test_a_typed_number_of_someone_else_is_flagged_and_never_matched(demo_store: Store) -> None:
    result = run("Hoeveel punten heb ik nodig voor herregistratie?", Fake(POINTS), sender="onbekend@school.example.nl",
                 store=demo_store, number="100235")
    assert result.sender_match.status == "geen" and result.sender_match.registratienummer is None
    assert any("hoort niet bij het adres" in r for r in result.reasons)
    assert "Bram" not in str(result.to_json())


def test_a_deadline_in_the_mail_makes_it_urgent_with_the_phrase_as_reason() -> None:
    result = run("Ik moet uiterlijk 15 januari mijn punten rond hebben. Hoeveel punten heb ik nodig voor "
                 "herregistratie?", Fake(POINTS))
    assert result.priority == "hoog" and any("15 januari" in r for r in result.reasons)


def test_a_date_in_a_quoted_earlier_message_does_not_make_it_urgent() -> None:
    body = ("Dank! Hoeveel punten heb ik nodig voor herregistratie?\n\nOp 2 dec. 2026 om 10:00 schreef Helpdesk "
            "<helpdesk@example.nl>:\n> Lever het uiterlijk 1 maart in.\n")
    assert run(body, Fake(POINTS)).priority == "normaal"


def test_an_auto_reply_asks_nothing() -> None:
    understand = Fake(POINTS)
    result = run("Ik ben afwezig tot en met 7 januari. Voor dringende zaken: bel de school.", understand,
                 subject="Automatisch antwoord: herregistratie")
    assert result.questions == () and result.category == "overig" and result.priority == "normaal"
    assert understand.asked == []


def test_a_thank_you_is_no_question() -> None:
    result = run("Het is gelukt, dank je wel!", Fake(("dank", "thank", 0.9)), subject="Re: inloggen")
    assert result.questions == () and result.category == "overig"


def test_costs_win_when_the_mail_is_about_money() -> None:
    understand = Fake(("kost", "ask_costs", 0.8), ("betaal", "ask_costs", 0.8), POINTS)
    mostly_money = run("Hoeveel punten heb ik nodig voor herregistratie? En wat kost het waarderingstraject van B&T? "
                       "Betaal ik dat zelf?", understand)
    assert mostly_money.category == "kosten"
    by_subject = run("Hoeveel punten heb ik nodig voor herregistratie? En wat kost het waarderingstraject van B&T?",
                     understand, subject="Wat kost het waarderingstraject?")
    assert by_subject.category == "kosten"
    # A side question about money weighs in with the mail's main subject.
    aside = run("Hoeveel punten heb ik nodig voor herregistratie? En wat kost het waarderingstraject van B&T?",
                understand)
    assert aside.category == "herregistratie en punten"


def test_keywords_with_a_typo_and_a_change_of_own_data_go_to_account() -> None:
    nothing = Fake()
    assert run("Ik kan niet in mijn acount komen, wat nu?", nothing).category == "account en inloggen"
    changed = run("Kunt u mijn e-mailadres in het register wijzigen naar a@b.example.nl?", nothing)
    assert changed.category == "account en inloggen" and "eigen gegevens wijzigen" in changed.reasons[0]
    assert run("Telt verandermanagement voor mijn naam?", nothing).category != "account en inloggen"


def test_a_question_that_points_back_is_read_again_with_the_sentence_before_it() -> None:
    understand = Fake(("certificaat+uploaden", "ask_certificate_upload", 0.8), ("waar doe ik dat", "ask_capabilities", 0.9))
    result = run("Ik moet op tijd klaar zijn maar ik weet niet hoe ik mijn certificaat moet uploaden. Waar doe ik dat?",
                 understand)
    [q] = result.questions
    assert q.intent == "ask_certificate_upload" and q.status == DRAFT
    assert understand.asked[-1].startswith("Ik weet niet hoe ik mijn certificaat moet uploaden.")
    # An unsure second reading does not replace the first.
    unsure = Fake(("certificaat+uploaden", "ask_certificate_upload", 0.5), ("waar doe ik dat", "ask_capabilities", 0.9))
    [q] = run("Ik weet niet hoe ik mijn certificaat moet uploaden. Waar doe ik dat?", unsure).questions
    assert q.intent == "ask_capabilities" and q.status == OUTSIDE


def test_a_newsletter_is_no_question_and_its_date_no_deadline() -> None:
    body = ("Nog even en de inschrijving sluit op 12 december! Bekijk het programma: https://x.example.com\n\n"
            "U ontvangt deze nieuwsbrief omdat u zich heeft aangemeld. Afmelden? Klik hier.")
    result = run(body, Fake(POINTS), subject="Congres voor schoolleiders")
    assert result.questions == () and result.category == "overig" and result.priority == "normaal"
    assert any("nieuwsbrief" in r for r in result.reasons)


def test_the_json_is_complete_and_plain() -> None:
    result = run("Hoeveel punten heb ik nodig voor herregistratie?", Fake(POINTS))
    data = result.to_json()
    assert set(data) >= {"category", "priority", "reasons", "questions", "sender_match", "reply", "text"}
    assert data["questions"][0]["status"] == "concept" and data["questions"][0]["sources"]
    assert data["questions"][0]["topic"] == "Hoeveel punten heb ik nodig?"
    assert replace(result, reply=None).to_json()["reply"] is None


def test_the_facet_is_what_the_question_asks_of_its_subject() -> None:
    result = run("Wat kost leerKRACHT jaar-1?", Fake(("kost", "ask_costs", 0.9)))
    assert result.to_json()["questions"][0]["facet"] == "Kosten"


def test_the_understanding_reads_the_question_without_the_letters_wrapping() -> None:
    understand = Fake(POINTS)
    run("Geachte heer/mevrouw,\n\nKunt u mij laten weten hoeveel punten ik nodig heb voor herregistratie?", understand)
    assert understand.asked[-1] == "Hoeveel punten ik nodig heb voor herregistratie?"


def test_an_unsure_reading_is_drafted_when_the_questions_form_and_the_mails_programme_agree() -> None:
    unsure = Fake(("punten", "ask_activity_points", 0.45))
    result = run("Ik doe mee aan leerKRACHT jaar-1. Hoeveel punten levert dat op?", unsure)
    assert result.questions[0].status == DRAFT and "70 punten" in (result.questions[0].draft or "")
    # Without a programme, or with a form that asks something else, it stays with a person.
    assert run("Hoeveel punten levert dat op?", unsure, subject="vraag").questions[0].status == OUTSIDE
    other = Fake(("punten", "ask_costs", 0.45))
    assert run("Ik doe mee aan leerKRACHT jaar-1. Hoeveel punten levert dat op?", other).questions[0].status == OUTSIDE


def test_an_employment_matter_is_not_the_registers_and_goes_to_overig() -> None:
    understand = Fake(("salaris", "ask_outside_sources", 0.7))
    result = run("Word ik als geregistreerde directeur hoger ingeschaald in mijn salaris?", understand)
    [q] = result.questions
    assert q.status == OUTSIDE and "salaris" in q.reason
    assert result.category == "overig"
    # The register's own matter with the same keyword stays where it belongs.
    assert run("Hoe kan ik me registreren als RADO?", Fake()).category == "registratie"


def test_an_answer_that_says_the_sources_are_silent_is_no_draft_but_the_plain_levels_question_is() -> None:
    """The chat may answer 'wat houden de leerniveaus in' with the points per level and 'de bronnen leggen dat
    niet uit'; an e-mail asking the same gets a person (Answer.complete is False), the points per level a draft."""
    understand = Fake(("niveau", "ask_learning_levels", 0.95))
    meaning = run("Wat houdt leerniveau 5 precies in?", understand).questions[0]
    assert meaning.status == OUTSIDE and meaning.draft is None and "zelf niet" in meaning.reason
    points = run("Hoeveel punten levert leerniveau 5 op?", understand).questions[0]
    assert points.status == DRAFT and "20" in (points.draft or "")


def test_the_subject_line_is_the_senders_label_when_the_mail_bears_it_out() -> None:
    """The questions alone read as points; the subject and the body say it is about a valuation."""
    understand = Fake(("punten", "ask_activity_points", 0.9), ("beoordeeld", "ask_my_progress", 0.9))
    body = ("Goedemiddag,\n\nIk heb in september mijn waardering ingestuurd. Is die al beoordeeld? En hoeveel "
            "punten levert hij op?\n\nGroet, Kees")
    labelled = run(body, understand, subject="Mijn waardering")
    assert labelled.category == "certificaat of waardering"
    assert any("onderwerpregel" in r for r in labelled.reasons)
    plain = run(body, understand, subject="Vraag")
    assert plain.category == "herregistratie en punten"
