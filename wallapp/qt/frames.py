"""One frame clock per canvas: every item that moves repaints on the same tick.

With a timer per animated item, two items sharing a screen tick out of phase and the screen repaints twice
per display frame, half of it never seen. Items tell the clock whether they are moving; it runs only while
one is, at the display's refresh rate.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QGraphicsItem


def frame_interval_ms() -> int:
    """The primary screen's frame time (60 Hz when it does not say)."""
    screen = QGuiApplication.primaryScreen()
    refresh = screen.refreshRate() if screen is not None else 0.0
    return max(4, round(1000 / (refresh if refresh >= 24 else 60.0)))


class FrameClock(QObject):
    def __init__(self, interval_ms: int | None = None) -> None:
        super().__init__()
        self._moving: set[QGraphicsItem] = set()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms or frame_interval_ms())
        self._timer.timeout.connect(self._tick)
        self.held = False
        """Not ticking whatever moves: the scene is built ahead, not on screen yet (``hold``)."""

    def animate(self, item: QGraphicsItem, moving: bool) -> None:
        if moving:
            self._moving.add(item)
        else:
            self._moving.discard(item)
        self._run()

    def hold(self, held: bool) -> None:
        """Stop ticking while ``held`` (a scene built ahead of its change: its ticker would repaint a scene
        nobody sees every frame); items still say whether they move, and move on from where their time
        says once it ticks again."""
        self.held = held
        self._run()

    @property
    def ticking(self) -> bool:
        return self._timer.isActive()

    def _run(self) -> None:
        if self._moving and not self.held and not self._timer.isActive():
            self._timer.start()
        elif (not self._moving or self.held) and self._timer.isActive():
            self._timer.stop()

    def is_animating(self, item: QGraphicsItem) -> bool:
        return item in self._moving

    def stop(self) -> None:
        self._moving.clear()
        self._timer.stop()

    def _tick(self) -> None:
        for item in list(self._moving):
            # An item may say that this frame would look as the last (a figure counting by tenths moves
            # a few times a second): no repaint then.
            changed = getattr(item, "frame_changed", None)
            if changed is None or changed():
                # An item may say which part of it a frame changes (a ticker's line of text): only that.
                area = getattr(item, "frame_area", None)
                item.update(area() if area is not None else item.boundingRect())
