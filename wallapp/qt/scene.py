"""The canvas: one QGraphicsScene in wall coordinates (mullions included) holding every widget item."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import cast

from PySide6.QtCore import QPoint, QRect, QRectF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QPainter, QRegion, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from wallapp.core.config.layout import LoadedLayout
from wallapp.core.data.freshness import Freshness
from wallapp.core.data.store import Store
from wallapp.core.view.geometry import Rect, Wall
from wallapp.qt.style import Style
from wallapp.qt.widgets import Binding, ItemContext, WidgetItem, make_item

MULLION = QColor(0, 0, 0)
FRAME_MS = 16

Sources = Mapping[str, tuple[Store, Callable[[], Freshness]]]


def next_frame(callback: Callable[[], None]) -> None:
    """A store scheduler for the Qt loop: changes that arrive within one frame make one repaint."""
    # Not ``singleShot(FRAME_MS, callback)``: given a bound method and a delay, PySide6 6.11 keeps a weak
    # reference for every call (at 10 posts/s, 40,000 an hour that are never freed). A plain function it
    # lets go of.
    QTimer.singleShot(FRAME_MS, lambda: callback())  # noqa: PLW0108 (see above)


def qrect(rect: Rect) -> QRectF:
    return QRectF(*rect.as_tuple())


class WallScene(QGraphicsScene):
    """A layout laid out on its wall, in a theme."""

    def __init__(
        self, loaded: LoadedLayout, style: Style, context: ItemContext, sources: Sources | None = None
    ) -> None:
        super().__init__()
        self.loaded = loaded
        self.wall = loaded.wall
        self.wall_style = style  # not `style`: QGraphicsScene.style() is Qt's widget style
        self.context = context
        self.setSceneRect(qrect(self.wall.canvas))
        # Items do not move: skip the BSP index bookkeeping and find them by the few rectangles there are.
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.setBackgroundBrush(QBrush(style.colour("background")))
        self.items_by_id: dict[str, WidgetItem] = {}
        self.overlays: dict[str, list[QGraphicsItem]] = {}
        """What the operator put over the layout (``wallapp.qt.overlay``), by kind."""
        for spec in loaded.layout.widgets:
            item = make_item(spec, loaded.rect(spec), style, context)
            self.addItem(item)
            self.items_by_id[spec.id] = item
        for spec in loaded.layout.widgets:
            if spec.source is not None and sources is not None and spec.source in sources:
                store, freshness = sources[spec.source]
                self.items_by_id[spec.id].bind(Binding(store, freshness))
        # Ages on stale badges move on even when no data arrives.
        self._freshness = QTimer(self)
        self._freshness.setInterval(1000)
        self._freshness.timeout.connect(self.refresh_freshness)
        self._freshness.start()

    def refresh_freshness(self) -> None:
        for item in self.items_by_id.values():
            item.refresh_freshness()

    def dispose(self) -> None:
        """Stop listening to the sources and animating before the scene goes (a reload replaced it)."""
        self._freshness.stop()
        if self.context.frames is not None:
            self.context.frames.stop()
        for item in self.items_by_id.values():
            item.unbind()


def paint_background(painter: QPainter, rect: QRectF, scene: WallScene) -> bool:
    """Fill the background of ``rect`` (scene coordinates) but where an opaque panel will cover it: at
    4K, filling the whole screen and then painting panels over most of it costs a quarter of a repaint.
    False (nothing painted) when the background is not one plain colour or the view turns the scene."""
    brush, transform = scene.backgroundBrush(), painter.worldTransform()
    if (
        brush.style() != Qt.BrushStyle.SolidPattern
        or transform.type().value > QTransform.TransformationType.TxScale.value
    ):
        return False
    region = QRegion(transform.mapRect(rect).toAlignedRect())
    for item in scene.items_by_id.values():
        if not item.isVisible() or item.effectiveOpacity() < 1.0:
            continue
        if not item.sceneBoundingRect().intersects(rect):
            continue
        for area in item.opaque_areas():
            device = transform.mapRect(item.sceneTransform().mapRect(area))
            left, top = math.ceil(device.left()), math.ceil(device.top())
            right, bottom = math.floor(device.right()) - 1, math.floor(device.bottom()) - 1
            if right >= left and bottom >= top:
                region -= QRect(QPoint(left, top), QPoint(right, bottom))
    painter.save()
    painter.resetTransform()
    for box in cast("Iterable[QRect]", region):  # (iterable, though the stubs do not say so)
        painter.fillRect(box, brush)
    painter.restore()
    return True


def paint_mullions(painter: QPainter, wall: Wall) -> None:
    """Black strips where the bezels are: how the canvas looks on the physical wall."""
    for seam in wall.seams():
        painter.fillRect(qrect(seam), MULLION)
