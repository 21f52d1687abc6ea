"""The presenter window wired to the running wall: what it reads of the wall, where it opens, and the
still pictures of the scenes to come (see ``wallapp.qt.presenter_window`` for the window itself)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QTimer
from PySide6.QtGui import QImage

from wallapp.app import Opened, WallDisplay, build_scene, open_feeds, with_theme
from wallapp.core.config.layout import LoadedLayout
from wallapp.core.config.outputs import Plan, free_outputs
from wallapp.core.config.settings import Settings
from wallapp.core.config.theme import load_theme
from wallapp.core.timing import Now, utc_now
from wallapp.errors import WallError
from wallapp.live import control
from wallapp.qt import screens, snapshot
from wallapp.qt.images import ImageCache
from wallapp.qt.presenter_window import PresenterWindow, Presenting, SceneRef
from wallapp.qt.scene import Sources, WallScene

log = logging.getLogger("wallapp")

STILL_WIDTH_PX = 720
"""The presenter window's still of the next scene: sharp at the size it is shown, cheap to draw."""
STILL_POLL_MS = 50


def still_data(settings: Settings, loaded: LoadedLayout, now: Now | None = None) -> Sources:
    """The data a still picture of ``loaded`` is drawn with: its sources' last good data (the demo feed's
    records now), read without starting them. No Qt: this may run on a worker thread (the demo feed takes
    a few hundred milliseconds to make up its records, and the wall must not stop for that)."""
    feeds = open_feeds(settings, now=now)
    sources = feeds.use(loaded)
    feeds.prime((now or utc_now)())
    return sources


def still_picture(
    settings: Settings, opened: Opened, width: int, sources: Sources, now: Now | None = None
) -> QImage:
    """A picture of ``opened`` ``width`` pixels wide, drawn with ``sources`` (``still_data``)."""
    images = ImageCache(settings.cache_dir / "images")
    scene = build_scene(opened, now, sources, images)
    try:
        return snapshot.render(scene, width / scene.wall.canvas.width)
    finally:
        scene.dispose()
        for qt_object in (scene, images):
            qt_object.deleteLater()


class PresenterStage:
    """The running wall as the presenter window sees it (``presenter_window.Stage``).

    A still of a scene to come is drawn once per layout (again when it is reloaded): its data is read on a
    worker thread, then it is drawn here, and ``drawn`` is called.
    """

    def __init__(self, display: WallDisplay) -> None:
        self.display = display
        self.drawn: Callable[[], None] = lambda: None
        self._still: tuple[LoadedLayout, QImage | str] | None = None
        """The last still drawn (or why there is none), and of which layout."""
        self._pending: tuple[LoadedLayout, int, Future[Sources]] | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wallapp-still")
        self._poll = QTimer()
        self._poll.setInterval(STILL_POLL_MS)
        self._poll.timeout.connect(self._collect)
        self._starting: set[asyncio.Task[None]] = set()

    def presenting(self) -> Presenting:
        display, playing = self.display, self.display.playing
        wall, blanked = display.opened.loaded.layout.name, display.control.blanked or display.dark
        if playing is None:
            return Presenting(wall, blanked, shows=tuple(display.show_names()))
        head, programme, scenes = playing.head, playing.programme, playing.loaded.scenes

        def ref(index: int | None) -> SceneRef | None:
            return None if index is None else SceneRef(index + 1, scenes[index].title)

        return Presenting(
            wall,
            blanked,
            show=playing.loaded.show.name,
            scene=ref(head.scene),
            count=len(scenes),
            scenes=tuple(SceneRef(i + 1, scenes[i].title) for i in programme.order),
            upcoming=None if head.ended else ref(programme.upcoming(head)),
            left_s=programme.left(head, display.ticks()),
            held=head.held,
            ended=head.ended,
        )

    def canvas(self) -> WallScene:
        return self.display.scene

    def still(self, number: int) -> QImage | str:
        display, playing = self.display, self.display.playing
        if playing is None or number - 1 not in playing.programme.order:
            return f"No scene {number} to show"
        loaded = playing.layout(number - 1)
        if self._still is not None and self._still[0] is loaded:
            return self._still[1]
        if self._pending is None or self._pending[0] is not loaded:
            work = self._worker.submit(still_data, display.settings, loaded, display.now)
            self._pending = (loaded, number, work)
            self._poll.start()
        return "Drawing the scene…"

    def _collect(self) -> None:
        """Draw the still whose data is ready."""
        if self._pending is None or not self._pending[2].done():
            return
        (loaded, number, work), self._pending = self._pending, None
        self._poll.stop()
        try:
            opened = with_theme(self.display.settings, loaded, self.display.theme)
            image: QImage | str = still_picture(
                self.display.settings, opened, STILL_WIDTH_PX, work.result(), self.display.now
            )
        except WallError as exc:
            log.warning("no picture of scene %d for the presenter: %s", number, exc)
            image = "No picture of this scene (see the log)"
        except Exception as exc:  # a bug, not the files: one line, and the show goes on
            log.error(
                "no picture of scene %d for the presenter: internal error (%s)", number, type(exc).__name__
            )
            log.debug("the internal error", exc_info=exc)
            image = "No picture of this scene (see the log)"
        self._still = (loaded, image)
        self.drawn()

    def release(self) -> None:
        """Draw no more stills (the window closed)."""
        self._poll.stop()
        self._pending = None
        self._worker.shutdown(wait=False, cancel_futures=True)
        self._poll.deleteLater()

    def act(self, what: str, number: int | None) -> None:
        self.display.presenter_key(what, number)

    def start(self, show: str) -> None:
        """Start ``show`` as the control API does: after any change in progress."""
        task = asyncio.get_event_loop().create_task(self._start(show))
        self._starting.add(task)
        task.add_done_callback(self._starting.discard)

    async def _start(self, show: str) -> None:
        try:
            await self.display.control.start_show(show)
        except (control.NotFound, control.Conflict) as exc:
            log.error("%s", exc)


def open_presenter(display: WallDisplay) -> PresenterWindow:
    """The presenter window, shown on the first screen the wall does not use (the host's laptop); where
    every screen is the wall's, or the wall is a preview window, an ordinary window wherever it lands.
    When the wall's windows are laid out again (a screen came or went) it moves off the wall's screens."""
    try:
        theme = load_theme(display.settings.themes().path("dark"))
    except WallError:  # the dark theme removed from the installation: the wall's own
        theme = display.opened.theme
    stage = PresenterStage(display)
    window = PresenterWindow(stage, theme)
    stage.drawn = window.refresh
    display.watchers.append(window.refresh)
    if not _off_the_wall(window, display.windows.plan):
        window.show()
        why = "the wall is a preview window" if display.windows.plan.preview else "every screen is the wall's"
        where = window.screen().name() or "the primary screen"
        log.warning("%s: the presenter window is an ordinary window, on %s", why, where)

    def keep_off_the_wall() -> None:
        if not window.closed:
            _off_the_wall(window, display.windows.plan)

    display.watchers.append(keep_off_the_wall)
    return window


def _off_the_wall(window: PresenterWindow, plan: Plan) -> bool:
    """Show ``window`` on the first screen the wall does not use, unless it is on one already (the host
    may have moved it there); whether there is such a screen."""
    detected = screens.detect()
    free = free_outputs(plan, list(detected))
    if not free:
        return False
    if window.isVisible() and window.screen().name() in {output.name for output in free}:
        return True
    if window.isVisible():
        window.showNormal()  # a maximised window keeps its place
    window.place_on(detected[free[0]])
    window.showMaximized()
    log.info("presenter window on %s, a screen the wall does not use", free[0].name)
    return True
