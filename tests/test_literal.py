"""User text quoted in an answer stays text (bot.dutch.literal, issue 17), checked with the widget's own
Markdown parser (remark-parse from web/node_modules, as rasa-webchat's react-markdown uses it): no link,
image, emphasis, HTML, list or heading comes out of it, and what the reader sees is what was typed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.dutch import literal
from bot.handover import PERSONAL, Start, intro

WEB = Path(__file__).resolve().parents[1] / "web"
PARSE = """
const unified = require('unified'), parse = require('remark-parse');
const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = texts.map((t) => {
  const types = new Set(), seen = [], links = [];
  (function walk(node) {
    types.add(node.type);
    if (node.type === 'text') seen.push(node.value);
    if (node.type === 'link') links.push({ url: node.url, text: (node.children || []).map((c) => c.value).join('') });
    (node.children || []).forEach(walk);
  })(unified().use(parse).parse(t));
  return { types: Array.from(types).sort(), text: seen.join(''), links: links };
});
process.stdout.write(JSON.stringify(out));
"""
HOSTILE = [
    "[klik hier](javascript:alert(1)) voor je punten",
    "![plaatje](http://example.org/x.png)",
    "<img src=x onerror=alert(1)> of <b>vet</b>",
    "**vet** en _schuin_ en `code` en ~~weg~~",
    "# kop\n- lijst\n1. genummerd\n+ plus\n> citaat",
    "mijn e-mail is a_b_c@school.nl en *ster*",
    "\\[al ontsnapt\\] en een backslash \\ aan het eind \\",
    "https://example.org/pad?x=1",
    "AT&T &amp; &lt;geen tag&gt; 5 < 6",
]


def parsed(texts: list[str]) -> list[dict[str, object]]:
    if shutil.which("node") is None or not (WEB / "node_modules" / "remark-parse").exists():
        pytest.fail("node and web/node_modules (make setup) are needed to check the widget's Markdown")
    done = subprocess.run(["node", "-e", PARSE], cwd=WEB, input=json.dumps(texts), capture_output=True, text=True,
                          timeout=60, check=True)
    return list(json.loads(done.stdout))


def test_the_widget_parser_would_render_the_raw_text_as_markup() -> None:
    """The check can fail: unescaped, these texts do become links, images and HTML."""
    types = set().union(*(set(r["types"]) for r in parsed(HOSTILE)))  # type: ignore[arg-type]
    assert {"link", "image", "html", "strong", "heading", "list"} <= types


def test_quoted_user_text_stays_text_and_reads_as_typed() -> None:
    for original, result in zip(HOSTILE, parsed([literal(t) for t in HOSTILE])):
        assert set(result["types"]) <= {"root", "paragraph", "text", "link"}, (original, result)
        # A bare URL may become a link, but one that shows its own address: never a disguised one.
        assert all(link["url"] in original and link["text"] in link["url"]  # type: ignore[index]
                   for link in result["links"]), (original, result)  # type: ignore[attr-defined]
        assert " ".join(str(result["text"]).split()) == " ".join(original.split()), original


def test_the_handover_quotes_the_question_literally() -> None:
    said = intro(Start(PERSONAL, "Zie [mijn dossier](http://evil.example) **nu**"))
    assert "\\[mijn dossier\\](http://evil.example) \\*\\*nu\\*\\*" in said
