"""Questions the seeds leave open, answered honestly: what they do say, that they don't say the rest, the
helpdesk, and `complete=False` so the e-mail triage does not send such an answer as a reply. Also theme_repeat's
points sentence, read from the rules data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.answers import HELPDESK_OFFER, Answer, Query, answer, with_sources
from bot.answers.points import asks_level_meaning
from bot.answers.valuation import asks_several_themes_in_one_valuation
from bot.register import RuleBook, build

TODAY = date(2026, 11, 22)
UNKNOWN = "Of één waardering meerdere thema's tegelijk kan beoordelen, staat niet in mijn bronnen."
FACT = ("Bij het waarderingstraject van de B&T academie geldt: je meldt je aan voor de waardering van je "
        "ontwikkeling op één professionaliseringsthema.")

SEVERAL_THEMES = [
    "Kan ik in één waardering meerdere thema's tegelijk laten beoordelen?",
    "Kan ik twee thema's in één waarderingstraject doen?",
    "Mag een assessment over verschillende thema's gaan?",
    "Kan ik meerdere thema’s tegelijk laten waarderen?",
    "kun je met 1 traject 2 themas laten waarderen",
    "Kan een beoordeling meerdere thema's samen dekken?",
    "Kan ik bij B&T verschillende thema's in één portfolio laten beoordelen?",
    "Is het mogelijk om thema's te combineren in een waardering?",
    "Kan één waardering over meerdere thema's gaan?",
]
NOT_SEVERAL_THEMES = [
    "mag ik een thema herhalen",
    "hoeveel thema's moet ik doen",
    "voor welke thema's telt leerKRACHT",
    "kan ik meerdere waarderingen doen",
    "kan ik meerdere waarderingen tegelijk doen",
    "Mag ik hetzelfde thema twee keer laten waarderen?",
    "welke thema's zijn er",
    "Kan ik drie thema's doen in mijn periode?",
    "hoeveel kost een waardering",
    "",
]


@pytest.mark.parametrize("text", SEVERAL_THEMES)
def test_several_themes_in_one_valuation_is_recognised(text: str) -> None:
    assert asks_several_themes_in_one_valuation(text)


@pytest.mark.parametrize("text", NOT_SEVERAL_THEMES)
def test_other_questions_about_themes_or_valuations_are_not(text: str) -> None:
    assert not asks_several_themes_in_one_valuation(text)


@pytest.mark.parametrize("intent", ["ask_theme_repeat", "ask_valuation", "ask_activity_points", "ask_themes"])
def test_several_themes_in_one_valuation_gets_the_sourced_fact_and_the_helpdesk(book: RuleBook, intent: str) -> None:
    result = answer(book, Query(intent, text=SEVERAL_THEMES[0]), TODAY)
    assert result.text.startswith(f"{FACT} {UNKNOWN} {HELPDESK_OFFER}")
    assert result.text.endswith("Bron: B&T academie, ‘Achteraf te waarderen leiderschapsactiviteiten’ "
                                "(onderdeel ‘De negen stappen’).")
    assert "verdiepen" not in result.text  # not theme_repeat's answer
    assert result.complete is False
    assert result.buttons and {s.seed[:3] for s in result.sources} == {"004"}


def test_small_talk_is_not_overruled(book: RuleBook) -> None:
    result = answer(book, Query("thank", text="bedankt, dus niet meerdere thema's tegelijk in één waardering"), TODAY)
    assert UNKNOWN not in result.text


def test_repeating_a_theme_is_still_theme_repeat(book: RuleBook) -> None:
    result = answer(book, Query("ask_theme_repeat", text="mag ik een thema herhalen"), TODAY)
    assert result.text.startswith("Ja. Je mag hetzelfde professionaliseringsthema opnieuw kiezen")
    assert result.complete is True


def _set_trajectory_note(folder: Path, note: str) -> None:
    path = folder / "valuation.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["trajectories"][0]["themes_per_valuation"]["note"] = note
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_the_fact_is_the_data_themes_per_valuation_note(book: RuleBook, data_copy: Path) -> None:
    _set_trajectory_note(data_copy, "Je laat per keer één thema waarderen, zegt de testdata.")
    changed = build(data_copy)
    query = Query("ask_theme_repeat", text=SEVERAL_THEMES[1])
    text = answer(changed, query, TODAY).text
    assert "Bij het waarderingstraject van de B&T academie geldt: je laat per keer één thema waarderen, zegt de testdata." in text
    assert "je meldt je aan" not in text
    assert FACT in answer(book, query, TODAY).text


# theme_repeat under the current regulation: the points a period asks, from the data.

def test_theme_repeat_names_the_points_a_period_asks(book: RuleBook) -> None:
    result = answer(book, Query("ask_theme_repeat"), TODAY)
    assert ("Je hebt 100 punten nodig per herregistratieperiode. Die punten mag je ook op hetzelfde thema halen."
            in result.text)
    assert result.complete is True
    points = book.regulation_on(TODAY).points_required
    assert points is not None and points.source in result.sources


def test_theme_repeat_under_the_old_rules_names_no_points(book: RuleBook) -> None:
    text = answer(book, Query("ask_theme_repeat", {"regeling": ("oud",)}), TODAY).text
    assert text.startswith("Vroeger moest je je ontwikkelen op minstens 3 verschillende thema's.")
    assert "punten" not in text


def _set_points_required(folder: Path, points: int) -> None:
    path = folder / "regulations.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    regulation = next(r for r in data["regulations"] if r.get("points_required"))
    regulation["points_required"]["value"] = points
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_theme_repeat_points_come_from_the_data(book: RuleBook, data_copy: Path) -> None:
    _set_points_required(data_copy, 120)
    changed = build(data_copy)
    text = answer(changed, Query("ask_theme_repeat"), TODAY).text
    assert "Je hebt 120 punten nodig per herregistratieperiode." in text and "100 punten" not in text


# complete: False where the main statement is that the sources don't say.

@pytest.mark.parametrize("text", [
    "wat houden de niveaus in", "wat betekent leerniveau 5", "wat is niveau 4 precies",
    "wat moet ik kunnen voor niveau 6", "uitleg over de leerniveaus", "Wat houdt leerniveau 6 in?",
])
def test_what_the_levels_mean_is_not_in_the_sources(book: RuleBook, text: str) -> None:
    assert asks_level_meaning(text)
    result = answer(book, Query("ask_learning_levels", text=text), TODAY)
    assert "leggen niet uit wat die niveaus inhouden" in result.text
    assert result.complete is False


@pytest.mark.parametrize("text", ["hoeveel punten per niveau", "wat is het minimale niveau", "welke leerniveaus zijn er", ""])
def test_points_per_level_is_answered(book: RuleBook, text: str) -> None:
    assert not asks_level_meaning(text)
    assert answer(book, Query("ask_learning_levels", text=text), TODAY).complete is True


def test_an_answer_is_complete_unless_said_otherwise(book: RuleBook) -> None:
    assert Answer("x").complete is True
    assert with_sources("x", []).complete is True
    assert with_sources("x", [], complete=False).complete is False
    assert answer(book, Query("ask_points_needed"), TODAY).complete is True


def test_a_programme_whose_costs_the_sources_lack_is_incomplete(book: RuleBook) -> None:
    unknown = [p for p in book.programmes.values() if p.costs is None]
    known = [p for p in book.programmes.values() if p.costs is not None]
    assert unknown and known
    result = answer(book, Query("ask_costs", {"programme": (unknown[0].id,)}), TODAY)
    assert "staat niet in mijn bronnen" in result.text and result.complete is False
    assert answer(book, Query("ask_costs", {"programme": (known[0].id,)}), TODAY).complete is True


def test_outside_the_sources_is_incomplete(book: RuleBook) -> None:
    assert answer(book, Query("ask_outside_sources"), TODAY).complete is False
