"""Fitting text into a box: wrap, shrink down to the legibility floor, then elide at a word boundary.

Text is always plain: it is laid out with ``QTextLayout`` and drawn with ``drawText`` on plain strings, so
``<b>`` or ``<img>`` in social text shows literally. Results are cached, so painting a frame does no layout.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QTextCharFormat, QTextLayout, QTextOption

from wallapp.core.config.theme import TextRole
from wallapp.core.view.richtext import SpanKind, isolate, spans
from wallapp.qt.style import Style

ELLIPSIS = "\u2026"
_ALIGN = {
    "left": Qt.AlignmentFlag.AlignLeft,
    "center": Qt.AlignmentFlag.AlignHCenter,
    "right": Qt.AlignmentFlag.AlignRight,
}


@dataclass(frozen=True)
class TextBlock:
    """Lines ready to draw in one font."""

    font: QFont
    lines: tuple[str, ...]
    line_height: float
    elided: bool

    @property
    def height(self) -> float:
        return self.line_height * len(self.lines)

    @property
    def px(self) -> int:
        return self.font.pixelSize()

    def width(self) -> float:
        metrics = QFontMetricsF(self.font)
        return max((metrics.horizontalAdvance(line) for line in self.lines), default=0.0)


def wrap(text: str, font: QFont, width: float) -> list[str]:
    """Lines of ``text`` wrapped at word boundaries (anywhere if a word is wider than the box)."""
    layout = QTextLayout(text.replace("\r\n", "\n").replace("\n", "\u2028"), font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    # Qt counts in UTF-16 code units (an emoji is two of them): cut the lines out of the UTF-16 text.
    units = layout.text().encode("utf-16-le")
    lines = []
    layout.beginLayout()
    while (line := layout.createLine()).isValid():
        line.setLineWidth(width)
        start, length = line.textStart(), line.textLength()
        part = units[2 * start : 2 * (start + length)].decode("utf-16-le")
        lines.append(part.strip("\u2028 \t"))
    layout.endLayout()
    return lines


def elide(text: str, font: QFont, width: float) -> str:
    """``text`` cut to ``width`` with an ellipsis after the last whole word that fits."""
    metrics = QFontMetricsF(font)
    text = " ".join(text.split())
    if metrics.horizontalAdvance(text) <= width:
        return text
    words = text.split(" ")
    for count in range(len(words) - 1, 0, -1):
        candidate = " ".join(words[:count]).rstrip(",;:.-–—") + ELLIPSIS
        if metrics.horizontalAdvance(candidate) <= width:
            return candidate
    # One word wider than the box (or a script without spaces): cut between characters.
    return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)


def fit(
    style: Style,
    text: str,
    width: float,
    height: float,
    role: TextRole,
    *,
    strong: bool = False,
    max_lines: int | None = None,
    shrink: bool = True,
) -> TextBlock:
    """The largest size from the role's down to the floor at which ``text`` fits; elided if none does."""
    return _fit(style, text, round(width), round(height), role, strong, max_lines, shrink)


def cached_layouts() -> int:
    """Text layouts kept for reuse (bounded)."""
    return _fit.cache_info().currsize


def forget_layouts() -> None:
    """Let go of every text layout kept for reuse."""
    _fit.cache_clear()


LAYOUTS_KEPT = 1024
"""Text layouts kept for reuse: every static text of a layout (labels, names, figures: a few hundred on
the hub) and the recent posts' texts, which are seldom laid out twice (a card keeps its picture)."""


@lru_cache(maxsize=LAYOUTS_KEPT)
def _fit(
    style: Style,
    text: str,
    width: int,
    height: int,
    role: TextRole,
    strong: bool,
    max_lines: int | None,
    shrink: bool,
) -> TextBlock:
    start = style.text.size(role)
    sizes = [start]
    if shrink:
        while sizes[-1] > style.min_px:
            sizes.append(max(style.min_px, int(sizes[-1] * 0.9)))
    for px in sizes:
        font = style.font(role, strong=strong, px=px)
        line_height = QFontMetricsF(font).lineSpacing()
        lines = wrap(text, font, width)
        fits_lines = max_lines is None or len(lines) <= max_lines
        if fits_lines and line_height * len(lines) <= height:
            return TextBlock(font, tuple(lines), line_height, elided=False)
    # Even the smallest size overflows: keep the lines that fit and elide the last one.
    room = max(1, int(height // line_height))
    if max_lines is not None:
        room = min(room, max_lines)
    kept = lines[: room - 1]
    rest = " ".join(lines[room - 1 :])
    return TextBlock(font, (*kept, elide(rest, font, width)), line_height, elided=True)


def draw(
    painter: QPainter,
    block: TextBlock,
    rect: QRectF,
    colour: QColor,
    align: str = "left",
    valign: str = "top",
) -> None:
    """Draw a fitted block in ``rect``: horizontally by ``align``, vertically top, center or bottom."""
    painter.setFont(block.font)
    painter.setPen(colour)
    top = rect.top()
    if valign == "center":
        top += (rect.height() - block.height) / 2
    elif valign == "bottom":
        top += rect.height() - block.height
    flags = _ALIGN[align] | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine
    for index, line in enumerate(block.lines):
        painter.drawText(
            QRectF(rect.left(), top + index * block.line_height, rect.width(), block.line_height), flags, line
        )


def right_to_left(text: str) -> bool:
    """Whether a paragraph reads right to left: its first strong character does (Unicode bidi rule P2)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def draw_rich(
    painter: QPainter,
    block: TextBlock,
    rect: QRectF,
    colour: QColor,
    accents: Mapping[SpanKind, QColor],
    terms: Iterable[str] = (),
) -> None:
    """Draw a fitted block of social text: plain text, with hashtags, mentions, links and terms coloured.

    Each line is one ``QTextLayout`` over the plain string with format ranges: nothing is parsed as markup.
    Each coloured span is a bidirectional isolate, so a Latin hashtag keeps its ``#`` in front in Arabic text.
    """
    terms = tuple(terms)
    painter.setPen(colour)
    # The paragraph's direction, not each line's: in Arabic text, a wrapped line that begins with a Latin
    # hashtag still reads from the right.
    option = QTextOption()
    rtl = right_to_left(" ".join(block.lines))
    option.setTextDirection(Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight)
    for index, line in enumerate(block.lines):
        shown, placed = isolate(line, spans(line, terms))
        layout = QTextLayout(shown, block.font)
        layout.setTextOption(option)
        ranges = []
        for span in placed:
            chosen = QTextLayout.FormatRange()
            # Qt counts UTF-16 code units: an emoji before a hashtag is two of them, one for Python.
            chosen.start = _utf16_length(shown[: span.start])
            chosen.length = _utf16_length(shown[span.start : span.end])
            form = QTextCharFormat()
            form.setForeground(accents[span.kind])
            if span.kind == "term":
                form.setFontWeight(QFont.Weight.Bold)
            chosen.format = form
            ranges.append(chosen)
        layout.setFormats(ranges)
        layout.beginLayout()
        laid = layout.createLine()
        laid.setLineWidth(max(rect.width(), 1.0) * 2)  # already wrapped: one line each
        layout.endLayout()
        top = rect.top() + index * block.line_height + (block.line_height - laid.height()) / 2
        natural = laid.naturalTextRect()  # where the text sits in the (wider) line
        left = rect.right() - natural.right() if rtl else rect.left() - natural.left()
        layout.draw(painter, QPointF(left, top))
