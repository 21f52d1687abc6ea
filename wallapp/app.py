"""The composition root: settings, layout and theme, the Qt application and event loop, the windows.

Everything is built here and passed explicitly; nothing else in wallapp holds hidden globals.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import qasync
from PySide6.QtCore import QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QGraphicsView

from wallapp.core.layout import LoadedLayout, load_layout
from wallapp.core.outputs import Plan, plan
from wallapp.core.settings import Settings
from wallapp.core.theme import Theme, load_theme
from wallapp.qt import screens, snapshot
from wallapp.qt.application import application
from wallapp.qt.scene import WallScene
from wallapp.qt.style import Style
from wallapp.qt.views import PreviewView, ScreenView
from wallapp.qt.widgets import ItemContext

log = logging.getLogger("wallapp")


@dataclass(frozen=True)
class Opened:
    """A layout checked against the wall, and the theme it is drawn in."""

    loaded: LoadedLayout
    theme: Theme


def open_layout(settings: Settings, layout: str | None = None, theme: str | None = None) -> Opened:
    """The layout (name or path; the settings' default) and its theme (command line > settings > layout)."""
    themes = settings.themes()
    loaded = load_layout(settings.layouts().path(layout or settings.layout), settings.wall, themes)
    chosen = theme or settings.theme or loaded.layout.theme
    return Opened(loaded, load_theme(themes.path(chosen)))


def build_scene(opened: Opened, now: Callable[[], datetime] | None = None) -> WallScene:
    context = ItemContext(
        resolve=opened.loaded.resolve,
        now=now or (lambda: datetime.now(UTC)),
        seams=tuple(opened.loaded.wall.seams()),
    )
    return WallScene(opened.loaded, Style(opened.theme), context)


class WallWindows:
    """The windows showing one scene: one per wall screen, or a single preview."""

    def __init__(self, scene: WallScene, *, preview: bool) -> None:
        self.scene = scene
        detected = screens.detect()
        self.plan: Plan = plan(
            scene.wall, list(detected), preview=preview, fits_wall=scene.loaded.fits_installed_wall
        )
        self.views: list[QGraphicsView] = []
        if self.plan.preview:
            self.views.append(PreviewView(scene, self.plan.preview_reason))
        else:
            for placed in self.plan.placements:
                self.views.append(ScreenView(scene, placed.cell, detected[placed.output]))

    def show(self) -> None:
        for view in self.views:
            if isinstance(view, ScreenView):
                view.showFullScreen()
            else:
                view.show()

    def close(self) -> None:
        for view in self.views:
            view.close()
            view.deleteLater()
        self.views.clear()


def render_snapshot(
    settings: Settings, layout: str, output: Path, scale: float, theme: str | None = None
) -> QImage:
    opened = open_layout(settings, layout, theme)
    application(headless=True)
    scene = build_scene(opened)
    image = snapshot.render(scene, scale)
    snapshot.save(image, output)
    return image


def run(settings: Settings, layout: str | None = None, theme: str | None = None) -> int:
    """Show a layout on the wall until the user quits (Ctrl+Q in a window, Ctrl+C in the terminal)."""
    opened = open_layout(settings, layout, theme)
    app = application()
    _quit_on_signals(app)
    scene = build_scene(opened)
    windows = WallWindows(scene, preview=settings.window)
    if windows.plan.preview:
        log.warning("%s", windows.plan.preview_reason)
    log.info(
        "showing %s (%s) on %d window(s)", opened.loaded.layout.name, opened.loaded.path, len(windows.views)
    )
    windows.show()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        quitting = asyncio.Event()
        app.aboutToQuit.connect(quitting.set)
        loop.run_until_complete(quitting.wait())
    windows.close()
    return 0


def _quit_on_signals(app: QApplication) -> None:
    """Ctrl+C or SIGTERM quit cleanly, even before the event loop has started.

    The quit is queued, so it runs inside the loop; a short timer lets Python see signals while Qt waits.
    """

    def quit_soon(*_: object) -> None:
        QTimer.singleShot(0, app.quit)

    signal.signal(signal.SIGINT, quit_soon)
    signal.signal(signal.SIGTERM, quit_soon)
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(250)
