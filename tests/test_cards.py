"""Issue 19: the personal overview's figures (bot.progress.overview), its attachment for the widget and
REST, and the Teams Adaptive Card (bot.cards)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from bot import cards, progress
from bot.register import Dossier, ProgrammeActivity, RuleBook

from test_progress import LK1, PENDING, TODAY, Leader, personal

# What Adaptive Cards 1.5 defines and this card may use (https://adaptivecards.io/explorer/).
ELEMENTS = {"TextBlock", "ColumnSet", "FactSet"}
TEXT_KEYS = {"type", "text", "wrap", "size", "weight", "spacing", "isSubtle"}
SIZES, WEIGHTS = {"Small", "Default", "Medium", "Large", "ExtraLarge"}, {"Lighter", "Default", "Bolder"}
SPACINGS = {"None", "Small", "Default", "Medium", "Large", "ExtraLarge", "Padding"}
STYLES = {"default", "emphasis", "good", "attention", "warning", "accent"}


def overview(book: RuleBook, today: date = TODAY, **leader: Any) -> progress.Overview:
    return progress.overview(book, personal(PENDING, leader=Leader(**leader)), today)


def test_overview_counts_approved_points_only(book: RuleBook) -> None:
    figures = overview(book)
    expected = progress.evaluate(book, personal(PENDING), TODAY)
    assert (figures.unit, figures.done, figures.required) == ("punten", 70, expected.points_required)
    assert not figures.complete and figures.via is None
    assert (figures.period_start, figures.deadline, figures.today) == (date(2023, 3, 1), date(2027, 3, 1), TODAY)


def test_overview_counts_themes_under_the_themes_regulation(book: RuleBook) -> None:
    """A period under the rules before 17 November 2020 counts themes, not points."""
    leader = Leader(period_start=date(2017, 3, 1), period_end=date(2021, 3, 1))
    approved = Dossier((ProgrammeActivity("leerkracht-jaar-1", date(2019, 6, 1)),), "RDO", None, leader.period_start)
    today = date(2020, 11, 1)
    figures = progress.overview(book, progress.Personal(leader, approved, (), (LK1,)), today)
    ev = progress.evaluate(book, progress.Personal(leader, approved, (), (LK1,)), today)
    assert figures.unit == "themas" and figures.required == ev.themes_required is not None
    assert figures.done == sum(1 for c in ev.themes_covered if c.full)
    attachment = cards.overview_attachment(figures)
    assert attachment["payload"]["progress"]["label"] == "Thema's voor je herregistratie"
    assert attachment["payload"]["progress"]["text"] == f"{figures.done} van de {figures.required} thema's"


def test_attachment_has_the_figures_and_dutch_labels(book: RuleBook) -> None:
    figures = replace(overview(book), required=100)
    attachment = cards.overview_attachment(figures)
    assert attachment["type"] == cards.OVERVIEW_TYPE
    payload = attachment["payload"]
    assert payload["title"] == "Jouw overzicht"
    assert payload["progress"] == {"label": "Punten voor je herregistratie", "unit": "punten", "value": 70,
                                   "max": 100, "text": "70 van de 100 punten", "status": "Je mist nog 30 punten."}
    period = payload["period"]
    assert (period["start"], period["end"], period["today"]) == ("2023-03-01", "2027-03-01", "2026-11-22")
    assert period["start_text"] == "Begin: 1 maart 2023"
    assert period["end_text"] == "Uiterlijk herregistreren: 1 maart 2027"
    assert period["today_text"] == "Vandaag: 22 november 2026" and period["today_mark"] == "vandaag"
    assert period["remaining"] == "Nog ongeveer 3 maanden."
    assert period["elapsed"] == pytest.approx(1362 / 1461, abs=1e-4)
    assert payload["summary"] == ("Je hebt 70 van de 100 punten. Je mist nog 30 punten. "
                                  "Je herregistreert uiterlijk op 1 maart 2027: nog ongeveer 3 maanden.")
    assert json.loads(json.dumps(attachment)) == attachment  # JSON-ready, as it crosses to Rasa


@pytest.mark.parametrize(("days", "words"), [
    (-1, "je periode is verlopen op 1 maart 2027"), (0, "vandaag is je laatste dag"), (1, "nog 1 dag"),
    (45, "nog 45 dagen"), (99, "nog ongeveer 3 maanden"), (400, "nog ongeveer 13 maanden"),
    (1096, "nog ongeveer 3 jaar"), (800, "nog ongeveer 2 jaar en 2 maanden"), (760, "nog ongeveer 2 jaar en 1 maand"),
])
def test_remaining_time_in_words(days: int, words: str) -> None:
    deadline = date(2027, 3, 1)
    assert cards.remaining_text(date.fromordinal(deadline.toordinal() - days), deadline) == words


def test_complete_and_expired_and_singular() -> None:
    base = progress.Overview("punten", 120, 100, True, None, date(2023, 3, 1), date(2027, 3, 1), TODAY)
    assert cards.status_text(base) == "Je voldoet al aan de eisen."
    assert cards.status_text(replace(base, via="vakbekwaamheidsroute")).endswith("via de vakbekwaamheidsroute.")
    assert cards.status_text(replace(base, done=99, complete=False)) == "Je mist nog 1 punt."
    expired = replace(base, today=date(2027, 4, 1))
    assert cards.elapsed(expired) == 1.0
    assert cards.overview_attachment(expired)["payload"]["period"]["remaining"] == \
        "Je periode is verlopen op 1 maart 2027."
    assert cards.summary_text(expired).endswith("Je periode is verlopen op 1 maart 2027.")
    early = replace(base, today=date(2022, 1, 1))
    assert cards.elapsed(early) == 0.0
    unknown = replace(base, unit=None, done=None, required=None, complete=False)
    assert cards.overview_attachment(unknown)["payload"]["progress"] is None
    assert cards.adaptive_card(cards.overview_attachment(unknown)) is not None  # the timeline alone


def check_element(element: dict[str, Any]) -> None:
    kind = element["type"]
    assert kind in ELEMENTS, kind
    if kind == "TextBlock":
        assert set(element) <= TEXT_KEYS and isinstance(element["text"], str) and element["text"]
        assert element.get("size", "Default") in SIZES and element.get("weight", "Default") in WEIGHTS
    elif kind == "ColumnSet":
        assert element["columns"]
        for column in element["columns"]:
            assert column["type"] == "Column" and column["style"] in STYLES
            assert isinstance(column["width"], int) and column["width"] > 0 and column["items"] == []
        assert sum(c["width"] for c in element["columns"]) == 100
    else:
        assert all(set(f) == {"title", "value"} and isinstance(f["value"], str) for f in element["facts"])
    assert element.get("spacing", "Default") in SPACINGS


def test_adaptive_card_structure_and_figures(book: RuleBook) -> None:
    attachment = cards.overview_attachment(replace(overview(book), required=100))
    wrapped = cards.card_attachment(attachment)
    assert wrapped is not None and wrapped["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = wrapped["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert card["fallbackText"] == card["speak"] == attachment["payload"]["summary"]
    for element in card["body"]:
        check_element(element)
    texts = [e["text"] for e in card["body"] if e["type"] == "TextBlock"]
    assert texts == ["Jouw overzicht", "Punten voor je herregistratie", "70 van de 100 punten",
                     "Je mist nog 30 punten.", "Je periode"]
    bars = [e for e in card["body"] if e["type"] == "ColumnSet"]
    assert [c["width"] for c in bars[0]["columns"]] == [70, 30]
    assert [c["width"] for c in bars[1]["columns"]] == [93, 7]
    [facts] = [e["facts"] for e in card["body"] if e["type"] == "FactSet"]
    assert facts == [{"title": "Begin", "value": "1 maart 2023"}, {"title": "Vandaag", "value": "22 november 2026"},
                     {"title": "Uiterlijk herregistreren", "value": "1 maart 2027"},
                     {"title": "Nog te gaan", "value": "Nog ongeveer 3 maanden."}]
    assert json.loads(json.dumps(card)) == card


def test_a_full_bar_has_one_column_and_more_than_required_is_capped() -> None:
    figures = progress.Overview("punten", 130, 100, True, None, date(2023, 3, 1), date(2027, 3, 1), TODAY)
    card = cards.adaptive_card(cards.overview_attachment(figures))
    assert card is not None
    [bar, _] = [e for e in card["body"] if e["type"] == "ColumnSet"]
    assert [c["width"] for c in bar["columns"]] == [100]


@pytest.mark.parametrize("bad", [
    None, "tekst", {"type": "image", "payload": {}}, {"type": cards.OVERVIEW_TYPE},
    {"type": cards.OVERVIEW_TYPE, "payload": {"title": "x", "summary": "y", "progress": None, "period": None}},
    {"type": cards.OVERVIEW_TYPE, "payload": {"title": "x", "summary": "y", "progress": {"label": 1}, "period": {}}},
])
def test_anything_else_is_no_card(bad: object) -> None:
    assert cards.adaptive_card(bad) is None and cards.card_attachment(bad) is None
