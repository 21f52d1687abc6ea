"""A scene change as a cross-fade: what each screen showed last, fading out over the new scene.

The new scene is live under every window from the first frame of the fade (its widgets drew from their
stores' last good data when it was built), and over it lies a *veil*: the picture that window showed just
before the change, painted with an opacity that falls from 1 to 0. Every frame of the fade is therefore
the old picture, a blend of the two, or the new scene: never a blank or half-built one. The old scene
itself is released at once; only its last pictures live on, for the length of the fade.

The fade's progress is read from the injected ``ticks``, so it looks the same under any load and a test
moves it by hand; a frame timer only asks the windows to repaint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, QPoint, QRect, QRectF, QTimer
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsView

from wallapp.core.timing import Ticks
from wallapp.core.view.motion import ease_in_out
from wallapp.qt.scene import FRAME_MS


@dataclass
class Veil:
    """A window's last picture of the scene before, and how opaque it is now."""

    picture: QPixmap
    opacity: float = 1.0


class VeiledView(QGraphicsView):
    """A view onto the canvas that can hold a veil over the scene, laid over everything it paints."""

    veil: Veil | None = None

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        veil = self.veil
        if veil is None or veil.opacity <= 0:
            return
        painter.save()
        painter.resetTransform()  # the window's own pixels: the picture was taken from them
        painter.setOpacity(veil.opacity)
        painter.drawPixmap(QPoint(0, 0), veil.picture)
        painter.restore()


def capture(views: Sequence[VeiledView]) -> list[QPixmap]:
    """What each view shows now (a veil still fading over it included)."""
    return [view.viewport().grab() for view in views]


class CrossFade(QObject):
    """Fades ``pictures`` (one per view, taken by ``capture`` before the change) out over ``seconds``."""

    def __init__(
        self, views: Sequence[VeiledView], pictures: Sequence[QPixmap], seconds: float, ticks: Ticks
    ) -> None:
        super().__init__()
        self.views = list(views)
        self.seconds = seconds
        self.ticks = ticks
        self.started = ticks()
        self.done = False
        for view, picture in zip(self.views, pictures, strict=True):
            view.veil = Veil(picture)
        self._frames = QTimer(self)
        self._frames.setInterval(FRAME_MS)
        self._frames.timeout.connect(self.step)
        self._frames.start()

    @property
    def progress(self) -> float:
        """How far the fade is, from 0 (the old picture) to 1 (the new scene alone)."""
        return min(1.0, max(0.0, (self.ticks() - self.started) / self.seconds))

    def step(self) -> None:
        """Bring every veil to the opacity of this instant; end the fade when it is over."""
        if self.done:
            return
        progress = self.progress
        if progress >= 1.0:
            self.finish()
            return
        opacity = 1.0 - ease_in_out(progress)
        for view in self.views:
            if view.veil is not None:
                view.veil.opacity = opacity
            view.viewport().update()

    def finish(self) -> None:
        """Lift the veils now (the fade is over, or another change comes) and let go of the pictures."""
        if self.done:
            return
        self.done = True
        self._frames.stop()
        for view in self.views:
            view.veil = None
            view.viewport().update()
        self.views.clear()
