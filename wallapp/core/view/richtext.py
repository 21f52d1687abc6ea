"""Where a post's text has hashtags, mentions, links and highlighted terms: ranges over plain text.

The text itself is never interpreted: ``<b>`` stays the three characters it is. The wall only colours
ranges of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

SpanKind = Literal["link", "hashtag", "mention", "term"]

_LINK = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_HASHTAG = re.compile(r"(?<![\w#])#\w+")
# A handle is Latin letters, digits and _ (Twitter, Instagram...), or any script's letters (Weibo, LINE):
# "@OrbisTelecomの" is the handle @OrbisTelecom followed by Japanese, not a handle of its own.
_MENTION = re.compile(r"(?<![\w@])@(?:[A-Za-z0-9_]+|[^\W\d_A-Za-z]\w*)")
_TRAILING = ".,;:!?)]}'\""


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: SpanKind


def _links(text: str) -> Iterable[Span]:
    for found in _LINK.finditer(text):
        end = found.end()
        while end > found.start() and text[end - 1] in _TRAILING:
            end -= 1
        yield Span(found.start(), end, "link")


def spans(text: str, terms: Iterable[str] = ()) -> list[Span]:
    """Non-overlapping spans in order; links first, then hashtags, mentions and terms outside them."""
    taken: list[Span] = list(_links(text))

    def free(start: int, end: int) -> bool:
        return all(end <= s.start or start >= s.end for s in taken)

    for pattern, kind in ((_HASHTAG, "hashtag"), (_MENTION, "mention")):
        for found in pattern.finditer(text):
            if free(found.start(), found.end()):
                taken.append(Span(found.start(), found.end(), kind))  # type: ignore[arg-type]
    for wanted in terms:
        term = wanted.strip()
        if not term:
            continue
        for found in re.finditer(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.IGNORECASE):
            if free(found.start(), found.end()):
                taken.append(Span(found.start(), found.end(), "term"))
    return sorted(taken, key=lambda s: s.start)


FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"


def isolate(text: str, found: Iterable[Span]) -> tuple[str, list[Span]]:
    """``text`` with each span set apart as a bidirectional isolate, and the spans moved to match.

    Inside right-to-left text, ``#Orbis_Care`` would otherwise be laid out with its ``#`` on the far side
    (the sign is neutral, so it takes the paragraph's direction); isolated, a span reads in the direction of
    its own first strong letter: Latin tags left to right, Arabic ones right to left. The marks are
    invisible and take no width.
    """
    pieces: list[str] = []
    moved: list[Span] = []
    done = 0
    for span in found:
        pieces += [text[done : span.start], FIRST_STRONG_ISOLATE, text[span.start : span.end]]
        pieces.append(POP_DIRECTIONAL_ISOLATE)
        shift = 2 * len(moved) + 1
        moved.append(Span(span.start + shift, span.end + shift, span.kind))
        done = span.end
    pieces.append(text[done:])
    return "".join(pieces), moved
