"""Run in a process of its own on an X server with OpenGL (Xvfb and Mesa): open every shipped layout's windows
drawn by OpenGL, and compare what each window shows on the X screen with the same view drawn by the raster
engine at the same instant (and, for screens, the raster snapshot of the wall), and with the picture a
cross-fade would take of it.

Run as a script (argument: layout names, default all shipped) it prints one JSON report on stdout.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QGraphicsView
from spanned_probe import FIXED, differing, pixels

from wallapp.app import WallWindows, build_scene, open_feeds, open_layout
from wallapp.core.config.resources import shipped
from wallapp.core.config.settings import load_settings
from wallapp.qt import snapshot
from wallapp.qt.application import application
from wallapp.qt.crossfade import capture
from wallapp.qt.images import ImageCache
from wallapp.qt.renderer import GlViewport, gl_renderer
from wallapp.qt.scene import WallScene

FADE_FROM, FADE_TO = "hub", "crisis"


def colours(image: QImage) -> int:
    """How many distinct colours the picture holds (1: a blank or all-white read-back)."""
    flat = pixels(image).reshape(image.height(), image.width(), 4)[:, :, :3]
    packed = (flat[:, :, 0].astype(np.int32) << 16) | (flat[:, :, 1].astype(np.int32) << 8) | flat[:, :, 2]
    return len(np.unique(packed))


def on_screen(view: QGraphicsView) -> QImage:
    """The X server's own pixels under the view: what the panel would show."""
    viewport = view.viewport()
    corner = viewport.mapToGlobal(viewport.rect().topLeft())
    screen = view.screen()
    origin = screen.geometry().topLeft()
    grabbed = screen.grabWindow(
        0, corner.x() - origin.x(), corner.y() - origin.y(), viewport.width(), viewport.height()
    )
    return grabbed.toImage()


def settle(app: QApplication, windows: WallWindows) -> None:
    """Until every window has drawn and the X server shows it: a GL window's swap reaches the server some
    time after the paint (llvmpipe, Xvfb), and a read-back before that is the window's blank first frame."""
    for _ in range(400):
        app.processEvents()
        if all(view.drawn for view in windows.views):
            break
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        app.processEvents()
        if all(colours(on_screen(view)) > 1 for view in windows.canvas_views()):
            break
        time.sleep(0.05)
    for _ in range(5):
        app.processEvents()


def fed_scene(name: str) -> WallScene:
    """The layout with its sources' demo records, at a fixed instant: charts, curves and pictures drawn."""
    settings = load_settings()
    feeds = open_feeds(settings)
    opened = open_layout(settings, name)
    sources = feeds.use(opened.loaded)
    feeds.prime(FIXED)
    return build_scene(opened, now=lambda: FIXED, sources=sources, images=ImageCache(None))


def probe(name: str, app: QApplication) -> dict[str, Any]:
    scene = fed_scene(name)
    windows = WallWindows(scene, preview=False, renderer="opengl", ticks=lambda: 0.0)
    windows.show()
    settle(app, windows)
    whole = snapshot.render(scene)
    views = windows.canvas_views()
    taken = capture(views)
    entry: dict[str, Any] = {"layout": name, "drawn": [v.drawn for v in windows.views], "views": []}
    for view, picture in zip(views, taken, strict=True):
        shown, viewport = on_screen(view), view.viewport()
        entry["views"].append(
            {
                "opengl": isinstance(viewport, GlViewport) and viewport.isValid(),
                "size": [shown.width(), shown.height()],
                "colours_shown": colours(shown),
                "colours_captured": colours(picture.toImage()),
                "vs_raster": differing(shown, raster(view)),
                "vs_snapshot": differing(shown, expected(whole, view, shown)),
                "capture_vs_shown": differing(picture.toImage(), shown),
            }
        )
    if name == FADE_FROM:
        entry["fade"] = fade(app, windows, taken)
    windows.close()
    windows.scene.dispose()
    for _ in range(5):
        app.processEvents()
    return entry


def fade(app: QApplication, windows: WallWindows, before: list[QPixmap]) -> dict[str, list[float]]:
    """Start a cross-fade into another layout, held at its first instant (the clock stands still): each
    window must show the old picture, from the veil over its OpenGL viewport; once the fade ends, the new
    layout (so the veil, not a window that stopped drawing, showed the old one)."""
    windows.show_scene(fed_scene(FADE_TO), fade_s=1.0)
    for _ in range(20):
        app.processEvents()
    views = windows.canvas_views()
    during = [differing(on_screen(v), old.toImage()) for v, old in zip(views, before, strict=True)]
    again = capture(views)  # another change now would start from these (the veil's picture)
    taken = [differing(a.toImage(), old.toImage()) for a, old in zip(again, before, strict=True)]
    windows.end_fade()
    for _ in range(20):
        app.processEvents()
    whole = snapshot.render(windows.scene)
    shown = [on_screen(v) for v in views]
    new = [expected(whole, v, picture) for v, picture in zip(views, shown, strict=True)]
    return {
        "during_vs_old": during,
        "capture_during_vs_old": taken,
        "after_vs_new": [differing(a, b) for a, b in zip(shown, new, strict=True)],
        "old_vs_new": [differing(old.toImage(), b) for old, b in zip(before, new, strict=True)],
    }


def raster(view: QGraphicsView) -> QImage:
    """The view drawn by Qt's raster engine: what the raster path shows in this window."""
    viewport = view.viewport()
    image = QImage(viewport.size(), QImage.Format.Format_RGB32)
    painter = QPainter(image)
    painter.setRenderHints(view.renderHints())
    view.render(painter, QRectF(image.rect()), viewport.rect())
    painter.end()
    return image


def expected(whole: QImage, view: QGraphicsView, shown: QImage) -> QImage:
    """The raster snapshot's part under ``view``, at the size it is shown."""
    return whole.copy(view.sceneRect().toRect()).scaled(
        shown.size(), Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


def main() -> None:
    app = application()
    names = sys.argv[1:] or sorted(
        p.stem for p in shipped("layouts").glob("*.json") if p.stem != "layout.schema"
    )
    report = {"renderer": gl_renderer(), "layouts": [probe(name, app) for name in names]}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
