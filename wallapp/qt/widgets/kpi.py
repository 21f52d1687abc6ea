"""A KPI tile: label, the value large with its unit, the change against a reference, threshold colours.

A missing value (every matching metric NaN or null) reads "no value" in the muted colour, with no status
stripe and no delta; a value read from some metrics only says how many had none. The figure is as large as
its room allows (up to the theme's ``grow.figure``); a new value counts up (or down) from the one shown
over the theme's ``motion.count``, never a jump.
"""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter, QPainterPath, QPen

from wallapp.core.config.widgets import KpiOptions, KpiWidget
from wallapp.core.data.diagnosis import missing_metric
from wallapp.core.data.records import Record
from wallapp.core.data.selection import Reading, read_metric, scaled
from wallapp.core.view.formatting import format_delta, format_value
from wallapp.core.view.geometry import Rect
from wallapp.core.view.motion import Tween
from wallapp.core.view.series import Points, Recent, latest_series
from wallapp.core.view.thresholds import level
from wallapp.qt import text
from wallapp.qt.style import Style
from wallapp.qt.widgets import parts
from wallapp.qt.widgets.base import DIMMED, ItemContext, WidgetItem, WidgetState


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
        self.note = ""
        """How many matching metrics had no value, when some had one: "1 of 10 without value"."""
        self.recent = Recent(spec.options.sparkline_points)
        self.trail: Points = []
        """The sparkline's points, oldest first."""
        self.counter = Tween(style.theme.motion.count, self.value)
        """The figure as shown, counting towards ``value``."""
        self._drawn = ""
        """The figure as last painted."""
        self._figure_band: QRectF | None = None
        """Where the figure and its unit go, as last painted: all that a frame of the count changes."""
        if self.value is None:
            self.set_state(WidgetState.EMPTY)

    def on_records(self, records: tuple[Record, ...]) -> None:
        options, metric, source = self.spec.options, self.spec.options.metric, self.source_name
        assert metric is not None  # a bound KPI names its metric (validated)
        reading = read_metric(records, metric, options.where, options.aggregate)
        value = None if reading is None else scaled(reading.value, options.scale)
        rival = None
        if options.compare_where is not None:
            other = read_metric(
                records, metric, {**options.where, **options.compare_where}, options.aggregate
            )
            rival = None if other is None else scaled(other.value, options.scale)
        note = ""
        if reading is not None and reading.skipped and value is not None:
            note = f"{reading.skipped} of {reading.count + reading.skipped} without value"
        trail = self._trail(records, reading, value)
        if (value, rival, note, trail) != (self.value, self.rival, self.note, self.trail):
            if value != self.value:  # counting from when the value took effect (see ``changed_at``)
                self.counter.retarget(value, self.data_moved_at())
            self.value, self.rival, self.note, self.trail = value, rival, note, trail
            self.update()
        # A reading of no value is shown as such ("no value"): only no matching metric at all waits (or
        # names the mistake).
        self.settle(
            records, reading is not None, lambda: missing_metric(records, metric, options.where, source)
        )
        if options.compare_where is not None and rival is None and value is not None:
            # The tile still shows its value, without the comparison: the mistake is only logged.
            compared = {**options.where, **options.compare_where}
            if (mismatch := missing_metric(records, metric, compared, source)) is not None:
                self.report(mismatch)

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

    @property
    def shown(self) -> str:
        """The figure as the tile writes it once counted."""
        return format_value(self.value, self.spec.options.format, self.spec.options.decimals)

    def frame_changed(self) -> bool:
        """Whether the next frame shows another figure (or ends the count): the frame clock repaints the
        tile only then, a few times a second for a small change rather than at every frame."""
        now = self.context.ticks()
        return not self.counter.moving(now) or self.counted(now) != self._drawn

    def frame_area(self) -> QRectF:
        """What a frame of the count repaints: the figure's band, not the tile (the label, the sparkline and
        the delta change with the data, and the tile is repainted whole then)."""
        return QRectF(self._figure_band) if self._figure_band is not None else self.boundingRect()

    def counted(self, now: float) -> str:
        """The figure as the tile writes it at ``now`` (monotonic): on its way to ``shown``, in whole
        numbers on its way to a whole number (3,719.4 on the way to 3,720 is wider than where it goes)."""
        options = self.spec.options
        decimals = options.decimals
        if decimals is None and options.format in ("number", "compact") and "." not in self.shown:
            decimals = 0
        return format_value(self.counter.value(now), options.format, decimals)

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
        earned = level(self.spec.options.thresholds, self.value)
        if earned is not None:
            panel, radius = self.panel_rect(), self.style.spacing.radius
            path = QPainterPath()
            path.addRoundedRect(panel, radius, radius)
            stripe = QPainterPath()
            stripe.addRect(QRectF(panel.left(), panel.top(), panel.width(), self.style.spacing.stripe))
            painter.setOpacity(DIMMED if self.not_live else 1.0)  # an old value's level, dimmed
            painter.fillPath(path.intersected(stripe), self.style.colour(earned))
            painter.setOpacity(1.0)

    def heading(self) -> str:
        return self.spec.options.label

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
        self._paint_label(painter, rect)
        label_height = self._label(rect).height

        delta = None
        compared = self.comparison()
        change = format_delta(value, compared[0], options.format) if compared is not None else None
        if change is not None and compared is not None:
            delta = text.fit(
                self.style,
                f"{change}  {compared[1]}",
                rect.width(),
                parts.share(self, rect.height() - label_height, 1 / 4),
                "body",
                max_lines=1,
            )
        note = (
            text.fit(self.style, self.note, rect.width(), rect.height() / 4, "body", max_lines=1)
            if self.note
            else None
        )
        below = (delta.height if delta else 0) + (note.height if note else 0)
        spark = self._spark_height(rect)

        unit = (
            text.fit(self.style, options.unit, rect.width() / 3, rect.height(), "headline", max_lines=1)
            if options.unit and value is not None
            else None
        )
        gap = self.style.spacing.padding / 2
        unit_width = unit.width() + gap if unit else 0.0
        room = rect.height() - label_height - below - spark

        def fitted(figure: str, most: int | None = None) -> text.TextBlock:
            return text.fit(
                self.style,
                figure,
                rect.width() - unit_width,
                room,
                "display",
                strong=True,
                max_lines=1,
                most=most,
            )

        figure = fitted(self.shown, self.style.theme.grow.figure)
        now = self.context.ticks()
        counting = self.counter.moving(now)
        if counting and figure.lines and not figure.elided:
            # On its way, in the size of where it goes: the figure does not swell and shrink as it counts;
            # only a figure on its way that is wider than its room (1,000 counting down to 999) is made
            # smaller, never cut.
            on_its_way = self.counted(now)
            figure = text.TextBlock(figure.font, (on_its_way,), figure.line_height, elided=False)
            if figure.width() > rect.width() - unit_width:
                figure = fitted(on_its_way)
        self._drawn = figure.lines[0] if figure.lines else ""
        # With a margin for glyphs that reach beyond the line: what it takes of the label or the sparkline
        # is painted again as it was.
        margin = self.style.spacing.padding / 2
        band = QRectF(rect.left(), rect.top() + label_height, rect.width(), room)
        self._figure_band = band.adjusted(0, -margin, 0, margin).intersected(self.panel_rect())
        self.animate(counting)

        # Value and unit share a baseline, centred together in the space between label and delta.
        top = rect.top() + label_height + (room - figure.height) / 2
        earned = level(options.thresholds, value)
        alarm = earned if earned in ("warning", "critical") else None
        colour = self.figure_colour(alarm or ("text" if value is not None else "text_muted"))
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
            under = rect.bottom() - below
            self._paint_sparkline(painter, QRectF(rect.left(), under - spark, rect.width(), spark))
        line = rect.bottom() - below
        if delta and value is not None and compared is not None:
            box = QRectF(rect.left(), line, rect.width(), delta.height)
            text.draw(painter, delta, box, self.figure_colour(delta_colour(options, value, compared[0])))
            line += delta.height
        if note:
            text.draw(
                painter,
                note,
                QRectF(rect.left(), line, rect.width(), note.height),
                self.style.colour("text_muted"),
            )

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
        height = (high / 2 - low / 2) or 1.0  # on halves: a range of huge values never overflows
        points = [
            QPointF(
                box.left() + (t - start) / span * box.width(),
                box.bottom() - (v / 2 - low / 2) / height * box.height(),
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
