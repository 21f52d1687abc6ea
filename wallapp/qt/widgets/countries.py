"""A country board: tiles in a grid, each with the country's code and name, a value and a status colour.

Tiles are prepared when values change (text fitted once); a paint fills cards and draws fitted text. A
country without a value keeps its tile: "no value" in the muted colour, and no status stripe.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetricsF, QPainter, QPainterPath

from wallapp.core.config.widgets import CountriesWidget
from wallapp.core.data.diagnosis import missing_metric
from wallapp.core.data.records import Record
from wallapp.core.data.selection import Bar, compare, ordered
from wallapp.core.view.formatting import format_value
from wallapp.core.view.geometry import Rect
from wallapp.core.view.thresholds import Level, level
from wallapp.qt import text
from wallapp.qt.style import Style
from wallapp.qt.widgets import parts
from wallapp.qt.widgets.base import DIMMED, ItemContext, WidgetItem, WidgetState

#: Preferred width / height of a tile when the columns are chosen from the size.
ASPECT = 1.8


def grid(
    count: int, width: float, height: float, columns: int | None = None, most: tuple[int, int] | None = None
) -> tuple[int, int]:
    """Columns and rows for ``count`` tiles in a box: the tiles' shape closest to ``ASPECT``, with at most
    ``most`` (columns, rows) where that many tiles fit within it."""
    if count <= 0:
        return (columns or 1), 0
    if columns is not None:
        return columns, math.ceil(count / columns)
    shapes = [(c, math.ceil(count / c)) for c in range(1, count + 1)]
    if most is not None:
        shapes = [shape for shape in shapes if shape[0] <= most[0] and shape[1] <= most[1]] or shapes
    if width <= 0 or height <= 0:
        return shapes[0]
    return min(shapes, key=lambda shape: abs(math.log((width / shape[0]) / (height / shape[1]) / ASPECT)))


@dataclass(frozen=True)
class Tile:
    bar: Bar
    code: text.TextBlock
    name: text.TextBlock | None
    value: text.TextBlock
    level: Level | None


class CountriesItem(WidgetItem):
    spec: CountriesWidget

    def __init__(self, spec: CountriesWidget, rect: Rect, style: Style, context: ItemContext) -> None:
        super().__init__(spec, rect, style, context)
        self.tiles: list[Tile] = []
        self.cells = (1, 0)
        self._values: list[Bar] = []
        self.set_state(WidgetState.EMPTY)

    def area(self) -> QRectF:
        content = self.content_rect()
        return content.adjusted(0, parts.header(self, content, self.spec.options.title)[1], 0, 0)

    def gap(self) -> float:
        return self.style.spacing.padding / 3

    def most(self) -> tuple[int, int]:
        """Columns and rows of tiles that fit with a code and a value at the legibility floor (none in a
        box too small for one)."""
        area, gap, pad = self.area(), self.gap(), self.style.spacing.padding
        least = QFontMetricsF(self.style.font("caption", strong=True, px=self.style.min_px))
        tile_w = least.horizontalAdvance("MM 00.0 %") + pad
        tile_h = least.lineSpacing() + pad / 2 + self.style.spacing.stripe
        across = max(0, int((area.width() + gap) // (tile_w + gap)))
        if self.spec.options.columns is not None:
            across = min(across, self.spec.options.columns)
        return across, max(0, int((area.height() + gap) // (tile_h + gap)))

    def capacity(self) -> int:
        across, down = self.most()
        return min(self.spec.options.limit, across * down)

    # Data

    def on_records(self, records: tuple[Record, ...]) -> None:
        options = self.spec.options
        found = compare(records, options.metric, options.where, options.by, options.aggregate)
        values = [bar.scaled(options.scale) for bar in found]
        if options.sort == "key":
            values = sorted(values, key=lambda bar: bar.key)[: self.capacity()]
        else:
            values = ordered(values, options.sort, self.capacity())
        if values != self._values:
            self._values = values
            self.tiles = self._prepare(values)
            self.update()
        # In a box too small for any tile, the values found still make it ready (the title shows).
        self.settle(
            records,
            len(found),
            lambda: missing_metric(records, options.metric, options.where, self.source_name, options.by),
        )

    def tile_size(self) -> tuple[float, float]:
        columns, rows = self.cells
        area, gap = self.area(), self.gap()
        return (area.width() - gap * (columns - 1)) / columns, (area.height() - gap * (rows - 1)) / max(
            1, rows
        )

    def _prepare(self, values: list[Bar]) -> list[Tile]:
        options, style, pad = self.spec.options, self.style, self.style.spacing.padding
        area = self.area()
        across, down = self.most()
        columns = min(options.columns, across) if options.columns is not None else None
        self.cells = grid(len(values), area.width(), area.height(), columns, (across, down))
        width, height = self.tile_size()
        inner_w, inner_h = width - pad, height - pad / 2 - style.spacing.stripe
        # The code and the value take 60 % of the height, leaving the rest to the name; a line at least.
        line = parts.line_height(self)
        big = max(inner_h * 0.6, min(inner_h, line))
        if options.labels and inner_h >= 2 * line:
            big = min(big, inner_h - line)  # and a line for the names
        tiles = []
        for bar in values:
            shown = format_value(bar.value, options.format, options.decimals)
            value = text.fit(style, shown, inner_w * 0.62, big, "headline", strong=True, max_lines=1)
            code = text.fit(
                style, bar.key, inner_w - value.width() - pad / 3, big, "headline", strong=True, max_lines=1
            )
            label = options.labels.get(bar.key)
            name = None
            if label and inner_h - code.height >= parts.line_height(self):
                name = text.fit(style, label, inner_w, inner_h - code.height, "caption", max_lines=1)
            tiles.append(Tile(bar, code, name, value, level(options.thresholds, bar.value)))
        # One size per board: every code and every value as large as the smallest one ("no value" may be
        # smaller: the words take more room than a figure and must not shrink the whole board).
        figures = [t.value.px for t in tiles if t.bar.value is not None]
        px = min([t.code.px for t in tiles] + figures, default=style.min_px)
        return [self._even(tile, px, inner_w) for tile in tiles]

    def _even(self, tile: Tile, px: int, width: float) -> Tile:
        known = tile.bar.value is not None
        shown = tile.value.lines[0] if tile.value.lines else ""
        size = px if known else min(px, tile.value.px)
        value = parts.at_size(self, shown, "headline", size, width * 0.62, strong=known)
        room = width - value.width() - self.style.spacing.padding / 3
        code = parts.at_size(self, tile.bar.key, "headline", px, room, strong=True)
        return Tile(tile.bar, code, tile.name, value, tile.level)

    # Painting

    def paint_content(self, painter: QPainter, rect: QRectF) -> None:
        block, _ = parts.header(self, rect, self.spec.options.title)
        parts.draw_header(painter, self, rect, block)
        columns, _ = self.cells
        area, gap = self.area(), self.gap()
        if not self.tiles:
            parts.too_small(painter, self, area)
        width, height = self.tile_size()
        for index, tile in enumerate(self.tiles):
            row, column = divmod(index, columns)
            box = QRectF(
                area.left() + column * (width + gap), area.top() + row * (height + gap), width, height
            )
            self._paint_tile(painter, tile, box)

    def _paint_tile(self, painter: QPainter, tile: Tile, box: QRectF) -> None:
        style, pad = self.style, self.style.spacing.padding
        parts.card(painter, self, box)
        stripe = style.spacing.stripe
        if tile.level is not None:
            radius = style.spacing.radius / 2
            path, band = QPainterPath(), QPainterPath()
            path.addRoundedRect(box, radius, radius)
            band.addRect(QRectF(box.left(), box.top(), box.width(), stripe))
            painter.setOpacity(DIMMED if self.not_live else 1.0)
            painter.fillPath(path.intersected(band), style.colour(tile.level))
            painter.setOpacity(1.0)
        inner = box.adjusted(pad / 2, stripe + pad / 4, -pad / 2, -pad / 4)
        lines = tile.code.height + (tile.name.height if tile.name else 0)
        top = inner.top() + (inner.height() - lines) / 2
        text.draw(
            painter,
            tile.code,
            QRectF(inner.left(), top, inner.width(), tile.code.height),
            style.colour("text"),
        )
        alarm = tile.level in ("warning", "critical")
        ink = "text" if tile.bar.value is not None else "text_muted"
        colour = self.figure_colour(tile.level if alarm and tile.level else ink)
        text.draw(
            painter, tile.value, QRectF(inner.left(), top, inner.width(), tile.value.height), colour, "right"
        )
        if tile.name:
            under = QRectF(inner.left(), top + tile.code.height, inner.width(), tile.name.height)
            text.draw(painter, tile.name, under, style.colour("text_muted"))
