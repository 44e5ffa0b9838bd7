"""Personal answers computed by the rules module over a stored dossier (records stand in for the store)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot import progress
from bot.register import Dossier, ProgrammeActivity, RuleBook, ValuationActivity

TODAY = date(2026, 11, 22)


@dataclass(frozen=True)
class Leader:
    registratienummer: str = "100234"
    name: str = "Anna de Vries"
    registration_type: str = "RDO"
    level: str | None = None
    period_start: date = date(2023, 3, 1)
    period_end: date = date(2027, 3, 1)


@dataclass(frozen=True)
class Act:
    kind: str
    completed_on: date
    status: str
    programme: str | None = None
    themes: tuple[str, ...] = field(default_factory=tuple)
    learning_level: int | None = None
    diploma: str | None = None


LK1 = Act("programme", date(2024, 6, 1), "goedgekeurd", programme="leerkracht-jaar-1")
PENDING = Act("valuation", date(2026, 9, 1), "ingediend", themes=("kwaliteitsmanagement",), learning_level=5)


def personal(*pending: Act, leader: Leader = Leader()) -> progress.Personal:
    approved = Dossier((ProgrammeActivity("leerkracht-jaar-1", LK1.completed_on),), "RDO", None, leader.period_start)
    return progress.Personal(leader, approved, tuple(pending), (LK1, *pending))


def test_progress_counts_only_approved_and_shows_pending_apart(book: RuleBook) -> None:
    text = progress.progress(book, personal(PENDING), TODAY).text
    assert "70 (leerKRACHT jaar-1) = 70 van de 100; je mist nog 30 punten." in text
    assert "Nog niet meegeteld, want nog niet goedgekeurd: waardering Kwaliteitsmanagement op niveau 5 (ingediend)." in text
    assert "1 thema op niveau 6 (30 punten)" in text


def test_deadline(book: RuleBook) -> None:
    text = progress.deadline(book, personal(), TODAY).text
    assert "Je herregistreert uiterlijk op 1 maart 2027: dat is over 99 dagen." in text
    assert "Je mist nog 30 punten." in text


def test_dossier_lists_every_activity_with_status(book: RuleBook) -> None:
    text = progress.dossier(book, personal(PENDING), TODAY).text
    assert text.startswith("Dossier van Anna de Vries (100234), RDO.")
    assert "- leerKRACHT jaar-1, 1 juni 2024: goedgekeurd" in text
    assert "- waardering Kwaliteitsmanagement op niveau 5, 1 september 2026: ingediend" in text
    # The themes the approved activities cover, from the rules data (LK1's six).
    covered = text.split("Thema's die je hiermee al hebt afgedekt: ")[1].split(".")[0]
    assert "Persoonlijk leiderschap" in covered and "Verandermanagement" in covered and covered.count(",") == 5


def test_what_if_adds_to_the_stored_dossier(book: RuleBook) -> None:
    text = progress.what_if(book, personal(), "wat als ik nog een thema op niveau 6 laat waarderen", [], TODAY).text
    assert "kom je van 70 op 100 van de 100 punten (+30). Je hebt genoeg punten." in text


def test_suggestion_offers_programmes_for_missing_themes(book: RuleBook) -> None:
    text = progress.suggestion(book, personal(), TODAY).text
    assert "het leerKRACHT Schoolleidersprogramma, 35 punten: Visiegestuurd onderwijs" in text
    assert "- leerKRACHT jaar-1" not in text  # already done, so not suggested again


def test_start_warning_only_when_soon_and_short(book: RuleBook) -> None:
    assert progress.start_warning(book, personal(), TODAY) == (
        "Let op: je periode eindigt op 1 maart 2027 en je mist nog 30 punten. Vraag gerust wat je nog kunt doen."
    )
    far = Leader(period_end=date(2029, 3, 1))
    assert progress.start_warning(book, personal(leader=far), TODAY) is None
    full = progress.Personal(Leader(), Dossier((ProgrammeActivity("leerkracht-jaar-1"), ValuationActivity(level=6)),
                                               "RDO"), (), ())
    assert progress.start_warning(book, full, TODAY) is None


def test_other_leader_numbers_are_noticed() -> None:
    assert progress.mentions_other_leader("laat de punten van 100235 zien", "100234")
    assert not progress.mentions_other_leader("mijn nummer is 100234", "100234")
    assert not progress.mentions_other_leader("hoeveel punten heb ik", "100234")


def test_personal_note_for_general_answers(book: RuleBook) -> None:
    assert progress.personal_note(book, personal(), TODAY) == (
        "Voor jou: je hebt nu 70 van de 100 punten, je mist nog 30 punten; je herregistreert uiterlijk op 1 maart 2027."
    )
