"""Trending topics: ranked rows (tag, volume, trend arrow) or a cloud of tags sized by volume.

Both are laid out when the topics change and only placed when painting. The cloud's sizes run from the
theme's title size down to its legibility floor, never below: tags that would not fit at the floor are
left out, the smallest first.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFontMetricsF, QPainter

from wallapp.core.config.widgets import TopicsWidget
from wallapp.core.data.records import Record, Topic
from wallapp.core.data.selection import trend_text, trending, weights
from wallapp.core.view.formatting import format_value
from wallapp.core.view.geometry import Rect
from wallapp.qt import text
from wallapp.qt.style import Style
from wallapp.qt.widgets import parts
from wallapp.qt.widgets.base import ItemContext, WidgetItem, WidgetState

#: A trend within this relative change is shown as steady.
STEADY = 0.02


@dataclass(frozen=True)
class Line:
    """A list row, fitted."""

    topic: Topic
    rank: text.TextBlock
    tag: text.TextBlock
    volume: text.TextBlock
    trend: text.TextBlock


@dataclass(frozen=True)
class Word:
    """A tag placed in the cloud."""

    block: text.TextBlock
    at: QPointF
    colour: str


class TopicsItem(WidgetItem):
    spec: TopicsWidget

    def __init__(self, spec: TopicsWidget, rect: Rect, style: Style, context: ItemContext) -> None:
        super().__init__(spec, rect, style, context)
        self.topics: list[Topic] = []
        self.lines: list[Line] = []
        self.words: list[Word] = []
        self.set_state(WidgetState.EMPTY)

    # Geometry

    def _header(self, content: QRectF) -> tuple[text.TextBlock | None, float]:
        room = content.adjusted(0, 0, -self._trend_width() - self._volume_width(), 0)
        return parts.header(self, room, self.spec.options.title)

    def area(self) -> QRectF:
        content = self.content_rect()
        return content.adjusted(0, self._header(content)[1], 0, 0)

    def _volume_width(self) -> float:
        return QFontMetricsF(self.style.font("body", strong=True)).horizontalAdvance("000.0k")

    def _trend_width(self) -> float:
        metrics = QFontMetricsF(self.style.font("caption"))
        return metrics.height() * 0.9 + metrics.horizontalAdvance("+000 %") + self.style.spacing.padding / 2

    def row_height(self) -> tuple[float, int]:
        """Height of a list row and how many rows fit, none below the legibility floor."""
        pad = self.style.spacing.padding
        gap, area = pad / 4, self.area()
        smallest = parts.line_height(self) + pad / 3
        rows = max(1, min(self.spec.options.limit, int((area.height() + gap) // (smallest + gap))))
        tallest = parts.line_height(self, "headline") + pad * 0.75
        return min(tallest, (area.height() - gap * (rows - 1)) / rows), rows

    # Data

    def on_records(self, records: tuple[Record, ...]) -> None:
        options = self.spec.options
        limit = options.limit if options.style == "cloud" else self.row_height()[1]
        topics = trending(records, limit)
        if topics != self.topics:
            self.topics = topics
            if options.style == "cloud":
                self.words = self._cloud(topics)
            else:
                self.lines = self._evened([self._line(topic, n) for n, topic in enumerate(topics, start=1)])
            self.update()
        self.settle(records, len(topics))

    def _line(self, topic: Topic, rank: int) -> Line:
        style, (height, _) = self.style, self.row_height()
        inner = height - style.spacing.padding / 3
        rank_width = QFontMetricsF(style.font("headline", strong=True)).horizontalAdvance("00")
        volume = format_value(float(topic.volume), "compact") if topic.volume is not None else "–"
        return Line(
            topic=topic,
            rank=text.fit(style, str(rank), rank_width, inner, "headline", max_lines=1),
            tag=text.fit(style, topic.tag, self._tag_width(), inner, "headline", strong=True, max_lines=1),
            volume=text.fit(style, volume, self._volume_width(), inner, "body", strong=True, max_lines=1),
            trend=text.fit(
                style, trend_text(topic.trend) or "–", self._trend_width(), inner, "caption", max_lines=1
            ),
        )

    def _evened(self, lines: list[Line]) -> list[Line]:
        """Every tag at the size of the one that had to shrink most: a list reads as one column."""
        px = min((line.tag.px for line in lines), default=self.style.min_px)
        width = self._tag_width()
        return [
            Line(
                line.topic,
                line.rank,
                parts.at_size(self, line.topic.tag, "headline", px, width, True),
                line.volume,
                line.trend,
            )
            for line in lines
        ]

    def _rank_width(self) -> float:
        return QFontMetricsF(self.style.font("headline", strong=True)).horizontalAdvance("00")

    def _tag_width(self) -> float:
        pad = self.style.spacing.padding
        return (
            self.area().width() - pad * 2.5 - self._rank_width() - self._volume_width() - self._trend_width()
        )

    def _cloud(self, topics: list[Topic]) -> list[Word]:
        """Tags in lines, centred; the largest size shrinks until all fit, then the smallest tags go."""
        style, area = self.style, self.area()
        shown = list(topics)
        while shown:
            top = style.text.size("display")
            while True:
                words = self._flow(shown, top, area)
                if words is not None:
                    return words
                if top <= style.min_px:
                    break
                top = max(style.min_px, int(top * 0.9))
            shown = shown[:-1]
        return []

    def _flow(self, topics: list[Topic], top: int, area: QRectF) -> list[Word] | None:
        style = self.style
        floor = style.min_px
        gap = floor * 0.8
        sized = []
        for index, (topic, weight) in enumerate(
            zip(topics, weights([t.volume for t in topics]), strict=True)
        ):
            font = style.font("display", strong=True, px=round(floor + weight * (top - floor)))
            block = parts.at_size(self, topic.tag, "display", font.pixelSize(), area.width(), strong=True)
            colour = "accent" if index < 3 else "text_muted" if (topic.trend or 0) < -0.05 else "text"
            sized.append((zlib.crc32(topic.tag.casefold().encode()), block, colour))
        sized.sort(key=lambda entry: entry[0])  # a stable, mixed order: big and small tags side by side
        rows: list[list[tuple[text.TextBlock, str]]] = [[]]
        used = 0.0
        for _, block, colour in sized:
            width = block.width()
            if rows[-1] and used + gap + width > area.width():
                rows.append([])
                used = 0.0
            used += (gap if rows[-1] else 0) + width
            rows[-1].append((block, colour))
        heights = [max(block.line_height for block, _ in row) for row in rows]
        total = sum(heights)
        if total > area.height():
            return None
        words, y = [], area.top() + (area.height() - total) / 2
        for row, height in zip(rows, heights, strict=True):
            width = sum(block.width() for block, _ in row) + gap * (len(row) - 1)
            x = area.left() + (area.width() - width) / 2
            for block, colour in row:
                words.append(Word(block, QPointF(x, y + height - block.line_height), colour))
                x += block.width() + gap
            y += height
        return words

    # Painting

    def paint_content(self, painter: QPainter, rect: QRectF) -> None:
        block, _ = self._header(rect)
        parts.draw_header(painter, self, rect, block)
        if self.spec.options.style == "cloud":
            for word in self.words:
                box = QRectF(word.at.x(), word.at.y(), word.block.width() + 2, word.block.line_height)
                text.draw(painter, word.block, box, self.style.colour(word.colour))
            return
        if block is not None and not self.badge:
            self._paint_columns(painter, rect, block)
        area, (height, _) = self.area(), self.row_height()
        gap = self.style.spacing.padding / 4
        for index, line in enumerate(self.lines):
            self._paint_line(
                painter, line, QRectF(area.left(), area.top() + index * (height + gap), area.width(), height)
            )

    def _paint_columns(self, painter: QPainter, rect: QRectF, title: text.TextBlock) -> None:
        """The volume's caption over its column, on the heading's baseline, in the room the heading leaves
        (none: no caption, never one over the heading)."""
        pad = self.style.spacing.padding
        right = rect.right() - pad / 2 - self._trend_width()
        width = min(self._volume_width() + self._trend_width(), right - (rect.left() + title.width() + pad))
        if width <= 0:
            return
        label = text.fit(
            self.style, self.spec.options.volume_label, width, title.height, "caption", max_lines=1
        )
        drop = QFontMetricsF(title.font).ascent() - QFontMetricsF(label.font).ascent()
        box = QRectF(right - width, rect.top() + drop, width, label.height)
        text.draw(painter, label, box, self.style.colour("text_muted"), "right")

    def _paint_line(self, painter: QPainter, line: Line, box: QRectF) -> None:
        style, pad = self.style, self.style.spacing.padding
        parts.card(painter, self, box)
        x = box.left() + pad / 2
        rank_width = self._rank_width()
        text.draw(
            painter,
            line.rank,
            QRectF(x, box.top(), rank_width, box.height()),
            style.colour("text_muted"),
            "right",
            "center",
        )
        x += rank_width + pad / 2
        text.draw(
            painter,
            line.tag,
            QRectF(x, box.top(), self._tag_width(), box.height()),
            style.colour("text"),
            "left",
            "center",
        )
        trend_box = QRectF(
            box.right() - pad / 2 - self._trend_width(), box.top(), self._trend_width(), box.height()
        )
        volume_box = QRectF(
            trend_box.left() - self._volume_width(), box.top(), self._volume_width(), box.height()
        )
        text.draw(painter, line.volume, volume_box, style.colour("text"), "right", "center")
        self._paint_trend(painter, line, trend_box)

    def _paint_trend(self, painter: QPainter, line: Line, box: QRectF) -> None:
        trend = line.topic.trend
        rising = trend is not None and trend > STEADY
        falling = trend is not None and trend < -STEADY
        colour: QColor = self.style.colour("positive" if rising else "critical" if falling else "text_muted")
        size = line.trend.line_height * 0.55
        label_width = line.trend.width()
        if rising or falling:
            centre = QPointF(box.right() - label_width - size * 0.9, box.center().y())
            parts.triangle(painter, centre, size, rising, colour)
        label = QRectF(box.right() - label_width - 1, box.top(), label_width + 2, box.height())
        text.draw(painter, line.trend, label, colour, "left", "center")
