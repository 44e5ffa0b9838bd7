"""Triage table, the form's input checks, scrubbing, service level (pure functions)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.helpdesk import (
    CATEGORIES, check_consent, check_email, check_question, check_registratienummer, load_service_level, scrub,
    triage,
)

TODAY = date(2026, 11, 23)  # a Monday
FAR = TODAY + timedelta(days=400)


def test_categories_are_exactly_the_issue_labels() -> None:
    assert CATEGORIES == ("registratie", "herregistratie en punten", "certificaat of waardering",
                          "account en inloggen", "uitstel of bezwaar", "kosten", "overig")


@pytest.mark.parametrize("question, intent, category", [
    ("Wat kost de registratie eigenlijk?", "ask_costs", "kosten"),
    ("Hoeveel punten heb ik nog nodig?", "ask_points_needed", "herregistratie en punten"),
    ("Hoe ver ben ik?", "ask_my_progress", "herregistratie en punten"),
    ("Wanneer moet ik herregistreren?", "ask_herregistratie", "herregistratie en punten"),
    ("Hoe werkt de waardering achteraf?", "ask_valuation_steps", "certificaat of waardering"),
    ("Waar upload ik dat?", "ask_certificate_upload", "certificaat of waardering"),
    ("Welke soorten registratie zijn er?", "ask_registration_types", "registratie"),
    ("Welke route past bij mij?", "ask_routes", "herregistratie en punten"),
    ("Ik kan niet inloggen", "nlu_fallback", "account en inloggen"),
    ("Mijn wachtwoord werkt niet meer", None, "account en inloggen"),
    ("Mijn account is geblokkeerd", "ask_outside_sources", "account en inloggen"),
    ("Ik kan niet inloggen om mijn certificaat te uploaden", "ask_certificate_upload", "account en inloggen"),
    ("Kan ik uitstel krijgen?", "ask_outside_sources", "uitstel of bezwaar"),
    ("Ik wil bezwaar maken", None, "uitstel of bezwaar"),
    ("Mijn waardering is afgewezen", "ask_valuation", "uitstel of bezwaar"),
    ("Ik ben het niet eens met de beslissing", None, "uitstel of bezwaar"),
    ("Moet ik betalen voor de registratie?", None, "kosten"),
    ("Waar staat mijn certificaat?", None, "certificaat of waardering"),
    ("Tellen mijn punten voor dit thema?", None, "herregistratie en punten"),
    ("Hoe kan ik me inschrijven als RADO?", None, "registratie"),
    ("Wie zit er in het bestuur?", "ask_organisation", "overig"),
    ("Hallo daar", None, "overig"),
    ("Iets heel anders", "nlu_fallback", "overig"),
])
def test_category(question: str, intent: str | None, category: str) -> None:
    result = triage(question, intent, None, TODAY)
    assert result.category == category
    assert result.priority == "normaal"
    assert result.reasons and category in result.reasons[0]


@pytest.mark.parametrize("days, priority", [(0, "hoog"), (1, "hoog"), (55, "hoog"), (56, "hoog"), (57, "normaal"),
                                           (400, "normaal"), (-3, "hoog")])
def test_priority_from_period_end(days: int, priority: str) -> None:
    result = triage("Hoeveel punten heb ik nog nodig?", "ask_points_needed", TODAY + timedelta(days=days), TODAY)
    assert result.priority == priority
    assert any("periode" in r for r in result.reasons)


@pytest.mark.parametrize("question", [
    "Ik moet dit voor 1 maart regelen", "Kan het voor 15-12-2026?", "Wat is de deadline?",
    "Ik moet het uiterlijk vrijdag weten", "Mijn registratie verloopt binnenkort", "Ik heb morgen een gesprek",
    "Ik hoor het graag volgende week", "Lukt dat nog op tijd?", "Het moet voor vrijdag", "Kan dit 2027-01-31?",
    "Dit is dringend",
])
def test_deadline_words_make_it_urgent(question: str) -> None:
    result = triage(question, None, FAR, TODAY)
    assert result.priority == "hoog"
    assert any("termijn" in r for r in result.reasons)


@pytest.mark.parametrize("question", ["Ik heb 100 punten", "Mijn nummer is 100234", "Wat is 10.000 euro?",
                                      "Thema 3 op niveau 5"])
def test_no_false_deadline(question: str) -> None:
    assert triage(question, None, FAR, TODAY).priority == "normaal"


@given(st.text(max_size=300), st.sampled_from([None, "ask_costs", "greet", "ask_valuation", "onzin"]),
       st.one_of(st.none(), st.dates()))
@settings(max_examples=200, deadline=None)
def test_triage_is_total(question: str, intent: str | None, period_end: date | None) -> None:
    result = triage(question, intent, period_end, TODAY)
    assert result.category in CATEGORIES
    assert result.priority in ("hoog", "normaal")
    assert result.reasons


# -- checks -------------------------------------------------------------------------------------------
def test_question_ok_and_cleaned() -> None:
    check = check_question("  Waar   staat mijn\tcertificaat?  ")
    assert check.ok and check.value == "Waar staat mijn certificaat?"


@pytest.mark.parametrize("text, fragment", [
    ("", "nog geen vraag"), ("   \n\t ", "nog geen vraag"), ("1234 !!! ???", "geen woorden"),
    ("a" * 10_000, "Je vraag is te lang (10.000 tekens). Maak hem korter dan 2.000 tekens"),
    ("<script>alert('x')</script> Mijn vraag", "zonder HTML-code"),
    ("Mijn vraag <b>vet</b>", "zonder HTML-code"), ("klik javascript:alert(1)", "zonder HTML-code"),
    ('<img src=x onerror="alert(1)">', "zonder HTML-code"),
])
def test_question_prompts(text: str, fragment: str) -> None:
    check = check_question(text)
    assert not check.ok and check.value is None
    assert check.prompt is not None and fragment in check.prompt


@pytest.mark.parametrize("text", ["ja", "Ja!", "ok", "oké", "nee", "help", "Help?", "ja graag", " JA . ", "helpdesk"])
def test_a_bare_reply_is_not_the_question(text: str) -> None:
    # "Wat is je vraag voor de helpdesk?" - "ja": ask again for the question itself.
    check = check_question(text)
    assert not check.ok and check.value is None
    assert check.prompt is not None and "je vraag zelf nog nodig" in check.prompt


@pytest.mark.parametrize("text", ["Ja, mijn certificaat ontbreekt", "Help, mijn punten zijn weg", "nee niet alles telt mee?"])
def test_a_question_that_starts_with_a_bare_word_is_taken(text: str) -> None:
    assert check_question(text).ok


def test_question_at_the_limit() -> None:
    assert check_question("a" * 2000).ok
    assert not check_question("a" * 2001).ok
    assert check_question("Is 3 < 5 punten genoeg?").ok  # a lone < is not HTML


@pytest.mark.parametrize("text, cleaned", [
    ("Anna@School.NL", "Anna@school.nl"), (" anna.de-vries+rw@mail.school.nl ", "anna.de-vries+rw@mail.school.nl"),
    ("<anna@school.nl>", "anna@school.nl"), ("mailto:anna@school.nl", "anna@school.nl"),
])
def test_email_ok(text: str, cleaned: str) -> None:
    check = check_email(text)
    assert check.ok and check.value == cleaned


@pytest.mark.parametrize("text", ["", "anna", "anna@", "@school.nl", "anna@school", "anna@@school.nl",
                                  "anna school@x.nl", "anna..x@school.nl", ".anna@school.nl", "anna@-school.nl",
                                  "anna@school.n", "anna@school.123", "a" * 65 + "@school.nl",
                                  "anna@" + "a" * 250 + ".nl", "anna@school.nl<script>"])
def test_email_prompts(text: str) -> None:
    check = check_email(text)
    assert not check.ok and check.prompt is not None
    assert "naam@school.nl" in check.prompt


@given(st.from_regex(r"[a-z0-9]{1,20}(\.[a-z0-9]{1,10})?@[a-z0-9]{1,20}\.(nl|com|org)", fullmatch=True))
def test_email_property_valid_addresses_pass(address: str) -> None:
    check = check_email(address.upper())
    assert check.ok and check.value is not None
    local, domain = check.value.split("@")
    assert domain == domain.lower() and len(check.value) <= 254


@given(st.text(max_size=300))
def test_checks_never_crash(text: str) -> None:
    for check in (check_question(text), check_email(text), check_registratienummer(text), check_consent(text)):
        assert check.ok == (check.prompt is None)
        assert check.ok or check.value is None


@pytest.mark.parametrize("text, value", [("100234", "100234"), (" 100 234 ", "100234"), ("10.02.34", "100234"),
                                         ("1234567890", "1234567890")])
def test_registratienummer_ok(text: str, value: str) -> None:
    assert check_registratienummer(text).value == value


@pytest.mark.parametrize("text", ["", "12345", "12345678901", "abc123", "10023x"])
def test_registratienummer_prompts(text: str) -> None:
    check = check_registratienummer(text)
    assert not check.ok and check.prompt and "6 tot 10" in check.prompt


@pytest.mark.parametrize("text, value", [
    ("ja", True), ("Ja hoor!", True), ("prima", True), ("akkoord", True), ("oké", True), ("geen probleem", True),
    ("/affirm", True), ("nee", False), ("Nee, liever niet.", False), ("niet akkoord", False), ("/deny", False),
    ("geen toestemming", False),
])
def test_consent(text: str, value: bool) -> None:
    check = check_consent(text)
    assert check.ok and check.value is value


@pytest.mark.parametrize("text", ["", "misschien", "ja nee", "wat bedoel je?"])
def test_consent_unclear(text: str) -> None:
    check = check_consent(text)
    assert not check.ok and check.value is None and check.prompt and "'ja' of 'nee'" in check.prompt


# -- scrubbing -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("Mijn nummer is 100234", "mijn nummer is [nummer]"),
    ("nummer 100 234 en 10.02.34", "nummer [nummer] en [nummer]"),
    ("Mail Anna.de.Vries@School.nl aub", "mail [e-mail] aub"),
    ("bel 06-12345678 of +31 6 1234 5678 of 020-1234567", "bel [telefoon] of [telefoon] of [telefoon]"),
    ("ik woon in 1234 AB en 3511ab", "ik woon in [postcode] en [postcode]"),
    ("zie https://portal.example.nl/login?token=abc123&id=9 hier", "zie [url] hier"),
    ("zie https://www.schoolleidersregisterpo.nl/faq", "zie https://www.schoolleidersregisterpo.nl/faq"),
    ("  Hoeveel   PUNTEN\n heb ik in 2026 nodig?  ", "hoeveel punten heb ik in 2026 nodig?"),
])
def test_scrub(text: str, expected: str) -> None:
    assert scrub(text) == expected


@given(st.from_regex(r"\d{6,10}", fullmatch=True), st.from_regex(r"[a-z]{1,10}@[a-z]{1,10}\.nl", fullmatch=True))
def test_scrub_property_no_numbers_or_addresses_survive(number: str, address: str) -> None:
    out = scrub(f"Ik ben {number}, mail {address} alstublieft")
    assert number not in out and address not in out and "@" not in out


# -- service level --------------------------------------------------------------------------------------
def test_werkdagen_skip_weekends() -> None:
    level = load_service_level()
    assert level.response_werkdagen == {"hoog": 1, "normaal": 3}
    assert level.expected_by("hoog", date(2026, 11, 23)) == date(2026, 11, 24)   # Mon → Tue
    assert level.expected_by("normaal", date(2026, 11, 26)) == date(2026, 12, 1)  # Thu → Tue
    assert level.expected_by("hoog", date(2026, 11, 27)) == date(2026, 11, 30)   # Fri → Mon
    assert level.expected_by("hoog", date(2026, 11, 28)) == date(2026, 11, 30)   # Sat → Mon
    assert level.expected_by("hoog", date(2026, 12, 24)) == date(2026, 12, 28)   # Christmas skipped


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 1, 1)), st.sampled_from(["hoog", "normaal"]))
def test_expected_date_is_a_working_day_after_creation(day: date, priority: str) -> None:
    level = load_service_level()
    expected = level.expected_by(priority, day)
    assert expected > day and expected.weekday() < 5
    assert (expected - day).days <= level.response_werkdagen[priority] * 3 + 4


@pytest.mark.parametrize(("text", "expected"), [
    ("Vraag over mijn registratieperiode", ("herregistratie en punten",)),  # one word, one category
    ("Wanneer verloopt mijn registratie?", ("herregistratie en punten", "registratie")),
    ("Certificaat uploaden en de kosten", ("kosten", "certificaat of waardering")),
    ("Goedemorgen", ()),
])
def test_categories_named_counts_each_word_once(text: str, expected: tuple[str, ...]) -> None:
    from bot.helpdesk.triage import categories_named

    assert categories_named(text) == expected


@pytest.mark.parametrize(("subject", "body", "questions", "expected"), [
    # the sender's own label, borne out by the body
    ("Mijn waardering van afgelopen voorjaar", "Ik heb een waardering ingediend. Is die al bekeken?",
     ["Is die al bekeken?"], "certificaat of waardering"),
    ("Registratie als nieuwe directeur", "Hoe kan ik mij registreren? En wat kost dat?",
     ["Hoe kan ik mij registreren?", "En wat kost dat?"], "registratie"),
    # not borne out by the body
    ("Waardering", "Hoeveel punten heb ik nodig?", ["Hoeveel punten heb ik nodig?"], None),
    # a subject naming two topics, or a loose word, labels nothing
    ("Verloopt mijn registratie?", "Mijn registratie loopt tot volgend jaar. Wat nu?", ["Wat nu?"], None),
    ("Aanmelding", "Hoe meld ik mij aan voor de opleiding?", ["Hoe meld ik mij aan voor de opleiding?"], None),
    # the questions all speak, in their own words, of another topic
    ("Pas geregistreerd", "Ik ben pas geregistreerd. Hoeveel punten moet ik halen voor mijn herregistratie?",
     ["Hoeveel punten moet ik halen voor mijn herregistratie?"], None),
])
def test_the_subject_line_labels_the_mail_only_when_the_mail_bears_it_out(
        subject: str, body: str, questions: list[str], expected: str | None) -> None:
    from bot.helpdesk.triage import subject_label

    label = subject_label(subject, body, questions)
    assert (label[0] if label else None) == expected
    if label:
        assert "onderwerpregel" in label[1]
