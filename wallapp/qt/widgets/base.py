"""The base of every widget on the canvas: a themed panel, its content, and its empty or error state."""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QStyleOptionGraphicsItem, QWidget

from wallapp.core.config.widgets import Widget
from wallapp.core.data.freshness import Freshness
from wallapp.core.data.records import Record
from wallapp.core.data.store import Store
from wallapp.core.timing import Now, Ticks
from wallapp.core.view.formatting import freshness_badge
from wallapp.core.view.geometry import Rect, clear_of
from wallapp.qt import text
from wallapp.qt.frames import FrameClock
from wallapp.qt.images import ImageCache
from wallapp.qt.style import Style


@dataclass(frozen=True)
class ItemContext:
    """What items need from outside: files named in the layout, and the clocks (fixed in snapshots/tests)."""

    resolve: Callable[[str], Path]
    now: Now
    ticks: Ticks = time.monotonic
    """Seconds that only move forward: what animations and waits are timed by."""
    seams: tuple[Rect, ...] = ()
    images: ImageCache | None = None
    frames: FrameClock | None = None
    """The canvas's frame clock: animated items repaint on its ticks (none in a still snapshot)."""


@dataclass(frozen=True)
class Binding:
    """A bound source as a widget sees it: its store, and how fresh its data is now."""

    store: Store
    freshness: Callable[[], Freshness]


class WidgetState(enum.Enum):
    READY = "ready"
    EMPTY = "empty"
    ERROR = "error"


class WidgetItem(QGraphicsObject):
    """A widget at its canvas rectangle. Subclasses draw their content in ``paint_content``."""

    empty_text = "Waiting for data"
    cached = True
    """Keep the widget's picture per screen while it is still (Qt's ``DeviceCoordinateCache``): large
    figures are drawn as paths (beyond the glyph cache), too costly to draw again for every frame that
    repaints the screen. Widgets that move every frame anyway set ``False``; those that move now and then
    (``animate``) drop the picture while they move and keep it again at rest."""

    def __init__(self, spec: Widget, rect: Rect, style: Style, context: ItemContext) -> None:
        super().__init__()
        self.spec = spec
        self.style = style
        self.context = context
        self.state = WidgetState.READY
        self.notice = ""
        self.binding: Binding | None = None
        self.badge = ""
        self._unsubscribe: Callable[[], None] | None = None
        self.setPos(rect.x, rect.y)
        self._bounds = QRectF(0, 0, rect.width, rect.height)
        # What it paints: the panel and its border's outer half, not the gutter around it. Neighbours then
        # do not overlap: a ticker crawling along a post wall's edge does not repaint the post wall.
        edge = style.spacing.gutter / 2 - style.spacing.border / 2 - 1
        self._painted = self._bounds.adjusted(edge, edge, -edge, -edge) if edge > 0 else QRectF(self._bounds)
        self._moving = False
        self._keep_picture(True)
        self._content: QRectF | None = None
        # Seams running through this widget, in its own coordinates.
        self.seams = [seam.translated(-rect.x, -rect.y) for seam in context.seams if seam.intersects(rect)]
        self.setObjectName(spec.id)

    def boundingRect(self) -> QRectF:
        return self._painted

    def has_panel(self) -> bool:
        return True

    def animate(self, moving: bool) -> None:
        """Repaint on every frame while ``moving`` (on the canvas's one clock), not at all otherwise."""
        if self.context.frames is not None:
            self.context.frames.animate(self, moving)
        if moving != self._moving:
            self._moving = moving
            # Often called from ``paint``: the cache mode changes once the paint is over.
            QTimer.singleShot(0, self, lambda: self._keep_picture(not self._moving))

    def _keep_picture(self, still: bool) -> None:
        cache = QGraphicsItem.CacheMode
        mode = cache.DeviceCoordinateCache if self.cached and still else cache.NoCache
        if self.cacheMode() != mode:
            self.setCacheMode(mode)

    # Data

    def bind(self, binding: Binding) -> None:
        """Show ``binding``'s records from now on, starting with those it already holds (the cached ones)."""
        self.unbind()
        self.binding = binding
        self._unsubscribe = binding.store.subscribe(lambda store: self.on_records(store.records()))
        self.on_records(binding.store.records())
        self.refresh_freshness()

    def unbind(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._unsubscribe, self.binding = None, None

    def on_records(self, records: tuple[Record, ...]) -> None:
        """The bound source's records changed (newest first). Widgets that show data override this."""

    def refresh_freshness(self) -> None:
        """Mark the data with its age when it is not live; repaint only if the mark changed."""
        badge = freshness_badge(self.binding.freshness()) if self.binding is not None else ""
        if badge != self.badge:
            self.badge = badge
            self.update()

    def panel_rect(self) -> QRectF:
        half = self.style.spacing.gutter / 2
        return self._bounds.adjusted(half, half, -half, -half)

    def content_rect(self) -> QRectF:
        """Where text and figures go: inside the padding, and clear of any seam the widget spans.

        A widget neither moves nor resizes: worked out once, not on every paint.
        """
        if self._content is None:
            pad = self.style.spacing.padding
            inner = self.panel_rect().adjusted(pad, pad, -pad, -pad)
            if self.seams:
                clear = clear_of(Rect(inner.x(), inner.y(), inner.width(), inner.height()), self.seams, pad)
                inner = QRectF(*clear.as_tuple())
            self._content = inner
        return QRectF(self._content)

    def set_state(self, state: WidgetState, notice: str = "") -> None:
        if (state, notice) != (self.state, self.notice):
            self.state, self.notice = state, notice
            self.update()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if self.has_panel() or self.state is not WidgetState.READY:
            self.paint_panel(painter)
        content = self.content_rect()
        if self.state is WidgetState.READY:
            self.paint_content(painter, content)
        else:
            self.paint_state(painter, content)
        if self.badge:
            self.paint_badge(painter, content)

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

    def _badge_block(self, rect: QRectF) -> text.TextBlock:
        return text.fit(self.style, self.badge, rect.width() * 0.6, rect.height(), "caption", max_lines=1)

    def badge_rect(self, rect: QRectF) -> QRectF:
        """Where the badge goes in a content rectangle: its top-right corner (empty without a badge)."""
        if not self.badge:
            return QRectF()
        pad = self.style.spacing.padding / 2
        block = self._badge_block(rect)
        width = block.width() + block.line_height * 0.35 + 3 * pad
        return QRectF(rect.right() - width, rect.top() - pad / 2, width, block.line_height + pad)

    def beside_badge(self, rect: QRectF) -> float:
        """Width left on a content rectangle's first line once the badge is drawn there."""
        badge = self.badge_rect(rect)
        return rect.width() - (badge.width() + self.style.spacing.padding / 2 if not badge.isEmpty() else 0)

    def paint_badge(self, painter: QPainter, rect: QRectF) -> None:
        """A discreet pill: a warning dot and the data's age."""
        pad = self.style.spacing.padding / 2
        block = self._badge_block(rect)
        pill = self.badge_rect(rect)
        dot, height = block.line_height * 0.35, pill.height()
        path = QPainterPath()
        path.addRoundedRect(pill, height / 2, height / 2)
        painter.fillPath(path, self.style.colour("surface_alt"))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.style.colour("warning"))
        painter.drawEllipse(QPointF(pill.left() + pad + dot / 2, pill.center().y()), dot / 2, dot / 2)
        label = QRectF(pill.left() + 2 * pad + dot, pill.top(), block.width() + 1, height)
        text.draw(painter, block, label, self.style.colour("text_muted"), valign="center")

    def paint_state(self, painter: QPainter, rect: QRectF) -> None:
        """Never a blank rectangle: say what the widget is waiting for, or what went wrong."""
        message = self.empty_text if self.state is WidgetState.EMPTY else self.notice or "Unavailable"
        block = text.fit(self.style, message, rect.width(), rect.height(), "body")
        colour = self.style.colour("text_muted" if self.state is WidgetState.EMPTY else "warning")
        text.draw(painter, block, rect, colour, align="center", valign="center")
