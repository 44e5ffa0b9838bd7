"""Issue 19: the README and docs/ hold together.

Every relative Markdown link and image in README.md and docs/*.md points at a file that exists, and every
`#anchor` at a heading of the target (GitHub's anchors); the README up to its pointers to docs/ stays
short; the committed architecture picture was drawn from its current text source (without Graphviz: the
hash `make docs` writes into the SVG); the images stay small.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [ROOT / "README.md", *DOCS]
POINTERS = "## More documentation"  # the README's heading that starts the pointers to docs/
MAX_README_WORDS = 1600

FENCE = re.compile(r"^( {0,3})(```|~~~).*?^\1\2[^\n]*$", re.MULTILINE | re.DOTALL)
INDENTED_CODE = re.compile(r"(?:^(?: {4}|\t).*\n?)+", re.MULTILINE)
INLINE_CODE = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)


def prose(text: str) -> str:
    """The text without code blocks and inline code: links inside code are not links."""
    text = FENCE.sub("", text)
    text = INLINE_CODE.sub("", text)
    return text


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: inline markup dropped, lower case, punctuation removed, spaces to '-'."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading keeps its text
    text = text.replace("`", "").replace("*", "").lower()
    kept = "".join(ch for ch in text if ch in " -_" or unicodedata.category(ch)[0] in "LNM")
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading's anchor in a Markdown file, with GitHub's -1, -2 ... for repeated headings."""
    seen: dict[str, int] = {}
    found: set[str] = set()
    for match in HEADING.finditer(FENCE.sub("", path.read_text(encoding="utf-8"))):
        base = slug(match.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(path: Path) -> list[str]:
    return [m.group(1) for m in LINK.finditer(prose(path.read_text(encoding="utf-8")))]


def relative(target: str) -> bool:
    return not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE)  # http:, https:, mailto: ...


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_anchor_resolves(page: Path) -> None:
    broken = []
    for target in filter(relative, links(page)):
        file_part, _, fragment = target.partition("#")
        dest = (page.parent / file_part).resolve() if file_part else page
        if not dest.exists():
            broken.append(f"{target}: no file {dest}")
        elif fragment and dest.suffix == ".md" and fragment.lower() not in anchors(dest):
            broken.append(f"{target}: no heading with anchor #{fragment} in {dest.relative_to(ROOT)}")
    assert broken == [], "\n".join(broken)


def test_the_link_checker_sees_links_and_anchors() -> None:
    """The checker itself: links in code are ignored, GitHub's anchors are computed as GitHub does."""
    sample = "See [a](docs/a.md#x) and ![b](img/b.png) but not `[c](nope.md)`.\n```\n[d](nope.md)\n```\n"
    assert LINK.findall(prose(sample)) == ["docs/a.md#x", "img/b.png"]
    assert slug("Erasure: `python -m bot privacy erase NUMMER`") == "erasure-python--m-bot-privacy-erase-nummer"
    assert slug("The cluster (`bench/bench_cluster.py`)") == "the-cluster-benchbench_clusterpy"
    assert slug("Walkthrough: een regel wijzigen") == "walkthrough-een-regel-wijzigen"
    assert not relative("https://example.org/") and relative("docs/deploy.md#configuration")


def test_the_readme_is_short_before_its_pointers_to_docs() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert POINTERS in text, f"the README has no '{POINTERS}' heading"
    words = len(text[: text.index(POINTERS)].split())
    assert words <= MAX_README_WORDS, f"README has {words} words before '{POINTERS}' (at most {MAX_README_WORDS})"


def test_the_readme_points_to_every_page_in_docs() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    pointers = text[text.index(POINTERS):]
    missing = [p.name for p in DOCS if f"(docs/{p.name})" not in pointers]
    assert missing == []


def test_the_architecture_picture_was_drawn_from_its_source() -> None:
    source = ROOT / "docs" / "architecture.dot"
    svg = (ROOT / "docs" / "img" / "architecture.svg").read_text(encoding="utf-8")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    stamp = re.search(r"<!-- source: docs/architecture.dot sha256 ([0-9a-f]{64}) -->", svg)
    assert stamp, "docs/img/architecture.svg has no source hash: run `make docs`"
    assert stamp.group(1) == digest, "docs/architecture.dot changed since the SVG was drawn: run `make docs`"


@pytest.mark.parametrize("image", sorted((ROOT / "docs" / "img").glob("*.png")), ids=lambda p: p.name)
def test_the_screenshots_stay_small(image: Path) -> None:
    assert image.stat().st_size < 300_000, f"{image.name} is {image.stat().st_size // 1000} KB"
