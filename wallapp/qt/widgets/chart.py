"""A time-series chart: several series over a rolling window, the value axis and times in large text.

The curves are pyqtgraph ``PlotCurveItem``s, children of the widget, given their points in the widget's
own coordinates: created once, updated with ``setData``, stroked as separate segments (a wide pen strokes
a jagged polyline about 20 times slower). The axes and legend are the widget's own drawing rather than a
pyqtgraph ``PlotItem``'s: their text comes from the theme through ``wallapp.qt.text`` like every other
text on the wall (never below the legibility floor), and no grid or axis picture is replayed per frame.
Everything is laid out when the points change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPen

from wallapp.core.config.widgets import ChartWidget
from wallapp.core.data.diagnosis import missing_series
from wallapp.core.data.records import Record
from wallapp.core.view.formatting import format_value
from wallapp.core.view.geometry import Rect
from wallapp.core.view.series import Points, nice_ticks, time_ticks, windowed
from wallapp.qt import text
from wallapp.qt.style import Style
from wallapp.qt.widgets import parts
from wallapp.qt.widgets.base import ItemContext, WidgetItem, WidgetState

#: The shaded area follows the first series' highest point every this many pixels (a jagged fill is slow).
FILL_STEP = 8.0

#: Palette colours given to series in turn.
SERIES_COLOURS = ("accent", "positive", "warning", "text_muted", "critical")


class CanvasCurve(pg.PlotCurveItem):  # type: ignore[misc]  # pyqtgraph has no type hints
    """A pyqtgraph curve placed straight on the wall's canvas, in its widget's coordinates.

    pyqtgraph items look for the ``ViewBox`` or pyqtgraph ``GraphicsView`` that shows them, to follow its
    range; the wall's views are plain ``QGraphicsView``s that never pan or zoom, so there is none to
    follow (connecting to one would fail).
    """

    def getViewBox(self) -> None:
        return None


@dataclass
class Curve:
    """One series laid out: its palette colour and its points in the widget's coordinates."""

    colour: str
    x: np.ndarray
    y: np.ndarray


@dataclass
class Plot:
    """A chart laid out: curves in item coordinates, tick labels, legend."""

    area: QRectF
    title: text.TextBlock | None = None
    """The heading, clear of the legend on its line."""
    curves: list[Curve] = field(default_factory=list)
    fill: Curve | None = None
    """The outline of the shaded area under the first series."""
    values: list[tuple[float, text.TextBlock]] = field(default_factory=list)
    times: list[tuple[float, text.TextBlock]] = field(default_factory=list)
    legend: list[tuple[str, text.TextBlock]] = field(default_factory=list)


def envelope(points: list[QPointF], step: float) -> list[QPointF]:
    """The highest point (smallest y) in each ``step``-wide column, left to right: a light outline.

    A point without a value (y is NaN) is kept between the runs it separates: the shade has a gap there
    as the line does.
    """
    outline: list[QPointF] = []
    columns: dict[int, QPointF] = {}
    for point in points:
        if math.isnan(point.y()):
            outline += [columns[key] for key in sorted(columns)]
            if columns:
                outline.append(point)
            columns = {}
            continue
        key = int(point.x() // step)
        if key not in columns or point.y() < columns[key].y():
            columns[key] = point
    return outline + [columns[key] for key in sorted(columns)]


class ChartItem(WidgetItem):
    spec: ChartWidget

    def __init__(self, spec: ChartWidget, rect: Rect, style: Style, context: ItemContext) -> None:
        super().__init__(spec, rect, style, context)
        self.series: dict[str, Points] = {}
        self.plot: Plot | None = None
        self.shade = self._curve()
        self.curves: list[CanvasCurve] = []
        self.set_state(WidgetState.EMPTY)

    def _curve(self) -> CanvasCurve:
        # The points are finite, or NaN where a value is missing: joined only between finite neighbours.
        curve = CanvasCurve(skipFiniteCheck=True, connect="finite")
        curve.setSegmentedLineMode("on")
        curve.setParentItem(self)
        curve.hide()
        return curve

    def on_records(self, records: tuple[Record, ...]) -> None:
        options = self.spec.options
        series = windowed(records, options.window, options.series)
        if series != self.series:
            self.series = series
            self.plot = self._layout(series) if series else None
            self.update()
        self.settle(records, len(series), lambda: missing_series(records, options.series, self.source_name))
        self._show_curves()

    def _show_curves(self) -> None:
        """The curve items follow the plot; none is shown over an empty or error state."""
        plot = self.plot if self.state is WidgetState.READY else None
        style, options = self.style, self.spec.options
        while plot and len(self.curves) < len(plot.curves):
            self.curves.append(self._curve())
        shown = plot.curves if plot else []
        for item, curve in zip(self.curves, shown, strict=False):
            pen = QPen(style.colour(curve.colour), options.line_width)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            item.setData(curve.x, curve.y, pen=pen, antialias=options.antialias)
            item.show()
        for item in self.curves[len(shown) :]:
            item.hide()
        if plot and plot.fill is not None:
            shade = QColor(style.colour(plot.fill.colour))
            shade.setAlphaF(0.18)
            self.shade.setData(
                plot.fill.x,
                plot.fill.y,
                pen=QPen(Qt.PenStyle.NoPen),
                brush=QBrush(shade),
                fillLevel=plot.area.bottom(),
            )
            self.shade.show()
        else:
            self.shade.hide()

    # Layout

    def _legend(self, series: dict[str, Points], content: QRectF) -> list[tuple[str, text.TextBlock]]:
        """Series names with their colours, when there are several or they are named (and a line fits)."""
        options, style = self.spec.options, self.style
        if not (len(series) > 1 or options.labels):
            return []
        line = QFontMetricsF(style.font("caption")).lineSpacing()
        legend = []
        for index, name in enumerate(series):
            label = options.labels.get(name, name)
            block = text.fit(style, label, content.width() / 3, min(content.height(), line * 2), "caption")
            if block.lines:
                legend.append((SERIES_COLOURS[index % len(SERIES_COLOURS)], block))
        return legend

    def _legend_width(self, legend: list[tuple[str, text.TextBlock]]) -> float:
        pad = self.style.spacing.padding
        return sum(label.width() + 2 + label.line_height * 0.5 + pad / 4 + pad for _, label in legend)

    def _layout(self, series: dict[str, Points]) -> Plot:
        style, options, pad = self.style, self.spec.options, self.style.spacing.padding
        content = self.content_rect()
        legend = self._legend(series, content)
        room = content.adjusted(0, 0, -self._legend_width(legend), 0)
        title, used = parts.header(self, room, options.title)
        if legend:  # the legend's line is the heading's, or one of its own
            used = max(used, legend[0][1].line_height + pad / 2)
        caption = QFontMetricsF(style.font("caption"))
        line = caption.lineSpacing()
        body = content.adjusted(0, used, 0, 0)
        values = [v for points in series.values() for _, v in points if not math.isnan(v)]
        low, high = (min(0.0, *values) if options.zero else min(values)), max(values)
        ticks = nice_ticks(low, high, 4)
        labels = [format_value(t, options.format) for t in ticks]
        axis_width = max(caption.horizontalAdvance(label) for label in labels) + pad / 2
        area = body.adjusted(axis_width, line / 2, 0, -line - pad / 3)
        # Axes only where they leave a plot a line tall and as wide as the value axis.
        axes = area.height() >= line and area.width() >= axis_width
        if not axes:
            area = QRectF(body)
        # Across every screen the chart spans: lines continue straight over the mullions, like the wall's
        # other lines; the title and the value axis stay clear of them on the first screen.
        area.setRight(self.panel_rect().right() - pad)
        start = min(t for points in series.values() for t, _ in points)
        end = max(t for points in series.values() for t, _ in points)
        start = min(start, end - 60)
        bottom, top = ticks[0], ticks[-1]

        # Heights as fractions of the axis, computed on halves: a range of huge values never overflows.
        span = (top / 2 - bottom / 2) or 1.0

        def at(moment: float, value: float) -> QPointF:
            x = area.left() + (moment - start) / (end - start) * area.width()
            y = area.bottom() - (value / 2 - bottom / 2) / span * area.height()
            return QPointF(x, y)

        plot = Plot(area, title, legend=legend)
        if area.width() < 1 or area.height() < 1:
            return plot
        for index, points in enumerate(series.values()):
            moments, levels = np.array(points, dtype=float).reshape(-1, 2).T
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            xs = area.left() + (moments - start) / (end - start) * area.width()
            ys = area.bottom() - (levels / 2 - bottom / 2) / span * area.height()
            if len(xs) == 1:  # a single point: a dot, a segment of no length
                xs, ys = np.repeat(xs, 2), np.repeat(ys, 2)
            plot.curves.append(Curve(colour, xs, ys))
            if index == 0 and options.fill and len(points) > 1:
                outline = envelope([QPointF(a, b) for a, b in zip(xs, ys, strict=True)], FILL_STEP)
                plot.fill = Curve(
                    colour, np.array([p.x() for p in outline]), np.array([p.y() for p in outline])
                )
        if not axes:
            return plot
        # Every other value, or fewer, where their labels would touch.
        step = math.ceil(line / (area.height() / max(1, len(ticks) - 1)))
        for tick, label in list(zip(ticks, labels, strict=True))[::step]:
            block = text.fit(style, label, axis_width, line, "caption", max_lines=1)
            plot.values.append((at(start, tick).y(), block))
        plot.times = self._times(area, start, end)
        return plot

    def _times(self, area: QRectF, start: float, end: float) -> list[tuple[float, text.TextBlock]]:
        """Round times under the plot, each at its x: none under a bezel, none touching the one before."""
        style, pad = self.style, self.style.spacing.padding
        caption = QFontMetricsF(style.font("caption"))
        seams = [QRectF(*seam.as_tuple()).adjusted(-pad / 2, 0, pad / 2, 0) for seam in self.seams]
        times, kept = [], QRectF()
        for moment in time_ticks(
            start, end, max(2, int(area.width() // (caption.horizontalAdvance("00:00") * 2.5)))
        ):
            shown = datetime.fromtimestamp(moment).astimezone().strftime("%H:%M")
            block = text.fit(style, shown, area.width(), caption.lineSpacing() * 1.5, "caption", max_lines=1)
            x = area.left() + (moment - start) / (end - start) * area.width()
            where = QRectF(self._time_left(x, block, area), area.bottom(), block.width() + 2, block.height)
            if any(where.intersects(seam) for seam in seams) or where.intersects(kept.adjusted(0, 0, pad, 0)):
                continue
            times.append((x, block))
            kept = where
        return times

    @staticmethod
    def _time_left(x: float, label: text.TextBlock, area: QRectF) -> float:
        """A time's left edge: centred on its tick, inside the plot's width."""
        width = label.width() + 2
        return min(max(x - width / 2, area.left()), area.right() - width)

    # Painting

    def paint_content(self, painter: QPainter, rect: QRectF) -> None:
        plot = self.plot
        if plot is None:
            block, _ = parts.header(self, rect, self.spec.options.title)
            parts.draw_header(painter, self, rect, block)
            return
        block = plot.title
        parts.draw_header(painter, self, rect, block)
        style, options, area = self.style, self.spec.options, plot.area
        self._paint_legend(painter, rect, plot, block)
        muted, line = style.colour("text_muted"), style.colour("border")
        for y, label in plot.values:
            box = QRectF(
                rect.left(),
                y - label.line_height / 2,
                area.left() - rect.left() - style.spacing.padding / 2,
                label.line_height,
            )
            text.draw(painter, label, box, muted, "right")
            if options.grid:
                painter.setPen(QPen(line, 2))
                painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
        painter.setPen(QPen(line, 3))
        painter.drawLine(QPointF(area.left(), area.bottom()), QPointF(area.right(), area.bottom()))
        # The curves and the shaded area are child items, drawn over this.
        for x, label in plot.times:
            left = self._time_left(x, label, area)
            painter.drawLine(QPointF(x, area.bottom()), QPointF(x, area.bottom() + style.spacing.padding / 4))
            text.draw(
                painter,
                label,
                QRectF(left, area.bottom() + style.spacing.padding / 3, label.width() + 2, label.line_height),
                muted,
            )

    def _paint_legend(
        self, painter: QPainter, rect: QRectF, plot: Plot, title: text.TextBlock | None
    ) -> None:
        """Series names with their colour, right-aligned on the heading's line."""
        if not plot.legend or self.badge:
            return
        pad = self.style.spacing.padding
        height = title.height if title and title.lines else plot.legend[0][1].line_height
        x = plot.area.right()  # the chart's far right, on whichever screen that is
        for colour, label in reversed(plot.legend):
            width = label.width() + 2
            x -= width
            text.draw(
                painter,
                label,
                QRectF(x, rect.top(), width, height),
                self.style.colour("text"),
                valign="center",
            )
            swatch = label.line_height * 0.5
            x -= swatch + pad / 4
            painter.fillRect(
                QRectF(x, rect.top() + height / 2 - swatch / 8, swatch, swatch / 4), self.style.colour(colour)
            )
            x -= pad
