"""A ticker: headlines crawling across any width, spanning screens, at a speed set in pixels per second.

The strip's position is a function of the wall clock (see ``wallapp.core.ticker``): every window showing
it, and every machine with a synchronised clock, draws the same frame at the same moment.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter

from wallapp.core.geometry import Rect
from wallapp.core.records import Record
from wallapp.core.selection import headlines
from wallapp.core.ticker import Tape, offset_at
from wallapp.core.widgets import TickerWidget
from wallapp.qt.style import Style
from wallapp.qt.widgets.base import ItemContext, State, WidgetItem

_FLAGS = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine


class TickerItem(WidgetItem):
    cached = False  # it moves every frame
    spec: TickerWidget

    def __init__(self, spec: TickerWidget, rect: Rect, style: Style, context: ItemContext) -> None:
        super().__init__(spec, rect, style, context)
        options = spec.options
        self._font = style.font(options.role, strong=True)
        metrics = QFontMetricsF(self._font)
        self._gap = metrics.horizontalAdvance(f"   {options.separator}   ")
        self.tape = Tape(metrics.horizontalAdvance, self._gap)
        self.set_items(options.items)
        self.animate(True)  # a ticker always crawls

    def on_records(self, records: tuple[Record, ...]) -> None:
        """The latest posts crawl; until there are any, the layout's own items do."""
        latest = headlines(records, self.spec.options.max_items)
        self.set_items(latest or self.spec.options.items)

    def set_items(self, items: list[str]) -> None:
        self.tape.set_items(items)
        self.set_state(State.READY if self.tape.items else State.EMPTY)

    def strip_rect(self) -> QRectF:
        """The whole width (right of the badge, if any): a ticker crosses seams on purpose."""
        pad = self.style.spacing.padding
        strip = self.panel_rect().adjusted(pad / 2, 0, -pad / 2, 0)
        badge = self.badge_rect(self.content_rect())
        return strip.adjusted(badge.width() + pad / 2, 0, 0, 0) if not badge.isEmpty() else strip

    def badge_rect(self, rect: QRectF) -> QRectF:
        """At the left end of the strip, so the crawling text never runs under it."""
        badge = super().badge_rect(rect)
        if badge.isEmpty():
            return badge
        panel = self.panel_rect()
        left = panel.left() + self.style.spacing.padding / 2
        return QRectF(left, panel.center().y() - badge.height() / 2, badge.width(), badge.height())

    def offset(self) -> float:
        return offset_at(self.context.now().timestamp(), 0.0, self.spec.options.speed)

    def paint_content(self, painter: QPainter, rect: QRectF) -> None:
        rect = self.strip_rect()
        offset = self.offset()
        separator = self.spec.options.separator
        painter.save()
        painter.setClipRect(rect)
        painter.setFont(self._font)
        text_colour, accent = self.style.colour("text"), self.style.colour("accent")
        for segment in self.tape.visible(offset, rect.width()):
            left = rect.left() + segment.start - offset
            painter.setPen(text_colour)
            painter.drawText(QRectF(left, rect.top(), segment.width + 1, rect.height()), _FLAGS, segment.text)
            painter.setPen(accent)
            gap = QRectF(left + segment.width, rect.top(), self._gap, rect.height())
            painter.drawText(gap, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextSingleLine, separator)
        painter.restore()
