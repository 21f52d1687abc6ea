"""The base of every widget on the canvas: a themed panel, its content, and its empty or error state."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsObject, QStyleOptionGraphicsItem, QWidget

from wallapp.core.geometry import Rect, clear_of
from wallapp.core.widgets import Widget
from wallapp.qt import text
from wallapp.qt.style import Style


@dataclass(frozen=True)
class ItemContext:
    """What items need from outside: files named in the layout, and the time (fixed in snapshots/tests)."""

    resolve: Callable[[str], Path]
    now: Callable[[], datetime]
    seams: tuple[Rect, ...] = ()


class State(enum.Enum):
    READY = "ready"
    EMPTY = "empty"
    ERROR = "error"


class WidgetItem(QGraphicsObject):
    """A widget at its canvas rectangle. Subclasses draw their content in ``paint_content``."""

    empty_text = "Waiting for data"

    def __init__(self, spec: Widget, rect: Rect, style: Style, context: ItemContext) -> None:
        super().__init__()
        self.spec = spec
        self.style = style
        self.context = context
        self.state = State.READY
        self.notice = ""
        self.setPos(rect.x, rect.y)
        self._bounds = QRectF(0, 0, rect.width, rect.height)
        # Seams running through this widget, in its own coordinates.
        self.seams = [seam.translated(-rect.x, -rect.y) for seam in context.seams if seam.intersects(rect)]
        self.setObjectName(spec.id)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def has_panel(self) -> bool:
        return True

    def panel_rect(self) -> QRectF:
        half = self.style.spacing.gutter / 2
        return self._bounds.adjusted(half, half, -half, -half)

    def content_rect(self) -> QRectF:
        """Where text and figures go: inside the padding, and clear of any seam the widget spans."""
        pad = self.style.spacing.padding
        inner = self.panel_rect().adjusted(pad, pad, -pad, -pad)
        if not self.seams:
            return inner
        clear = clear_of(Rect(inner.x(), inner.y(), inner.width(), inner.height()), self.seams, pad)
        return QRectF(*clear.as_tuple())

    def set_state(self, state: State, notice: str = "") -> None:
        if (state, notice) != (self.state, self.notice):
            self.state, self.notice = state, notice
            self.update()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if self.has_panel() or self.state is not State.READY:
            self.paint_panel(painter)
        content = self.content_rect()
        if self.state is State.READY:
            self.paint_content(painter, content)
        else:
            self.paint_state(painter, content)

    def paint_panel(self, painter: QPainter) -> None:
        spacing = self.style.spacing
        path = QPainterPath()
        path.addRoundedRect(self.panel_rect(), spacing.radius, spacing.radius)
        painter.fillPath(path, self.style.colour("surface"))
        if spacing.border:
            painter.setPen(QPen(self.style.colour("border"), spacing.border))
            painter.drawPath(path)

    def paint_content(self, painter: QPainter, rect: QRectF) -> None:
        raise NotImplementedError

    def paint_state(self, painter: QPainter, rect: QRectF) -> None:
        """Never a blank rectangle: say what the widget is waiting for, or what went wrong."""
        message = self.empty_text if self.state is State.EMPTY else self.notice or "Unavailable"
        block = text.fit(self.style, message, rect.width(), rect.height(), "body")
        colour = self.style.colour("text_muted" if self.state is State.EMPTY else "warning")
        text.draw(painter, block, rect, colour, align="center", valign="center")
