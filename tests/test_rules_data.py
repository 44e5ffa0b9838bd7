"""Schema checks of the rules data, and changes made as data only.

Each test edits a copy of bot/register/data (the `data_copy` fixture) and builds a RuleBook from it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from bot.answers.explain import explain, points_for
from bot.register import DataError, Dossier, ProgrammeActivity, ValuationActivity, build, load_rules

NEW = date(2024, 1, 1)
LK1_EXAMPLE = Dossier((ProgrammeActivity("leerKRACHT jaar-1"), ValuationActivity(level=5)))


def read(folder: Path, file: str) -> Any:
    return yaml.safe_load((folder / file).read_text(encoding="utf-8"))


def write(folder: Path, file: str, data: Any) -> None:
    (folder / file).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def edit(folder: Path, file: str, change: Callable[[Any], None]) -> None:
    data = read(folder, file)
    change(data)
    write(folder, file, data)


def programme(data: Any, prog_id: str) -> Any:
    return next(p for p in data["programmes"] if p["id"] == prog_id)


def regulation(data: Any, reg_id: str) -> Any:
    return next(r for r in data["regulations"] if r["id"] == reg_id)


def test_shipped_data_builds() -> None:
    book = build(Path(load_rules().folder))
    assert [r.id for r in book.regulations] == ["srpo-2013", "srpo-2020"]


def test_unchanged_copy_builds(data_copy: Path) -> None:
    book = build(data_copy)
    assert book.evaluate(LK1_EXAMPLE, NEW).total_points == 90


# -- schema errors name the file and the field ----------------------------------------------------
def unknown_theme(data: Any) -> None:
    programme(data, "leerkracht-jaar-1")["recognition"][0]["themes"][0]["theme"] = "astrologie"


def unknown_subtheme(data: Any) -> None:
    programme(data, "teamcoaching-voor-managers")["recognition"][0]["themes"][1]["subtheme"] = "als-klas"


def until_past_next_start(data: Any) -> None:
    regulation(data, "srpo-2013")["valid_until"] = date(2021, 1, 1)


def same_start_day(data: Any) -> None:
    regulation(data, "srpo-2020")["valid_from"] = date(2013, 1, 1)


def until_before_from(data: Any) -> None:
    regulation(data, "srpo-2020")["valid_until"] = date(2019, 1, 1)


def missing_source(data: Any) -> None:
    del data["themes"][2]["source"]


def missing_fact_source(data: Any) -> None:
    del regulation(data, "srpo-2020")["points_required"]["source"]


def unknown_seed(data: Any) -> None:
    programme(data, "leerkracht-jaar-1")["recognition"][0]["source"]["seed"] = "999_onbekend.txt"


def unknown_section(data: Any) -> None:
    programme(data, "leerkracht-jaar-1")["recognition"][0]["source"]["section"] = "Prijzen"


def misspelt_regulation_field(data: Any) -> None:
    reg = regulation(data, "srpo-2020")
    reg["valid_form"] = reg.pop("valid_from")


def misspelt_programme_field(data: Any) -> None:
    prog = programme(data, "leerkracht-schoolleidersprogramma")
    prog["recognition"][0]["pionts"] = prog["recognition"][0].pop("points")


def points_as_text(data: Any) -> None:
    programme(data, "leerkracht-jaar-1")["recognition"][0]["points"] = "zeventig"


def vooraf_without_points(data: Any) -> None:
    del programme(data, "leerkracht-jaar-1")["recognition"][0]["points"]


def unknown_route(data: Any) -> None:
    regulation(data, "srpo-2013")["routes"]["value"].append("snelweg")


def based_on_later(data: Any) -> None:
    regulation(data, "srpo-2020")["based_on"] = "srpo-2030"


def duplicate_alias(data: Any) -> None:
    programme(data, "leerkracht-schoolleidersprogramma")["aliases"].append("LK1")


def bad_model(data: Any) -> None:
    regulation(data, "srpo-2020")["model"] = "stars"


def misspelt_cost_field(data: Any) -> None:
    costs = programme(data, "leerkracht-jaar-1")["costs"]
    costs["tekst"] = costs.pop("text")


def cost_amount_as_text(data: Any) -> None:
    data["trajectories"][0]["costs"]["items"][1]["eur"] = "twaalfhonderd"


def unknown_step_field(data: Any) -> None:
    data["trajectories"][0]["steps"]["stappen"] = ["één"]


def board_without_members(data: Any) -> None:
    del data["organisation"]["board"]["members"]


def contact_without_anything(data: Any) -> None:
    contact = programme(data, "leerkracht-directieteams")["contact"]
    del contact["email"], contact["phone"]


def level_above_max(data: Any) -> None:
    regulation(data, "srpo-2020")["valuation_points"]["value"]["extra_by_level"][7] = 30


@pytest.mark.parametrize(
    "file,change,field,problem",
    [
        pytest.param("programmes.yml", unknown_theme, "programmes[0].recognition[0].themes[0].theme",
                     "unknown theme 'astrologie'", id="unknown theme in a programme"),
        pytest.param("programmes.yml", unknown_subtheme, "programmes[2].recognition[0].themes[1].subtheme",
                     "unknown subtheme", id="unknown subtheme"),
        pytest.param("regulations.yml", until_past_next_start, "regulations[id=srpo-2013].valid_until",
                     "overlaps 'srpo-2020'", id="valid_until past the next regulation's start"),
        pytest.param("regulations.yml", same_start_day, "regulations[id=srpo-2020].valid_from",
                     "both start on 2013-01-01", id="two regulations start the same day"),
        pytest.param("regulations.yml", until_before_from, "regulations[id=srpo-2020].valid_until",
                     "must be after valid_from", id="valid_until before valid_from"),
        pytest.param("themes.yml", missing_source, "themes[2].source", "missing source", id="missing source"),
        pytest.param("regulations.yml", missing_fact_source, "regulations[1].points_required.source",
                     "missing source", id="missing source of a fact"),
        pytest.param("programmes.yml", unknown_seed, "programmes[0].recognition[0].source.seed",
                     "unknown seed '999_onbekend.txt'", id="source names an unknown seed"),
        pytest.param("programmes.yml", unknown_section, "programmes[0].recognition[0].source.section",
                     "section 'Prijzen' is not listed", id="source names an unknown section"),
        pytest.param("regulations.yml", misspelt_regulation_field, "regulations[1].valid_form", "unknown field",
                     id="misspelt field in a regulation"),
        pytest.param("programmes.yml", misspelt_programme_field, "programmes[1].recognition[0].pionts",
                     "unknown field", id="misspelt field in a programme"),
        pytest.param("programmes.yml", points_as_text, "programmes[0].recognition[0].points",
                     "expected a whole number", id="points as text"),
        pytest.param("programmes.yml", vooraf_without_points, "programmes[0].recognition[0].points",
                     "needs points", id="vooraf programme without points"),
        pytest.param("regulations.yml", unknown_route, "regulations[0].routes.value[3]", "unknown route 'snelweg'",
                     id="unknown route"),
        pytest.param("regulations.yml", based_on_later, "regulations[1].based_on", "not an earlier regulation",
                     id="based_on an unknown regulation"),
        pytest.param("programmes.yml", duplicate_alias, "programmes[1]", "also used by 'leerkracht-jaar-1'",
                     id="alias used by two programmes"),
        pytest.param("regulations.yml", bad_model, "regulations[1].model", "must be 'themes' or 'points'",
                     id="unknown model"),
        # The descriptive blocks (costs, steps, contact, ...) are checked like the facts (issue 15).
        pytest.param("programmes.yml", misspelt_cost_field, "programmes[0].costs.tekst", "unknown field",
                     id="misspelt field in a programme's costs"),
        pytest.param("valuation.yml", cost_amount_as_text, "trajectories[0].costs.items[1].eur",
                     "expected a whole number", id="a trajectory's cost as text"),
        pytest.param("valuation.yml", unknown_step_field, "trajectories[0].steps.stappen", "unknown field",
                     id="unknown field in a trajectory's steps"),
        pytest.param("organisation.yml", board_without_members, "organisation.board.members",
                     "missing required field", id="board without members"),
        pytest.param("programmes.yml", contact_without_anything, "programmes[4].contact", "at least one of",
                     id="contact without a name, e-mail or phone"),
        pytest.param("regulations.yml", level_above_max, "regulations[1].valuation_points.value.extra_by_level.7",
                     "above max_level 6", id="valuation level above max"),
    ],
)
def test_invalid_data_names_file_and_field(data_copy: Path, file: str, change: Callable[[Any], None],
                                           field: str, problem: str) -> None:
    edit(data_copy, file, change)
    with pytest.raises(DataError) as exc:
        build(data_copy)
    assert exc.value.file == file
    assert exc.value.field == field
    assert problem in exc.value.problem
    assert str(exc.value).startswith(f"{file}: {field}: ")


def test_invalid_yaml(data_copy: Path) -> None:
    (data_copy / "themes.yml").write_text("themes:\n  - id: [unclosed\n    name: x\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        build(data_copy)
    assert exc.value.file == "themes.yml"
    assert exc.value.field == "(file)"
    assert "not valid YAML" in exc.value.problem


def test_yaml_that_is_not_a_mapping(data_copy: Path) -> None:
    (data_copy / "valuation.yml").write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        build(data_copy)
    assert (exc.value.file, exc.value.field) == ("valuation.yml", "(top)")


def test_missing_file(data_copy: Path) -> None:
    (data_copy / "registration.yml").unlink()
    with pytest.raises(DataError) as exc:
        build(data_copy)
    assert exc.value.file == "registration.yml"
    assert exc.value.field == "(file)"
    assert "missing" in exc.value.problem


# -- one source of truth ------------------------------------------------------------------------------
def test_changing_the_data_changes_the_answers(data_copy: Path) -> None:
    def to_75(data: Any) -> None:
        entry = programme(data, "leerkracht-jaar-1")["recognition"][0]
        assert entry["points"] == 70
        entry["points"] = 75

    edit(data_copy, "programmes.yml", to_75)
    changed = build(data_copy).evaluate(LK1_EXAMPLE, NEW)
    assert changed.total_points == 95
    assert changed.points_missing == 5
    assert explain(changed).text == (
        "75 (leerKRACHT jaar-1) + 20 (thema op niveau 5: 10 + 10 extra) = 95 van de 100; je mist nog 5 punten."
    )
    assert points_for(build(data_copy), ProgrammeActivity("LK1"), NEW) == 75

    shipped = load_rules()
    assert points_for(shipped, ProgrammeActivity("LK1"), NEW) == 70
    assert explain(shipped.evaluate(LK1_EXAMPLE, NEW)).text.startswith("70 (leerKRACHT jaar-1) + 20 ")
    assert read(shipped.folder, "programmes.yml")["programmes"][0]["recognition"][0]["points"] == 70


def test_load_rules_caches_per_folder(data_copy: Path) -> None:
    assert load_rules() is load_rules()
    copy = load_rules(data_copy)
    assert copy is load_rules(str(data_copy))
    assert copy is not load_rules()


# -- a later regulation, as data only -----------------------------------------------------------------
LATER_SOURCE = "schoolleidersregisterpo.nl/professionaliseren"


def add_later_regulation(folder: Path) -> None:
    def source(data: Any) -> None:
        data["sources"][LATER_SOURCE] = {
            "title": "Professionaliseren",
            "publisher": "Schoolleidersregister PO",
            "sections": ["Herregistratie"],
        }

    def later(data: Any) -> None:
        data["regulations"].append({
            "id": "srpo-2022",
            "name": "de regels vanaf 24 augustus 2022",
            "valid_from": date(2022, 8, 24),
            "based_on": "srpo-2020",
            "source": {"seed": LATER_SOURCE, "section": "Herregistratie"},
            "cycle_years": {"value": 5, "source": {"seed": LATER_SOURCE, "section": "Herregistratie"}},
        })

    edit(folder, "sources.yml", source)
    edit(folder, "regulations.yml", later)


def test_later_regulation_is_data_only(data_copy: Path) -> None:
    add_later_regulation(data_copy)
    book = build(data_copy)

    assert [(r.id, r.valid_from, r.valid_until) for r in book.regulations] == [
        ("srpo-2013", date(2013, 1, 1), date(2020, 11, 17)),
        ("srpo-2020", date(2020, 11, 17), date(2022, 8, 24)),
        ("srpo-2022", date(2022, 8, 24), None),
    ]
    assert book.regulation_on(date(2022, 8, 23)).id == "srpo-2020"
    assert book.regulation_on(date(2022, 8, 24)).id == "srpo-2022"
    assert book.regulation_on(date(2030, 1, 1)).id == "srpo-2022"
    assert book.regulation_on(date(2020, 11, 16)).id == "srpo-2013"

    assert book.period_end(date(2022, 8, 23)) == date(2026, 8, 23)   # +4 before
    assert book.period_end(date(2022, 8, 24)) == date(2027, 8, 24)   # +5 from
    assert book.period_end(date(2023, 3, 1)) == date(2028, 3, 1)
    assert book.period_end(date(2024, 2, 29)) == date(2029, 2, 28)  # 29 February into a common year

    later = book.regulation("srpo-2022")
    assert later.cycle_years.value == 5 and later.cycle_years.source.seed == LATER_SOURCE
    # Everything else is inherited from srpo-2020 through based_on.
    assert later.points_required is not None and later.points_required.value == 100
    assert later.model.id == "points"
    assert explain(book.evaluate(LK1_EXAMPLE, date(2023, 1, 1))).text == (
        "70 (leerKRACHT jaar-1) + 20 (thema op niveau 5: 10 + 10 extra) = 90 van de 100; je mist nog 10 punten."
    )

    # The shipped data is untouched: still four years after 24 August 2022.
    assert load_rules().period_end(date(2022, 8, 24)) == date(2026, 8, 24)
    assert [r.id for r in load_rules().regulations] == ["srpo-2013", "srpo-2020"]
