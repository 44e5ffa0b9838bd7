"""Load and check the rules data in a folder of YAML files.

Every check failure raises `DataError` naming the file and the field path, so an operator who
edits the data sees exactly what is wrong. Nothing half-loaded is ever returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar, cast

import yaml

from .counting import MODELS
from .errors import DataError
from .model import (
    Board,
    Bodies,
    Body,
    Certification,
    Contact,
    CostItem,
    Count,
    Currency,
    Fact,
    Form,
    Founded,
    Herregistratie,
    Info,
    Instrument,
    LaterChange,
    LearningForm,
    LearningLevels,
    ListInfo,
    Named,
    Offer,
    Organisation,
    Phase,
    Phases,
    Programme,
    ProgrammeCosts,
    Recognition,
    Regions,
    RegisterTexts,
    Regulation,
    Route,
    RouteCondition,
    Source,
    Standard,
    StudyLoad,
    SubTheme,
    TextInfo,
    Theme,
    ThemeRef,
    Trajectory,
    TrajectoryCosts,
    Transition,
    Validation,
    ValuationInfo,
    ValuationPoints,
    normalise,
)

DATA_DIR = Path(__file__).with_name("data")
FILES = (
    "sources.yml",
    "regulations.yml",
    "registration.yml",
    "themes.yml",
    "programmes.yml",
    "valuation.yml",
    "organisation.yml",
)
T = TypeVar("T")
B = TypeVar("B", bound=Info)


class Node:
    """A value in a data file, with the file name and the path to it for error messages."""

    def __init__(self, file: str, path: str, value: Any) -> None:
        self.file = file
        self.path = path
        self.value = value

    def fail(self, problem: str, key: str | None = None) -> DataError:
        path = f"{self.path}.{key}" if key else self.path
        return DataError(self.file, path or "(top)", problem)

    def child(self, key: str | int) -> Node:
        if isinstance(key, int):
            return Node(self.file, f"{self.path}[{key}]", self.value[key])
        mapping = self.mapping()
        path = f"{self.path}.{key}" if self.path else key
        return Node(self.file, path, mapping.get(key))

    def has(self, key: str) -> bool:
        return self.mapping().get(key) is not None

    def mapping(self) -> Mapping[str, Any]:
        if not isinstance(self.value, dict):
            raise self.fail("expected a mapping")
        return cast(Mapping[str, Any], self.value)

    def only(self, *allowed: str) -> Node:
        for key in self.mapping():
            if key not in allowed:
                raise self.fail(f"unknown field (allowed: {', '.join(allowed)})", str(key))
        return self

    def req(self, key: str) -> Node:
        node = self.child(key)
        if node.value is None:
            raise self.fail("missing required field", key)
        return node

    def items(self) -> Iterator[Node]:
        if not isinstance(self.value, list):
            raise self.fail("expected a list")
        for index in range(len(self.value)):
            yield self.child(index)

    def text(self) -> str:
        if not isinstance(self.value, str) or not self.value.strip():
            raise self.fail("expected non-empty text")
        return self.value.strip()

    def integer(self, minimum: int | None = None) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.fail("expected a whole number")
        if minimum is not None and self.value < minimum:
            raise self.fail(f"must be at least {minimum}")
        return self.value

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.fail("expected true or false")
        return self.value

    def day(self) -> date:
        if not isinstance(self.value, date):
            raise self.fail("expected a date (YYYY-MM-DD)")
        return self.value

    def texts(self) -> tuple[str, ...]:
        return tuple(item.text() for item in self.items())


@dataclass(frozen=True)
class RawData:
    """The parsed YAML of every file, by file name."""

    files: Mapping[str, Node]

    @classmethod
    def read(cls, folder: Path) -> RawData:
        files: dict[str, Node] = {}
        for name in FILES:
            path = folder / name
            if not path.exists():
                raise DataError(name, "(file)", f"missing in {folder}")
            try:
                content = yaml.safe_load(path.read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                raise DataError(name, "(file)", f"not valid YAML: {exc}") from exc
            node = Node(name, "", content)
            node.mapping()
            files[name] = node
        return cls(files)


class Loader:
    """Builds the typed rule objects from raw data, checking every reference."""

    def __init__(self, raw: RawData) -> None:
        self.raw = raw
        self.sources = self._sources(raw.files["sources.yml"].req("sources"))

    # -- shared pieces ---------------------------------------------------------------------
    def source(self, node: Node, key: str = "source") -> Source:
        ref = node.child(key)
        if ref.value is None:
            raise node.fail("missing source (every fact needs one: {seed, section})", key)
        ref.only("seed", "section")
        seed = ref.req("seed").text()
        # No section: the document as a whole (its opening text, which has no heading).
        section = ref.req("section").text() if ref.has("section") else None
        known = self.sources.get(seed)
        if known is None:
            raise ref.fail(f"unknown seed '{seed}' (not in sources.yml)", "seed")
        title, publisher, sections = known
        if section is not None and section not in sections:
            raise ref.fail(f"section '{section}' is not listed for {seed} in sources.yml", "section")
        return Source(seed=seed, section=section, title=title, publisher=publisher)

    def fact(self, node: Node, key: str, parse: Callable[[Node], T]) -> Fact[T] | None:
        child = node.child(key)
        if child.value is None:
            return None
        child.only("value", "source", "note")
        note = child.child("note")
        return Fact(
            value=parse(child.req("value")),
            source=self.source(child),
            note=note.text() if note.value is not None else None,
        )

    def required_fact(self, node: Node, key: str, parse: Callable[[Node], T]) -> Fact[T]:
        fact = self.fact(node, key, parse)
        if fact is None:
            raise node.fail("missing required field", key)
        return fact

    # -- descriptive blocks: each kind its fields, checked like the facts --------------------
    def _block(self, node: Node, key: str, cls: type[B], **fields: Any) -> B:
        """A block of `cls` from `node`: its source (and other sources), and `fields` already parsed."""
        also = node.child("also_sources")
        extra = tuple(self.source(Node(also.file, f"{also.path}[{i}]", {"source": item}))
                      for i, item in enumerate(also.value or ()))
        return cls(key=key, source=self.source(node), also=extra, **fields)

    def _fields(self, node: Node, *allowed: str) -> Node:
        return node.only(*allowed, "source", "also_sources")

    def text_block(self, node: Node, key: str) -> TextInfo:
        n = self._fields(node, "text")
        return self._block(n, key, TextInfo, text=n.req("text").text())

    def list_block(self, node: Node, key: str) -> ListInfo:
        n = self._fields(node, "items")
        return self._block(n, key, ListInfo, items=n.req("items").texts())

    def study_load(self, node: Node, key: str) -> StudyLoad:
        n = self._fields(node, "value")
        return self._block(n, key, StudyLoad, hours=n.req("value").integer(1))

    def programme_costs(self, node: Node, key: str) -> ProgrammeCosts:
        n = self._fields(node, "min_eur", "max_eur", "vat", "text")
        return self._block(n, key, ProgrammeCosts, text=n.req("text").text(),
                           min_eur=_optional(n, "min_eur", lambda v: v.integer(0)),
                           max_eur=_optional(n, "max_eur", lambda v: v.integer(0)),
                           vat=_optional(n, "vat", Node.text))

    def validation(self, node: Node, key: str) -> Validation:
        n = self._fields(node, "items", "validated_by", "certificate")
        return self._block(n, key, Validation, items=n.req("items").texts(),
                           validated_by=n.req("validated_by").text(), certificate=n.req("certificate").text())

    def phases(self, node: Node, key: str) -> Phases:
        n = self._fields(node, "stated_count", "items", "note")
        items = tuple(Phase(i.only("name", "description").req("name").text(), i.req("description").text())
                      for i in n.req("items").items())
        return self._block(n, key, Phases, stated_count=n.req("stated_count").integer(1), items=items,
                           note=_optional(n, "note", Node.text))

    def regions(self, node: Node, key: str) -> Regions:
        n = self._fields(node, "PO", "MBO", "VO")
        return self._block(n, key, Regions, po=_optional(n, "PO", Node.text), mbo=_optional(n, "MBO", Node.text),
                           vo=_optional(n, "VO", Node.text))

    def contact(self, node: Node, key: str) -> Contact:
        n = self._fields(node, "name", "role", "text", "email", "phone")
        values = {k: _optional(n, k, Node.text) for k in ("name", "role", "text", "email", "phone")}
        if not any(values.values()):
            raise n.fail("a contact needs at least one of name, role, text, email or phone")
        return self._block(n, key, Contact, **values)

    def certification(self, node: Node, key: str) -> Certification:
        n = self._fields(node, "value", "by")
        return self._block(n, key, Certification, value=n.req("value").boolean(), by=_optional(n, "by", Node.text))

    def count(self, node: Node, key: str) -> Count:
        n = self._fields(node, "value", "note")
        return self._block(n, key, Count, value=n.req("value").integer(1), note=_optional(n, "note", Node.text))

    def offer(self, node: Node, key: str) -> Offer:
        n = self._fields(node, "optional", "text")
        return self._block(n, key, Offer, optional=n.req("optional").boolean(), text=n.req("text").text())

    def instrument(self, node: Node, key: str) -> Instrument:
        n = self._fields(node, "name", "optional", "text")
        return self._block(n, key, Instrument, name=n.req("name").text(), optional=n.req("optional").boolean(),
                           text=n.req("text").text())

    def trajectory_costs(self, node: Node, key: str) -> TrajectoryCosts:
        n = self._fields(node, "vat_included", "items")
        items = tuple(CostItem(i.only("id", "name", "eur").req("id").text(), i.req("name").text(),
                               i.req("eur").integer(0)) for i in n.req("items").items())
        return self._block(n, key, TrajectoryCosts, items=items, vat_included=n.req("vat_included").boolean())

    def herregistratie(self, node: Node, key: str) -> Herregistratie:
        n = self._fields(node, "text", "applies_to")
        applies = n.child("applies_to")
        return self._block(n, key, Herregistratie, text=n.req("text").text(),
                           applies_to=applies.texts() if applies.value is not None else ())

    def learning_levels(self, node: Node, key: str) -> LearningLevels:
        n = self._fields(node, "known", "meaning_in_sources", "note")
        return self._block(n, key, LearningLevels, known=tuple(i.integer(1) for i in n.req("known").items()),
                           meaning_in_sources=n.req("meaning_in_sources").boolean(), note=n.req("note").text())

    def valuation_info(self, node: Node, key: str) -> ValuationInfo:
        n = self._fields(node, "text", "assessor")
        return self._block(n, key, ValuationInfo, text=n.req("text").text(), assessor=n.req("assessor").text())

    def founded(self, node: Node, key: str) -> Founded:
        n = self._fields(node, "year", "text")
        return self._block(n, key, Founded, year=n.req("year").integer(1900), text=n.req("text").text())

    def board(self, node: Node, key: str) -> Board:
        n = self._fields(node, "members")
        return self._block(n, key, Board, members=n.req("members").texts())

    def bodies(self, node: Node, key: str) -> Bodies:
        n = self._fields(node, "items", "advice", "composition")
        items = tuple(
            Body(i.only("id", "name", "aliases", "role").req("id").text(), i.req("name").text(),
                 i.child("aliases").texts() if i.has("aliases") else (), i.req("role").text())
            for i in n.req("items").items()
        )
        return self._block(n, key, Bodies, items=items, advice=n.req("advice").text(),
                           composition=n.req("composition").text())

    def register_texts(self) -> RegisterTexts:
        registration = self.raw.files["registration.yml"]
        organisation = self.raw.files["organisation.yml"].req("organisation")
        return RegisterTexts(
            herregistratie=self.herregistratie(registration.req("herregistratie"), "herregistratie"),
            certificate_upload=self.text_block(registration.req("certificate_upload"), "certificate_upload"),
            learning_levels=self.learning_levels(self.raw.files["themes.yml"].req("learning_levels"),
                                                 "learning_levels"),
            valuation=self.valuation_info(self.raw.files["valuation.yml"].req("valuation").req("what"), "what"),
            organisation=Organisation(
                founded=self.founded(organisation.req("founded"), "founded"),
                board=self.board(organisation.req("board"), "board"),
                bodies=self.bodies(organisation.req("bodies"), "bodies"),
                activities=self.list_block(organisation.req("activities"), "activities"),
                cycle=self.text_block(organisation.req("cycle"), "cycle"),
            ),
        )

    @staticmethod
    def _standard(node: Node) -> Standard:
        node.only("term", "replaces", "practices", "also", "also_description")
        return Standard(
            term=node.req("term").text(),
            replaces=node.child("replaces").text() if node.has("replaces") else None,
            practices=node.req("practices").texts(),
            also=node.req("also").text(),
            also_description=node.req("also_description").text(),
        )

    @staticmethod
    def _sources(node: Node) -> dict[str, tuple[str, str, tuple[str, ...]]]:
        result: dict[str, tuple[str, str, tuple[str, ...]]] = {}
        for seed in node.mapping():
            entry = node.child(seed).only("title", "publisher", "sections")
            result[str(seed)] = (
                entry.req("title").text(),
                entry.req("publisher").text(),
                entry.req("sections").texts(),
            )
        return result

    # -- currency: up to when the sources go -----------------------------------------------
    # Subjects a later change may touch besides the regulations' own parameters.
    OTHER_SUBJECTS = ("registration_types", "certification", "postponement")

    def currency(self) -> Currency:
        root = self.raw.files["sources.yml"]
        changes = []
        node = root.child("later_changes")
        for _index, item in enumerate(node.items() if node.value is not None else ()):
            item.only("subject", "parameters", "reference", "since")
            parameters = item.req("parameters").texts()
            for name in parameters:
                if name not in self.REGULATION_FIELDS and name not in self.OTHER_SUBJECTS:
                    raise item.fail(f"unknown parameter '{name}' (a regulation field or one of "
                                    f"{', '.join(self.OTHER_SUBJECTS)})", "parameters")
            changes.append(LaterChange(
                subject=item.req("subject").text(), parameters=parameters,
                reference=item.req("reference").text(),
                since=item.child("since").day() if item.has("since") else None))
        return Currency(current_until=root.req("current_until").day(), later_changes=tuple(changes))

    # -- regulations -----------------------------------------------------------------------
    REGULATION_FIELDS = (
        "id", "name", "valid_from", "valid_until", "based_on", "source", "note", "model",
        "cycle_years", "min_themes", "theme_count", "themes_must_differ", "learning_forms",
        "routes", "points_required", "valuation_points", "standard", "themes_reordered",
        "new_themes_per_year", "transition",
    )
    # Fields that belong to one version and are never copied by `based_on`.
    OWN_FIELDS = ("id", "name", "valid_from", "valid_until", "based_on", "source", "note")

    def regulations(self, route_ids: set[str]) -> tuple[Regulation, ...]:
        root = self.raw.files["regulations.yml"].req("regulations")
        merged: dict[str, dict[str, Any]] = {}
        nodes: list[Node] = []
        declared: dict[str, frozenset[str]] = {}
        for item in root.items():
            item.only(*self.REGULATION_FIELDS)
            reg_id = item.req("id").text()
            if reg_id in merged:
                raise item.fail(f"duplicate regulation id '{reg_id}'", "id")
            values = dict(item.mapping())
            if item.has("based_on"):
                parent = item.req("based_on").text()
                if parent not in merged:
                    raise item.fail(f"based_on '{parent}' is not an earlier regulation", "based_on")
                inherited = {k: v for k, v in merged[parent].items() if k not in self.OWN_FIELDS}
                values = {**inherited, **values}
            merged[reg_id] = values
            nodes.append(Node(item.file, item.path, values))
            declared[reg_id] = frozenset(k for k in item.mapping() if k not in self.OWN_FIELDS)
        regulations = [replace(self._regulation(node, route_ids), declared=declared[node.req("id").text()])
                       for node in nodes]
        return self._check_periods(root, regulations)

    def _regulation(self, node: Node, route_ids: set[str]) -> Regulation:
        model = MODELS.get(node.req("model").text())
        if model is None:
            raise node.fail("must be " + " or ".join(f"'{name}'" for name in MODELS), "model")
        valid_until = node.child("valid_until")
        routes = self.required_fact(node, "routes", lambda n: n.texts())
        for index, route in enumerate(routes.value):
            if route not in route_ids:
                raise node.fail(f"unknown route '{route}'", f"routes.value[{index}]")
        regulation = Regulation(
            id=node.req("id").text(),
            name=node.req("name").text(),
            valid_from=node.req("valid_from").day(),
            valid_until=valid_until.day() if valid_until.value is not None else None,
            source=self.source(node),
            model=model,
            cycle_years=self.required_fact(node, "cycle_years", lambda n: n.integer(1)),
            routes=routes,
            learning_forms=self.required_fact(node, "learning_forms", self._learning_forms),
            themes_must_differ=self.required_fact(node, "themes_must_differ", Node.boolean),
            min_themes=self.fact(node, "min_themes", lambda n: n.integer(1)),
            theme_count=self.fact(node, "theme_count", lambda n: n.integer(1)),
            points_required=self.fact(node, "points_required", lambda n: n.integer(1)),
            valuation_points=self.fact(node, "valuation_points", self._valuation_points),
            standard=self.fact(node, "standard", self._standard),
            themes_reordered=self.fact(node, "themes_reordered", Node.text),
            new_themes_per_year=self.fact(node, "new_themes_per_year", lambda n: n.integer(0)),
            transition=self.fact(node, "transition", self._transition),
            note=node.child("note").text() if node.has("note") else None,
        )
        if getattr(regulation, model.needs) is None:
            raise node.fail(f"a '{model.id}' regulation needs {model.needs}", model.needs)
        return regulation

    @staticmethod
    def _check_periods(root: Node, regulations: list[Regulation]) -> tuple[Regulation, ...]:
        """Sort by start; fill each open end with the next start; reject overlaps."""
        if not regulations:
            raise root.fail("at least one regulation is needed")
        ordered = sorted(regulations, key=lambda r: r.valid_from)
        result: list[Regulation] = []
        for index, reg in enumerate(ordered):
            nxt = ordered[index + 1] if index + 1 < len(ordered) else None
            where = f"regulations[id={reg.id}]"
            if reg.valid_until is not None and reg.valid_until <= reg.valid_from:
                raise DataError(root.file, f"{where}.valid_until", "must be after valid_from")
            if nxt is not None:
                if nxt.valid_from == reg.valid_from:
                    raise DataError(
                        root.file, f"regulations[id={nxt.id}].valid_from",
                        f"overlaps '{reg.id}': both start on {reg.valid_from.isoformat()}",
                    )
                if reg.valid_until is not None and reg.valid_until > nxt.valid_from:
                    raise DataError(
                        root.file, f"{where}.valid_until",
                        f"overlaps '{nxt.id}', which starts on {nxt.valid_from.isoformat()}",
                    )
            end = reg.valid_until if reg.valid_until is not None else (nxt.valid_from if nxt else None)
            result.append(_replace_until(reg, end))
        return tuple(result)

    @staticmethod
    def _learning_forms(node: Node) -> tuple[LearningForm, ...]:
        forms = []
        for item in node.items():
            item.only("id", "name", "description", "replaces")
            forms.append(
                LearningForm(
                    id=item.req("id").text(),
                    name=item.req("name").text(),
                    description=item.req("description").text(),
                    replaces=item.child("replaces").text() if item.has("replaces") else None,
                )
            )
        return tuple(forms)

    @staticmethod
    def _valuation_points(node: Node) -> ValuationPoints:
        node.only("min_level", "max_level", "base", "extra_by_level")
        min_level = node.req("min_level").integer(1)
        max_level = node.req("max_level").integer(min_level)
        extra_node = node.req("extra_by_level")
        extra: dict[int, int] = {}
        for key in extra_node.mapping():
            level_node = Node(extra_node.file, f"{extra_node.path}.{key}", key)
            level = level_node.integer(min_level)
            if level > max_level:
                raise level_node.fail(f"level above max_level {max_level}")
            extra[level] = Node(extra_node.file, level_node.path, extra_node.mapping()[key]).integer(0)
        return ValuationPoints(
            min_level=min_level, max_level=max_level, base=node.req("base").integer(0), extra_by_level=extra
        )

    @staticmethod
    def _transition(node: Node) -> Transition:
        node.only("until", "text")
        return Transition(until=node.req("until").day(), text=node.req("text").text())

    # -- registration, routes, themes, programmes ------------------------------------------
    def named(self, node: Node, *extra_fields: str) -> tuple[str, str, tuple[str, ...], Source]:
        node.only("id", "name", "aliases", "source", *extra_fields)
        aliases = node.child("aliases").texts() if node.has("aliases") else ()
        return node.req("id").text(), node.req("name").text(), aliases, self.source(node)

    def routes(self) -> tuple[Route, ...]:
        result = []
        for item in self.raw.files["registration.yml"].req("routes").items():
            route_id, name, _aliases, source = self.named(item, "short", "completed_by", "condition")
            done = item.req("completed_by").only("diploma", "professionalisation")
            condition = None
            if item.has("condition"):
                cond = item.req("condition").only("registration_type", "level", "text")
                condition = RouteCondition(
                    registration_type=cond.child("registration_type").text() if cond.has("registration_type") else None,
                    level=cond.child("level").text() if cond.has("level") else None,
                    text=cond.req("text").text(),
                )
            result.append(
                Route(
                    id=route_id, name=name, short=item.req("short").text(),
                    diploma=done.child("diploma").text() if done.has("diploma") else None,
                    professionalisation=done.child("professionalisation").boolean() if done.has("professionalisation") else False,
                    condition=condition, source=source,
                )
            )
        return tuple(result)

    def simple_named(self, file: str, key: str) -> tuple[Named, ...]:
        return tuple(Named(*self.named(item)) for item in self.raw.files[file].req(key).items())

    def themes(self, regulation_ids: set[str]) -> tuple[Theme, ...]:
        result = []
        for item in self.raw.files["themes.yml"].req("themes").items():
            theme_id, name, aliases, source = self.named(item, "regulations", "subthemes")
            regs = item.req("regulations").texts()
            for index, reg in enumerate(regs):
                if reg not in regulation_ids:
                    raise item.fail(f"unknown regulation '{reg}'", f"regulations[{index}]")
            subthemes = []
            if item.has("subthemes"):
                for sub in item.req("subthemes").items():
                    sub.only("id", "name", "aliases")
                    subthemes.append(
                        SubTheme(
                            id=sub.req("id").text(), name=sub.req("name").text(),
                            aliases=sub.child("aliases").texts() if sub.has("aliases") else (),
                        )
                    )
            result.append(Theme(theme_id, name, aliases, source, regs, tuple(subthemes)))
        return tuple(result)

    # The descriptive blocks of a programme: key in the data -> how it is read (its field on Programme
    # has the same name).
    PROGRAMME_BLOCKS: Mapping[str, Callable[[Loader, Node, str], Info]] = {
        "study_load_hours": study_load, "costs": programme_costs, "enrolment": text_block,
        "validation": validation, "learning_goals": list_block, "phases": phases, "directieteam": regions,
        "benefits": list_block, "contact": contact,
    }

    def programmes(self, themes: Mapping[str, Theme],
                   regulations: Sequence[Regulation] = ()) -> tuple[Programme, ...]:
        result = []
        for item in self.raw.files["programmes.yml"].req("programmes").items():
            prog_id, name, aliases, _ = self.named_without_source(
                item, "short", "provider", "certified", "recognition", *self.PROGRAMME_BLOCKS
            )
            certified_node = item.req("certified").only("value", "by", "note", "source")
            certified = Fact(
                value=certified_node.req("value").boolean(),
                source=self.source(certified_node),
                note=certified_node.child("note").text() if certified_node.has("note") else None,
            )
            recognition = tuple(
                self._recognition(entry, themes, regulations) for entry in item.req("recognition").items()
            )
            if not recognition:
                raise item.fail("at least one recognition entry is needed", "recognition")
            for index in range(1, len(recognition)):
                if recognition[index].valid_from <= recognition[index - 1].valid_from:
                    raise item.fail(
                        "entries must be in date order without two on the same date",
                        f"recognition[{index}].valid_from",
                    )
            blocks = {key: parse(self, item.req(key), key) for key, parse in self.PROGRAMME_BLOCKS.items()
                      if item.has(key)}
            result.append(
                Programme(
                    id=prog_id, name=name, aliases=aliases, source=certified.source,
                    short=item.req("short").text(), provider=item.req("provider").text(),
                    certified=certified,
                    certified_by=certified_node.child("by").text() if certified_node.has("by") else None,
                    recognition=recognition, **blocks,  # type: ignore[arg-type]
                )
            )
        return tuple(result)

    def named_without_source(self, node: Node, *extra: str) -> tuple[str, str, tuple[str, ...], None]:
        node.only("id", "name", "aliases", *extra)
        aliases = node.child("aliases").texts() if node.has("aliases") else ()
        return node.req("id").text(), node.req("name").text(), aliases, None

    def _recognition(self, node: Node, themes: Mapping[str, Theme],
                     regulations: Sequence[Regulation] = ()) -> Recognition:
        node.only("valid_from", "valid_under", "form", "points", "value_text", "themes", "note", "source")
        # A seed that gives a value but no date: `valid_under` names the regulation whose unit the value is
        # in (points: the rules of 17 November 2020), and the value holds from that regulation's start.
        if node.has("valid_from") == node.has("valid_under"):
            raise node.fail("give either valid_from (a date the source names) or valid_under (a regulation id)",
                            "valid_from")
        valid_under = node.req("valid_under").text() if node.has("valid_under") else None
        if valid_under is not None:
            regulation = next((r for r in regulations if r.id == valid_under), None)
            if regulation is None:
                raise node.fail(f"unknown regulation '{valid_under}' (not in regulations.yml)", "valid_under")
            valid_from = regulation.valid_from
        else:
            valid_from = node.req("valid_from").day()
        form = node.req("form").text()
        if form not in ("vooraf", "formeel", "informeel", "none"):
            raise node.fail("must be one of vooraf, formeel, informeel, none", "form")
        refs = []
        themes_node = node.child("themes")
        for ref in themes_node.items() if themes_node.value is not None else iter(()):
            ref.only("theme", "subtheme")
            theme_id = ref.req("theme").text()
            theme = themes.get(theme_id)
            if theme is None:
                raise ref.fail(f"unknown theme '{theme_id}' (not in themes.yml)", "theme")
            sub = None
            if ref.has("subtheme"):
                sub_id = ref.req("subtheme").text()
                sub = next((s for s in theme.subthemes if s.id == sub_id), None)
                if sub is None:
                    raise ref.fail(f"unknown subtheme '{sub_id}' of theme '{theme_id}'", "subtheme")
            refs.append(ThemeRef(theme, sub))
        points = node.child("points").integer(0) if node.has("points") else None
        if form == "vooraf" and points is None:
            raise node.fail("a 'vooraf' programme needs points", "points")
        return Recognition(
            valid_from=valid_from,
            valid_under=valid_under,
            form=cast(Form, form),
            points=points,
            themes=tuple(refs),
            source=self.source(node),
            value_text=node.child("value_text").text() if node.has("value_text") else None,
            note=node.child("note").text() if node.has("note") else None,
        )


def _replace_until(reg: Regulation, until: date | None) -> Regulation:
    from dataclasses import replace

    return replace(reg, valid_until=until)


def check_unique_names(file: str, key: str, items: tuple[Named, ...]) -> None:
    """No two items of one kind may share an id, name or alias (after normalising)."""
    seen: dict[str, str] = {}
    for index, item in enumerate(items):
        for name in item.names():
            norm = normalise(name)
            other = seen.get(norm)
            if other is not None and other != item.id:
                raise DataError(file, f"{key}[{index}]", f"name '{name}' is also used by '{other}'")
            seen[norm] = item.id


# The descriptive blocks of a trajectory: key in the data (and field of Trajectory) -> how it is read.
TRAJECTORY_BLOCKS: Mapping[str, Callable[[Loader, Node, str], Info]] = {
    "certified": Loader.certification, "themes_per_valuation": Loader.count, "steps": Loader.list_block,
    "guidance": Loader.offer, "reflection_instrument": Loader.instrument, "costs": Loader.trajectory_costs,
    "contact": Loader.contact,
}


def load_trajectories(loader: Loader) -> tuple[Trajectory, ...]:
    result = []
    root = loader.raw.files["valuation.yml"]
    for item in root.req("trajectories").items():
        traj_id, name, aliases, _ = loader.named_without_source(item, "short", "provider", *TRAJECTORY_BLOCKS)
        blocks = {key: parse(loader, item.req(key), key) for key, parse in TRAJECTORY_BLOCKS.items() if item.has(key)}
        certified = blocks.get("certified")
        if certified is None:
            raise item.fail("missing required field", "certified")
        result.append(
            Trajectory(
                id=traj_id, name=name, aliases=aliases, source=certified.source,
                short=item.req("short").text(), provider=item.req("provider").text(), **blocks,  # type: ignore[arg-type]
            )
        )
    return tuple(result)


def _optional(node: Node, key: str, parse: Callable[[Node], T]) -> T | None:
    """An optional field of a block, parsed when present."""
    return parse(node.child(key)) if node.has(key) else None
