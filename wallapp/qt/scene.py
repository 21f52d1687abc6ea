"""The canvas: one QGraphicsScene in wall coordinates (mullions included) holding every widget item."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import QGraphicsScene

from wallapp.core.geometry import Rect, Wall
from wallapp.core.layout import LoadedLayout
from wallapp.qt.style import Style
from wallapp.qt.widgets import ItemContext, WidgetItem, make_item

MULLION = QColor(0, 0, 0)


def qrect(rect: Rect) -> QRectF:
    return QRectF(*rect.as_tuple())


class WallScene(QGraphicsScene):
    """A layout laid out on its wall, in a theme."""

    def __init__(self, loaded: LoadedLayout, style: Style, context: ItemContext) -> None:
        super().__init__()
        self.loaded = loaded
        self.wall = loaded.wall
        self.wall_style = style  # not `style`: QGraphicsScene.style() is Qt's widget style
        self.setSceneRect(qrect(self.wall.canvas))
        # Items do not move: skip the BSP index bookkeeping and find them by the few rectangles there are.
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.setBackgroundBrush(QBrush(style.colour("background")))
        self.items_by_id: dict[str, WidgetItem] = {}
        for spec in loaded.layout.widgets:
            item = make_item(spec, loaded.rect(spec), style, context)
            self.addItem(item)
            self.items_by_id[spec.id] = item


def paint_mullions(painter: QPainter, wall: Wall) -> None:
    """Black strips where the bezels are: how the canvas looks on the physical wall."""
    for seam in wall.seams():
        painter.fillRect(qrect(seam), MULLION)
