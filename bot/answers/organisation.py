"""The register itself: founding, board, what it does, its committees and councils."""

from __future__ import annotations

from datetime import date

from ..register import RuleBook
from ..replies import Answer, Query, bullets, join_nl, with_sources


def organisation(book: RuleBook, q: Query, today: date) -> Answer:
    org = book.texts.organisation
    founded, board, activities = org.founded, org.board, org.activities
    text = (
        f"Het Schoolleidersregister PO is in {founded.year} {founded.text}. "
        f"In het bestuur zitten {join_nl(board.members)}. Het register doet onder meer dit:\n"
        + bullets(activities.items)
    )
    return with_sources(text, [founded.source, board.source, activities.source])


def committees(book: RuleBook, q: Query, today: date) -> Answer:
    bodies = book.texts.organisation.bodies
    lines = [f"{b.name}: {b.role}" for b in bodies.items]
    text = ("Dit zijn de commissies en raden van het register:\n" + bullets(lines)
            + f"\n{bodies.composition} {bodies.advice}")
    return with_sources(text, [bodies.source])
