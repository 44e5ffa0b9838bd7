"""teams/manifest.json, as bot.teams_package ships it, against Microsoft's published v1.17 schema.

The schemas are verbatim copies in teams/schema/ (provenance in teams/schema/README.md); validation is
offline: any remote `$ref` would fail the test instead of being fetched.
"""

from __future__ import annotations

import copy
import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterator

import jsonschema
import pytest
from jsonschema.validators import RefResolver, validator_for

from bot.teams_package import TEAMS_DIR, build

SCHEMA_DIR = TEAMS_DIR / "schema"
MANIFEST_SCHEMA = SCHEMA_DIR / "MicrosoftTeams.v1.17.schema.json"
LOCALIZATION_SCHEMA = SCHEMA_DIR / "MicrosoftTeams.Localization.v1.17.schema.json"
# sha256 of the files as published (teams/schema/README.md): a local edit shows up here.
PUBLISHED = {
    MANIFEST_SCHEMA.name: "a94d5b9f3125a7804fd96b9efecc5b923ecfc266dd5a7be1d92fe2544ae01426",
    LOCALIZATION_SCHEMA.name: "f0ec5011b93434da1f0c4a7a4ef558b62d79bc98fea9e37e9513fcdd17aa2bcc",
}
APP_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def refuse_remote(uri: str) -> Any:
    raise AssertionError(f"the schema asked for {uri}; validation must stay offline")


def validator(path: Path) -> Any:
    """The validator for the draft the schema declares in `$schema`, resolving only inside the schema."""
    schema = load(path)
    cls: Any = validator_for(schema)
    cls.check_schema(schema)
    resolver = RefResolver.from_schema(schema, handlers={"http": refuse_remote, "https": refuse_remote})
    return cls(schema, resolver=resolver, format_checker=cls.FORMAT_CHECKER)


def problems(path: Path, instance: Any) -> list[str]:
    return sorted(f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
                  for e in validator(path).iter_errors(instance))


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("teams") / "app.zip", APP_ID)


@pytest.fixture(scope="module")
def shipped(package: Path) -> dict[str, Any]:
    with zipfile.ZipFile(package) as zipped:
        data: dict[str, Any] = json.loads(zipped.read("manifest.json"))
    return data


@pytest.mark.parametrize("path", [MANIFEST_SCHEMA, LOCALIZATION_SCHEMA], ids=lambda p: p.name)
def test_the_stored_schemas_are_microsofts_draft_04_files(path: Path) -> None:
    assert hashlib.sha256(path.read_bytes()).hexdigest() == PUBLISHED[path.name]
    schema = load(path)
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert validator_for(schema) is jsonschema.Draft4Validator
    assert all(ref.startswith("#") for ref in refs(schema))  # nothing to fetch


def test_the_schema_is_the_one_the_manifest_names(shipped: dict[str, Any]) -> None:
    # Draft 4 has no `const`, so the validator ignores the schema's manifestVersion; checked here.
    version = load(MANIFEST_SCHEMA)["properties"]["manifestVersion"]["const"]
    assert version == "1.17" == shipped["manifestVersion"]
    assert shipped["$schema"] == (
        f"https://developer.microsoft.com/json-schemas/teams/v{version}/MicrosoftTeams.schema.json")


def test_the_packaged_manifest_is_valid(shipped: dict[str, Any]) -> None:
    assert problems(MANIFEST_SCHEMA, shipped) == []
    assert shipped["id"] == shipped["bots"][0]["botId"] == APP_ID


def test_the_manifest_is_dutch_and_every_translation_is_shipped_and_valid(
        package: Path, shipped: dict[str, Any]) -> None:
    assert shipped["localizationInfo"]["defaultLanguageTag"] == "nl-nl"
    with zipfile.ZipFile(package) as zipped:
        names = set(zipped.namelist())
        assert {shipped["icons"]["color"], shipped["icons"]["outline"]} <= names
        for language in shipped["localizationInfo"].get("additionalLanguages", []):
            assert language["file"] in names
            strings = json.loads(zipped.read(language["file"]))
            assert problems(LOCALIZATION_SCHEMA, strings) == [], language["file"]


def test_the_raw_manifest_with_its_placeholder_is_rejected() -> None:
    raw = load(TEAMS_DIR / "manifest.json")
    assert {p.split(":")[0] for p in problems(MANIFEST_SCHEMA, raw)} == {"id", "bots/0/botId"}


def _drop_bot_id(m: dict[str, Any]) -> None:
    del m["bots"][0]["botId"]


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split("/")

    def change(m: dict[str, Any]) -> None:
        node: Any = m
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[last] = value
    return change


@pytest.mark.parametrize(("change", "where"), [
    (_drop_bot_id, "bots/0"),
    (_set("accentColor", "1B5E87"), "accentColor"),
    (_set("accentColor", "#1B5E8"), "accentColor"),
    (_set("id", "registerwijzer"), "id"),
    (_set("manifest", "1.17"), "(root)"),
    (_set("localizationInfo/defaultLanguageTag", "nl_NL"), "localizationInfo/defaultLanguageTag"),
    (_set("localizationInfo/additionalLanguages", [{"languageTag": "en-us"}]),
     "localizationInfo/additionalLanguages/0"),
    (_set("name/short", "Registerwijzer van het Schoolleidersregister"), "name/short"),
    (_set("developer/websiteUrl", "www.schoolleidersregisterpo.nl"), "developer/websiteUrl"),
    (_set("bots/0/scopes", ["personal", "everyone"]), "bots/0/scopes/1"),
    (_set("bots/0/commandLists/0/commands/0/title", "Hoeveel punten heb ik nog nodig voor herregistratie?"),
     "bots/0/commandLists/0/commands/0/title"),
], ids=["no botId", "colour without #", "short colour", "id no GUID", "unknown field", "language tag",
        "language without file", "short name too long", "url without scheme", "unknown scope",
        "command title too long"])
def test_the_schema_rejects_a_broken_manifest(shipped: dict[str, Any],
                                              change: Callable[[dict[str, Any]], None], where: str) -> None:
    broken = copy.deepcopy(shipped)
    change(broken)
    found = problems(MANIFEST_SCHEMA, broken)
    assert found and all(p.startswith(f"{where}: ") for p in found), found


def test_the_localization_schema_accepts_translations_and_rejects_broken_ones() -> None:
    strings = {
        "$schema": "https://developer.microsoft.com/json-schemas/teams/v1.17/MicrosoftTeams.Localization.schema.json",
        "name.short": "Registerwijzer",
        "name.full": "Registerwijzer of the Schoolleidersregister PO",
        "description.short": "Questions about registration in the Schoolleidersregister PO",
        "description.full": "Answers questions about registration and re-registration.",
        "bots[0].commandLists[0].commands[0].title": "What can you do?",
    }
    assert problems(LOCALIZATION_SCHEMA, strings) == []
    assert problems(LOCALIZATION_SCHEMA, {k: v for k, v in strings.items() if k != "name.full"}) == [
        "(root): 'name.full' is a required property"]
    assert problems(LOCALIZATION_SCHEMA, {**strings, "bots[0].title": "x"})
    assert problems(LOCALIZATION_SCHEMA, {**strings, "name.short": "x" * 31})
