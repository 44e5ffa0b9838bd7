"""Issue 19: the colours of the overview's progress bar and timeline (web/style.css) meet WCAG AA: 3:1 for
graphics (1.4.11 non-text contrast), 4.5:1 for text (1.4.3), computed from the CSS as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parent.parent / "web" / "style.css"


def variables() -> dict[str, str]:
    root = re.search(r":root\s*\{([^}]*)\}", CSS.read_text(encoding="utf-8"))
    assert root, "no :root block in web/style.css"
    return dict(re.findall(r"--([\w-]+)\s*:\s*(#[0-9a-fA-F]{6})\b", root.group(1)))


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def ratio(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_ratio_matches_known_values() -> None:
    assert ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize(("front", "back", "minimum"), [
    ("bar-fill", "bar-track", 3.0),   # the filled part of the bar and of the timeline against the empty part
    ("bar-edge", "bot-bg", 3.0),      # the track's edge against the bubble: where the bar ends is visible
    ("bar-fill", "bot-bg", 3.0),
    ("today", "bar-track", 3.0),      # today's mark on the timeline
    ("bar-track", "bar-fill", 3.0),   # ... where it meets the elapsed part it has a halo of the track colour
    ("today", "bot-bg", 4.5),         # the word "vandaag" and today's date (text)
    ("text", "bot-bg", 4.5),          # "70 van de 100 punten", the labels
    ("muted", "bot-bg", 4.5),         # the status line and the time left
    ("brand", "bot-bg", 4.5),         # the title
])
def test_overview_colours_meet_wcag_aa(front: str, back: str, minimum: float) -> None:
    colours = variables()
    assert ratio(colours[front], colours[back]) >= minimum, (front, back, round(ratio(colours[front], colours[back]), 2))


def test_the_overview_uses_these_variables() -> None:
    css = CSS.read_text(encoding="utf-8")
    for rule, variable in ((".rw-ov-fill", "--bar-fill"), (".rw-ov-bar", "--bar-track"), (".rw-ov-bar", "--bar-edge"),
                           (".rw-ov-today", "--today"), (".rw-ov-today", "--bar-track"), (".rw-ov-now", "--today"),
                           (".rw-overview", "--bot-bg")):
        block = re.search(re.escape(rule) + r"\s*\{([^}]*)\}", css)
        assert block and f"var({variable})" in block.group(1), (rule, variable)
