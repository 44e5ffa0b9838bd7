"""Dutch answers rendered from the rules data (one source of truth for every number)."""

from __future__ import annotations

from datetime import date

from .register import RuleBook, format_date


def capabilities(book: RuleBook, today: date) -> str:
    """What the assistant can help with, with the current point rule taken from the data."""
    regulation = book.regulation_on(today)
    cycle = regulation.cycle_years.value
    if regulation.points_required is not None:
        need = f"je hebt {regulation.points_required.value} punten nodig per periode van {cycle} jaar"
    elif regulation.min_themes is not None:
        need = f"je werkt per periode van {cycle} jaar aan minstens {regulation.min_themes.value} thema's"
    else:
        need = f"een periode duurt {cycle} jaar"
    certified = [p.short for p in book.programmes.values() if p.certified and p.certified.value]
    return (
        "Ik ben Registerwijzer. Ik beantwoord vragen over registratie en herregistratie in het "
        f"Schoolleidersregister PO ({need}). Vraag me bijvoorbeeld naar:\n"
        "- de routes voor herregistratie en de punten die je nodig hebt;\n"
        "- de professionaliseringsthema's en leerniveaus;\n"
        f"- gecertificeerde opleidingen, zoals {' en '.join(certified[:2])};\n"
        "- achteraf laten waarderen, de kosten en de stappen;\n"
        "- het register zelf en zijn commissies.\n"
        f"Ik ken de regels zoals ze gelden vanaf {format_date(regulation.valid_from)}. "
        "Kan ik iets niet beantwoorden, dan zeg ik dat eerlijk."
    )
