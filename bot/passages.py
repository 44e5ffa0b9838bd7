"""The rules data's own sentences, found by the words of a question.

When the classifier cannot place a question, the words it shares with one text of the rules data can:
"hoort bij de herregistratie een plan voor mijn ontwikkeling?" shares "plan" and "ontwikkeling" with the
herregistratie text and with nothing else. `best_passage` returns that text with its source, so the
fallback can show what the sources say rather than only ask; it returns None unless one text stands out.

Plain lexical matching (inverse document frequency over the data's own texts; a word matches its
inflections, not the compounds it starts: `_same`): every passage is a text from the data, quoted as it is, so it can claim
nothing the data does not.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .facets import MAX_TEXT, STOPWORDS, per_book
from .register import RuleBook
from .register.model import Source, normalise

# Fields that name or identify things rather than say something about them.
SKIPPED_FIELDS = {"id", "aliases", "seed", "section", "title", "publisher", "folder", "names", "short", "provider"}
# Words that carry no subject: function words and the words of asking.
FUNCTION_WORDS = frozenset("""
de het een en of van voor in op aan met bij je jij jou jouw ik mij me mijn u uw we wij ons onze ze zij hij
is zijn was waren wordt worden word kan kun kunt kunnen moet moeten mag mogen wil wilt willen zou zouden
wat wie waar hoe welke welk wanneer waarom dat die dit deze er niet geen ook nog al dan als om te tot na
naar door uit over zo heb hebt heeft hebben had hadden doe doet doen ga gaat gaan krijg krijgt krijgen wel
nu toch eigenlijk graag even heel hele echt alle alles iets niets veel meer daar hier hem haar hun men
zich zelf eens maar want omdat dus elk elke ieder iedere andere ander beetje precies ongeveer
zonder tussen
""".split()) | STOPWORDS
MIN_WORDS = 5        # a passage says something: at least this many words
MIN_SHARED = 2       # a question and a passage share at least two words ...
MIN_SCORE = 7.0      # ... that are rare enough in the data together
MIN_LEAD = 1.5       # and the best passage leads the next one by this much


@dataclass(frozen=True)
class Passage:
    text: str
    source: Source


def _terms(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", normalise(text)) if len(w) >= 3 and w not in FUNCTION_WORDS}


def _same(asked: str, own: str) -> bool:
    """One word, inflected ("ontwikkeling", "ontwikkeld"; "waardering", "waarderen"), not a compound
    ("school" is not "schoolleiderschap")."""
    if asked == own:
        return True
    short, long = sorted((asked, own), key=len)
    if len(long) - len(short) > 4 or len(short) < 5:
        return False
    common = len(short)
    for i, (a, b) in enumerate(zip(short, long, strict=False)):
        if a != b:
            common = i
            break
    return common >= max(5, len(short) - 3)


def _walk(node: Any, source: Source | None, seen: set[int]) -> Iterator[tuple[str, Source]]:
    if isinstance(node, str):
        if source is not None and len(node.split()) >= MIN_WORDS:
            yield node, source
        return
    if isinstance(node, (int, float, bool)) or node is None or id(node) in seen:
        return
    seen.add(id(node))
    if dataclasses.is_dataclass(node):
        own = getattr(node, "source", None)
        here = own if isinstance(own, Source) else source
        for f in dataclasses.fields(node):
            if f.name not in SKIPPED_FIELDS and f.name != "source":
                yield from _walk(getattr(node, f.name), here, seen)
    elif isinstance(node, Mapping):
        for key, value in node.items():
            if key not in SKIPPED_FIELDS:
                yield from _walk(value, source, seen)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _walk(item, source, seen)


class PassageIndex:
    def __init__(self, book: RuleBook) -> None:
        texts: dict[str, Source] = {}
        for text, source in _walk(book, None, set()):
            texts.setdefault(" ".join(text.split()), source)
        self.passages = tuple(Passage(text, source) for text, source in texts.items())
        self.terms = [_terms(p.text) for p in self.passages]
        counts = Counter(t for terms in self.terms for t in terms)
        self.idf = {t: math.log(len(self.passages) / c) for t, c in counts.items()}

    def ranked(self, text: str) -> list[tuple[float, int, Passage]]:
        asked = _terms(text[:MAX_TEXT])
        scored = []
        for terms, passage in zip(self.terms, self.passages, strict=True):
            weights = [max((self.idf[t] for t in terms if _same(a, t)), default=0.0) for a in asked]
            shared = [w for w in weights if w > 0]
            if shared:
                scored.append((sum(shared), len(shared), passage))
        return sorted(scored, key=lambda s: (s[0], s[1]), reverse=True)

    def best(self, text: str) -> Passage | None:
        ranked = self.ranked(text)
        if not ranked:
            return None
        score, shared, passage = ranked[0]
        runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
        if shared < MIN_SHARED or score < MIN_SCORE or score - runner_up < MIN_LEAD:
            return None
        return passage


_index = per_book(PassageIndex)


def best_passage(book: RuleBook, text: str) -> Passage | None:
    """The one text of the rules data that shares the question's rare words, or None."""
    return _index(book).best(text)
