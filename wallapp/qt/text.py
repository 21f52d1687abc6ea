"""Fitting text into a box: wrap, shrink down to the legibility floor, then elide at a word boundary.

Text is always plain: it is laid out with ``QTextLayout`` and drawn with ``drawText`` on plain strings, so
``<b>`` or ``<img>`` in social text shows literally. Results are cached, so painting a frame does no layout.
Every text on the wall is drawn here, line by line: ``recording`` lists each line drawn with its box, which is
how the tests check that text never overlaps, leaves its widget or falls below the legibility floor.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPaintDevice,
    QPainter,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)

from wallapp.core.config.theme import TextRole
from wallapp.core.view.richtext import SpanKind, isolate, spans
from wallapp.core.view.sizing import ladder, largest
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


@dataclass(frozen=True)
class Run:
    """One line of text as drawn, in the logical pixels of what it was painted on (a screen, a card's
    picture): the box its words cover (the line's height, the words' width), the box it was given (wider
    words spill out of it) and the painter's clip then (None: none)."""

    text: str
    px: int
    box: QRectF
    room: QRectF
    clip: QRectF | None
    device: QPaintDevice


_recordings: list[list[Run]] = []


@contextmanager
def recording() -> Iterator[list[Run]]:
    """Every line of text drawn while inside, in order. Painting does no extra work outside one."""
    runs: list[Run] = []
    _recordings.append(runs)
    try:
        yield runs
    finally:
        _recordings.remove(runs)


def _record(painter: QPainter, line: str, font: QFont, room: QRectF, box: QRectF) -> None:
    if not line.strip():
        return
    transform = painter.combinedTransform()
    clip = transform.mapRect(painter.clipBoundingRect()) if painter.hasClipping() else None
    run = Run(line, font.pixelSize(), transform.mapRect(box), transform.mapRect(room), clip, painter.device())
    for runs in _recordings:
        runs.append(run)


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
    # One word wider than the box (or a script without spaces): cut between characters; nothing rather
    # than an ellipsis alone.
    shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
    return "" if shown == ELLIPSIS else shown


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
    most: int | None = None,
) -> TextBlock:
    """The largest size from the role's down to the floor at which ``text`` fits; elided if none does, and
    no line at all in a box too small for one line at the floor (a widget then shows less).

    With ``most``, text is sized to its room: the largest size from ``most`` (a theme's ``grow``) down to
    the floor at which it fits, so short text on a large box is large.
    """
    # Quarter pixels, rounded up: the cache finds the same box again, and a box given exactly a line's
    # height holds that line (rounding 87.4 px to 87 lost the second line of 43.6 px).
    return _fit(style, text, _quarter(width), _quarter(height), role, strong, max_lines, shrink, most)


def fitted_px(
    style: Style,
    text: str,
    width: float,
    height: float,
    role: TextRole,
    most: int,
    *,
    strong: bool = False,
    max_lines: int | None = None,
) -> int:
    """The size ``fit`` gives ``text`` in the box when sized to its room (the floor if nothing fits)."""
    return fit(style, text, width, height, role, strong=strong, max_lines=max_lines, most=most).px


def _quarter(length: float) -> float:
    return math.ceil(length * 4) / 4


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
    width: float,
    height: float,
    role: TextRole,
    strong: bool,
    max_lines: int | None,
    shrink: bool,
    most: int | None,
) -> TextBlock:
    def attempt(px: int) -> tuple[TextBlock, bool]:
        font = style.font(role, strong=strong, px=px)
        metrics = QFontMetricsF(font)
        line_height = metrics.lineSpacing()
        lines = wrap(text, font, width)
        fits_lines = max_lines is None or len(lines) <= max_lines
        # Broken inside a word, a line can come out a little wider than the box: a smaller size then.
        fits_width = max((metrics.horizontalAdvance(line) for line in lines), default=0.0) <= width + 1
        fits = fits_lines and fits_width and line_height * len(lines) <= height
        return TextBlock(font, tuple(lines), line_height, elided=False), fits

    if most is not None:
        # Sized to the room: the largest rung of the ladder that fits, found in a few trials.
        rungs = ladder(style.min_px, most)
        tried: dict[int, tuple[TextBlock, bool]] = {}
        chosen = largest(rungs, lambda px: tried.setdefault(px, attempt(px))[1])
        if chosen is not None:
            return tried[chosen][0]
        block = tried.setdefault(rungs[-1], attempt(rungs[-1]))[0]
    else:
        for px in sizes(style, role, shrink):
            block, fits = attempt(px)
            if fits:
                return block
    # Even the smallest size overflows: keep the lines that fit and elide the last one.
    font, lines, line_height = block.font, list(block.lines), block.line_height
    room = int(height // line_height)
    if max_lines is not None:
        room = min(room, max_lines)
    if room < 1:  # not one line at the smallest size: nothing legible fits
        return TextBlock(font, (), line_height, elided=True)
    kept = lines[: room - 1]
    rest = " ".join(lines[room - 1 :])
    return _within(TextBlock(font, (*kept, elide(rest, font, width)), line_height, elided=True), width)


def balanced(block: TextBlock, text: str, width: float) -> TextBlock:
    """The block's text in as many lines, in the same font, at the narrowest width that still gives that
    many: lines of even length rather than full lines and a last word alone. Nothing changes for one line or
    an elided block."""
    if len(block.lines) < 2 or block.elided:
        return block
    whole, count = text, len(block.lines)
    low, high = width / 2, width  # ``high`` always gives ``count`` lines
    for _ in range(7):  # to within a 128th of the width: finer makes no visible difference
        middle = (low + high) / 2
        if len(wrap(whole, block.font, middle)) <= count:
            high = middle
        else:
            low = middle
    lines = wrap(whole, block.font, high)
    if " ".join(lines) != " ".join(whole.split()):
        return block  # broken inside a word (a script without spaces): a hashtag could lose its colour
    return (
        TextBlock(block.font, tuple(lines), block.line_height, elided=False) if len(lines) == count else block
    )


def _within(block: TextBlock, width: float) -> TextBlock:
    """The block, or no lines at all in a box narrower than one of its characters (or an ellipsis)."""
    if block.width() <= width + 1:
        return block
    return TextBlock(block.font, (), block.line_height, elided=True)


def sizes(style: Style, role: TextRole, shrink: bool = True) -> list[int]:
    """The pixel sizes text of ``role`` may take: the role's own, then down to the legibility floor."""
    result = [style.text.size(role)]
    if shrink:
        while result[-1] > style.min_px:
            result.append(max(style.min_px, int(result[-1] * 0.9)))
    return result


def line_height(style: Style, role: TextRole, *, strong: bool = False) -> float:
    """The height of a line of ``role`` at its own size."""
    return QFontMetricsF(style.font(role, strong=strong)).lineSpacing()


def line_font(style: Style, role: TextRole, height: float, *, strong: bool = False) -> QFont | None:
    """The largest font of ``role``, down to the floor, whose line fits ``height``; None if none does."""
    for px in sizes(style, role):
        font = style.font(role, strong=strong, px=px)
        if QFontMetricsF(font).lineSpacing() <= height:
            return font
    return None


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
    # Not cut at the box: a line fitted to it may still come out a fraction of a pixel wider.
    flags |= Qt.TextFlag.TextDontClip
    for index, line in enumerate(block.lines):
        room = QRectF(rect.left(), top + index * block.line_height, rect.width(), block.line_height)
        painter.drawText(room, flags, line)
        if _recordings:
            width = QFontMetricsF(block.font).horizontalAdvance(line)
            left = room.left() if align == "left" else room.right() - width
            if align == "center":
                left = room.center().x() - width / 2
            _record(painter, line, block.font, room, QRectF(left, room.top(), width, room.height()))


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
        if _recordings:
            row = rect.top() + index * block.line_height
            room = QRectF(rect.left(), row, rect.width(), block.line_height)
            box = QRectF(left + natural.left(), row, natural.width(), block.line_height)
            _record(painter, line, block.font, room, box)
