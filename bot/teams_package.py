"""Build the Teams app package: `python -m bot.teams_package OUT.zip [--app-id GUID]`.

Fills the bot's Microsoft App ID (`--app-id`, else `TEAMS_APP_ID`) into teams/manifest.json and zips it
with teams/color.png and teams/outline.png, all three at the root of the zip, as Teams expects, plus the
translation files the manifest names in `localizationInfo.additionalLanguages` (none today: the manifest
is Dutch, `nl-nl`). tests/teams/test_manifest_schema.py checks the result against Microsoft's schema.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

TEAMS_DIR = Path(__file__).resolve().parents[1] / "teams"
PLACEHOLDER = "${TEAMS_APP_ID}"
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
FILES = ("manifest.json", "color.png", "outline.png")


class PackageError(Exception):
    pass


def manifest(app_id: str, source: Path = TEAMS_DIR) -> str:
    """The manifest with the app id filled in; the result is checked to be valid JSON."""
    if not GUID.match(app_id):
        raise PackageError(f"De app-ID {app_id!r} is geen GUID (zoals 00000000-0000-0000-0000-000000000000).")
    text = (source / "manifest.json").read_text(encoding="utf-8").replace(PLACEHOLDER, app_id.lower())
    data = json.loads(text)
    if data.get("id") != app_id.lower() or data["bots"][0].get("botId") != app_id.lower():
        raise PackageError("teams/manifest.json heeft geen ${TEAMS_APP_ID} bij id en botId.")
    return text


def language_files(data: dict[str, Any], source: Path = TEAMS_DIR) -> list[str]:
    """The translation files named in `localizationInfo.additionalLanguages`, as paths inside the package.

    Each must be a relative path below `source` to a file holding a JSON object.
    """
    names: list[str] = []
    for language in data.get("localizationInfo", {}).get("additionalLanguages", []):
        name = language.get("file", "") if isinstance(language, dict) else ""
        path = PurePosixPath(name)
        if not name or "\\" in name or path.is_absolute() or ".." in path.parts:
            raise PackageError(f"Het vertaalbestand {name!r} in teams/manifest.json moet een relatief pad zijn.")
        try:
            strings = json.loads((source / path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise PackageError(f"Het vertaalbestand {name!r} is niet te lezen als JSON: {exc}") from exc
        if not isinstance(strings, dict):
            raise PackageError(f"Het vertaalbestand {name!r} bevat geen JSON-object.")
        names.append(str(path))
    return names


def build(out: Path, app_id: str, source: Path = TEAMS_DIR) -> Path:
    text = manifest(app_id, source)
    translations = language_files(json.loads(text), source)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", text)
        for name in (*FILES[1:], *translations):
            package.write(source / name, arcname=name)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.teams_package",
                                     description="Maak het Teams-app-pakket (manifest.json, color.png, outline.png).")
    parser.add_argument("out", metavar="OUT.zip", help="waar het pakket komt")
    parser.add_argument("--app-id", default=os.environ.get("TEAMS_APP_ID", ""),
                        help="de Microsoft App ID van de bot (standaard: TEAMS_APP_ID)")
    args = parser.parse_args(argv)
    if not args.app_id:
        print("Geef de app-ID met --app-id of TEAMS_APP_ID.", file=sys.stderr)
        return 1
    try:
        path = build(Path(args.out), args.app_id.strip())
    except PackageError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Teams-pakket gemaakt: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
