"""A KPI tile: label, the value large with its unit, the change against a reference, threshold colours."""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter, QPainterPath, QPen

from wallapp.core.config.widgets import KpiOptions, KpiWidget
from wallapp.core.data.records import Record
from wallapp.core.data.selection import Reading, read_metric
from wallapp.core.view.formatting import format_delta, format_value
from wallapp.core.view.geometry import Rect
from wallapp.core.view.series import Points, Recent, latest_series
from wallapp.core.view.thresholds import level
from wallapp.qt import text
from wallapp.qt.style import Style
from wallapp.qt.widgets import parts
from wallapp.qt.widgets.base import ItemContext, WidgetItem, WidgetState


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
        self.rival: float | None = None
        """The compared competitor's value (``compare_where``)."""
        self.recent = Recent(spec.options.sparkline_points)
        self.trail: Points = []
        """The sparkline's points, oldest first."""
        if self.value is None:
            self.set_state(WidgetState.EMPTY)

    def on_records(self, records: tuple[Record, ...]) -> None:
        options = self.spec.options
        assert options.metric is not None  # a bound KPI names its metric (validated)
        reading = read_metric(records, options.metric, options.where, options.aggregate)
        value = None if reading is None else reading.value * options.scale
        rival = None
        if options.compare_where is not None:
            other = read_metric(
                records, options.metric, {**options.where, **options.compare_where}, options.aggregate
            )
            rival = None if other is None else other.value * options.scale
        trail = self._trail(records, reading, value)
        if (value, rival, trail) != (self.value, self.rival, self.trail):
            self.value, self.rival, self.trail = value, rival, trail
            self.update()
        self.set_state(WidgetState.EMPTY if value is None else WidgetState.READY)

    def _trail(self, records: tuple[Record, ...], reading: Reading | None, value: float | None) -> Points:
        options = self.spec.options
        if options.sparkline_series is not None:
            return latest_series(records, options.sparkline_series, options.sparkline_points)
        if not options.sparkline or reading is None or value is None:
            return self.trail
        last = self.recent.values[-1][0] if self.recent.values else 0.0
        moment = reading.measured_at.timestamp() if reading.measured_at is not None else last + 1
        self.recent.add(moment, value)
        return list(self.recent.values)

    def comparison(self) -> tuple[float, str] | None:
        """What the delta compares with: a competitor's value and name, or the previous period's value."""
        options = self.spec.options
        if options.compare_where is not None:
            if self.rival is None:
                return None
            name = options.compare_label or " ".join(options.compare_where.values())
            return self.rival, f"vs {name}"
        return (self.previous, options.delta_label) if self.previous is not None else None

    def paint_panel(self, painter: QPainter) -> None:
        super().paint_panel(painter)
        earned = level(self.spec.options.thresholds, self.value) if self.value is not None else None
        if earned is not None:
            panel, radius = self.panel_rect(), self.style.spacing.radius
            path = QPainterPath()
            path.addRoundedRect(panel, radius, radius)
            stripe = QPainterPath()
            stripe.addRect(QRectF(panel.left(), panel.top(), panel.width(), self.style.spacing.stripe))
            painter.fillPath(path.intersected(stripe), self.style.colour(earned))

    def paint_state(self, painter: QPainter, rect: QRectF) -> None:
        self._paint_label(painter, rect)
        label_height = self._label(rect).height
        super().paint_state(painter, rect.adjusted(0, label_height, 0, 0))

    def _label(self, rect: QRectF) -> text.TextBlock:
        width = self.beside_badge(rect)
        return text.fit(
            self.style,
            self.spec.options.label,
            width,
            parts.share(self, rect.height(), 1 / 4),
            "headline",
            max_lines=1,
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
        compared = self.comparison()
        if compared is not None:
            change = format_delta(value, compared[0], options.format)
            delta = text.fit(
                self.style,
                f"{change}  {compared[1]}",
                rect.width(),
                parts.share(self, rect.height() - label_height, 1 / 4),
                "body",
                max_lines=1,
            )
        spark = self._spark_height(rect)

        unit = (
            text.fit(self.style, options.unit, rect.width() / 3, rect.height(), "headline", max_lines=1)
            if options.unit
            else None
        )
        gap = self.style.spacing.padding / 2
        unit_width = unit.width() + gap if unit else 0.0
        room = rect.height() - label_height - (delta.height if delta else 0) - spark
        shown = format_value(value, options.format, options.decimals)
        figure = text.fit(
            self.style, shown, rect.width() - unit_width, room, "display", strong=True, max_lines=1
        )

        # Value and unit share a baseline, centred together in the space between label and delta.
        top = rect.top() + label_height + (room - figure.height) / 2
        earned = level(options.thresholds, value)
        colour = self.style.colour(earned if earned in ("warning", "critical") else "text")
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
        if spark:
            below = rect.bottom() - (delta.height if delta else 0)
            self._paint_sparkline(painter, QRectF(rect.left(), below - spark, rect.width(), spark))
        if delta:
            bottom = QRectF(rect.left(), rect.bottom() - delta.height, rect.width(), delta.height)
            assert compared is not None
            text.draw(painter, delta, bottom, self.style.colour(delta_colour(options, value, compared[0])))

    def _spark_height(self, rect: QRectF) -> float:
        """Room for the sparkline under the figure: none until there are two values to join."""
        return rect.height() * 0.2 if len(self.trail) >= 2 else 0.0

    def _paint_sparkline(self, painter: QPainter, box: QRectF) -> None:
        """The recent values as a line, scaled to their own range, leaving a little room above and below."""
        pad = self.style.spacing.padding / 4
        box = box.adjusted(0, pad, 0, -pad)
        times = [t for t, _ in self.trail]
        values = [v for _, v in self.trail]
        start, span = times[0], (times[-1] - times[0]) or 1.0
        low, high = min(values), max(values)
        height = (high - low) or 1.0
        points = [
            QPointF(
                box.left() + (t - start) / span * box.width(),
                box.bottom() - (v - low) / height * box.height(),
            )
            for t, v in self.trail
        ]
        if high == low:
            points = [QPointF(p.x(), box.center().y()) for p in points]
        pen = QPen(self.style.colour("accent"), max(3.0, self.style.spacing.border * 2))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawLines([QLineF(a, b) for a, b in pairwise(points)])
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.style.colour("accent"))
        dot = pen.widthF() * 1.6
        painter.drawEllipse(points[-1], dot, dot)
