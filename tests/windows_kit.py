"""Helpers for tests of the wall's windows."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QRegion
from PySide6.QtWidgets import QGraphicsView

from wallapp.app import WallDisplay
from wallapp.qt import views
from wallapp.qt.scene import WallScene, paint_background


def showing(display: WallDisplay, scene: WallScene) -> bool:
    """Whether every window onto the canvas shows ``scene``."""
    return all(view.scene() is scene for view in display.windows.canvas_views())


def whole(display: WallDisplay) -> WallScene:
    """The wall's scene, checked to be under every window but those a cut has yet to reach (it reaches the
    windows one a frame, ``wallapp.qt.handover``: they still show the scene before, as it was)."""
    scene, windows = display.scene, display.windows
    handover = windows.handover
    waiting = handover.showing_old() if handover is not None and handover.scene is scene else []
    for window in windows.views:
        tiles = getattr(window, "tiles", [window])
        assert window in waiting or all(tile.scene() is scene for tile in tiles), (
            "a window shows another scene"
        )
    return scene


class PartScreen(QGraphicsView):
    """A window onto a part of the canvas that fills its background as the wall's views do, noting what
    each paint covers."""

    def __init__(self, scene: WallScene, rect: QRectF) -> None:
        super().__init__(scene)
        self.wall_scene = scene
        self.painted: list[QRegion] = []
        self.own_background = True
        self.poisoned = False
        views.plain(self)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setSceneRect(rect)
        self.setFixedSize(int(rect.width()), int(rect.height()))

    def paintEvent(self, event: QPaintEvent) -> None:
        self.painted.append(event.region())
        if self.poisoned:  # what the backing store held before: any pixel left unpainted shows magenta
            poison = QPainter(self.viewport())
            poison.fillRect(self.viewport().rect(), QColor("magenta"))
            poison.end()
        super().paintEvent(event)

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        if not self.own_background:
            super().drawBackground(painter, rect)  # Qt's: the whole rectangle
        else:
            assert paint_background(painter, QRectF(rect), self.wall_scene)

    def shown(self) -> QImage:
        """What the window shows now."""
        return self.screen().grabWindow(self.winId()).toImage()

    def repainted_whole(self) -> tuple[QImage, QImage]:
        """What a whole repaint shows: over magenta (a pixel the wall does not paint would show), and with
        Qt filling the whole background first."""
        self.poisoned = True
        self.viewport().repaint()
        over_magenta = self.shown()
        self.poisoned = False
        self.own_background = False
        self.viewport().repaint()
        self.own_background = True
        return over_magenta, self.shown()
