"""Small talk and the edges of what the assistant knows: greeting, what it can do, out of scope, and
questions outside its sources (with the passage the data does hold, quoted)."""

from __future__ import annotations

from datetime import date

from ..passages import best_passage
from ..register import RuleBook, format_date
from ..replies import Answer, Query, bullets, fixed, helpdesk_buttons, helpdesk_offer, join_nl, source_line


def greet(book: RuleBook, q: Query, today: date) -> Answer:
    return fixed("utter_greet")


def capabilities(book: RuleBook, q: Query, today: date) -> Answer:
    regulation = book.regulation_on(today)
    cycle = regulation.cycle_years.value
    if regulation.points_required is not None:
        need = f"je hebt {regulation.points_required.value} punten nodig per periode van {cycle} jaar"
    elif regulation.min_themes is not None:
        need = f"je werkt per periode van {cycle} jaar aan minstens {regulation.min_themes.value} thema's"
    else:
        need = f"een periode duurt {cycle} jaar"
    certified = [p.short for p in book.programmes.values() if p.certified and p.certified.value]
    text = (
        "Ik ben Registerwijzer. Ik beantwoord vragen over registratie en herregistratie in het "
        f"Schoolleidersregister PO ({need}). Vraag me bijvoorbeeld naar:\n"
        + bullets([
            "de routes voor herregistratie en de punten die je nodig hebt",
            "de professionaliseringsthema's en leerniveaus",
            f"gecertificeerde opleidingen, zoals {join_nl(certified[:2])}",
            "achteraf laten waarderen: de stappen en de kosten",
            "het register zelf en zijn commissies",
        ])
        + "\nJe kunt ook je punten laten uitrekenen: 'Ik heb leerKRACHT jaar-1 gedaan en één thema op niveau 5. "
        "Heb ik genoeg?'\n"
        f"Ik ken de regels zoals ze gelden vanaf {format_date(regulation.valid_from)}. "
        "Kan ik iets niet beantwoorden, dan zeg ik dat eerlijk."
    )
    return Answer(text)


def outside_sources(book: RuleBook, q: Query, today: date) -> Answer:
    passage = best_passage(book, q.text) if q.text else None
    if passage is not None:
        # "Wat moet er in dat plan staan?": what the data does say about it, quoted, and no more.
        return Answer(
            f"In mijn bronnen staat hierover alleen dit:\n“{passage.text}”\n{source_line([passage.source])}\n\n"
            "Meer staat er niet in, en ik wil je geen verkeerd antwoord geven. De helpdesk van het "
            "Schoolleidersregister PO kan je verder helpen. " + helpdesk_offer(),
            helpdesk_buttons(), (passage.source,), complete=False)
    return Answer(fixed("utter_outside_sources").text + " " + helpdesk_offer(), helpdesk_buttons(), complete=False)


def out_of_scope(book: RuleBook, q: Query, today: date) -> Answer:
    return fixed("utter_out_of_scope")
