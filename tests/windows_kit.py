"""Helpers for tests of the wall's windows."""

from __future__ import annotations

from wallapp.app import WallDisplay
from wallapp.qt.scene import WallScene


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
