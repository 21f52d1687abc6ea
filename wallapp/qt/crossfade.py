"""A scene change as a cross-fade: what each screen showed last, fading into the new scene.

Before the change, each window's picture is read back from its backing store, as it is on screen; the
new scene is then put under the windows and drawn once, off screen, into a second picture. Over each window
lies a *veil* for the length of the fade: an opaque child widget painting the new picture and, over it, the
old one with an opacity that falls from 1 to 0. Every frame of the fade is therefore the old picture, a
blend of the two, or the new scene: never a blank or half-built one. When the fade ends the veils go and
the live scene shows.

Two pictures a screen make a frame of the fade cost two copies of the screen's pixels, where painting
the live scene under a fading picture would cost a full repaint of every screen each frame (more than a
frame's budget on six screens in software rendering). The price is that the new scene holds still for the
fade (a ticker starts moving when it ends). The old scene is released at once: only its pictures live on.
Reading the old picture back is a copy of pixels already painted, where drawing the old scene again would
be a full repaint of every screen at the moment of the change.

The screens take turns: each frame brings every other screen's veil to the fade's opacity of that instant
(the even screens, then the odd ones), so each screen's blend steps 30 times a second and a frame blends
half the wall's pixels. Two neighbours differ for one frame by the fade's progress in one frame (at most
a few percent of the way between the pictures, in the middle of the fade).

The fade's progress is read from the injected ``ticks``, so it looks the same under any load and a test
moves it by hand; a frame timer only asks the veils to repaint.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QImage, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QGraphicsView, QWidget

from wallapp.core.timing import Ticks
from wallapp.core.view.motion import ease_in_out
from wallapp.qt.scene import FRAME_MS


def capture(views: Sequence[QGraphicsView]) -> list[QPixmap]:
    """What each view shows now (a veil still fading over it included): its pixels as last painted, or
    drawn anew where they cannot be read back."""
    return [painted(view) or view.viewport().grab() for view in views]


def painted(view: QGraphicsView) -> QPixmap | None:
    """The view's pixels as last painted, copied from its window's backing store; None where the window
    has no picture to read (an OpenGL viewport draws on the graphics card, not into the backing store)."""
    viewport = view.viewport()
    if viewport.inherits("QOpenGLWidget"):
        return None
    store = viewport.window().backingStore()
    device = None if store is None else store.paintDevice()
    if not isinstance(device, QImage) or device.isNull():
        return None
    ratio = device.devicePixelRatio()
    corner = viewport.mapTo(viewport.window(), QPoint(0, 0))
    area = QRect(corner * ratio, viewport.size() * ratio)
    if not device.rect().contains(area):  # a window resized and not painted since
        return None
    picture = QPixmap.fromImage(device.copy(area))
    picture.setDevicePixelRatio(ratio)
    return picture


class Veil(QWidget):
    """Covers a view with its old picture fading into its new one; the scene under it is not painted."""

    def __init__(self, view: QGraphicsView, old: QPixmap, new: QPixmap) -> None:
        super().__init__(view.viewport())
        self.old, self.new = old, new
        self.opacity = 1.0
        # Opaque over the whole viewport: Qt paints nothing of the view under it while it is there.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setGeometry(view.viewport().rect())
        self.show()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if self.opacity < 1.0:  # fully opaque, the old picture covers the new one
            painter.drawPixmap(QPoint(0, 0), self.new)
            painter.setOpacity(self.opacity)
        painter.drawPixmap(QPoint(0, 0), self.old)
        painter.end()


class CrossFade(QObject):
    """Fades ``old`` pictures (one per view, taken by ``capture`` before the change) into what the views
    show now, over ``seconds``."""

    def __init__(
        self, views: Sequence[QGraphicsView], old: Sequence[QPixmap], seconds: float, ticks: Ticks
    ) -> None:
        super().__init__()
        self.seconds = seconds
        self.ticks = ticks
        new = capture(views)  # the new scene drawn once, before any veil covers it
        self.veils = [Veil(*each) for each in zip(views, old, new, strict=True)]
        self.started = ticks()
        self.done = False
        self.turn = 0
        """Whose turn it is at the next frame: the veils of the even screens (0) or of the odd ones (1)."""
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
        for veil in self.veils[self.turn :: 2]:
            veil.opacity = opacity
            veil.update()
        self.turn = 1 - self.turn

    def finish(self) -> None:
        """Lift the veils now (the fade is over, or another change comes) and let go of the pictures."""
        if self.done:
            return
        self.done = True
        self._frames.stop()
        for veil in self.veils:
            veil.hide()
            veil.old = veil.new = QPixmap()  # the pictures go now, the widget when the loop gets to it
            veil.deleteLater()
        self.veils.clear()
