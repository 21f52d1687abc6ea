"""Comparison bars: a label, a bar to scale and the value written, per brand or country.

The bars are prepared when the values change; a paint only fills rectangles and draws fitted text. A
brand or country without a value keeps its row, after the others: its label, no bar, "no value" muted.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetricsF, QPainter, QPainterPath

from wallapp.core.config.widgets import BarsWidget
from wallapp.core.data.diagnosis import missing_metric
from wallapp.core.data.records import Record
from wallapp.core.data.selection import Bar, compare, ordered
from wallapp.core.view.formatting import format_value
from wallapp.core.view.geometry import Rect
from wallapp.qt import text
from wallapp.qt.style import Style
from wallapp.qt.widgets import parts
from wallapp.qt.widgets.base import ItemContext, WidgetItem, WidgetState


@dataclass(frozen=True)
class Shown:
    """A bar ready to paint."""

    bar: Bar
    label: text.TextBlock
    value: text.TextBlock
    share: float
    """Length as a fraction of the track (0..1)."""
    own: bool


class BarsItem(WidgetItem):
    spec: BarsWidget

    def __init__(self, spec: BarsWidget, rect: Rect, style: Style, context: ItemContext) -> None:
        super().__init__(spec, rect, style, context)
        self.bars: list[Shown] = []
        self._values: list[Bar] = []
        self.set_state(WidgetState.EMPTY)

    def area(self) -> QRectF:
        content = self.content_rect()
        return content.adjusted(0, parts.header(self, content, self.spec.options.title)[1], 0, 0)

    def rows(self) -> tuple[float, int]:
        """A row's height and how many rows fit, none below the legibility floor."""
        pad, area = self.style.spacing.padding, self.area()
        gap = pad / 4
        smallest = parts.line_height(self) + pad / 4
        count = max(1, min(self.spec.options.limit, int((area.height() + gap) // (smallest + gap))))
        tallest = parts.line_height(self, "headline") + pad / 2
        return min(tallest, (area.height() - gap * (count - 1)) / count), count

    # Data

    def on_records(self, records: tuple[Record, ...]) -> None:
        options = self.spec.options
        found = compare(records, options.metric, options.where, options.by, options.aggregate)
        values = [bar.scaled(options.scale) for bar in found]
        values = ordered(values, options.sort, self.rows()[1])
        if values != self._values:
            self._values = values
            self.bars = self._prepare(values)
            self.update()
        self.settle(
            records,
            len(values),
            lambda: missing_metric(records, options.metric, options.where, self.source_name, options.by),
        )

    def _prepare(self, values: list[Bar]) -> list[Shown]:
        options, style = self.spec.options, self.style
        area, (height, _) = self.area(), self.rows()
        texts = [format_value(bar.value, options.format, options.decimals) for bar in values]
        strong = QFontMetricsF(style.font("headline", strong=True))
        value_width = min(area.width() / 3, max((strong.horizontalAdvance(t) for t in texts), default=0) + 2)
        names = [options.labels.get(bar.key, bar.key) for bar in values]
        body = QFontMetricsF(style.font("headline"))
        label_width = min(area.width() * 0.4, max((body.horizontalAdvance(n) for n in names), default=0) + 2)
        top = max((bar.value for bar in values if bar.value is not None), default=0.0)
        inner = height - style.spacing.padding / 4
        fitted = [
            Shown(
                bar=bar,
                label=text.fit(
                    style,
                    name,
                    label_width,
                    inner,
                    "headline",
                    strong=bar.key == options.highlight,
                    max_lines=1,
                ),
                value=text.fit(style, shown, value_width, inner, "headline", strong=True, max_lines=1),
                share=max(0.0, bar.value / top) if top > 0 and bar.value is not None else 0.0,
                own=bar.key == options.highlight,
            )
            for bar, name, shown in zip(values, names, texts, strict=True)
        ]
        self._label_width, self._value_width = label_width, value_width
        return fitted

    # Painting

    def paint_content(self, painter: QPainter, rect: QRectF) -> None:
        block, _ = parts.header(self, rect, self.spec.options.title)
        parts.draw_header(painter, self, rect, block)
        style, pad = self.style, self.style.spacing.padding
        area, (height, _) = self.area(), self.rows()
        gap = pad / 4
        track_left = area.left() + self._label_width + pad / 2
        track_width = max(0.0, area.right() - self._value_width - pad / 2 - track_left)
        for index, shown in enumerate(self.bars):
            row = QRectF(area.left(), area.top() + index * (height + gap), area.width(), height)
            ink = style.colour("accent" if shown.own else "text")
            value_box = QRectF(area.right() - self._value_width, row.top(), self._value_width, height)
            text.draw(
                painter,
                shown.label,
                QRectF(row.left(), row.top(), self._label_width, height),
                ink,
                "left",
                "center",
            )
            if shown.bar.value is None:
                text.draw(painter, shown.value, value_box, style.colour("text_muted"), "right", "center")
                continue
            thickness = height * 0.62
            bar = QRectF(
                track_left,
                row.center().y() - thickness / 2,
                max(thickness / 4, track_width * shown.share),
                thickness,
            )
            path = QPainterPath()
            path.addRoundedRect(
                bar,
                min(thickness / 4, style.spacing.radius / 2),
                min(thickness / 4, style.spacing.radius / 2),
            )
            painter.fillPath(path, style.colour("accent" if shown.own else "text_muted"))
            text.draw(
                painter,
                shown.value,
                value_box,
                self.figure_colour("accent" if shown.own else "text"),
                "right",
                "center",
            )
