"""Draw the Teams app icons (run once; the PNGs are committed): `.venv/bin/python teams/make_icons.py`.

color.png: 192x192, a white signpost on the accent colour. outline.png: 32x32, the same signpost in
white on a transparent background, as Teams requires.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
ACCENT = (27, 94, 135, 255)  # #1B5E87, also the manifest's accentColor
WHITE = (255, 255, 255, 255)


def signpost(draw: ImageDraw.ImageDraw, size: int, colour: tuple[int, int, int, int]) -> None:
    """A pole with a sign pointing right (the way to the register) and one pointing left."""
    s = size / 32
    draw.rectangle([15 * s, 4 * s, 17 * s - 1, 29 * s - 1], fill=colour)              # pole
    draw.polygon([(7 * s, 6 * s), (24 * s, 6 * s), (28 * s, 10 * s), (24 * s, 14 * s), (7 * s, 14 * s)],
                 fill=colour)                                                            # sign to the right
    draw.polygon([(25 * s, 16 * s), (8 * s, 16 * s), (4 * s, 20 * s), (8 * s, 24 * s), (25 * s, 24 * s)],
                 fill=colour)                                                            # sign to the left
    draw.rectangle([12 * s, 29 * s, 20 * s - 1, 30 * s - 1], fill=colour)              # foot


def main() -> None:
    color = Image.new("RGBA", (192, 192), ACCENT)
    big = Image.new("RGBA", (192, 192), (0, 0, 0, 0))
    signpost(ImageDraw.Draw(big), 192, WHITE)
    inner = big.resize((132, 132), Image.LANCZOS)  # keep a margin round the symbol
    color.alpha_composite(inner, (30, 30))
    color.convert("RGB").save(HERE / "color.png", optimize=True)

    outline = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    signpost(ImageDraw.Draw(outline), 32, WHITE)
    outline.save(HERE / "outline.png", optimize=True)


if __name__ == "__main__":
    main()
