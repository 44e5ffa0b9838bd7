"""The Teams app package: manifest, icons and the build step."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from bot.teams_package import TEAMS_DIR, PackageError, build, manifest

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"


def test_the_package_holds_the_manifest_and_both_icons(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "bot.teams_package", str(tmp_path / "app.zip"), "--app-id", APP_ID],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "app.zip") as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        data = json.loads(package.read("manifest.json"))
    assert data["id"] == APP_ID and data["bots"][0]["botId"] == APP_ID
    assert "${" not in json.dumps(data)


def test_the_manifest_says_what_we_chose() -> None:
    # Lengths, formats and field names are Microsoft's schema's business: tests/teams/test_manifest_schema.py.
    data = json.loads(manifest(APP_ID))
    assert data["developer"]["name"] == "Schoolleidersregister PO"
    # the schema lets http:// through; we publish https only
    assert all(data["developer"][k].startswith("https://") for k in ("websiteUrl", "privacyUrl", "termsOfUseUrl"))
    assert data["name"]["short"] == "Registerwijzer"
    assert data["localizationInfo"] == {"defaultLanguageTag": "nl-nl"}
    [bot] = data["bots"]
    assert bot["scopes"] == ["personal"]
    assert bot["commandLists"][0]["commands"]


def test_icons_have_the_sizes_teams_requires() -> None:
    color = Image.open(TEAMS_DIR / "color.png")
    assert color.size == (192, 192)
    outline = Image.open(TEAMS_DIR / "outline.png").convert("RGBA")
    assert outline.size == (32, 32)
    pixels = [outline.getpixel((x, y)) for x in range(32) for y in range(32)]
    assert {p[3] for p in pixels} >= {0, 255}  # transparent background, visible symbol
    assert all(p[:3] == (255, 255, 255) for p in pixels if p[3])  # only white


@pytest.mark.parametrize("app_id", ["", "not-a-guid", "00000000-0000-0000-0000-00000000000g"])
def test_a_bad_app_id_is_refused(tmp_path: Path, app_id: str) -> None:
    with pytest.raises(PackageError):
        build(tmp_path / "app.zip", app_id)
    assert not (tmp_path / "app.zip").exists()


def _source_with(tmp_path: Path, languages: list[dict[str, str]]) -> Path:
    source = tmp_path / "teams"
    source.mkdir()
    for name in ("color.png", "outline.png"):
        shutil.copy(TEAMS_DIR / name, source / name)
    data = json.loads((TEAMS_DIR / "manifest.json").read_text(encoding="utf-8"))
    data["localizationInfo"]["additionalLanguages"] = languages
    (source / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    return source


def test_translation_files_named_in_the_manifest_go_into_the_package(tmp_path: Path) -> None:
    source = _source_with(tmp_path, [{"languageTag": "en-us", "file": "en.json"},
                                     {"languageTag": "fy-nl", "file": "talen/fy.json"}])
    (source / "en.json").write_text(json.dumps({"name.short": "Registerwijzer"}), encoding="utf-8")
    (source / "talen").mkdir()
    (source / "talen" / "fy.json").write_text(json.dumps({"name.short": "Registerwizer"}), encoding="utf-8")
    with zipfile.ZipFile(build(tmp_path / "app.zip", APP_ID, source)) as package:
        assert sorted(package.namelist()) == ["color.png", "en.json", "manifest.json", "outline.png", "talen/fy.json"]
        assert json.loads(package.read("talen/fy.json")) == {"name.short": "Registerwizer"}


@pytest.mark.parametrize("file", ["../en.json", "/etc/passwd", "talen\\en.json", "", "missing.json", "broken.json",
                                  "list.json"])
def test_a_bad_translation_file_is_refused(tmp_path: Path, file: str) -> None:
    source = _source_with(tmp_path, [{"languageTag": "en-us", "file": file}])
    (source / "broken.json").write_text("{", encoding="utf-8")
    (source / "list.json").write_text("[]", encoding="utf-8")
    (tmp_path / "en.json").write_text("{}", encoding="utf-8")
    with pytest.raises(PackageError):
        build(tmp_path / "app.zip", APP_ID, source)
    assert not (tmp_path / "app.zip").exists()
