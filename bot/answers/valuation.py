"""Valuing afterwards (achteraf waarderen): what it is, the trajectory's steps, guidance, the TMA, costs."""

from __future__ import annotations

from datetime import date

from ..register import RuleBook
from ..register.model import Info, Trajectory
from ..replies import Answer, Query, euro, join_nl, with_sources
from .common import trajectory_of, valuation_rule_text


def valuation(book: RuleBook, q: Query, today: date) -> Answer:
    what = book.info["valuation.what"]
    regulation = book.regulation_on(today)
    text = what.get("text")
    sources = [what.source]
    if regulation.valuation_points is not None:
        text += f" Per thema krijg je {valuation_rule_text(regulation)}."
        sources.append(regulation.valuation_points.source)
    names = join_nl([t.name for t in book.trajectories.values()], "of")
    text += f" Een gecertificeerd traject hiervoor is {names}."
    return with_sources(text, sources + [t.info["certified"].source for t in book.trajectories.values()])

def valuation_steps(book: RuleBook, q: Query, today: date) -> Answer:
    traj = trajectory_of(book, q) or next(iter(book.trajectories.values()))
    steps = traj.info["steps"]
    numbered = "\n".join(f"{i}. {s}" for i, s in enumerate(steps.get("items"), start=1))
    return with_sources(f"Zo gaat een waardering bij de {traj.provider}, in {len(steps.get('items'))} stappen:\n{numbered}",
                        [steps.source])

def valuation_guidance(book: RuleBook, q: Query, today: date) -> Answer:
    traj = trajectory_of(book, q) or next(iter(book.trajectories.values()))
    guidance = traj.info["guidance"]
    cost = traj.info["costs"]
    with_guidance = next((i for i in cost.get("items") if i["id"] == "intake_guidance"), None)
    text = "Ja, begeleiding is mogelijk en niet verplicht. " + guidance.get("text")
    if with_guidance is not None:
        text += f" Een {with_guidance['name']} kost {euro(with_guidance['eur'])}" + (
            "" if cost.get("vat_included") else " (exclusief btw)") + "."
    return with_sources(text, [guidance.source, cost.source])

def tma(book: RuleBook, q: Query, today: date) -> Answer:
    traj = trajectory_of(book, q) or next(iter(book.trajectories.values()))
    instrument = traj.info["reflection_instrument"]
    cost = traj.info["costs"]
    item = next((i for i in cost.get("items") if i["id"] == "tma"), None)
    text = f"De {instrument.get('name')} is een reflectie-instrument en niet verplicht. {instrument.get('text')}"
    if item is not None:
        text += f" Kosten: {euro(item['eur'])}" + ("" if cost.get("vat_included") else " (exclusief btw)") + "."
    return with_sources(text, [instrument.source, cost.source])

def trajectory_cost_text(cost: Info) -> str:
    items = [f"{item['name']} {euro(item['eur'])}" for item in cost.get("items")]
    vat = "" if cost.get("vat_included") else " (exclusief btw)"
    return join_nl(items) + vat + "."

def trajectory_costs(book: RuleBook, trajectory: Trajectory | None) -> Answer:
    traj = trajectory or next(iter(book.trajectories.values()))
    cost = traj.info["costs"]
    return with_sources(f"Kosten bij {traj.name}: " + trajectory_cost_text(cost), [cost.source])
