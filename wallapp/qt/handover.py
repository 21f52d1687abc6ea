"""A cut from one scene to the next, handed to the windows a few a frame.

Handed to every window at once, a new scene is painted whole in one turn of the event loop: every screen's
first repaint, every widget's picture drawn anew. On 4K panels on a PC without a graphics card that is
200-300 ms during which nothing on the wall moves. Handed over in groups of at most ``PIXELS_PER_FRAME``
(one 4K screen, or six 1080p ones, at least one window a group), each turn paints one group, the first a
frame after the scene was built. The windows not handed over yet keep showing the old scene as it last was
(it no longer moves: its sources and frame clock have let go), so no frame is blank or half-built; the
screens change in reading order within a few frames, as a cut.

The old scene lives until the last window has the new one (a scene deleted under a window would leave it
blank); then it is deleted. Another change, or the windows closing, hands over the rest at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import QObject, QTimer

from wallapp.qt.scene import FRAME_MS, WallScene

PIXELS_PER_FRAME = 6 * 1920 * 1080
"""The most pixels of a new scene painted in one frame of a cut: a wall of six 1080p screens changes at
once, as before (its first paint takes about 100 ms on this class of PC, its sources' start-up runs
after it), a wall of 4K panels a screen a frame."""


class Window(Protocol):
    def set_wall_scene(self, scene: WallScene) -> None: ...

    def pixels(self) -> int:
        """How many pixels the window paints."""
        ...


def groups(windows: Sequence[Window], budget: int) -> list[list[Window]]:
    """``windows`` in order, in groups of at most ``budget`` pixels (a window larger alone)."""
    found: list[list[Window]] = []
    size = 0
    for window in windows:
        if found and size + window.pixels() <= budget:
            found[-1].append(window)
            size += window.pixels()
        else:
            found.append([window])
            size = window.pixels()
    return found


class Handover(QObject):
    """Gives ``scene`` to the ``groups`` of windows in turn, one a frame from the next frame on; deletes
    ``old`` once they all have it."""

    def __init__(self, groups: Sequence[Sequence[Window]], scene: WallScene, old: WallScene) -> None:
        super().__init__()
        self.waiting = [list(group) for group in groups]
        """The windows still showing the old scene, in the groups they are handed the new one."""
        self.scene = scene
        self.old: WallScene | None = old
        self._frames = QTimer(self)
        self._frames.setInterval(FRAME_MS)
        self._frames.timeout.connect(self.step)
        self._frames.start()

    def showing_old(self) -> list[Window]:
        return [window for group in self.waiting for window in group]

    def step(self) -> None:
        """The next group of windows shows the new scene (each repaints it whole at its next frame)."""
        if self.waiting:
            for window in self.waiting.pop(0):
                window.set_wall_scene(self.scene)
        if not self.waiting:
            self.finish()

    def finish(self) -> None:
        """Every window shows the new scene now; the old one goes."""
        self._frames.stop()
        for window in self.showing_old():
            window.set_wall_scene(self.scene)
        self.waiting.clear()
        if self.old is not None:
            self.old.deleteLater()
            self.old = None
