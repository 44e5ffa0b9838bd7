"""The Teams app package: manifest, icons and the build step."""

from __future__ import annotations

import json
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


def test_the_manifest_fits_the_schema_limits() -> None:
    data = json.loads(manifest(APP_ID))
    assert data["manifestVersion"] == "1.17" and data["$schema"].endswith("/v1.17/MicrosoftTeams.schema.json")
    assert data["developer"]["name"] == "Schoolleidersregister PO"
    assert all(data["developer"][k].startswith("https://") for k in ("websiteUrl", "privacyUrl", "termsOfUseUrl"))
    assert data["name"]["short"] == "Registerwijzer" and len(data["name"]["full"]) <= 100
    assert len(data["description"]["short"]) <= 80 and len(data["description"]["full"]) <= 4000
    [bot] = data["bots"]
    assert bot["scopes"] == ["personal"]
    commands = bot["commandLists"][0]["commands"]
    assert 1 <= len(commands) <= 10
    assert all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in commands)


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
