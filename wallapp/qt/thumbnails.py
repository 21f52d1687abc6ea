"""Each layout as a small picture, for the console's layout switcher.

A thumbnail is drawn from the layout file itself (a scene built off screen with its sources' last good
data, then let go), so the operator sees what a switch will show. Drawing one takes a scene's build, so
each is kept until its file changes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from wallapp.qt import snapshot
from wallapp.qt.scene import WallScene


class Thumbnails:
    """PNG thumbnails by layout name and width, drawn again when the layout's file changes."""

    def __init__(self, path: Callable[[str], Path], build: Callable[[str], WallScene]) -> None:
        """``path``: where a layout's file is; ``build``: its scene (``LayoutError`` when broken)."""
        self.path, self.build = path, build
        self._kept: dict[tuple[str, int], tuple[int, bytes]] = {}

    def get(self, layout: str, width: int) -> bytes:
        try:
            stamp = self.path(layout).stat().st_mtime_ns
        except OSError:
            stamp = -1
        kept = self._kept.get((layout, width))
        if kept is not None and kept[0] == stamp:
            return kept[1]
        scene = self.build(layout)
        try:
            picture = snapshot.picture(scene, width)
        finally:
            scene.dispose()
            scene.deleteLater()
        self._kept[(layout, width)] = (stamp, picture)
        return picture
