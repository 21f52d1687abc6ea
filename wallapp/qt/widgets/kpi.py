"""A KPI tile: label, the value large with its unit, the change against a reference, threshold colours."""

from __future__ import annotations

import operator

from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetricsF, QPainter, QPainterPath

from wallapp.core.formatting import format_delta, format_value
from wallapp.core.geometry import Rect
from wallapp.core.records import Record
from wallapp.core.selection import read_metric
from wallapp.core.widgets import KpiOptions, KpiWidget
from wallapp.qt import text
from wallapp.qt.style import Style
from wallapp.qt.widgets.base import ItemContext, State, WidgetItem


def status(options: KpiOptions, value: float) -> str | None:
    """The palette colour a value earns by its thresholds: critical, warning, positive; None without any."""
    limits = options.thresholds
    if limits is None:
        return None
    worse = operator.ge if limits.higher_is_worse else operator.le
    if worse(value, limits.critical):
        return "critical"
    if worse(value, limits.warning):
        return "warning"
    return "positive"


def delta_colour(options: KpiOptions, value: float, previous: float) -> str:
    if value == previous:
        return "text_muted"
    better = (
        value < previous if options.thresholds and options.thresholds.higher_is_worse else value > previous
    )
    return "positive" if better else "critical"


class KpiItem(WidgetItem):
    spec: KpiWidget

    def __init__(self, spec: KpiWidget, rect: Rect, style: Style, context: ItemContext) -> None:
        super().__init__(spec, rect, style, context)
        self.value = spec.options.value
        self.previous = spec.options.previous
        if self.value is None:
            self.set_state(State.EMPTY)

    def on_records(self, records: tuple[Record, ...]) -> None:
        options = self.spec.options
        assert options.metric is not None  # a bound KPI names its metric (validated)
        reading = read_metric(records, options.metric, options.where, options.aggregate)
        value = None if reading is None else reading.value * options.scale
        if value != self.value:
            self.value = value
            self.update()
        self.set_state(State.EMPTY if value is None else State.READY)

    def paint_panel(self, painter: QPainter) -> None:
        super().paint_panel(painter)
        level = status(self.spec.options, self.value) if self.value is not None else None
        if level is not None:
            panel, radius = self.panel_rect(), self.style.spacing.radius
            path = QPainterPath()
            path.addRoundedRect(panel, radius, radius)
            stripe = QPainterPath()
            stripe.addRect(QRectF(panel.left(), panel.top(), panel.width(), self.style.spacing.stripe))
            painter.fillPath(path.intersected(stripe), self.style.colour(level))

    def paint_state(self, painter: QPainter, rect: QRectF) -> None:
        self._paint_label(painter, rect)
        label_height = self._label(rect).height
        super().paint_state(painter, rect.adjusted(0, label_height, 0, 0))

    def _label(self, rect: QRectF) -> text.TextBlock:
        width = self.beside_badge(rect)
        return text.fit(
            self.style, self.spec.options.label, width, rect.height() / 4, "headline", max_lines=1
        )

    def _paint_label(self, painter: QPainter, rect: QRectF) -> None:
        label = self._label(rect)
        text.draw(
            painter,
            label,
            QRectF(rect.left(), rect.top(), rect.width(), label.height),
            self.style.colour("text_muted"),
        )

    def paint_content(self, painter: QPainter, rect: QRectF) -> None:
        options, value = self.spec.options, self.value
        assert value is not None  # READY implies a value
        self._paint_label(painter, rect)
        label_height = self._label(rect).height

        delta = None
        if self.previous is not None:
            change = format_delta(value, self.previous, options.format)
            delta = text.fit(
                self.style,
                f"{change}  {options.delta_label}",
                rect.width(),
                rect.height() / 4,
                "body",
                max_lines=1,
            )

        unit = (
            text.fit(self.style, options.unit, rect.width() / 3, rect.height(), "headline", max_lines=1)
            if options.unit
            else None
        )
        gap = self.style.spacing.padding / 2
        unit_width = unit.width() + gap if unit else 0.0
        room = rect.height() - label_height - (delta.height if delta else 0)
        shown = format_value(value, options.format, options.decimals)
        figure = text.fit(
            self.style, shown, rect.width() - unit_width, room, "display", strong=True, max_lines=1
        )

        # Value and unit share a baseline, centred together in the space between label and delta.
        top = rect.top() + label_height + (room - figure.height) / 2
        level = status(options, value)
        colour = self.style.colour(level if level in ("warning", "critical") else "text")
        text.draw(painter, figure, QRectF(rect.left(), top, rect.width() - unit_width, figure.height), colour)
        if unit:
            baseline = top + QFontMetricsF(figure.font).ascent()
            unit_left = rect.left() + figure.width() + gap
            unit_top = baseline - QFontMetricsF(unit.font).ascent()
            text.draw(
                painter,
                unit,
                QRectF(unit_left, unit_top, unit_width, unit.height),
                self.style.colour("text_muted"),
            )
        if delta:
            bottom = QRectF(rect.left(), rect.bottom() - delta.height, rect.width(), delta.height)
            assert self.previous is not None
            text.draw(painter, delta, bottom, self.style.colour(delta_colour(options, value, self.previous)))
