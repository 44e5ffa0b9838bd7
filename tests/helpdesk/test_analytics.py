"""Analytics for the register (issue 20): unanswered questions of the chat and of e-mails grouped by topic
and by similar wording, with e-mail triage counts, the nearest text of the sources and a CSV export.

The questions here are our own examples (never from tests/triage_eval/ or tests/eval/)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from helpdesk_support import draft, fast_config

from bot.cli import main
from bot.helpdesk import Helpdesk
from bot.helpdesk.analytics import (
    CSV_FIELDS,
    NO_TEXT,
    QuestionGroup,
    csv_safe,
    similarity,
    stems,
    topic_of,
    unanswered_groups,
    unanswered_texts,
)
from bot.helpdesk.scrub import scrub, text_hash
from bot.register import load_rules
from bot.store import Store
from bot.store.models import Ticket, UnansweredQuestion

NOW = datetime.now(timezone.utc)
PET = ("mag ik mijn hond meenemen naar de opleiding?", "Mag mijn hond mee naar de opleidingen",
       "mag mijn hond mee naar de opleiding?")
DELAY = ("Hoe vraag ik uitstel aan?", "uitstel aanvragen, hoe doe ik dat?")
PLAN = "hoort bij de herregistratie een plan voor mijn ontwikkeling?"


def add(store: Store, text: str, intent: str | None = "nlu_fallback", source: str = "chat",
        days_ago: float = 0.0) -> None:
    clean = scrub(text)
    with store.database.session() as session, session.begin():
        session.add(UnansweredQuestion(text=clean, text_hash=text_hash(clean), intent=intent, source=source,
                                       created_at=NOW - timedelta(days=days_ago)))


def mail_ticket(store: Store, questions: list[dict[str, Any]], erased: bool = False) -> None:
    """An e-mail ticket with its triage (as `MailTriage.to_json` shapes it), or erased (triage NULL)."""
    number = Helpdesk(store, fast_config()).create_ticket(draft("Vraag per e-mail over mijn hond")).number
    triage = {"questions": [{"confidence": 0.5, "topic": None, "category": "overig", "reason": "", "draft": None,
                             "sources": [], **q} for q in questions], "category": "overig"}
    values: dict[str, Any] = {"channel": "email", "reason": "email", "triage": None if erased else triage}
    if erased:
        values["erased_at"] = NOW
    with store.database.session() as session, session.begin():
        session.execute(sa.update(Ticket).where(Ticket.number == number).values(**values))


@pytest.fixture
def store(sqlite_store: Store) -> Store:
    for text in PET:
        add(sqlite_store, text)
    add(sqlite_store, PET[2], source="email", days_ago=3)
    for text in DELAY:
        add(sqlite_store, text)
    add(sqlite_store, "kan ik uitstel krijgen voor mijn herregistratie?", "ask_outside_sources", source="email",
        days_ago=2)
    add(sqlite_store, "wat kost de opleiding?", "ask_costs", days_ago=10)
    add(sqlite_store, "Hoeveel kosten de opleidingen?", "ask_costs")
    add(sqlite_store, "Mijn kat is ziek, mag zij mee naar de opleiding?")
    add(sqlite_store, PLAN)
    add(sqlite_store, "=1+1 mag ik mijn hond meenemen naar de opleiding", "ask_costs")
    return sqlite_store


def group_with(groups: tuple[QuestionGroup, ...], text: str) -> QuestionGroup:
    found = [g for g in groups if g.question == text or text in g.examples]
    assert len(found) == 1, (text, groups)
    return found[0]


def test_dutch_wording_meets() -> None:
    assert stems("Mag mijn hond mee naar de opleidingen?") == stems("mag de hond mee naar de opleiding")
    assert stems("Hoeveel kosten de opleidingen?") == stems("wat kost de opleiding") == {"kost", "opleiding"}
    assert stems("De thema's van het programma") == stems("thema programma's")
    assert stems("betaalt de school het?") == stems("betalen de scholen dat")
    assert stems("wat is het [nummer] van [e-mail]?") == frozenset()
    assert similarity(stems("uitstel aanvragen"), stems("hoe vraag ik uitstel aan")) == 0.5
    assert similarity(frozenset(), frozenset()) == 0.0


def test_topics() -> None:
    assert topic_of("ask_costs", "wat kost het?") == "Kosten"
    assert topic_of("nlu_fallback", "hoe krijg ik uitstel") == "Buiten de bronnen: uitstel"
    assert topic_of("ask_outside_sources", "mijn wachtwoord werkt niet") == "Buiten de bronnen: account en inloggen"
    assert topic_of("nlu_fallback", "wat is pe-online") == "Buiten de bronnen: pe-online"
    assert topic_of("nlu_fallback", "blablabla") == topic_of(None, "blablabla") == "Niet herkend"
    assert topic_of("personal_case", "mijn aanvraag is afgewezen") == "Persoonlijke situatie"


def test_wordings_of_one_question_group_together_and_others_do_not(store: Store) -> None:
    report = unanswered_groups(store.database)
    pet = group_with(report.groups, PET[2])
    assert pet.topic == "Niet herkend"
    assert (pet.question, pet.count, pet.wordings) == (PET[2], 4, 3)  # the most frequent wording leads
    assert set(pet.examples) == {scrub(PET[0]), scrub(PET[1])}
    assert (pet.chat, pet.email) == (3, 1)
    assert pet.first_seen < pet.last_seen and report.groups[0] == pet
    assert pet.intents == ("nlu_fallback",)
    # the cat shares words with the dog, not the question; the same words under another topic stay apart
    cat = group_with(report.groups, "mijn kat is ziek, mag zij mee naar de opleiding?")
    assert cat.count == 1 and cat.topic == "Buiten de bronnen: ziek"
    costs = group_with(report.groups, "wat kost de opleiding?")
    assert costs.topic == "Kosten" and costs.count == 2 and costs.wordings == 2
    hidden = group_with(report.groups, "=1+1 mag ik mijn hond meenemen naar de opleiding")
    assert hidden.topic == "Kosten" and hidden is not costs
    delay = group_with(report.groups, scrub(DELAY[0]))
    assert delay.topic == "Buiten de bronnen: uitstel" and delay.count == 2
    other = group_with(report.groups, "kan ik uitstel krijgen voor mijn herregistratie?")
    assert other is not delay and other.email == 1
    assert [g.count for g in report.groups] == sorted((g.count for g in report.groups), reverse=True)
    assert (report.questions, report.chat, report.email, report.total_groups) == (12, 10, 2, 7)
    assert not report.capped


def test_the_threshold_decides(store: Store) -> None:
    loose = unanswered_groups(store.database, threshold=0.5)
    strict = unanswered_groups(store.database, threshold=0.9)
    assert group_with(loose.groups, scrub(DELAY[1])).count == 2
    assert group_with(strict.groups, scrub(DELAY[1])).count == 1
    assert group_with(strict.groups, PET[2]).wordings == 2  # "meenemen" is not "mee": 2 of 4 stems
    assert strict.total_groups == loose.total_groups + 2


def test_filters_limit_and_cap(store: Store) -> None:
    email = unanswered_groups(store.database, source="email")
    assert (email.questions, email.chat, email.email) == (2, 0, 2)
    recent = unanswered_groups(store.database, since=NOW - timedelta(days=1))
    assert recent.questions == 9 and group_with(recent.groups, PET[2]).count == 3
    assert len(unanswered_groups(store.database, limit=2).groups) == 2
    capped = unanswered_groups(store.database, max_rows=5)
    assert capped.capped and capped.questions == 5


def test_the_nearest_text_of_the_sources(store: Store) -> None:
    groups = unanswered_groups(store.database, book=load_rules()).groups
    plan = group_with(groups, PLAN)
    assert plan.passage is not None and "herregistratie" in plan.passage and plan.source
    pet = group_with(groups, PET[2])
    assert pet.passage is None and pet.source is None and pet.hint == NO_TEXT


def test_e_mail_triage_drafted_or_left_to_a_person(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    mail_ticket(store, [
        {"text": "Mag mijn hond mee naar de opleiding?", "intent": "nlu_fallback", "status": "buiten_de_bronnen"},
        {"text": "Wat kosten de opleidingen?", "intent": "ask_costs", "status": "concept"},
        {"text": "Hoeveel punten heb ik nodig?", "intent": "ask_points_needed", "status": "concept"},
    ])
    mail_ticket(store, [{"text": "mag de hond mee naar de opleidingen", "intent": "nlu_fallback",
                         "status": "concept"}])
    mail_ticket(store, [{"text": "mag mijn hond mee naar de opleiding", "intent": "nlu_fallback",
                         "status": "buiten_de_bronnen"}], erased=True)
    groups = unanswered_groups(store.database).groups
    pet = group_with(groups, PET[2])
    assert (pet.mail_drafted, pet.mail_to_person) == (1, 1)
    costs = group_with(groups, "wat kost de opleiding?")
    assert (costs.mail_drafted, costs.mail_to_person) == (1, 0)
    chat_only = group_with(unanswered_groups(store.database, source="chat").groups, PET[2])
    assert (chat_only.mail_drafted, chat_only.mail_to_person) == (0, 0)
    assert main(cli(store, "--limit", "1")) == 0
    assert "e-mailvragen zoals deze: 1 met concept-antwoord, 1 naar een medewerker" in capsys.readouterr().out


def test_identical_texts(store: Store) -> None:
    texts = unanswered_texts(store.database)
    assert (texts[0].text, texts[0].count, texts[0].chat, texts[0].email) == (PET[2], 2, 1, 1)
    assert sum(t.count for t in texts) == 12
    assert [t.text for t in unanswered_texts(store.database, source="email")] == [
        "kan ik uitstel krijgen voor mijn herregistratie?", PET[2]]  # equally often: the newest first
    assert len(unanswered_texts(store.database, limit=3)) == 3


def test_csv_safe() -> None:
    assert [csv_safe(v) for v in ("=SUM(A1)", "+31", "-2", "@x", "\tx", "gewoon", 3)] == [
        "'=SUM(A1)", "'+31", "'-2", "'@x", "'\tx", "gewoon", 3]


def cli(store: Store, *args: str) -> list[str]:
    return ["--database-url", str(store.database.engine.url), "unanswered", *args]


def test_cli_groups(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(cli(store)) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("Onbeantwoorde vragen per onderwerp")
    assert lines[2] == "    4x  Niet herkend" and lines[3] == f"        “{PET[2]}”"
    assert "3 formuleringen · chat 3, e-mail 1" in lines[4]
    assert lines[5].startswith("        ook: “")
    assert lines[6] == "        in de bronnen: geen tekst"
    assert f"in de bronnen: “{PLAN[:40]}" not in out and "in de bronnen: “Na je eerste registratie" in out
    assert "Buiten de bronnen: uitstel" in out and "7 groep(en); 12 vragen (chat 10, e-mail 2)." in out
    assert main(cli(store, "--since", "1", "--source", "chat", "--limit", "1")) == 0
    out = capsys.readouterr().out
    assert "1 van 6 groepen; 9 vragen (chat 9, e-mail 0) van de laatste dag." in out


def test_cli_by_text_and_errors(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(cli(store, "--by", "tekst")) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[0] == "2" and f"{PET[2]}  [nlu_fallback]" in lines[1]
    assert main(cli(store, "--source", "email", "--since", "1")) == 0
    assert "Nog geen onbeantwoorde vragen met deze filters." in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        main(cli(store, "--since", "nul"))
    assert exit_.value.code == 1 and "geen aantal dagen" in capsys.readouterr().err


def test_cli_csv_round_trip(store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "vragen.csv"
    assert main(cli(store, "--format", "csv", "--output", str(target))) == 0
    assert "7 groep(en) geschreven naar" in capsys.readouterr().err
    with target.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == CSV_FIELDS
        rows = list(reader)
    assert len(rows) == 7
    first = rows[0]
    assert (first["onderwerp"], first["voorbeeldvraag"], first["aantal"], first["formuleringen"]) == (
        "Niet herkend", PET[2], "4", "3")
    assert (first["chat"], first["email"], first["dichtstbijzijnde_bron"], first["bron"]) == ("3", "1", NO_TEXT, "")
    assert set(first["voorbeelden"].split(" | ")) == {scrub(PET[0]), scrub(PET[1])}
    injected = next(r for r in rows if "1+1" in r["voorbeeldvraag"])
    assert injected["voorbeeldvraag"] == "'=1+1 mag ik mijn hond meenemen naar de opleiding"
    plan = next(r for r in rows if r["voorbeeldvraag"] == PLAN)
    assert "herregistratie" in plan["dichtstbijzijnde_bron"] and plan["bron"]
    assert main(cli(store, "--format", "csv", "--by", "tekst", "--limit", "1")) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["vraag"], r["aantal"], r["email"]) for r in rows] == [(PET[2], "2", "1")]


def test_the_index_finds_what_comparing_with_every_group_finds() -> None:
    """Prefix filtering is exact below MAX_CANDIDATES: the same groups as a brute-force greedy pass."""
    import random

    from bot.helpdesk import analytics

    words = ("hond kat opleiding kosten uitstel punten thema niveau certificaat portfolio school bestuur coach "
             "webinar boek training cursus intervisie team betalen aanvragen inleveren termijn").split()
    chance = random.Random(20)
    texts = sorted({" ".join(chance.sample(words, chance.randint(1, 5))) for _ in range(400)})
    frequency = Counter(w for t in texts for w in stems(t))
    for threshold in (0.34, 0.5, 0.75):
        index = analytics._Clusters(threshold, frequency)
        leads: list[list[str]] = []
        for text in texts:
            index.add(analytics._Wording("t", text, stems(text), NOW, NOW))
            scored = [(similarity(stems(text), stems(group[0])), -i) for i, group in enumerate(leads)]
            best = max(scored, default=(0.0, 0))
            if scored and best[0] >= threshold:
                leads[-best[1]].append(text)
            else:
                leads.append([text])
        assert [[m.text for m in c.members] for c in index.clusters] == leads
        assert 1 < len(leads) < len(texts)


def test_the_rules_data_is_searched_for_the_largest_groups_only(store: Store) -> None:
    groups = unanswered_groups(store.database, max_hints=1).groups
    assert groups[0].searched and not groups[1].searched and groups[1].hint == "niet gezocht"
