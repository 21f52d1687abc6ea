"""The layout editor wired to the rest of wallapp (``wallapp edit``): the canvas of each version of the
layout built with the layout's own sources running (their last good data until they answer), and the
editor's window (``wallapp.qt.editor.window``) on the operator's own monitor.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QWidget

from wallapp import ctl
from wallapp.app import Opened, _quit_on_signals, build_scene, open_feeds, serving
from wallapp.core.config.layout import Layout, LoadedLayout, wall_for, widget_rect
from wallapp.core.config.settings import Settings
from wallapp.core.config.theme import Theme, load_theme
from wallapp.core.editing.document import Checked, check
from wallapp.core.timing import Now, utc_now
from wallapp.core.view.geometry import Wall
from wallapp.errors import WallError
from wallapp.live.feeds import Feeds
from wallapp.qt.application import application
from wallapp.qt.editor.checking import Checker
from wallapp.qt.editor.properties import PropertiesPanel
from wallapp.qt.editor.sources import SourcesPanel, SourceTester
from wallapp.qt.editor.window import Asks, Built, EditorWindow, RunningWall, new_layout
from wallapp.qt.images import ImageCache
from wallapp.qt.loop import event_loop
from wallapp.qt.scene import WallScene, next_frame

log = logging.getLogger("wallapp")

_WIDGET = re.compile(r"^widgets\[(\d+)\]")
_SOURCE = re.compile(r"^sources\.([^.\[]+)")
_KEY = re.compile(r"^([^.\[]+)")
SALVAGE_ROUNDS = 6


def showable(data: Any, checked: Checked, check_again: Callable[[Any], Checked]) -> Layout | None:
    """What can be shown of an invalid layout: it without the widgets, sources and settings its problems
    name (a widget of a source that goes, goes too), checked again until what is left is valid."""
    if not isinstance(data, dict):
        return None
    current: dict[str, Any] = dict(data)
    problems = checked.problems
    for _ in range(SALVAGE_ROUNDS):
        widgets = list(current.get("widgets", [])) if isinstance(current.get("widgets"), list) else []
        sources = dict(current.get("sources", {})) if isinstance(current.get("sources"), dict) else {}
        bad_widgets: set[int] = set()
        for problem in problems:
            if match := _WIDGET.match(problem.location):
                bad_widgets.add(int(match.group(1)))
            elif match := _SOURCE.match(problem.location):
                sources.pop(match.group(1), None)
            elif (match := _KEY.match(problem.location)) and match.group(1) not in ("widgets", "sources"):
                current.pop(match.group(1), None)
            elif problem.location in ("widgets", "sources"):
                current.pop(problem.location, None)
        kept = [
            widget
            for index, widget in enumerate(widgets)
            if index not in bad_widgets
            and isinstance(widget, dict)
            and (widget.get("source") is None or widget.get("source") in sources)
        ]
        current = {**current, "widgets": kept, "sources": sources}
        current.setdefault("name", "Untitled")
        again = check_again(current)
        if again.valid:
            return again.layout
        problems = again.problems
    return None


class EditorStage:
    """What the editor's window needs of wallapp: a canvas for each version of the layout, drawn in its
    theme with its sources (kept running from one version to the next while their declaration stays)."""

    def __init__(
        self, settings: Settings, feeds: Feeds, images: ImageCache | None, now: Now = utc_now
    ) -> None:
        self.settings, self.feeds, self.images, self.now = settings, feeds, images, now
        self._themes: dict[Path, Theme] = {}

    def check(self, data: Any, path: Path | None) -> Checked:
        folder = path.parent if path is not None else None
        return check(data, self.settings.wall, self.settings.themes(), folder)

    def _theme(self, layout: Layout, folder: Path) -> tuple[Theme, Path]:
        path = self.settings.themes().path(layout.theme, folder)
        if path not in self._themes:
            self._themes[path] = load_theme(path)
        return self._themes[path], path

    def build(self, data: Any, path: Path | None) -> Built:
        checked = self.check(data, path)
        layout = checked.layout if checked.valid else showable(data, checked, lambda d: self.check(d, path))
        if layout is None:
            return Built(checked, None)
        where = path or Path.cwd() / "untitled.json"
        wall, fits = wall_for(layout, self.settings.wall)
        loaded = LoadedLayout(where, layout, wall, fits)
        try:
            theme, theme_path = self._theme(layout, where.parent)
        except WallError as exc:
            log.warning("the layout's theme cannot be used (%s): drawn in the dark theme", exc)
            theme_path = self.settings.themes().path("dark")
            theme = load_theme(theme_path)
        opened = Opened(loaded, theme, theme_path)
        sources = self.feeds.use(loaded)
        scene = build_scene(opened, self.now, sources, self.images)
        rects = {widget.id: widget_rect(widget.place, wall) for widget in layout.widgets}
        return Built(checked, scene, rects, float(theme.text.min))

    def release(self, scene: WallScene) -> None:
        scene.dispose()
        scene.deleteLater()


@dataclass(frozen=True)
class ControlledWall:
    """A running wall, as the editor's Apply and Revert reach it: through its control API."""

    where: str
    token: str | None

    def apply(self, layout: str, data: Any) -> None:
        ctl.call(self.where, self.token, "POST", "/layout/try", {"layout": layout, "document": data})

    def revert(self) -> None:
        ctl.call(self.where, self.token, "POST", "/reload")


def running_wall(settings: Settings) -> ControlledWall | None:
    """The wall these settings run, where they turn its control API on (None: Apply and Revert are off)."""
    try:
        return ControlledWall(ctl.default_url(settings), settings.control_token())
    except WallError:
        return None


def open_editor(
    settings: Settings,
    layout: str | None,
    feeds: Feeds,
    asks: Asks | None = None,
    images: ImageCache | None = None,
    now: Now = utc_now,
    properties: QWidget | None = None,
    wall: RunningWall | None = None,
) -> EditorWindow:
    """The editor's window on ``layout`` (a name or a file; a new layout when None), not shown yet;
    ``properties``: the properties panel (the real one where none is given); ``wall``: the running wall
    Apply and Revert reach (where none is given: the one the settings' control API names, if any)."""
    stage = EditorStage(settings, feeds, images, now)
    checker = Checker(settings.wall, settings.themes())
    tester = SourceTester(None, settings.tls, settings.proxy, settings.secret_values())
    theme = load_theme(settings.themes().path("dark"))  # its palette's names, for colour fields
    sources = SourcesPanel(checker, tester, theme)
    properties = properties or PropertiesPanel(checker, theme)
    window = EditorWindow(stage, asks, properties, sources, wall or running_wall(settings))

    def moved(path: Path | None) -> None:  # files the layout names are found beside it
        checker.folder = tester.folder = path.parent if path is not None else None

    window.path_changed.connect(moved)
    if layout is None:
        window.start_new(new_layout(Wall(settings.wall)))
    else:
        window.open_file(settings.layouts().path(layout))
    return window


def edit(settings: Settings, layout: str | None, started: float | None = None) -> int:
    """``wallapp edit``: the editor's window until it is closed, the layout's sources running meanwhile
    (``started``: when the command began, on ``time.monotonic``'s clock, for the log's first-frame line)."""
    if layout is not None:
        settings.layouts().path(layout)  # a layout that is not there: one line, before any window
    app = application()
    app.setStyle("Fusion")
    loop = event_loop(app)
    asyncio.set_event_loop(loop)
    started = time.monotonic() if started is None else started
    with loop:
        feeds = open_feeds(settings, next_frame)
        images = ImageCache(settings.cache_dir / "images")
        window = open_editor(settings, layout, feeds, images=images)
        closed = asyncio.Event()
        app.setQuitOnLastWindowClosed(False)  # the sources stop and keep their data first
        window.closed.connect(closed.set)

        def close() -> None:  # Ctrl+C, SIGTERM: as closing the window (unsaved changes: asked)
            window.close()

        _quit_on_signals(close)
        window.canvas.first_frame.connect(
            lambda: log.info(
                "editor open: first frame %.2f s after the command began", time.monotonic() - started
            )
        )
        window.show()

        async def until_closed() -> None:
            async with serving(settings, feeds, images):
                await closed.wait()

        loop.run_until_complete(until_closed())
        window.dispose()
        window.deleteLater()
    QApplication.processEvents()
    return 0
