"""A clock: the time large, with the date and a label (a city) under it; ticks on the second boundary."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QPainter

from wallapp.core.config.widgets import ClockWidget
from wallapp.core.view.geometry import Rect
from wallapp.qt import text
from wallapp.qt.style import Style
from wallapp.qt.widgets import parts
from wallapp.qt.widgets.base import ItemContext, WidgetItem


class ClockItem(WidgetItem):
    spec: ClockWidget

    def __init__(self, spec: ClockWidget, rect: Rect, style: Style, context: ItemContext) -> None:
        super().__init__(spec, rect, style, context)
        zone = spec.options.timezone
        self._zone = zoneinfo.ZoneInfo(zone) if zone else None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self._arm()

    def now(self) -> datetime:
        now = self.context.now()
        return now.astimezone(self._zone) if self._zone else now.astimezone()

    def _arm(self) -> None:
        """Wake just after the next change of what is shown (second or minute)."""
        now = self.now()
        period = 1 if self.spec.options.seconds else 60
        elapsed = now.second % period + now.microsecond / 1e6
        self._timer.start(int((period - elapsed) * 1000) + 5)

    def _tick(self) -> None:
        self.update()
        self._arm()

    def paint_content(self, painter: QPainter, rect: QRectF) -> None:
        rect = parts.centred(self, rect)
        options, now = self.spec.options, self.now()
        shown = now.strftime("%H:%M:%S" if options.seconds else "%H:%M")
        lines = [
            part
            for part in (now.strftime("%a %d %b %Y") if options.date else "", options.label or "")
            if part
        ]
        caption = text.fit(
            self.style,
            "  ·  ".join(lines),
            rect.width(),
            parts.share(self, rect.height(), 1 / 3),
            "body",
            max_lines=1,
        )
        room = rect.height() - (caption.height if lines else 0)
        clock = text.fit(self.style, shown, rect.width(), room, "display", strong=True, max_lines=1)
        total = clock.height + (caption.height if lines else 0)
        top = rect.top() + (rect.height() - total) / 2
        text.draw(
            painter,
            clock,
            QRectF(rect.left(), top, rect.width(), clock.height),
            self.style.colour("text"),
            "center",
        )
        if lines:
            below = QRectF(rect.left(), top + clock.height, rect.width(), caption.height)
            text.draw(painter, caption, below, self.style.colour("text_muted"), "center")
