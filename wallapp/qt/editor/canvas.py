"""The wall to scale, where widgets are arranged: select, move, resize, nudge, drop from the palette.

The view shows the layout's real canvas (``WallScene``: the widgets paint live data) zoomed to fit, with the
mullions, and draws what arranging needs over it in the view's own pixels: the selection and its handles,
the guide lines a drag snapped to, the rubber band, a refused or marked rectangle. A drag moves the widget's
own item (``setPos``) or an outline only; nothing is rebuilt until the button is released, when ``placed``
says where the widgets go (the window makes that one undoable edit, and the canvas is built again).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from PySide6.QtCore import QLineF, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QRegion,
    QResizeEvent,
)
from PySide6.QtWidgets import QApplication, QFrame, QGraphicsItem, QGraphicsView, QWidget

from wallapp.core.editing.placing import Guides, Handle, guides, marks, nudged, refusal, snap
from wallapp.core.view.geometry import Rect, Wall
from wallapp.qt.scene import WallScene, paint_mullions, qrect

KIND_MIME = "application/x-wallapp-kind"
"""What the palette drags: a widget kind's name."""

HANDLE_PX = 9
"""A resize handle's side, in the view's pixels."""
SNAP_PX = 8
"""How near (in the view's pixels) an edge must come to a guide line to snap to it."""
DRAGGED_Z = 1000.0
"""A dragged widget's item is drawn over the others while it moves."""
MARGIN = 0.03
"""Room around the wall (a share of its size), so the handles on its edges can be grabbed."""

BACKDROP = QColor("#101318")
SELECTED = QColor("#3FA2FF")
GUIDE = QColor("#FF4FD8")
REFUSED = QColor("#F87171")
MARKED = QColor("#FBBF24")
HOVER = QColor(255, 255, 255, 90)

_CURSORS: dict[Handle, Qt.CursorShape] = {
    "move": Qt.CursorShape.SizeAllCursor,
    "n": Qt.CursorShape.SizeVerCursor,
    "s": Qt.CursorShape.SizeVerCursor,
    "e": Qt.CursorShape.SizeHorCursor,
    "w": Qt.CursorShape.SizeHorCursor,
    "ne": Qt.CursorShape.SizeBDiagCursor,
    "sw": Qt.CursorShape.SizeBDiagCursor,
    "nw": Qt.CursorShape.SizeFDiagCursor,
    "se": Qt.CursorShape.SizeFDiagCursor,
}

DEFAULT_SIZE: dict[str, tuple[float, float]] = {
    "ticker": (1.0, 0.16),
    "alert": (1.0, 0.25),
    "clock": (0.5, 0.25),
    "image": (0.5, 0.25),
    "kpi": (0.5, 0.5),
    "posts": (1.0, 1.0),
    "spotlight": (1.0, 1.0),
    "countries": (1.0, 1.0),
}
"""A new widget's size, as a share of one screen (others: a quarter of it)."""


def default_size(kind: str, wall: Wall) -> tuple[float, float]:
    """A new widget's size in canvas pixels."""
    width, height = DEFAULT_SIZE.get(kind, (0.5, 0.5))
    screen_width, screen_height = wall.screen_size
    return width * screen_width, height * screen_height


def free_room(kind: str, wall: Wall, others: Mapping[str, Rect]) -> Rect | None:
    """Where a new widget of ``kind`` fits without overlapping: on the first screen (row by row) with room,
    at its default size or, failing that, smaller, at a quarter of the screen's steps."""
    width, height = DEFAULT_SIZE.get(kind, (0.5, 0.5))
    sizes = [(width, height), (width / 2, height), (width, height / 2), (width / 2, height / 2)]
    for w, h in sizes:
        xs = sorted({0.0, 1.0 - w, *(k / 4 for k in range(4) if k / 4 + w <= 1.0)})
        ys = sorted({0.0, 1.0 - h, *(k / 4 for k in range(4) if k / 4 + h <= 1.0)})
        for row in range(wall.rows):
            for column in range(wall.columns):
                for y in ys:
                    for x in xs:
                        rect = wall.region(column, row, (1, 1), (x, y, w, h))
                        if refusal(rect, wall, others) is None:
                            return rect
    return None


def _moved_by(rect: Rect, handle: Handle, dx: float, dy: float) -> Rect:
    """``rect`` with the edges ``handle`` holds moved by (dx, dy)."""
    left, top, right, bottom = rect.x, rect.y, rect.right, rect.bottom
    if handle == "move":
        return rect.translated(dx, dy)
    if "w" in handle:
        left = min(left + dx, right - 1)
    if "e" in handle:
        right = max(right + dx, left + 1)
    if "n" in handle:
        top = min(top + dy, bottom - 1)
    if "s" in handle:
        bottom = max(bottom + dy, top + 1)
    return Rect(left, top, right - left, bottom - top)


def _box(rect: QRectF, pad: float) -> QRect:
    return rect.adjusted(-pad, -pad, pad, pad).toAlignedRect()


def _ring(rect: QRectF, pad: float) -> QRegion:
    """The band ``pad`` pixels either side of a rectangle's edges."""
    inner = rect.adjusted(pad, pad, -pad, -pad)
    ring = QRegion(_box(rect, pad))
    if inner.width() > 0 and inner.height() > 0:
        ring = ring.subtracted(QRegion(inner.toRect()))
    return ring


def _handle_points(rect: QRectF) -> dict[Handle, QPointF]:
    """Where each resize handle of ``rect`` (in view pixels) is."""
    centre = rect.center()
    return {
        "nw": rect.topLeft(),
        "n": QPointF(centre.x(), rect.top()),
        "ne": rect.topRight(),
        "e": QPointF(rect.right(), centre.y()),
        "se": rect.bottomRight(),
        "s": QPointF(centre.x(), rect.bottom()),
        "sw": rect.bottomLeft(),
        "w": QPointF(rect.left(), centre.y()),
    }


@dataclass
class _Drag:
    """A press on a widget or a handle, turning into a drag once the pointer has moved far enough."""

    handle: Handle
    grabbed: str
    """The widget under the pointer (the one that snaps; the others of the selection follow it)."""
    press: QPoint
    """Where the button went down, in view pixels."""
    start: QPointF
    """The same, on the canvas."""
    rects: dict[str, Rect]
    """Where the widgets dragged were."""
    active: bool = False
    now: dict[str, Rect] = field(default_factory=dict)
    xs: tuple[float, ...] = ()
    ys: tuple[float, ...] = ()
    refused: str | None = None
    marks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cache_modes: dict[str, QGraphicsItem.CacheMode] = field(default_factory=dict)
    """How the dragged items kept their picture before the drag."""


@dataclass
class _Drop:
    """A widget kind dragged over the wall from the palette."""

    kind: str
    rect: Rect
    xs: tuple[float, ...] = ()
    ys: tuple[float, ...] = ()
    refused: str | None = None


class EditorCanvas(QGraphicsView):
    """The layout's canvas, zoomed to fit, where the operator arranges the widgets."""

    placed = Signal(object, str)
    """Widgets dropped somewhere new: ({widget id: canvas Rect}, what was done, e.g. "Move")."""
    dropped = Signal(str, object)
    """A widget kind dropped from the palette: (kind, canvas Rect)."""
    refused = Signal(str)
    """Why what the operator did was not done (said in the status bar)."""
    selection_changed = Signal()
    settled = Signal()
    """A drag is over (done, refused or given up)."""
    first_frame = Signal()
    """The canvas has been painted for the first time (the editor is open)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setBackgroundBrush(QBrush(BACKDROP))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAcceptDrops(True)
        self.setMouseTracking(True)
        self.setInteractive(False)  # the items take no events: the canvas does all the arranging
        self.viewport().setMouseTracking(True)
        self.wall_scene: WallScene | None = None
        self.rects: dict[str, Rect] = {}
        """Every widget's rectangle, in paint order (later: on top)."""
        self.fractions: tuple[int, ...] = (2, 3, 4)
        self.floor_px = 0.0
        self.editable = True
        self.selected: list[str] = []
        """The selected widgets' ids; the last is the one the properties panel shows."""
        self.snap_tolerance_px = SNAP_PX
        self.lands: Callable[[str, Rect], Rect] = lambda _widget_id, rect: rect
        """Where a widget dragged to a rectangle lands once written as a placement (an edge inside a
        mullion goes to the screen's edge): what is shown, checked and marked while dragging."""
        self._drag: _Drag | None = None
        self._drop: _Drop | None = None
        self._band: tuple[QPoint, QPoint, bool] | None = None
        """A rubber band: where it started, where it is, and whether it adds to the selection."""
        self._hover: str | None = None
        self._collapse: str | None = None
        """A press on one of several selected widgets: released without a drag, it alone is selected."""
        self._painted = False
        self._overlay = QRegion()
        """Where the overlay was drawn last (repainted when it changes)."""
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self._label_font = QFont()
        self._label_font.setPixelSize(12)

    # What it shows

    def show_wall(
        self,
        scene: WallScene,
        rects: Mapping[str, Rect],
        fractions: Iterable[int],
        floor_px: float,
        selected: Iterable[str] = (),
    ) -> None:
        """Show ``scene`` (the widgets at ``rects``), snapping to the screens' ``fractions`` too."""
        self.wall_scene = scene
        self.rects = dict(rects)
        self.fractions = tuple(sorted({2, 3, 4, *fractions}))
        self.floor_px = floor_px
        self._drag = None
        self._hover = None
        self.setScene(scene)
        self.resetCachedContent()  # the background: another theme, perhaps
        canvas = qrect(scene.wall.canvas)
        mx, my = canvas.width() * MARGIN, canvas.height() * MARGIN
        self.setSceneRect(canvas.adjusted(-mx, -my, mx, my))
        self.fit()
        self.select([i for i in selected if i in self.rects])

    def fit(self) -> None:
        """Zoom so the whole wall fits the window."""
        self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    @property
    def wall(self) -> Wall:
        assert self.wall_scene is not None
        return self.wall_scene.wall

    def scale_factor(self) -> float:
        """View pixels per canvas pixel."""
        return self.transform().m11() or 1.0

    def select(self, ids: Iterable[str]) -> None:
        chosen = list(dict.fromkeys(ids))
        if chosen != self.selected:
            self.selected = chosen
            self.selection_changed.emit()
        self._refresh()

    def view_rect(self, rect: Rect) -> QRectF:
        """Where a canvas rectangle is in the view's pixels."""
        return self.viewportTransform().mapRect(qrect(rect))

    def guides_for(self, moving: Iterable[str]) -> Guides:
        skip = set(moving)
        return guides(self.wall, [r for i, r in self.rects.items() if i not in skip], self.fractions)

    def others(self, moving: Iterable[str]) -> dict[str, Rect]:
        skip = set(moving)
        return {i: r for i, r in self.rects.items() if i not in skip}

    # Finding what is under the pointer

    def widget_at(self, point: QPoint) -> str | None:
        """The topmost widget under a point of the view."""
        at = self.mapToScene(point)
        for widget_id in reversed(self.rects):
            if qrect(self.rects[widget_id]).contains(at):
                return widget_id
        return None

    def handle_at(self, point: QPoint) -> Handle | None:
        """The resize handle of the one selected widget under a point of the view."""
        if len(self.selected) != 1 or self.selected[0] not in self.rects:
            return None
        reach = HANDLE_PX / 2 + 2
        for handle, where in _handle_points(self.view_rect(self.rects[self.selected[0]])).items():
            if abs(where.x() - point.x()) <= reach and abs(where.y() - point.y()) <= reach:
                return handle
        return None

    # The mouse

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.RightButton and self.wall_scene is not None:
            hit = self.widget_at(event.position().toPoint())  # what the context menu's actions act on
            if hit is not None and hit not in self.selected:
                self.select([hit])
        if event.button() != Qt.MouseButton.LeftButton or self.wall_scene is None:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        point = event.position().toPoint()
        adding = bool(
            event.modifiers() & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier)
        )
        handle = None if adding else self.handle_at(point)
        hit = self.widget_at(point)
        self._collapse = None
        if handle is not None:
            grabbed = self.selected[0]
            self._start_drag(handle, grabbed, [grabbed], point)
        elif hit is None:
            self._band = (point, point, adding)
            if not adding:
                self.select([])
        elif adding:
            self.select(
                [i for i in self.selected if i != hit] if hit in self.selected else [*self.selected, hit]
            )
        else:
            if hit not in self.selected:
                self.select([hit])
            else:  # the one the properties panel shows
                self.select([*(i for i in self.selected if i != hit), hit])
            self._start_drag("move", hit, self.selected, point)
            self._collapse = hit if len(self.selected) > 1 else None
        event.accept()

    def _start_drag(self, handle: Handle, grabbed: str, ids: Iterable[str], point: QPoint) -> None:
        if not self.editable:
            return
        rects = {i: self.rects[i] for i in ids}
        self._drag = _Drag(handle, grabbed, point, self.mapToScene(point), rects)
        if handle == "move" and self.wall_scene is not None:
            for widget_id in rects:  # moved as a picture, not painted again at every step
                item = self.wall_scene.items_by_id[widget_id]
                self._drag.cache_modes[widget_id] = item.cacheMode()
                item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        point = event.position().toPoint()
        if self._band is not None:
            self._band = (self._band[0], point, self._band[2])
            self._refresh()
        elif self._drag is not None:
            drag = self._drag
            if not drag.active:
                if (point - drag.press).manhattanLength() < QApplication.startDragDistance():
                    return
                drag.active = True
            self._dragged(drag, self.mapToScene(point))
        else:
            self._hovering(point)
        event.accept()

    def _hovering(self, point: QPoint) -> None:
        handle = self.handle_at(point)
        hit = self.widget_at(point)
        if handle is not None and self.editable:
            self.viewport().setCursor(_CURSORS[handle])
        elif hit is not None and self.editable:
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
        else:
            self.viewport().unsetCursor()
        if hit != self._hover:
            self._hover = hit
            self._refresh()

    def _dragged(self, drag: _Drag, at: QPointF) -> None:
        """The pointer moved while dragging: snap the grabbed widget, move the others with it (their own
        items, no rebuild), and note what would be refused or marked."""
        dx, dy = at.x() - drag.start.x(), at.y() - drag.start.y()
        was = drag.rects[drag.grabbed]
        tolerance = self.snap_tolerance_px / self.scale_factor()
        snapped = snap(
            _moved_by(was, drag.handle, dx, dy), drag.handle, self.guides_for(drag.rects), tolerance
        )
        drag.xs, drag.ys = snapped.xs, snapped.ys
        if drag.handle == "move":
            sx, sy = snapped.rect.x - was.x, snapped.rect.y - was.y
            drag.now = {i: self.lands(i, r.translated(sx, sy)) for i, r in drag.rects.items()}
            assert self.wall_scene is not None
            for widget_id, rect in drag.now.items():
                item = self.wall_scene.items_by_id[widget_id]
                item.setPos(rect.x, rect.y)
                item.setZValue(DRAGGED_Z)  # over the widgets it passes
        else:
            drag.now = {drag.grabbed: self.lands(drag.grabbed, snapped.rect)}
        others = self.others(drag.rects)
        drag.refused = next(
            (why for r in drag.now.values() if (why := refusal(r, self.wall, others)) is not None), None
        )
        drag.marks = {i: m for i, r in drag.now.items() if (m := marks(r, self.wall, self.floor_px))}
        self._refresh()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        if self._band is not None:
            start, end, adding = self._band
            self._band = None
            band = self.mapToScene(QRect(start, end).normalized()).boundingRect()
            caught = [i for i, r in self.rects.items() if band.intersects(qrect(r))]
            self.select([*self.selected, *caught] if adding else caught)
        elif self._drag is not None:
            drag, self._drag = self._drag, None
            shown = self.wall_scene
            if drag.active:
                self._dropped(drag)
            elif self._collapse is not None:  # a click on one of several selected: that one only
                self.select([self._collapse])
            if self.wall_scene is shown:  # nothing was done (refused, or no change): back as they were
                self._spring_back(drag)
            self.settled.emit()
        event.accept()

    def _dropped(self, drag: _Drag) -> None:
        """Say where the widgets go (the window rebuilds the canvas), or why they do not."""
        if drag.refused is not None:
            self.refused.emit(f"Not moved: {drag.refused}")
        elif drag.now and any(drag.now[i] != drag.rects[i] for i in drag.now):
            self.placed.emit(dict(drag.now), "Move" if drag.handle == "move" else "Resize")

    def _spring_back(self, drag: _Drag) -> None:
        """Put the dragged widgets back where they were."""
        if self.wall_scene is not None:
            for widget_id, rect in drag.rects.items():
                item = self.wall_scene.items_by_id[widget_id]
                item.setPos(rect.x, rect.y)
                item.setZValue(0)
                if widget_id in drag.cache_modes:
                    item.setCacheMode(drag.cache_modes[widget_id])
        self._refresh()

    # The keyboard

    def keyPressEvent(self, event: QKeyEvent) -> None:
        arrows = {
            Qt.Key.Key_Left: (-1, 0),
            Qt.Key.Key_Right: (1, 0),
            Qt.Key.Key_Up: (0, -1),
            Qt.Key.Key_Down: (0, 1),
        }
        key = Qt.Key(event.key())
        if key == Qt.Key.Key_Escape and self._drag is not None:
            drag, self._drag = self._drag, None
            self._spring_back(drag)
        elif key in arrows and self.selected and self.editable and self._drag is None:
            resize = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self.nudge(*arrows[key], resize=resize)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def nudge(self, dx: int, dy: int, resize: bool = False) -> None:
        """Move the selection one snap step (``resize``: the right or bottom edge of the one selected)."""
        ids = self.selected[-1:] if resize else self.selected
        grabbed = self.selected[-1]
        handle: Handle = ("e" if dx else "s") if resize else "move"
        was = self.rects[grabbed]
        lines = self.guides_for(ids)
        moved = nudged(was, handle, dx, dy, lines)
        if handle == "move":
            now = {i: self.rects[i].translated(moved.x - was.x, moved.y - was.y) for i in ids}
        else:
            now = {grabbed: moved}
        others = self.others(ids)
        why = next((w for r in now.values() if (w := refusal(r, self.wall, others)) is not None), None)
        if why is not None:
            self.refused.emit(f"Not moved: {why}")
        elif any(now[i] != self.rects[i] for i in now):
            self.placed.emit(now, "Resize" if resize else "Nudge")

    # Dropping a kind from the palette

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(KIND_MIME) and self.editable and self.wall_scene is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if not event.mimeData().hasFormat(KIND_MIME) or self.wall_scene is None:
            event.ignore()
            return
        kind = bytes(event.mimeData().data(KIND_MIME).data()).decode()
        self._drop = self.drop_at(kind, event.position().toPoint())
        event.acceptProposedAction()
        self._refresh()

    def drop_at(self, kind: str, point: QPoint) -> _Drop:
        """Where a widget of ``kind`` would go, dropped at a point of the view (centred there, snapped)."""
        at = self.mapToScene(point)
        width, height = default_size(kind, self.wall)
        rect = Rect(at.x() - width / 2, at.y() - height / 2, width, height)
        tolerance = self.snap_tolerance_px / self.scale_factor()
        snapped = snap(rect, "move", self.guides_for(()), tolerance)
        lands = self.lands("", snapped.rect)
        return _Drop(kind, lands, snapped.xs, snapped.ys, refusal(lands, self.wall, self.rects))

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._drop = None
        self._refresh()

    def dropEvent(self, event: QDropEvent) -> None:
        if not event.mimeData().hasFormat(KIND_MIME) or self.wall_scene is None:
            event.ignore()
            return
        kind = bytes(event.mimeData().data(KIND_MIME).data()).decode()
        drop = self.drop_at(kind, event.position().toPoint())
        self._drop = None
        event.acceptProposedAction()
        self._refresh()
        if drop.refused is not None:
            self.refused.emit(f"Not added: {drop.refused}")
        else:
            self.dropped.emit(kind, drop.rect)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted and self.wall_scene is not None:
            self._painted = True
            self.first_frame.emit()

    # Zoom

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    # Drawing

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        painter.fillRect(rect, BACKDROP)
        if self.wall_scene is not None:
            canvas = qrect(self.wall_scene.wall.canvas)
            painter.fillRect(canvas.intersected(QRectF(rect)), self.wall_scene.backgroundBrush())

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        if self.wall_scene is None:
            return
        paint_mullions(painter, self.wall_scene.wall)
        painter.save()
        painter.resetTransform()  # from here on, the view's own pixels: crisp lines, handles of one size
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        self._paint_overlay(painter)
        painter.restore()

    def _paint_overlay(self, painter: QPainter) -> None:
        drag, drop = self._drag if self._drag is not None and self._drag.active else None, self._drop
        if self._hover is not None and self._hover in self.rects and self._hover not in self.selected:
            painter.setPen(QPen(HOVER, 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self.view_rect(self.rects[self._hover]).adjusted(0, 0, -1, -1))
        if drag is not None:
            self._paint_guides(painter, drag.xs, drag.ys)
            colour = REFUSED if drag.refused else SELECTED
            for widget_id, now in drag.now.items():
                if drag.handle == "move":  # over the item, which is repainted as it moves anyway
                    painter.setPen(QPen(colour, 2))
                    painter.setBrush(QColor(colour.red(), colour.green(), colour.blue(), 40))
                else:  # an outline only: the widget under it is not repainted for every move
                    painter.setPen(QPen(colour, 2, Qt.PenStyle.DashLine))
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(self.view_rect(now))
                lines = ([drag.refused] if drag.refused else []) + list(drag.marks.get(widget_id, ()))
                if widget_id in drag.marks and not drag.refused:
                    painter.setPen(QPen(MARKED, 2))
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawRect(self.view_rect(now).adjusted(2, 2, -2, -2))
                self._paint_label(painter, self.view_rect(now), lines, REFUSED if drag.refused else MARKED)
        else:
            self._paint_selection(painter)
        if drop is not None:
            self._paint_guides(painter, drop.xs, drop.ys)
            colour = REFUSED if drop.refused else SELECTED
            painter.setPen(QPen(colour, 2, Qt.PenStyle.DashLine))
            painter.setBrush(QColor(colour.red(), colour.green(), colour.blue(), 50))
            where = self.view_rect(drop.rect)
            painter.drawRect(where)
            self._paint_label(painter, where, [drop.refused] if drop.refused else [drop.kind], colour)
        if self._band is not None:
            band = QRect(self._band[0], self._band[1]).normalized()
            painter.setPen(QPen(SELECTED, 1, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(band)

    def _paint_selection(self, painter: QPainter) -> None:
        for widget_id in self.selected:
            if widget_id not in self.rects:
                continue
            where = self.view_rect(self.rects[widget_id])
            painter.setPen(QPen(SELECTED, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(where)
            self._paint_tag(painter, where, widget_id)
        if len(self.selected) == 1 and self.selected[0] in self.rects and self.editable:
            painter.setPen(QPen(QColor("#0A0E15"), 1))
            painter.setBrush(SELECTED)
            for point in _handle_points(self.view_rect(self.rects[self.selected[0]])).values():
                half = HANDLE_PX / 2
                painter.drawRect(QRectF(point.x() - half, point.y() - half, HANDLE_PX, HANDLE_PX))

    def _paint_guides(self, painter: QPainter, xs: Iterable[float], ys: Iterable[float]) -> None:
        painter.setPen(QPen(GUIDE, 1, Qt.PenStyle.DashLine))
        top_left = self.viewportTransform().map(QPointF(0, 0))
        bottom_right = self.viewportTransform().map(QPointF(self.wall.canvas.width, self.wall.canvas.height))
        for x in xs:
            vx = self.viewportTransform().map(QPointF(x, 0)).x()
            painter.drawLine(QLineF(vx, top_left.y(), vx, bottom_right.y()))
        for y in ys:
            vy = self.viewportTransform().map(QPointF(0, y)).y()
            painter.drawLine(QLineF(top_left.x(), vy, bottom_right.x(), vy))

    def _paint_tag(self, painter: QPainter, where: QRectF, text: str) -> None:
        """The widget's id on a small tab over its top-left corner."""
        painter.setFont(self._label_font)
        tab = self._tag_rect(where, text)
        painter.fillRect(tab, SELECTED)
        painter.setPen(QColor("#0A0E15"))
        painter.drawText(tab, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_label(self, painter: QPainter, where: QRectF, lines: list[str], colour: QColor) -> None:
        """What a drag would be refused for or marked with, in a box at the top of the rectangle."""
        if not lines:
            return
        painter.setFont(self._label_font)
        metrics = QFontMetricsF(self._label_font)
        box = self._label_rect(where, lines)
        width = box.width()
        painter.fillRect(box, QColor(10, 14, 21, 220))
        painter.setPen(colour)
        for n, line in enumerate(lines):
            painter.drawText(
                QRectF(box.left() + 6, box.top() + 4 + n * metrics.height(), width, metrics.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                line,
            )

    def _tag_rect(self, where: QRectF, text: str) -> QRectF:
        metrics = QFontMetricsF(self._label_font)
        height = metrics.height() + 4
        tab = QRectF(where.left(), where.top() - height, metrics.horizontalAdvance(text) + 10, height)
        if tab.top() < 0:
            tab.moveTop(where.top())
        return tab

    def _label_rect(self, where: QRectF, lines: list[str]) -> QRectF:
        metrics = QFontMetricsF(self._label_font)
        width = max((metrics.horizontalAdvance(line) for line in lines), default=0) + 12
        return QRectF(where.left() + 4, where.top() + 4, width, metrics.height() * len(lines) + 8)

    # What to repaint: only where the overlay was and is, so a drag repaints little of the wall

    def _refresh(self) -> None:
        region = self._overlay_region()
        self.viewport().update(region.united(self._overlay))
        self._overlay = region

    def _overlay_region(self) -> QRegion:
        """Where the overlay draws (``_paint_overlay``), in view pixels."""
        region = QRegion()
        if self.wall_scene is None:
            return region
        drag = self._drag if self._drag is not None and self._drag.active else None
        if self._hover is not None and self._hover in self.rects:
            region = region.united(_ring(self.view_rect(self.rects[self._hover]), 2))
        if drag is not None:
            region = region.united(self._guides_region(drag.xs, drag.ys))
            for widget_id, now in drag.now.items():
                where = self.view_rect(now)
                region = region.united(QRegion(_box(where, 3)) if drag.handle == "move" else _ring(where, 3))
                lines = ([drag.refused] if drag.refused else []) + list(drag.marks.get(widget_id, ()))
                region = region.united(_box(self._label_rect(where, lines), 1))
        else:
            for widget_id in self.selected:
                if widget_id in self.rects:
                    where = self.view_rect(self.rects[widget_id])
                    region = region.united(_ring(where, HANDLE_PX)).united(
                        _box(self._tag_rect(where, widget_id), 1)
                    )
        if self._drop is not None:
            where = self.view_rect(self._drop.rect)
            region = region.united(self._guides_region(self._drop.xs, self._drop.ys)).united(_box(where, 3))
        if self._band is not None:
            region = region.united(_ring(QRectF(QRect(self._band[0], self._band[1]).normalized()), 2))
        return region

    def _guides_region(self, xs: Iterable[float], ys: Iterable[float]) -> QRegion:
        region = QRegion()
        shown = self.view_rect(self.wall.canvas)
        for x in xs:
            vx = self.viewportTransform().map(QPointF(x, 0)).x()
            region = region.united(_box(QRectF(vx, shown.top(), 0, shown.height()), 2))
        for y in ys:
            vy = self.viewportTransform().map(QPointF(0, y)).y()
            region = region.united(_box(QRectF(shown.left(), vy, shown.width(), 0), 2))
        return region

    def dragging(self) -> bool:
        """Whether a drag is under way (the window holds off rebuilding the canvas meanwhile)."""
        return self._drag is not None and self._drag.active


__all__ = ["KIND_MIME", "EditorCanvas", "default_size", "free_room"]
