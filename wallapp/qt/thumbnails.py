"""Each layout as a small picture, for the console's layout switcher.

A thumbnail is drawn from the layout file itself (a scene built off screen with its sources' last good
data, then let go), so the operator sees what a switch will show. Building a scene takes the wall's
thread a few hundred milliseconds, so each thumbnail is kept, in memory and in the cache folder, until
its layout file changes: a wall pays for it once per edit, not once per console or restart.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from wallapp.core.durable import sweep, write_atomically
from wallapp.qt import snapshot
from wallapp.qt.scene import WallScene

log = logging.getLogger("wallapp.control")


class Thumbnails:
    """PNG thumbnails by layout name and width, drawn again when the layout's file changes."""

    def __init__(
        self, path: Callable[[str], Path], build: Callable[[str], WallScene], folder: Path | None = None
    ) -> None:
        """``path``: where a layout's file is; ``build``: its scene (``LayoutError`` when broken);
        ``folder``: where they are kept between runs (None: in memory only)."""
        self.path, self.build, self.folder = path, build, folder
        self._kept: dict[tuple[str, int], tuple[str, bytes]] = {}
        if folder is not None:
            sweep(folder)  # what a killed run was writing

    def get(self, layout: str, width: int) -> bytes:
        stamp = self._stamp(layout, width)
        kept = self._kept.get((layout, width))
        if kept is not None and kept[0] == stamp:
            return kept[1]
        stored = self.folder / f"{stamp}.png" if self.folder is not None else None
        try:
            picture = stored.read_bytes() if stored is not None else None
        except OSError:
            picture = None
        if picture is None:
            picture = self._draw(layout, width)
            if stored is not None:
                try:
                    write_atomically(stored, picture)
                except OSError as exc:
                    log.debug("thumbnail %s not kept: %s", stored, exc)
        self._kept[(layout, width)] = (stamp, picture)
        return picture

    def _stamp(self, layout: str, width: int) -> str:
        """What the picture depends on: the layout's file as it is now, and the width."""
        path = self.path(layout)
        try:
            modified = path.stat().st_mtime_ns
        except OSError:
            modified = -1
        return hashlib.sha256(f"{path.resolve()}|{modified}|{width}".encode()).hexdigest()[:32]

    def _draw(self, layout: str, width: int) -> bytes:
        scene = self.build(layout)
        try:
            return snapshot.picture(scene, width)
        finally:
            scene.dispose()
            scene.deleteLater()
