"""Valuing afterwards (achteraf waarderen): what it is, the trajectory's steps, guidance, the TMA, costs."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from ..facets import plain_text
from ..register import RuleBook
from ..register.model import CostItem, Source, Trajectory, TrajectoryCosts
from ..replies import HELPDESK_BUTTONS, HELPDESK_OFFER, Answer, Query, capital, euro, join_nl, with_sources
from .common import trajectory_of, valuation_rule_text

# "Kan ik in één waardering meerdere thema's tegelijk laten beoordelen?": several themes (a number above one,
# "meerdere", "verschillende"), a valuation (waardering, beoordeling, traject, assessment, portfolio) and one
# valuation for them together ("in één ...", "tegelijk", "samen", "combineren"). The seed describes one theme
# per valuation; whether one can cover several, it does not say.
_THEMES = r"thema(?:'|’|`)?s\b|thema's\b"
SEVERAL_THEMES_RE = re.compile(
    r"\b(?:meerdere|verschillende|diverse|twee|drie|vier|[2-9]|meer dan (?:een|1)|een paar|alle|beide)\s+"
    r"(?:\w+\s+)?(?:professionaliserings)?(?:" + _THEMES + r")|\bthema(?:'|’)?s\s+(?:\w+\s+)?combiner\w*")
VALUATION_WORD_RE = re.compile(r"\b(?:\w*waarder\w*|beoordel\w*|\w*traject\w*|assessment\w*|portfolio\w*)")
ONE_VALUATION_RE = re.compile(
    r"\b(?:in|met|binnen|bij|tijdens|voor|via|onder|op) (?:een|1|hetzelfde|dezelfde|zelfde|een en (?:hetzelfde|dezelfde))\s+"
    r"(?:\w+\s+)?(?:\w*waardering\w*|beoordeling\w*|\w*traject\w*|assessment\w*|portfolio\w*|keer)\b|"
    r"\b(?:een|1) (?:\w*waardering|beoordeling|\w*traject|assessment\w*|portfolio)\w* (?:voor|over|met|op|van)\b|"
    r"\b(?:tegelijk\w*|gelijktijdig\w*|samen|combiner\w*|gecombineerd|ineens|in een keer|in een ruk)\b")


def asks_several_themes_in_one_valuation(text: str) -> bool:
    """Whether a question asks if one valuation can cover several themes at once (the sources don't say)."""
    plain = plain_text(text)
    return bool(SEVERAL_THEMES_RE.search(plain) and VALUATION_WORD_RE.search(plain)
                and ONE_VALUATION_RE.search(plain))


def several_themes_in_one_valuation(book: RuleBook, q: Query) -> Answer:
    """What the sources say (one theme per valuation, for the trajectories whose data says so), that they do
    not say whether one valuation can cover several themes, and the helpdesk."""
    named = trajectory_of(book, q)
    trajectories = [named] if named is not None else list(book.trajectories.values())
    facts = []
    sources: list[Source] = []
    for trajectory in trajectories:
        per = trajectory.themes_per_valuation
        if per is None:
            continue
        if per.note:
            fact = f"Bij {trajectory.name} geldt: {per.note[:1].lower()}{per.note[1:]}"
        else:
            unit = "professionaliseringsthema" if per.value == 1 else "professionaliseringsthema's"
            fact = f"Bij {trajectory.name} laat je per waardering {per.value} {unit} waarderen."
        facts.append(fact)
        sources.append(per.source)
    unknown = "Of één waardering meerdere thema's tegelijk kan beoordelen, staat niet in mijn bronnen."
    text = " ".join([*facts, unknown, HELPDESK_OFFER])
    return with_sources(text, sources or [t.source for t in trajectories], HELPDESK_BUTTONS, complete=False)


def valuation(book: RuleBook, q: Query, today: date) -> Answer:
    what = book.texts.valuation
    regulation = book.regulation_on(today)
    text = what.text
    sources = [what.source]
    if regulation.valuation_points is not None:
        text += f" Per thema krijg je {valuation_rule_text(regulation)}."
        sources.append(regulation.valuation_points.source)
    names = join_nl([t.name for t in book.trajectories.values()], "of")
    text += f" Een gecertificeerd traject hiervoor is {names}."
    return with_sources(text, sources + [t.source for t in book.trajectories.values()])


def _trajectory(book: RuleBook, q: Query) -> Trajectory:
    """The trajectory the question names, else the (first) one the data knows."""
    return trajectory_of(book, q) or next(iter(book.trajectories.values()))


def _not_in_data(what: str, trajectory: Trajectory) -> Answer:
    """A trajectory whose data lacks the block a topic shows: say so rather than guess."""
    return with_sources(f"{capital(what)} bij {trajectory.name}, staat niet in mijn bronnen. {HELPDESK_OFFER}",
                        [trajectory.source], HELPDESK_BUTTONS, complete=False)


def _vat(cost: TrajectoryCosts) -> str:
    return "" if cost.vat_included else " (exclusief btw)"


def valuation_steps(book: RuleBook, q: Query, today: date) -> Answer:
    traj = _trajectory(book, q)
    steps = traj.steps
    if steps is None:
        return _not_in_data("hoe een waardering verloopt", traj)
    numbered = "\n".join(f"{i}. {s}" for i, s in enumerate(steps.items, start=1))
    return with_sources(f"Zo gaat een waardering bij de {traj.provider}, in {len(steps.items)} stappen:\n{numbered}",
                        [steps.source])


def valuation_guidance(book: RuleBook, q: Query, today: date) -> Answer:
    traj = _trajectory(book, q)
    guidance, cost = traj.guidance, traj.costs
    if guidance is None:
        return _not_in_data("of er begeleiding is", traj)
    text = "Ja, begeleiding is mogelijk en niet verplicht. " + guidance.text
    return _with_price(text, guidance.source, cost, "intake_guidance",
                       lambda item, vat: f" Een {item.name} kost {euro(item.eur)}{vat}.")


def tma(book: RuleBook, q: Query, today: date) -> Answer:
    traj = _trajectory(book, q)
    instrument, cost = traj.reflection_instrument, traj.costs
    if instrument is None:
        return _not_in_data("een reflectie-instrument", traj)
    text = f"De {instrument.name} is een reflectie-instrument en niet verplicht. {instrument.text}"
    return _with_price(text, instrument.source, cost, "tma", lambda item, vat: f" Kosten: {euro(item.eur)}{vat}.")


def _with_price(text: str, source: Source, cost: TrajectoryCosts | None, item_id: str,
                price: Callable[[CostItem, str], str]) -> Answer:
    """An offer's text, with the price of its cost item (worded by `price`, given the btw note) when the
    trajectory's costs name it; the costs are a source whenever the trajectory has them."""
    sources = [source]
    if cost is not None:
        item = cost.item(item_id)
        if item is not None:
            text += price(item, _vat(cost))
        sources.append(cost.source)
    return with_sources(text, sources)


def trajectory_cost_text(cost: TrajectoryCosts) -> str:
    items = [f"{item.name} {euro(item.eur)}" for item in cost.items]
    return join_nl(items) + _vat(cost) + "."


def trajectory_costs(book: RuleBook, trajectory: Trajectory | None) -> Answer:
    traj = trajectory or next(iter(book.trajectories.values()))
    if traj.costs is None:
        return _not_in_data("wat een waardering kost", traj)
    return with_sources(f"Kosten bij {traj.name}: " + trajectory_cost_text(traj.costs), [traj.costs.source])
