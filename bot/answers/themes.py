"""The professionalisation themes, and whether a theme may be chosen again."""

from __future__ import annotations

from datetime import date

from ..register import RuleBook, ThemesModel, format_date
from ..register.model import Source
from ..replies import Answer, Query, bullets, join_nl, with_sources
from .common import changed_note, dated, old_regulation, regulation_for, theme_of
from .programmes import programmes_for_theme


def themes(book: RuleBook, q: Query, today: date) -> Answer:
    regulation, current = regulation_for(book, q, today)
    theme = theme_of(book, q)
    if theme is not None and current is None:
        return programmes_for_theme(book, theme, today, q)
    named = [t for t in book.themes.values() if regulation.id in t.regulations]
    sources: list[Source] = [t.source for t in named]
    if isinstance(regulation.model, ThemesModel):
        count = regulation.theme_count.value if regulation.theme_count else len(named)
        text = (f"Er waren {count} professionaliseringsthema's; je koos er minstens "
                f"{regulation.min_themes.value if regulation.min_themes else '?'}. Mijn bronnen noemen daarvan: "
                f"{join_nl([t.name.lower() for t in named])}.")
        forms = regulation.learning_forms.value
        if forms:
            text += f" Je ontwikkelde je op de thema's via {join_nl([f.name for f in forms], 'of')}."
            sources.append(regulation.learning_forms.source)
        if regulation.theme_count:
            sources.append(regulation.theme_count.source)
        if current is not None:
            text += " " + changed_note(regulation, current)
        return with_sources(text, sources)
    text = "Deze professionaliseringsthema's staan in mijn bronnen:\n" + bullets(t.name for t in named)
    if regulation.themes_reordered:
        text += f"\n{regulation.themes_reordered.value}"
        sources.append(regulation.themes_reordered.source)
    if regulation.new_themes_per_year:
        text += f" Elk jaar komen er {regulation.new_themes_per_year.value} nieuwe thema's bij."
        if regulation.new_themes_per_year.note:
            text += f" {regulation.new_themes_per_year.note}"
        sources.append(regulation.new_themes_per_year.source)
    text += " De volledige, actuele lijst staat niet in mijn bronnen."
    return with_sources(text, sources)


def theme_repeat(book: RuleBook, q: Query, today: date) -> Answer:
    regulation, current = regulation_for(book, q, today)
    rule = regulation.themes_must_differ
    if rule.value:
        minimum = regulation.min_themes.value if regulation.min_themes else "drie"
        text = f"Je moest je ontwikkelen op minstens {minimum} verschillende thema's."
        if current is not None:
            text = (f"Vroeger moest je je ontwikkelen op minstens {minimum} verschillende thema's. "
                    + changed_note(regulation, current))
            if not current.themes_must_differ.value:
                text += " Nu mag je hetzelfde thema verder verdiepen."
        return with_sources(text, [rule.source])
    old = old_regulation(book, today)
    text = "Ja. Je mag hetzelfde professionaliseringsthema opnieuw kiezen en verder verdiepen."
    if old is not None and old.themes_must_differ.value:
        text += (f" De verplichting van {old.min_themes.value if old.min_themes else 'drie'} verschillende thema's "
                 f"is vervallen op {format_date(regulation.valid_from)}.")
    sources = [rule.source]
    parameters = ["themes_must_differ"]
    points = regulation.points_required
    if points is not None:
        # The seed says both together: the themes may repeat, and a period asks a number of points in total.
        text += (f" Je hebt {points.value} punten nodig per herregistratieperiode. "
                 "Die punten mag je ook op hetzelfde thema halen.")
        sources.append(points.source)
        parameters.append("points_required")
    text += "\n" + dated(book, regulation, today, *parameters)
    return with_sources(text, sources)
