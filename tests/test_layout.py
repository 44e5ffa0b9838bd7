"""Issue 15: `bot/` is the domain alone. Rasa's adapters live at the top level (`actions/`, `channels/`,
`components/`); no module under `bot/` imports Rasa, the Rasa SDK or Sanic."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADAPTER_LIBRARIES = {"rasa", "rasa_sdk", "sanic"}


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_domain_imports_no_rasa_and_no_sanic() -> None:
    found = {str(p.relative_to(ROOT)): sorted(imported(p) & ADAPTER_LIBRARIES) for p in (ROOT / "bot").rglob("*.py")}
    assert {path: names for path, names in found.items() if names} == {}


def test_the_channels_are_registered_from_the_top_level() -> None:
    credentials = (ROOT / "credentials.yml").read_text(encoding="utf-8")
    for channel in ("channels.rest.VerifiedRestInput", "channels.webchat.WebchatInput", "channels.teams.TeamsInput"):
        assert f"\n{channel}:" in credentials
    assert "bot.channels" not in credentials
