"""A scene change as a cross-fade: what each screen showed last, fading into the new scene.

Before the change, each window's picture is read back from its backing store, as it is on screen. At the
change a *veil* covers each window: an opaque child widget painting that old picture, so the new scene,
now under the windows, is not shown. The new scene is then drawn off screen into a second picture, one
screen per turn of the event loop, while the veils hold the old picture still; the fade's clock starts
once the last screen's picture is drawn. From then each veil paints the new picture and, over it, the old
one with an opacity that falls from 1 to 0. Every frame is therefore the old picture, a blend of the two,
or the new scene: never a blank or half-built one. When the fade ends the veils go and the live scene
shows.

Drawing the new scene a screen at a time keeps each turn of the loop to one screen's drawing (the new
scene's first, its text laid out) instead of six at once. Nothing on the wall moves meanwhile (every screen
holds the old picture), so those turns delay no frame of the fade; they add to the time between the change
and the fade's start.

Two pictures a screen make a frame of the fade cost two copies of the screen's pixels, where painting
the live scene under a fading picture would cost a full repaint of every screen each frame (more than a
frame's budget on six screens in software rendering). The price is that the new scene holds still for the
fade (a ticker starts moving when it ends). The old scene is released at once: only its pictures live on.
Reading the old picture back is a copy of pixels already painted, where drawing the old scene again would
be a full repaint of every screen at the moment of the change.

The screens take turns, in three groups (screens 0 and 3, then 1 and 4, then 2 and 5 on a wall of six):
each frame brings one group's veils to the fade's opacity of that instant, so a frame blends a third of the
wall's pixels and each screen's blend steps 20 times a second. Neighbours differ for a frame or two by the
fade's progress in that time (a few percent of the way between the pictures, in the middle of the fade). A
group whose veils have not painted yet when the next frame is due (the loop was late) is waited for, one
frame at most, so that a late loop does not paint two groups' blends in one pass. Once the fade is over,
the veils lift one screen a frame: each lift is that screen's first repaint of the live scene, a full one.

The fade's progress is read from the injected ``ticks``, so it looks the same under any load and a test
moves it by hand; a timer only moves the fade on (a screen's picture drawn, or the veils asked to repaint).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, QPoint, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QGraphicsView, QWidget

from wallapp.core.timing import Ticks
from wallapp.core.view.motion import ease_in_out
from wallapp.qt.frames import FrameClock
from wallapp.qt.scene import FRAME_MS

TURNS = 3
"""The screens take turns in this many groups: each frame blends one group's veils."""


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


def drawn(view: QGraphicsView) -> QPixmap:
    """The view's scene drawn anew, as the view would paint it, without the widgets over its viewport (a
    veil): what the screen will show once they go."""
    viewport = view.viewport()
    ratio = viewport.devicePixelRatioF()
    picture = QPixmap(viewport.size() * ratio)
    picture.setDevicePixelRatio(ratio)
    painter = QPainter(picture)
    painter.setRenderHints(view.renderHints())
    view.render(painter, QRectF(viewport.rect()), viewport.rect())
    painter.end()
    return picture


class Veil(QWidget):
    """Covers a view with its old picture, then the old picture fading into the new one (once drawn); the
    scene under it is not painted."""

    def __init__(self, view: QGraphicsView, old: QPixmap) -> None:
        super().__init__(view.viewport())
        self.old = old
        self.new: QPixmap | None = None
        self.opacity = 1.0
        self.due = False
        """Asked to repaint, not painted yet."""
        # Opaque over the whole viewport: Qt paints nothing of the view under it while it is there.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setGeometry(view.viewport().rect())
        self.show()

    def fade_to(self, opacity: float) -> None:
        """Paint the old picture at ``opacity`` over the new one at the next frame."""
        self.opacity = opacity
        self.due = True
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        self.due = False
        painter = QPainter(self)
        if self.new is not None and self.opacity < 1.0:  # fully opaque, the old picture covers the new one
            painter.drawPixmap(QPoint(0, 0), self.new)
            painter.setOpacity(self.opacity)
        painter.drawPixmap(QPoint(0, 0), self.old)
        painter.end()


class CrossFade(QObject):
    """Fades ``old`` pictures (one per view, taken by ``capture`` before the change) into what the views
    show now, over ``seconds`` from the moment the new pictures are all drawn."""

    began = Signal()
    """The new pictures are drawn and the fade's clock has started (``started``)."""

    def __init__(
        self,
        views: Sequence[QGraphicsView],
        old: Sequence[QPixmap],
        seconds: float,
        ticks: Ticks,
        still: FrameClock | None = None,
    ) -> None:
        """``still``: the new scene's frame clock, held until the veils lift (what moves under them is not
        seen: a ticker would have its band of every veil painted again at each of its frames)."""
        super().__init__()
        self.still = still
        if still is not None:
            still.hold(True)
        self.seconds = seconds
        self.ticks = ticks
        self.views = list(views)
        self.veils = [Veil(*each) for each in zip(views, old, strict=True)]
        self.started: float | None = None
        """When the fade's clock started (the last new picture drawn); None while they are drawn."""
        self.done = False
        self.turns = min(TURNS, len(self.veils))
        self.turn = 0
        """Whose turn it is at the next frame: the veils of screens ``turn``, ``turn + turns``..."""
        self._waited = False
        self._frames = QTimer(self)
        self._frames.setInterval(0)  # one screen's picture each turn of the loop, then a frame's interval
        self._frames.timeout.connect(self.step)
        self._frames.start()

    @property
    def drawing(self) -> int:
        """How many screens' new pictures are still to draw."""
        return sum(veil.new is None for veil in self.veils)

    @property
    def progress(self) -> float:
        """How far the fade is, from 0 (the old picture) to 1 (the new scene alone)."""
        if self.started is None:
            return 0.0
        return min(1.0, max(0.0, (self.ticks() - self.started) / self.seconds))

    def step(self) -> None:
        """Move the fade on by one turn of the loop: draw the next screen's new picture; once all are
        drawn, bring the veils whose turn it is to the opacity of this instant; once the fade is over,
        lift the next veil (the last one lifted ends the fade)."""
        if self.done:
            return
        if self.started is None:
            self._draw_next()
        elif self.progress >= 1.0:
            self._lift_next()
        elif any(veil.due for veil in self.veils) and not self._waited:
            self._waited = True  # the last group is not painted yet: this frame is still its (one at most)
        else:
            self._waited = False
            opacity = 1.0 - ease_in_out(self.progress)
            for veil in self.veils[self.turn :: self.turns]:
                veil.fade_to(opacity)
            self.turn = (self.turn + 1) % self.turns

    def _draw_next(self) -> None:
        index = len(self.veils) - self.drawing
        self.veils[index].new = drawn(self.views[index])
        if self.drawing == 0:
            self.started = self.ticks()
            self._frames.setInterval(FRAME_MS)
            self.began.emit()

    def _lift_next(self) -> None:
        """The live scene shows on one more screen (its first repaint under a veil is a full one)."""
        self._let_move()
        lift(self.veils.pop(0))
        self.views.pop(0)
        if not self.veils:
            self.finish()

    def finish(self) -> None:
        """Lift the veils now (the fade is over, or another change comes) and let go of the pictures."""
        if self.done:
            return
        self.done = True
        self._frames.stop()
        self._let_move()
        for veil in self.veils:
            lift(veil)
        self.veils.clear()
        self.views.clear()

    def _let_move(self) -> None:
        if self.still is not None:
            self.still.hold(False)
            self.still = None


def lift(veil: Veil) -> None:
    """Take ``veil`` off its view and let go of its pictures now (the widget goes when the loop gets to
    it)."""
    veil.hide()
    veil.old, veil.new = QPixmap(), None
    veil.deleteLater()
