"""The composition root: settings, layout and theme, the Qt application and event loop, the windows.

Everything is built here and passed explicitly; nothing else in wallapp holds hidden globals.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import faulthandler
import logging
import math
import signal
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QImage, QKeySequence, QPixmapCache, QScreen
from PySide6.QtWidgets import QApplication, QGraphicsView, QWidget

from wallapp import heap
from wallapp.core import relay
from wallapp.core.config.layout import LoadedLayout, load_layout, place_layout
from wallapp.core.config.nodes import NodeSpec
from wallapp.core.config.outputs import Plan, plan
from wallapp.core.config.playhead import Playhead, Programme
from wallapp.core.config.schedule import Schedule, load_schedule
from wallapp.core.config.settings import Settings
from wallapp.core.config.show import LoadedShow, open_show
from wallapp.core.config.theme import Theme, load_theme
from wallapp.core.data.alerts import Alert
from wallapp.core.data.moderation import Change, Moderation
from wallapp.core.data.records import Post
from wallapp.core.data.store import Scheduler, immediate
from wallapp.core.timebase import TimeBase
from wallapp.core.timing import Now, Ticks, utc_now
from wallapp.errors import ConfigError, LayoutError, Problem, ShowError, SourceError, WallError
from wallapp.live import control
from wallapp.live.audit import AuditLog, audit_path
from wallapp.live.control import Controller, Reach, ShownAlert
from wallapp.live.feeds import Feeds
from wallapp.live.moderation import Decisions, moderation_path
from wallapp.live.network import Network
from wallapp.live.notify import Notifier, status_line
from wallapp.live.parts import fetch_parts
from wallapp.live.probe import Probed
from wallapp.qt import overlay, screens, snapshot
from wallapp.qt.application import application
from wallapp.qt.crossfade import CrossFade, capture
from wallapp.qt.follower import ScheduleFollower
from wallapp.qt.frames import FrameClock
from wallapp.qt.handover import PIXELS_PER_FRAME, Handover, groups
from wallapp.qt.images import ImageCache
from wallapp.qt.loop import event_loop
from wallapp.qt.power import screen_power
from wallapp.qt.presenter import PresenterKeys
from wallapp.qt.renderer import Renderer, choose, use
from wallapp.qt.scene import Sources, WallScene, next_frame
from wallapp.qt.style import Style
from wallapp.qt.switches import Prepared, Switches
from wallapp.qt.thumbnails import Thumbnails
from wallapp.qt.views import PreviewView, ScreenView, SpannedView
from wallapp.qt.watch import FileWatcher
from wallapp.qt.watchdog import Watchdog
from wallapp.qt.widgets import ItemContext, item_class

if TYPE_CHECKING:
    from wallapp.live.broker import BrokerLink

log = logging.getLogger("wallapp")

T = TypeVar("T")


@dataclass(frozen=True)
class Opened:
    """A layout checked against the wall, and the theme it is drawn in."""

    loaded: LoadedLayout
    theme: Theme
    theme_path: Path


def open_layout(settings: Settings, layout: str | None = None, theme: str | None = None) -> Opened:
    """The layout (name or path; the settings' default) and its theme (command line > settings > layout)."""
    themes = settings.themes()
    return with_theme(
        settings,
        load_layout(settings.layouts().path(layout or settings.layout), settings.wall, themes),
        theme,
    )


def with_theme(settings: Settings, loaded: LoadedLayout, theme: str | None = None) -> Opened:
    """A loaded layout and its theme (command line > settings > layout)."""
    themes = settings.themes()
    if chosen := theme or settings.theme:  # command line or settings: relative to the working directory
        theme_path = themes.path(chosen)
    else:  # named by the layout: relative to the layout's folder
        theme_path = themes.path(loaded.layout.theme, loaded.path.parent)
    return Opened(loaded, load_theme(theme_path), theme_path)


@dataclass(frozen=True)
class Playing:
    """A show on the wall: its scenes, what plays, and where the playhead is."""

    loaded: LoadedShow
    programme: Programme
    head: Playhead

    @property
    def name(self) -> str:
        return self.loaded.path.stem

    def layout(self, scene: int) -> LoadedLayout:
        loaded = self.loaded.scenes[scene].layout
        assert loaded is not None  # the programme plays only the playable scenes
        return loaded

    def load_items(self) -> None:
        """Import the items of every widget kind the show's scenes use, now: a kind is otherwise imported
        when a scene first shows one, in the middle of that scene change (the chart's pyqtgraph, 0.3 to
        0.7 s, was the slowest cross-fade of every bench run)."""
        for scene in self.loaded.scenes:
            for spec in scene.layout.layout.widgets if scene.layout is not None else ():
                item_class(type(spec))


def open_playing(settings: Settings, show: str, now: float, report: bool = True) -> Playing:
    """A show by name or path, at its first playable scene: each scene that cannot be shown is skipped,
    logged in one line (``report``); ``ShowError`` if the show is invalid or no scene can be shown."""
    loaded = open_show(settings.shows().path(show), settings.wall, settings.layouts(), settings.themes())
    for line in loaded.skipped() if report else []:
        log.error("%s", line)
    if not loaded.playable:
        count = len(loaded.scenes)
        raise ShowError(loaded.path, [Problem("scenes", f"none of its {count} scene(s) can be shown")])
    programme = Programme.of(loaded)
    return Playing(loaded, programme, programme.start(now))


def build_scene(
    opened: Opened,
    now: Now | None = None,
    sources: Sources | None = None,
    images: ImageCache | None = None,
    ticks: Ticks = time.monotonic,
    origin: float | None = None,
) -> WallScene:
    """``origin``: the scene's start instant on a time base several PCs share (see ``ItemContext``)."""
    frames = FrameClock()
    context = ItemContext(
        resolve=opened.loaded.resolve,
        now=now or utc_now,
        ticks=ticks,
        seams=tuple(opened.loaded.wall.seams()),
        images=images,
        frames=frames,
        origin=origin,
    )
    scene = WallScene(opened.loaded, Style(opened.theme), context, sources)
    frames.setParent(scene)
    return scene


def store_folder(settings: Settings) -> Path:
    """Where sources keep their last good data between runs."""
    return settings.cache_dir / "stores"


def open_feeds(
    settings: Settings, schedule: Scheduler = immediate, now: Now | None = None, leading: bool = True
) -> Feeds:
    """The layout's sources as every command runs them: the installation's secrets, the last good data;
    ``leading`` False: not run until this node leads the wall (see ``wallapp.live.broker``)."""
    return Feeds(store_folder(settings), schedule, settings.secret_values(), now or utc_now, leading)


def open_network(settings: Settings) -> Network:
    """How every command reaches the backends: the installation's trust, client certificate and proxy."""
    return Network(settings.tls, settings.proxy, secrets=settings.secret_values())


@contextlib.asynccontextmanager
async def serving(settings: Settings, feeds: Feeds, images: ImageCache | None = None) -> AsyncIterator[None]:
    """The sources running (and pictures fetched) on the running loop while the block runs; then stopped,
    their last good data kept."""
    async with open_network(settings) as network:
        feeds.start(network)
        if images is not None:
            try:
                images.client = network.client()
            except SourceError as exc:
                log.error("pictures cannot be fetched: %s", exc.cause)
        try:
            yield
        finally:
            if images is not None:
                images.client = None
            await feeds.stop()


def run_briefly(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` on an asyncio loop of its own (a command that draws nothing while its sources run).

    The loop is not made the thread's current one, so a Qt loop already set there is left alone.
    """
    with asyncio.Runner(loop_factory=asyncio.new_event_loop) as runner:
        return runner.run(work)


def _room_for_pictures(screens: Iterable[QScreen]) -> None:
    """Widgets that change rarely keep their picture per screen (Qt's pixmap cache, 10 MB by default): make
    room for two full pictures of every screen, or they are painted again and again."""
    pixels = sum(s.geometry().width() * s.geometry().height() * s.devicePixelRatio() ** 2 for s in screens)
    QPixmapCache.setCacheLimit(max(64 * 1024, int(2 * pixels * 4 / 1024)))


PLAY_CHECK_MS = 200  # how often a show's playhead is asked whether the scene is over
BUILD_AHEAD_S = 2.0
"""How long before its instant a show's next scene is built off screen: at that instant it only comes on
(every node of a wall shows it at once, and no frame waits for the build at the cut)."""
HOST_AHEAD_S = 2.0
"""How long a show's scene is on before the scene the host's next would show is built (single PC): after
the scene's own cross-fade, well before a host reaches for the clicker."""
BLANK_AFTER_S = 5.0  # a window that has drawn nothing this long after it was shown is a blank screen


class WallWindows:
    """The windows showing one scene: one per wall screen or spanned output, or a single preview.

    A window that has not drawn a complete frame ``BLANK_AFTER_S`` after it was shown is reported once in
    the log, and listed by ``blank()``: a blank screen is never silent.
    """

    def __init__(
        self,
        scene: WallScene,
        *,
        preview: bool,
        on_quit: Callable[[], None] = QApplication.quit,
        exit_chord: str | None = None,
        ticks: Ticks = time.monotonic,
        renderer: Renderer = "auto",
        node: NodeSpec | None = None,
    ) -> None:
        """``exit_chord``: kiosk mode (see ``_CanvasView``); a preview is full screen too. ``renderer``:
        the engine the views draw with (``wallapp.qt.renderer``); ``node``: only that node's screens of the
        wall (several PCs share it)."""
        self.scene = scene
        self.kiosk = exit_chord is not None
        self.ticks = ticks
        self.shown_at: float | None = None
        self._reported: set[int] = set()
        self.fade: CrossFade | None = None
        self.handover: Handover | None = None
        self._check = QTimer()
        self._check.setInterval(1000)
        self._check.timeout.connect(self.check_drawn)
        detected = screens.detect()
        self.plan: Plan = plan(
            scene.wall,
            list(detected),
            preview=preview,
            fits_wall=scene.loaded.fits_installed_wall,
            node=node,
        )
        self.views: list[ScreenView | PreviewView | SpannedView] = []
        _room_for_pictures(detected.values() if not self.plan.preview else [])
        if self.plan.preview:
            self.views.append(PreviewView(scene, on_quit, self.plan.preview_reason, exit_chord))
        else:
            for placed in self.plan.placements:
                self.views.append(
                    ScreenView(scene, placed.cell, detected[placed.output], on_quit, exit_chord)
                )
            for surface in self.plan.surfaces:
                self.views.append(SpannedView(scene, surface, detected[surface.output], on_quit, exit_chord))
        self.engine = engine = choose(renderer)
        for view in self.views:
            for each in view.tiles if isinstance(view, SpannedView) else [view]:
                use(each, engine, each.where())

    def canvas_views(self) -> list[QGraphicsView]:
        """Every view onto the canvas: one per wall screen (a spanned output's tiles too), or the preview."""
        return [
            tile for view in self.views for tile in (view.tiles if isinstance(view, SpannedView) else [view])
        ]

    def show_scene(self, scene: WallScene, fade_s: float = 0.0, old: WallScene | None = None) -> None:
        """Swap the canvas under the same windows: no window closes, so nothing flashes. With ``fade_s``,
        what the windows showed fades out over the new scene that long (``CrossFade``); without, the
        windows shown take the new scene a few a frame (``Handover``). ``old``: the scene they showed,
        deleted once none shows it."""
        views = self.canvas_views()
        pictures = capture(views) if fade_s > 0 and self.shown_at is not None else None
        self.end_fade()
        self.scene = scene
        in_turn = groups(self.views, PIXELS_PER_FRAME)
        if pictures is None and old is not None and self.shown_at is not None and len(in_turn) > 1:
            self.handover = Handover(in_turn, scene, old)
            return
        for view in self.views:
            view.set_wall_scene(scene)
        if old is not None:
            old.deleteLater()
        if pictures is not None:
            self.fade = CrossFade(views, pictures, fade_s, self.ticks, scene.context.frames)

    def end_fade(self) -> None:
        """Finish a cross-fade or a hand-over now (another change comes, or the windows close)."""
        if self.fade is not None:
            self.fade.finish()
            self.fade = None
        if self.handover is not None:
            self.handover.finish()
            self.handover = None

    def show(self) -> None:
        for view in self.views:
            if isinstance(view, ScreenView | SpannedView) or self.kiosk:
                view.showFullScreen()
            else:
                view.show()
        self.shown_at = self.ticks()
        self._check.start()

    def undrawn(self) -> list[ScreenView | PreviewView | SpannedView]:
        """The windows that have not drawn a complete frame ``BLANK_AFTER_S`` after they were shown."""
        if self.shown_at is None or self.ticks() - self.shown_at < BLANK_AFTER_S:
            return []
        return [view for view in self.views if not view.drawn]

    def check_drawn(self) -> None:
        """Log each blank window once; stop checking once every window has drawn."""
        for view in self.undrawn():
            if id(view) not in self._reported:
                self._reported.add(id(view))
                log.error(
                    "%s has drawn nothing %.0f s after it was shown: that screen is blank",
                    view.where(),
                    BLANK_AFTER_S,
                )
        for view in self.views:
            if view.drawn and id(view) in self._reported:
                self._reported.discard(id(view))
                log.warning("%s has drawn at last", view.where())
        if all(view.drawn for view in self.views):
            self._check.stop()

    def close(self) -> None:
        self._check.stop()
        self.end_fade()
        for view in self.views:
            view.close()
            view.deleteLater()
        self.views.clear()


def render_snapshot(
    settings: Settings,
    layout: str,
    output: Path,
    scale: float,
    theme: str | None = None,
    live: float | None = None,
) -> QImage:
    """The layout drawn into ``output``: see ``snapshot_scene`` for ``live``."""
    scene = snapshot_scene(settings, layout, theme, live)
    image = snapshot.render(scene, scale)
    snapshot.save(image, output)
    return image


def snapshot_scene(
    settings: Settings,
    layout: str,
    theme: str | None = None,
    live: float | None = None,
    at: float | None = None,
    origin: float | None = None,
) -> WallScene:
    """The layout's canvas as a still picture shows it: its sources' last good data, the demo feed's
    records now, or with ``live`` seconds, what the real sources bring in that time at most. ``at``: its
    clocks held at that instant (seconds since the UTC epoch); ``origin``: the instant the scene came on
    (see ``ItemContext``): what a wall of several PCs showing it since ``origin`` shows at ``at``.

    Live sources run until each has brought data or failed, then the canvas is built: a backend that is
    down is drawn in its failing state.
    """
    opened = open_layout(settings, layout, theme)
    application(headless=True)
    feeds = open_feeds(settings)
    sources = feeds.use(opened.loaded)
    if live is None:
        feeds.prime(datetime.now(UTC))
    else:
        run_briefly(_run_until_heard(settings, feeds, live))
    if at is None:
        return build_scene(opened, sources=sources, images=ImageCache(None), origin=origin)
    held = datetime.fromtimestamp(at, UTC)
    return build_scene(opened, lambda: held, sources, ImageCache(None), lambda: at, origin)


async def _run_until_heard(settings: Settings, feeds: Feeds, seconds: float) -> None:
    async with serving(settings, feeds):
        await feeds.heard_from_all(seconds)


def probe_sources(
    settings: Settings, loaded: LoadedLayout, names: list[str] | None, timeout: float
) -> list[Probed]:
    """One attempt at each source of the layout (or those named), at once, as ``run`` would make it."""
    feeds = Feeds(None, secrets=settings.secret_values())  # no last good data: only what the source says
    feeds.use(loaded)

    async def probing() -> list[Probed]:
        async with open_network(settings) as network:
            try:
                return await feeds.probe(network, names, timeout)
            finally:
                feeds.offload.close()

    return run_briefly(probing())


def every(seconds: float, call: Callable[[], object]) -> QTimer:
    """A timer started, calling ``call`` every ``seconds``."""
    timer = QTimer()
    timer.setInterval(int(seconds * 1000))
    timer.timeout.connect(call)
    timer.start()
    return timer


def on_nodes(settings: Settings) -> bool:
    """Whether this PC is a node of a wall of several, linked through the broker."""
    return settings.broker is not None and settings.this_node() is not None


def node_link(settings: Settings, feeds: Feeds, clock: TimeBase | None = None) -> BrokerLink | None:
    """This node's link to the broker (``wallapp.live.broker``); None on a single PC, which never loads
    the MQTT client."""
    if not on_nodes(settings):
        return None
    from wallapp.live import broker

    return broker.link_for(settings, feeds, clock)


def shared_clock(settings: Settings, now: Now | None, ticks: Ticks) -> TimeBase | None:
    """A node's shared time base (see ``wallapp.core.timebase``), from ``ticks`` and the wall clock;
    None on a single PC."""
    if not on_nodes(settings):
        return None
    wall = now or utc_now
    return TimeBase(ticks, lambda: wall().timestamp())


def reachable(url: str | None) -> str | None:
    """The control API's address as another PC reaches it: this PC's name for "any address"."""
    if url is None:
        return None
    for anywhere in ("//0.0.0.0:", "//[::]:"):
        url = url.replace(anywhere, f"//{socket.gethostname()}:")
    return url


class WallDisplay:
    """A layout on the wall, kept there as files and screens change.

    - The layout or theme file changes: the new version replaces it; a broken one is reported in one line
      and the wall keeps the last good version.
    - A screen is plugged or unplugged: the windows are laid out again (a preview while screens are missing,
      the full wall once they are back), never a window left on the wrong screen.
    """

    tried: dict[str, Any] | None = None
    """The layout shown, where it is a version not saved to its file (the editor's Apply), until the next
    change (None: its file)."""

    @property
    def unsaved(self) -> bool:
        return self.tried is not None

    def __init__(
        self,
        settings: Settings,
        layout: str | None = None,
        theme: str | None = None,
        now: Now | None = None,
        on_quit: Callable[[], None] = QApplication.quit,
        kiosk: bool = False,
        show: str | None = None,
        ticks: Ticks = time.monotonic,
        schedule: str | None = None,
    ) -> None:
        """``on_quit``: what Ctrl+Q or closing a window does; ``kiosk``: only the settings' exit chord
        quits, stray keys are ignored, the cursor is hidden, the screen saver held off; ``show``: play a
        show instead of a layout (``ShowError`` if none of its scenes can be shown), its scenes timed by
        ``ticks``; ``schedule``: follow a schedule from ``show()`` on (``ScheduleError`` if it is invalid)."""
        self.clock = shared_clock(settings, now, ticks)
        """On a node of a wall of several PCs, the shared time base (the leader's clock): every animation,
        show and clock on the wall reads it (None on a single PC: this PC's clocks, as given)."""
        if self.clock is not None:
            now, ticks = self.clock.now, self.clock.ticks
        self.settings, self.layout, self.theme, self.now = settings, layout, theme, now
        self.ticks = ticks
        self.on_quit = on_quit
        self.exit_chord = settings.kiosk_exit if kiosk else None
        self.playing: Playing | None = None
        self.watchers: list[Callable[[], None]] = []
        """Called after each change of what the wall shows (the presenter window)."""
        if show is not None:
            self.playing = open_playing(settings, show, ticks())
            self.opened = self._scene_opened(self.playing.head.scene)
        else:
            self.opened = open_layout(settings, layout, theme)
        self.feeds = open_feeds(settings, next_frame, now, leading=settings.this_node() is None)
        self._init_switching()
        decisions = Decisions.load(moderation_path(settings))  # before the sources: no post shown unmoderated
        self.feeds.moderate(decisions.current)
        self.images = ImageCache(settings.cache_dir / "images")
        self.scene = self._build(self.opened, self._origin())
        overlay.pin(self.scene, decisions.current.pinned)
        self.presenter = PresenterKeys(self.presenter_key)
        self.windows = self._open_windows()
        self.control = Controller(
            self, now or utc_now, audit=AuditLog(audit_path(settings), now or utc_now), decisions=decisions
        )
        self.thumbnails = Thumbnails(
            lambda name: settings.layouts().path(name),
            self._thumbnail_scene,
            settings.cache_dir / "thumbnails",
        )
        self.control_url: str | None = None
        """Where the control API listens once served (None: off)."""
        self.dark = False
        """In a screens-off window of the schedule: black, the screens asleep where they can be."""
        self.power = screen_power(kiosk, QGuiApplication.platformName())
        self.follower = self._follower(schedule) if schedule is not None else None
        self.watcher = FileWatcher(self._watched(), self.reload)
        # Screens often come and go in bursts (a driver re-probing every output): settle first.
        self._screens_settle = QTimer()
        self._screens_settle.setSingleShot(True)
        self._screens_settle.setInterval(500)
        self._screens_settle.timeout.connect(self.replan)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.screenAdded.connect(self._screens_changed)
        app.screenRemoved.connect(self._screens_changed)
        # Weeks of running: freed memory goes back to the system now and then (see wallapp.heap). The
        # source lines read while importing are let go of now, before the wall fills the memory they held.
        heap.forget_source_lines()
        self._trim = every(heap.TRIM_EVERY_S, heap.hand_back)
        # A show moves on when its playhead says so: checked often, timed by the injected ticks.
        self._play = QTimer()
        self._play.setInterval(PLAY_CHECK_MS)
        self._play.timeout.connect(self.advance)
        if self.playing is not None:
            self._started_show()

    def _init_switching(self) -> None:
        """This node's link, and what switches announced over the broker need (on a single PC, no link
        and nothing runs of it); a show's next scene built ahead (on a single PC too)."""
        self.link = node_link(self.settings, self.feeds, self.clock)
        """This node's link to the wall's other nodes (None on a single PC)."""
        self._next: tuple[Playhead | int, Opened, WallScene] | None = None
        """The show's next scene, built ahead: what it is for (``_ahead_key``), its layout, and it."""
        self._next_tried: Playhead | int | None = None
        """What the next scene was last built for, or tried (each is tried once)."""
        self.origin: float | None = 0.0 if self.clock is not None else None
        """On a node, the instant (shared time) the layout shown came on: what moves is timed from it."""
        self.switches = Switches(self.clock, self._prepare) if self.clock is not None else None
        """On a node, its changes in step with the other nodes'."""
        if self.link is not None and self.switches is not None:
            self.link.on_switch = self.switches.heard
            self.link.showing = self._showing
            self.link.scene = self._scene_now
            self.link.on_scene = self.follow_scene
            self.link.about = self._about
            self.link.on_alert = self._heard_alert
            self.link.on_moderation = self._heard_moderation
            self.link.take_moderation = self._take_moderation
            self.link.moderation = lambda: self.control.decisions.current
            self.switches.on_settled = self.link.done
        self._scene_end = QTimer()
        self._scene_end.setSingleShot(True)
        self._scene_end.setTimerType(Qt.TimerType.PreciseTimer)
        self._scene_end.timeout.connect(self.advance)

    def _scene_opened(self, scene: int) -> Opened:
        assert self.playing is not None
        self.layout = self.playing.loaded.show.scenes[scene].layout
        return self._scene_layout(scene)

    def _scene_layout(self, scene: int) -> Opened:
        assert self.playing is not None
        return with_theme(self.settings, self.playing.layout(scene), self.theme)

    def _fade_into(self, scene: int) -> float:
        """How long the show's ``scene`` cross-fades in (0: a cut)."""
        assert self.playing is not None
        transition = self.playing.loaded.show.transition_of(scene)
        return transition.seconds if transition.kind == "crossfade" else 0.0

    def _stop_show(self) -> None:
        if self.playing is not None:
            log.info("show %s stopped", self.playing.loaded.show.name)
        self.playing = None
        self._drop_next()
        self._play.stop()
        self._scene_end.stop()

    def _started_show(self) -> None:
        assert self.playing is not None
        self.playing.load_items()
        self._play.start()
        log.info("playing show %s (%s)", self.playing.loaded.show.name, self.playing.loaded.path)

    def advance(self) -> None:
        """Move the show on if the playhead says its scene is over, and build the next scene when its
        instant is near."""
        if self.playing is not None:
            self._move(self.playing.programme.tick(self.playing.head, self.ticks()))
            self._build_next()
            self._at_scene_end()

    def _build_next(self) -> None:
        """Build the show's next scene off screen (once: one that cannot be built is tried again, and its
        error logged, when it comes on): ``BUILD_AHEAD_S`` before its instant, and on a single PC also as
        the host's next, once the scene has been on ``HOST_AHEAD_S``."""
        if self.playing is None:
            return
        coming = self._coming()
        if coming is None or self._ahead_key(coming) == self._next_tried:
            return
        self._drop_next()
        self._next_tried = self._ahead_key(coming)
        try:
            opened = self._scene_layout(coming.scene)
            scene = self._build(opened, coming.started if self.clock is not None else None)
        except Exception as exc:  # the wall keeps its scene and its sources (``_build``)
            log.debug("scene %d not built ahead", coming.scene + 1, exc_info=exc)
            return
        if scene.context.frames is not None:
            scene.context.frames.hold(True)  # until it comes on
        self._next = (self._ahead_key(coming), opened, scene)

    def _coming(self) -> Playhead | None:
        """The playhead to build a scene ahead for: the next scene when the scene's time is nearly up; on
        a single PC, once the scene has been on a moment, the one the host's next would show (a clicker's
        step then swaps in a scene built and drawn, as a timed change does)."""
        assert self.playing is not None
        programme, head, now = self.playing.programme, self.playing.head, self.ticks()
        left = programme.left(head, now)
        if left is not None and left <= BUILD_AHEAD_S:
            return programme.coming(head)
        if self.clock is None and not head.ended and now - head.started >= HOST_AHEAD_S:
            after = programme.next(head, now)
            return None if after.ended or after.scene == head.scene else after
        return None

    def _ahead_key(self, head: Playhead) -> Playhead | int:
        """What a scene built ahead is for: on a single PC its scene (shown as built whenever it comes on,
        by the clock or by the host); on a node the playhead itself (its motions are timed from the
        instant it comes on, the same on every node)."""
        return head if self.clock is not None else head.scene

    @property
    def built_ahead(self) -> WallScene | None:
        """The show's next scene, built ahead of its instant (None: none yet)."""
        return self._next[2] if self._next is not None else None

    def _take_next(self, head: Playhead) -> tuple[Opened, WallScene] | None:
        """The scene built ahead for ``head`` (None: none; one built for another playhead is dropped)."""
        if self._next is not None and self._next[0] == self._ahead_key(head):
            (_, opened, scene), self._next = self._next, None
            if scene.context.frames is not None:
                scene.context.frames.hold(False)
            return opened, scene
        self._drop_next()
        return None

    def _drop_next(self, closing: bool = False) -> None:
        """Let go of the next scene built ahead (the show stepped elsewhere, stopped or read again; on a
        node, held too): the sources are those of the scene shown again (unless the wall is ``closing``)."""
        self._next_tried = None
        if self._next is not None:
            (_, _, scene), self._next = self._next, None
            scene.dispose()
            scene.deleteLater()
            if not closing:
                self._sources(self.opened.loaded)

    def _at_scene_end(self) -> None:
        """On a node, the next scene comes on at the instant the playhead says (on the shared time base,
        so on every node at once), not at the next check."""
        if self.clock is None or self.playing is None or self._scene_end.isActive():
            return
        left = self.playing.programme.left(self.playing.head, self.ticks())
        if left is not None and left * 1000 < PLAY_CHECK_MS:
            self._scene_end.start(math.ceil(left * 1000))

    def _move(self, head: Playhead) -> None:
        """Put the playhead at ``head``, showing its scene if it is another one."""
        assert self.playing is not None
        before, self.playing = self.playing.head, dataclasses.replace(self.playing, head=head)
        # On a single PC a hold or a resume keeps the next scene built: built for a scene, not an instant.
        changed = head.scene != before.scene or (self.clock is not None and head != before)
        built = self._take_next(head) if changed else None
        if head.scene != before.scene:
            title = self.playing.loaded.scenes[head.scene].title
            try:
                if built is not None:
                    self.layout = self.playing.loaded.show.scenes[head.scene].layout
                    self._present(*built, self._fade_into(head.scene))
                else:
                    self._show(self._scene_opened(head.scene), self._fade_into(head.scene))
            except Exception as exc:  # on a timer or a key: one line, and the show goes on
                cause = str(exc) if isinstance(exc, WallError) else f"internal error ({type(exc).__name__})"
                log.error(
                    "scene %d (%s) cannot be shown: %s (the wall keeps what it shows)",
                    head.scene + 1,
                    title,
                    cause,
                )
                log.debug("the error", exc_info=exc)
            else:
                log.info("scene %d: %s", head.scene + 1, title)
        if head.ended and not before.ended:
            log.info("show %s ended: its last scene stays on", self.playing.loaded.show.name)
        self._changed()

    def _changed(self) -> None:
        for watcher in self.watchers:
            watcher()

    def _watched(self) -> list[Path]:
        show = [self.playing.loaded.path] if self.playing is not None else []
        return [*show, self.opened.loaded.path, self.opened.theme_path]

    def _open_windows(self) -> WallWindows:
        windows = WallWindows(
            self.scene,
            preview=self.settings.window,
            on_quit=self.on_quit,
            exit_chord=self.exit_chord,
            ticks=self.ticks,
            renderer=self.settings.renderer,
            node=self.settings.this_node(),
        )
        for view in windows.views:
            view.installEventFilter(self.presenter)
        if windows.plan.preview:
            log.warning("%s", windows.plan.preview_reason)
        loaded = self.opened.loaded
        log.info("showing %s (%s) on %d window(s)", loaded.layout.name, loaded.path, len(windows.views))
        log.info("renderer: %s (%s)", windows.engine.name, windows.engine.why)
        return windows

    def _screens_changed(self, _screen: object) -> None:
        self._screens_settle.start()

    def show(self) -> None:
        if self.follower is not None:  # what the schedule says now goes on before the windows show
            self.follower.start()
        self.windows.show()
        self.power.start()

    def replan(self) -> None:
        """Lay the windows out again for the screens there are now."""
        self.windows.close()
        self.windows = self._open_windows()
        self.windows.show()
        self._changed()

    def reload(self) -> bool:
        """Show the layout as it is now on disk; keep the current one if it is broken. On a node: every
        node reads its files again at the instant announced."""
        if (node := self._broadcast()) is not None:
            if not self._readable():
                return False
            node[1].announce_soon(node[0], "reload")
            return True
        return self._reload_here()

    async def reread(self) -> Reach | None:
        """``reload``, as the control API asks it: ``Conflict`` when the layout is broken."""
        if (node := self._broadcast()) is not None:
            if self._readable():
                return await self._everywhere(node, "reload")
        elif self._reload_here():
            return self._alone()
        raise control.Conflict(
            "the layout is broken (see the wall's log); the wall keeps the previous version"
        )

    def _readable(self) -> bool:
        """Whether the layout shown can be read from its file again (a show's scenes: when they come)."""
        if self.playing is None:
            try:
                open_layout(self.settings, self.layout, self.theme)
            except WallError as exc:
                log.error("%s (the wall keeps the previous version)", exc)
                return False
        return True

    def _reload_here(self) -> bool:
        try:
            opened = self._reopened()
            self._show(opened)
        except WallError as exc:
            log.error("%s (the wall keeps the previous version)", exc)
            return False
        except Exception as exc:  # a bug, not the file: still one line, and the wall goes on
            log.error(
                "%s: cannot be shown: internal error (%s) (the wall keeps the previous version)",
                self.opened.loaded.path,
                type(exc).__name__,
            )
            log.debug("the internal error", exc_info=exc)
            return False
        log.info("reloaded %s", opened.loaded.path)
        self._changed()
        return True

    def _reopened(self) -> Opened:
        """The layout (in a show: the show, its scene's layout with the scene's overrides) as on disk now."""
        if self.playing is None:
            return open_layout(self.settings, self.layout, self.theme)
        loaded = open_show(
            self.playing.loaded.path, self.settings.wall, self.settings.layouts(), self.settings.themes()
        )
        scene = self.playing.head.scene
        layout = loaded.scenes[scene].layout if scene < len(loaded.scenes) else None
        if layout is None:
            raise ShowError(loaded.path, [*loaded.problems] or [Problem("scenes", f"no scene {scene + 1}")])
        self._drop_next()  # built from the files as they were
        self.playing = dataclasses.replace(self.playing, loaded=loaded, programme=Programme.of(loaded))
        return self._scene_opened(scene)

    async def switch(self, layout: str) -> Reach | None:
        """Show another layout by name under the same windows (the control API); a show playing stops.
        ``LayoutError`` if it cannot be shown, and the wall keeps what it shows. Overrides the schedule
        until its next edge. On a node: on every node of the wall, at the instant announced."""
        if (node := self._broadcast()) is not None:
            # Refused here, before it is announced.
            self._fits_the_nodes(open_layout(self.settings, layout, self.theme))
            reach: Reach | None = await self._everywhere(node, "layout", layout)
        else:
            self._put_layout_here(layout)
            reach = self._alone()
        self._by_hand(f"layout {layout}")
        return reach

    def _fits_the_nodes(self, opened: Opened) -> None:
        """On a node, ``LayoutError`` for a layout of another grid than the wall's: each node drives its
        screens of the wall's grid, which such a layout has not (a single PC shows it as it can)."""
        wall = self.settings.wall
        if self.settings.this_node() is not None and not opened.loaded.fits_installed_wall:
            grid = opened.loaded.wall
            problem = Problem(
                "grid",
                f"{grid.columns} x {grid.rows} is not the {wall.columns} x {wall.rows} wall the nodes share: "
                "on a wall of several PCs, each shows only layouts of the wall's grid",
            )
            raise LayoutError(opened.loaded.path, [problem])

    def put_layout(self, layout: str, document: dict[str, Any] | None = None) -> None:
        """``switch``, as the schedule does it; ``document``: an unsaved version of the layout (shown on
        this node only). On a node, the leader's schedule announces it to the wall; a follower's leaves
        it to the leader."""
        if document is None and (node := self._broadcast()) is not None:
            if node[0].leading:
                self._fits_the_nodes(open_layout(self.settings, layout, self.theme))
                node[1].announce_soon(node[0], "layout", layout)
            return
        self._put_layout_here(layout, document)

    def _put_layout_here(self, layout: str, document: dict[str, Any] | None = None) -> None:
        opened = self._opened(layout, document)
        self._stop_show()
        self.layout = layout
        self._show(opened)
        self.tried = document
        unsaved = " an unsaved version of" if self.unsaved else ""
        log.info("switched to%s %s (%s)", unsaved, opened.loaded.layout.name, opened.loaded.path)
        self._changed()

    def _opened(self, layout: str, document: dict[str, Any] | None = None) -> Opened:
        """``layout`` from its file, or the unsaved version ``document`` of it; ``LayoutError``."""
        if document is None:
            return open_layout(self.settings, layout, self.theme)
        path = self.settings.layouts().path(layout)
        loaded = place_layout(document, path, self.settings.wall, self.settings.themes())
        return with_theme(self.settings, loaded, self.theme)

    async def try_layout(self, layout: str, document: dict[str, Any]) -> Reach | None:
        """Show an unsaved version of ``layout`` (the editor's Apply) until the file is shown again (a
        reload, the file saved, a switch); ``LayoutError`` if it cannot be shown. On a node: on every
        node, at the instant announced (one that starts later shows the file)."""
        if (node := self._broadcast()) is not None:
            self._fits_the_nodes(self._opened(layout, document))  # refused here, before it is announced
            reach: Reach | None = await self._everywhere(node, "layout", layout, document=document)
        else:
            self._put_layout_here(layout, document)
            reach = self._alone()
        self._by_hand(f"layout {layout} (unsaved)")
        return reach

    def _show(self, opened: Opened, fade_s: float = 0.0) -> None:
        """Replace the scene: the new one is complete (with the operator's alert or blank) before the
        windows show it, so no frame is blank or half-built; cross-faded over ``fade_s`` (0: a cut, and
        always a cut when the windows change)."""
        self._present(opened, self._build(opened, self._origin()), fade_s)

    def _origin(self) -> float | None:
        """When what is shown came on, on a node's shared time base (a show's scene: its playhead's)."""
        if self.clock is None:
            return None
        return self.playing.head.started if self.playing is not None else self.origin

    def _build(self, opened: Opened, origin: float | None) -> WallScene:
        """The scene of ``opened``, off screen, bound to its sources (``origin``: see ``build_scene``)."""
        self._fits_the_nodes(opened)
        # Items on a single PC keep this PC's monotonic clock; on a node, the shared time.
        ticks = self.clock.ticks if self.clock is not None else time.monotonic
        try:
            return build_scene(opened, self.now, self._sources(opened.loaded), self.images, ticks, origin)
        except Exception:  # the wall keeps the scene it shows, and that scene's sources
            self._sources(self.opened.loaded)
            raise

    def _sources(self, loaded: LoadedLayout) -> Sources:
        """The sources of ``loaded``; those of the scenes still alive kept (the one shown, a show's next one
        built ahead, a switch's waiting for its instant), the others let go of."""
        alive = [self.opened.loaded]
        if self._next is not None:
            alive.append(self._next[1].loaded)
        waiting = self.switches.waiting() if self.switches is not None else None
        if isinstance(waiting, WallScene):
            alive.append(waiting.loaded)
        return self.feeds.use(loaded, keep=alive)

    def _present(self, opened: Opened, scene: WallScene, fade_s: float = 0.0) -> None:
        """Put ``scene`` (built by ``_build``) on the windows in place of the one they show."""
        old_scene = self.scene
        old_scene.dispose()
        self.opened, self.scene = opened, scene
        self._sources(opened.loaded)  # the old scene's let go of
        self._overlay(self.scene)
        same_wall = (opened.loaded.wall, opened.loaded.fits_installed_wall) == (
            old_scene.wall,
            old_scene.loaded.fits_installed_wall,
        )
        if same_wall:
            self.windows.show_scene(self.scene, fade_s, old_scene)
        else:
            self.replan()
            old_scene.deleteLater()
        self.watcher.watch(self._watched())
        self.tried = None

    # Switches in step on the nodes of a wall of several PCs (wallapp.core.relay.Switch).

    def _broadcast(self) -> tuple[BrokerLink, Switches] | None:
        """The link changes are announced through (None: a single PC, or a node cut off from the broker,
        which changes only itself)."""
        link, switches = self.link, self.switches
        if link is None or switches is None or not (link.connected and link.synced):
            return None
        return link, switches

    async def _everywhere(
        self,
        node: tuple[BrokerLink, Switches],
        kind: str,
        name: str | None = None,
        number: int | None = None,
        document: dict[str, Any] | None = None,
    ) -> Reach:
        """Announce a change to every node, shown at its instant: what each node did of it."""
        link, switches = node
        change, nodes = await switches.announce(link, kind, name, number, document)
        return await link.reach(change, nodes)

    def _alone(self) -> Reach | None:
        """What the nodes did of a change made on this node only (None: a single PC)."""
        return self.link.alone() if self.link is not None else None

    def _prepare(self, message: relay.Switch) -> Prepared:
        """How to show ``message`` at its instant, and the scene built for it now."""
        name = message.name or ""
        if message.kind == "layout":
            opened = self._opened(name, message.document)
            scene = self._build(opened, message.at)

            def show_layout() -> None:
                self._stop_show()
                self.layout, self.origin = name, message.at
                self._present(opened, scene)
                self.tried = message.document
                unsaved = " an unsaved version of" if self.unsaved else ""
                log.info("switched to%s %s (%s)", unsaved, opened.loaded.layout.name, opened.loaded.path)
                self._changed()

            return show_layout, scene
        if message.kind == "show":
            playing = open_playing(self.settings, name, message.at)
            first = playing.head.scene
            opened = with_theme(self.settings, playing.layout(first), self.theme)
            scene = self._build(opened, playing.head.started)

            def show_show() -> None:
                self._stop_show()
                self.playing = playing
                self.layout = playing.loaded.show.scenes[first].layout
                self._present(opened, scene, self._fade_into(first))
                self._started_show()
                self._changed()

            return show_show, scene

        if message.kind == "blank":
            on = bool(message.number)

            def blank() -> None:
                self.control.blanked = on
                self._blank_here(on)

            return blank, None
        if message.kind == "step":
            what, number = name, message.number

            def step() -> None:
                try:
                    self.step(what, number, at=message.at)
                except ShowError as exc:  # the show on this node is not the one on the node asked
                    log.warning("%s", exc)

            return step, None

        def reload() -> None:
            self._reload_here()  # a broken file is logged, the wall keeps what it shows

        return reload, None

    # What the control API asks of the wall (wallapp.live.control.Wall).

    def _overlay(self, scene: WallScene) -> None:
        alert = self.control.alert
        overlay.show_alert(scene, alert.alert if alert else None)
        overlay.blank(scene, self.control.blanked or self.dark)
        overlay.pin(scene, self.feeds.moderation.pinned)

    async def play(self, show: str) -> Reach | None:
        """Play ``show`` from its first scene (a show already playing stops); ``ShowError`` if it cannot.
        Overrides the schedule until its next edge. On a node: on every node, at the instant announced."""
        if (node := self._broadcast()) is not None:
            open_playing(self.settings, show, 0.0, report=False)
            reach: Reach | None = await self._everywhere(node, "show", show)
        else:
            self._put_show_here(show)
            reach = self._alone()
        self._by_hand(f"show {show}")
        return reach

    def put_show(self, show: str) -> None:
        """``play``, as the schedule does it (on a node: as ``put_layout``)."""
        if (node := self._broadcast()) is not None:
            if node[0].leading:
                open_playing(self.settings, show, 0.0, report=False)
                node[1].announce_soon(node[0], "show", show)
            return
        self._put_show_here(show)

    def _put_show_here(self, show: str) -> None:
        playing = open_playing(self.settings, show, self.ticks())
        self._stop_show()
        self.playing = playing
        self._show(self._scene_opened(playing.head.scene), self._fade_into(playing.head.scene))
        self._started_show()
        self._changed()

    def step(self, what: str, number: int | None = None, at: float | None = None) -> bool:
        """Move the show's playhead (next, previous, first, jump to ``number``, hold, resume); False when no
        show plays. ``ShowError`` for a scene number the show does not have or cannot show. On a node,
        announced to every node, each moving its playhead as of the instant announced (``at``)."""
        if self.playing is None:
            return False
        programme, head = self.playing.programme, self.playing.head
        now = self.ticks() if at is None else at
        moves = {
            "next": programme.next,
            "previous": programme.previous,
            "first": programme.first,
            "hold": programme.hold,
            "resume": programme.resume,
        }
        moved = programme.jump(head, number or 0, now) if what == "jump" else moves[what](head, now)
        if at is None and (node := self._broadcast()) is not None:
            node[1].announce_soon(node[0], "step", what, number)
        else:
            self._move(moved)
        return True

    async def move(self, what: str) -> Reach | None:
        """``step``, as the control API asks it: ``Conflict`` when no show plays."""
        if self.playing is None:
            raise control.Conflict(f"{what}: no show running")
        if (node := self._broadcast()) is not None:
            return await self._everywhere(node, "step", what)
        self.step(what)
        return self._alone()

    def presenter_key(self, what: str, number: int | None) -> None:
        """A presenter's key (``PresenterKeys``): blank toggles; pause holds or resumes; the others move
        the show (nothing when none plays)."""
        if what == "blank":
            self.blank(not self.control.blanked)
            return
        if what == "pause":
            what = "resume" if self.playing is not None and self.playing.head.held else "hold"
        try:
            self.step(what, number)
        except ShowError as exc:
            log.warning("%s", exc)

    def _playing_status(self) -> dict[str, Any]:
        playing = self.playing
        if playing is None:
            return {"show": None, "scene": None, "time_left_s": None}
        head = playing.head
        left = playing.programme.left(head, self.ticks())
        return {
            "show": playing.name,
            "scene": {
                "number": head.scene + 1,
                "of": len(playing.loaded.scenes),
                "title": playing.loaded.scenes[head.scene].title,
                "held": head.held,
                "ended": head.ended,
            },
            "time_left_s": round(left, 1) if left is not None and not head.held else None,
        }

    def layout_names(self) -> list[str]:
        return self.settings.layouts().names()

    def show_names(self) -> list[str]:
        return self.settings.shows().names()

    def show_alert(self, alert: Alert | None) -> None:
        overlay.show_alert(self.scene, alert)

    async def put_alert(self, alert: ShownAlert | None) -> Reach | None:
        """Show ``alert`` (None: clear it); on a node, on every node, one that starts later too."""
        if (node := self._broadcast()) is not None:
            link = node[0]
            until = alert.until.timestamp() if alert is not None and alert.until is not None else None
            state = relay.AlertState(
                id=uuid.uuid4().hex,
                by=link.node,
                level=alert.alert.level if alert is not None else "warning",
                text=alert.alert.message if alert is not None else None,
                until=until,
            )
            nodes = link.expect(state.id)
            if await link.raise_alert(state):
                return await link.reach(state.id, nodes)
            link.forget(state.id)
        self.control.alert_here(alert)
        return self._alone()

    def _heard_alert(self, state: relay.AlertState) -> None:
        """The wall's alert, as a node was asked: shown here."""
        until = datetime.fromtimestamp(state.until, UTC) if state.until is not None else None
        alert = ShownAlert(Alert(state.level, state.text), until) if state.text is not None else None
        if alert != self.control.alert:
            self.control.alert_here(alert)
        if self.link is not None:
            self.link.done(state.id)

    def blank(self, on: bool) -> None:
        """Black out the wall, or show it again (on a node: every node, at the instant announced)."""
        if (node := self._broadcast()) is not None:
            node[1].announce_soon(node[0], "blank", None, int(on))
            return
        self.control.blanked = on
        self._blank_here(on)

    async def black_out(self, on: bool) -> Reach | None:
        """``blank``, as the control API asks it."""
        if (node := self._broadcast()) is not None:
            return await self._everywhere(node, "blank", None, int(on))
        self.blank(on)
        return self._alone()

    def _blank_here(self, on: bool) -> None:
        overlay.blank(self.scene, on or self.dark)
        self._changed()

    # What following a schedule asks of the wall (wallapp.qt.follower.Stage).

    def _follower(self, schedule: str) -> ScheduleFollower:
        path = self.settings.schedules().path(schedule)
        return ScheduleFollower(self, Path(schedule).stem, path, self._load_schedule, self.now or utc_now)

    def _load_schedule(self, path: Path) -> Schedule:
        return load_schedule(path, self.settings.shows(), self.settings.layouts())

    def _by_hand(self, what: str) -> None:
        if self.follower is not None:
            self.follower.by_hand(what)

    def busy(self) -> bool:
        return self.control.lock.locked()

    def screens_off(self, off: bool) -> None:
        self.dark = off
        overlay.blank(self.scene, off or self.control.blanked)
        self.power.show(not off)
        self._changed()

    def posts(self, count: int) -> dict[str, list[Post]]:
        """The latest posts of each post source of the layout shown, whatever moderation says of them."""
        stores = self.feeds.stores()
        return {
            name: [record for record in stores[name].latest(count) if isinstance(record, Post)]
            for name, spec in self.opened.loaded.layout.sources.items()
            if spec.yields == "post" and name in stores
        }

    def moderate(self, moderation: Moderation) -> None:
        self.feeds.moderate(moderation)
        overlay.pin(self.scene, moderation.pinned)

    async def decide(self, change: Change) -> Reach | None:
        """Take a moderation decision; on a node, the leader takes it and every node shows posts as the
        leader decides (alone when no node leads or the broker is lost)."""
        if (node := self._broadcast()) is not None:
            link = node[0]
            ask = relay.ModerationAsk(id=uuid.uuid4().hex, by=link.node, change=change)
            nodes = link.expect(ask.id)
            if await link.ask_moderation(ask):
                return await link.reach(ask.id, nodes)
            link.forget(ask.id)
        self.control.moderation_here(change.apply(self.control.decisions.current))
        return self._alone()

    def _take_moderation(self, change: Change) -> Moderation:
        """The leader takes a decision asked of any node: the decisions then."""
        moderation = change.apply(self.control.decisions.current)
        self.control.moderation_here(moderation)
        return moderation

    def _heard_moderation(self, state: relay.ModerationState) -> None:
        """The decisions the leader holds: in force here too."""
        if state.moderation != self.control.decisions.current:
            self.control.moderation_here(state.moderation)
        if self.link is not None:
            for change in state.changes:
                self.link.done(change)

    def _about(self) -> dict[str, Any]:
        """This node's control API and screens, for its reports."""
        plan = self.windows.plan
        undrawn = [view.where() for view in self.windows.undrawn()]
        return {"control": reachable(self.control_url), "preview": plan.preview, "undrawn": undrawn}

    def picture(self, width: int, at: float | None = None, own: bool = False) -> bytes:
        """``at``: the scene drawn with its clocks held at that instant (seconds since the UTC epoch; on a
        node, on the wall's shared time base), off screen: every node asked for the same ``at`` draws what
        moves (the ticker, clocks) at the same place, so their parts stitch into the whole wall. ``own``:
        only this node's screens, the others black."""
        cells = None
        if own and (node := self.settings.this_node()) is not None:
            cells = {f"{column},{row}" for column, row in node.screens}
        if at is None:
            return snapshot.picture(self.scene, width, cells)
        scene = self._still_at(at)
        try:
            return snapshot.picture(scene, width, cells)
        finally:
            scene.dispose()

    async def gathered(self, width: int, at: float | None = None) -> tuple[bytes, dict[str, str]]:
        """The whole wall at ``at`` (now when None); on a node, each other node's screens as it draws them,
        asked of its control API (``wallapp.live.parts``), the others drawn here: and who drew each node's
        screens."""
        link = self.link
        if link is None:
            return self.picture(width, at), {}
        instant = at if at is not None else (self.now or utc_now)().timestamp()
        online = link.view.online
        controls = {
            name: report.control
            for name, report in link.reports.items()
            if name != link.node and name in online and report.control
        }
        token = self.settings.control_token()
        fetched = await fetch_parts(controls, token, width, instant) if controls and token else {}
        scene = self._still_at(instant)
        try:
            image = snapshot.render(scene, width / scene.wall.canvas.width)
            drawn: dict[str, str] = {}
            for name, screens in link.screens.items():
                part = fetched.get(name)
                if name == link.node:
                    drawn[name] = "drawn here"
                elif isinstance(part, bytes) and snapshot.stitch(image, scene, screens, part):
                    drawn[name] = "its own part"
                else:
                    why = part if isinstance(part, str) else "offline" if name not in online else "no answer"
                    drawn[name] = f"drawn by {link.node} ({why})"
            return snapshot.png(image), drawn
        finally:
            scene.dispose()

    def _still_at(self, at: float) -> WallScene:
        """The scene shown now, built again off screen with its clocks held at ``at``: what is a function of
        time and data (a ticker, clocks, ages of posts) as it is then; what depends on when each item came
        on (a post wall's page) as on a scene that comes on then. The windows' scene is left alone."""
        held = datetime.fromtimestamp(at, UTC)
        own = self.clock.ticks if self.clock is not None else time.monotonic
        now = (self.now or utc_now)().timestamp()
        ticks = own() + (at - now)  # the same instant on the items' monotonic scale
        opened = self.opened
        scene = build_scene(
            opened, lambda: held, self._sources(opened.loaded), self.images, lambda: ticks, self._origin()
        )
        self._overlay(scene)
        return scene

    def thumbnail(self, layout: str, width: int) -> bytes:
        return self.thumbnails.get(layout, width)

    def _thumbnail_scene(self, layout: str) -> WallScene:
        """A layout as a still picture shows it, off screen: its sources' last good data (the demo feed's
        records now); the wall's own sources are left alone."""
        opened = open_layout(self.settings, layout, self.theme)
        feeds = open_feeds(self.settings, now=self.now)
        sources = feeds.use(opened.loaded)
        feeds.prime((self.now or utc_now)())
        return build_scene(opened, self.now, sources)

    def status(self) -> dict[str, Any]:
        loaded, plan = self.opened.loaded, self.windows.plan
        sources = {
            name: {
                "state": fresh.state.value,
                "age_s": round(fresh.age.total_seconds(), 1) if fresh.age is not None else None,
                "last_error": fresh.last_error,
                "failures": fresh.failures,
            }
            for name, fresh in self.feeds.freshness().items()
        }
        return {
            "layout": self.layout or self.settings.layout,
            "title": loaded.layout.name,
            "file": str(loaded.path),
            "unsaved": self.unsaved,
            **self._playing_status(),
            "schedule": self.follower.status() if self.follower is not None else None,
            "sources": sources,
            "screens": {
                "windows": len(self.windows.views),
                "preview": plan.preview,
                "reason": plan.preview_reason or None,
                "undrawn": [view.where() for view in self.windows.undrawn()],
            },
            "node": self._node_status(),
        }

    def _scene_now(self) -> relay.Scene | None:
        """What this node shows, as the leader publishes it (None: on a single PC)."""
        if self.link is None:
            return None
        blank = self.control.blanked
        if self.playing is not None:
            head = self.playing.head
            return relay.Scene(
                leader=self.link.node,
                kind="show",
                name=self.playing.name,
                scene=head.scene,
                started=head.started,
                held_since=head.held_since,
                ended=head.ended,
                blank=blank,
            )
        layout = self.layout or self.settings.layout
        return relay.Scene(
            leader=self.link.node,
            kind="layout",
            name=layout,
            origin=self.origin,
            document=self.tried,
            blank=blank,
        )

    def follow_scene(self, scene: relay.Scene) -> None:
        """Show what the leader shows (a node that starts, or comes back, while the wall runs: the wall
        blacked out or not, an unsaved layout tried), unless this node shows it already or a switch is
        about to change it."""
        if scene.blank != self.control.blanked:
            self.control.blanked = scene.blank
            self._blank_here(scene.blank)
            log.info("node %s blacks the wall out" if scene.blank else "node %s shows the wall", scene.leader)
        mine = self._scene_now()
        if mine is not None and mine.model_copy(update={"leader": scene.leader}) == scene:
            return  # the same already
        if self.unsaved and scene.document is None:
            return  # an unsaved version tried on this node alone, cut off (until the next change)
        if self.switches is not None and self.switches.pending():
            return
        try:
            if scene.kind == "layout":
                opened = self._opened(scene.name, scene.document)
                self._stop_show()
                self.layout, self.origin = scene.name, scene.origin
                self._show(opened)
                self.tried = scene.document
            else:
                playing = open_playing(self.settings, scene.name, scene.started or 0.0, report=False)
                head = Playhead(scene.scene, scene.started or 0.0, scene.held_since, scene.ended)
                self._stop_show()
                self.playing = dataclasses.replace(playing, head=head)
                self._show(self._scene_opened(head.scene))
                self._started_show()
        except WallError as exc:
            log.error("what node %s shows cannot be shown here: %s", scene.leader, exc)
            return
        log.info("showing what node %s shows: %s %s", scene.leader, scene.kind, scene.name)
        self._changed()

    def _showing(self) -> tuple[str | None, dict[str, Any] | None]:
        """What this node shows ("layout hub", "show lobby"), and the last switch it showed."""
        layout = self.layout or self.settings.layout
        shown = f"show {self.playing.name}" if self.playing is not None else f"layout {layout}"
        return shown, self.switches.switched if self.switches is not None else None

    def _node_status(self) -> dict[str, Any] | None:
        """This node's part in the wall, its time base and its last switch (None on a single PC)."""
        if self.link is None:
            return None
        return {
            **self.link.status(),
            "switched": self.switches.switched if self.switches else None,
            "since": self._origin(),
        }

    async def serve(self, quitting: asyncio.Event) -> None:
        """Feed the sources until ``quitting`` is set, through the installation's network settings (the
        system trust store, a company CA, a client certificate, a proxy): one HTTP client shared by all
        sources without TLS settings of their own, and by pictures."""
        async with (
            serving(self.settings, self.feeds, self.images),
            self._controlled() as self.control_url,
            self._linked(),
        ):
            await quitting.wait()

    def _linked(self) -> contextlib.AbstractAsyncContextManager[BrokerLink | None]:
        """This node's link running while the wall serves (nothing on a single PC)."""
        if self.link is None:
            return contextlib.nullcontext()
        from wallapp.live import broker

        return broker.linked(self.link)

    def _controlled(self) -> contextlib.AbstractAsyncContextManager[str | None]:
        """The control API while the wall serves, where the settings turn it on."""
        token = self.settings.control_token()
        where = control.address(self.settings.control.address(), token)
        if where is None or token is None:
            return contextlib.nullcontext()
        from wallapp.live.control import server  # starlette and uvicorn: only for a wall that serves

        return server.serving(self.control, token, *where, self.settings.control_token("read_token"))

    def close(self) -> None:
        """Let go of everything Qt-side now, in order, rather than whenever the garbage collector runs."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.screenAdded.disconnect(self._screens_changed)
            app.screenRemoved.disconnect(self._screens_changed)
        self._screens_settle.stop()
        self._trim.stop()
        self._play.stop()
        self._scene_end.stop()
        self._drop_next(closing=True)
        if self.switches is not None:
            self.switches.close()
        if self.follower is not None:
            self.follower.close()
            self.follower.deleteLater()
        self.power.close()
        self.watcher.close()
        self.windows.close()
        self.scene.dispose()
        for qt_object in (
            self._screens_settle,
            self._trim,
            self._play,
            self._scene_end,
            self.watcher,
            self.images,
            self.scene,
        ):
            qt_object.deleteLater()


def run(
    settings: Settings,
    layout: str | None = None,
    theme: str | None = None,
    kiosk: bool = False,
    show: str | None = None,
    schedule: str | None = None,
    presenter: bool = False,
) -> int:
    """Show a layout (or play a show, or follow a schedule: the settings' when none of them is given) on
    the wall until the user quits (Ctrl+Q in a window, or the exit chord in a kiosk; Ctrl+C in the
    terminal); ``presenter``: the host's window too (``open_presenter``)."""
    if schedule is not None and (layout is not None or show is not None):
        raise ConfigError("--schedule: give a schedule, a layout or a show, not several")
    if schedule is None and layout is None and show is None:
        schedule = settings.schedule
    if schedule is not None:  # refuse a broken schedule before the display
        load_schedule(settings.schedules().path(schedule), settings.shows(), settings.layouts())
    if show is not None:  # refuse a show with nothing to show, or a broken layout, before the display
        open_playing(settings, show, 0.0, report=False)
    else:
        open_layout(settings, layout, theme)
    control.address(settings.control.address(), settings.control_token())  # and an open control API
    if (link := node_link(settings, Feeds(None))) is not None:  # a node of the wall, its login
        from wallapp.live import broker

        run_briefly(broker.check_login(link))
    if kiosk and QKeySequence(settings.kiosk_exit).isEmpty():
        raise ConfigError(
            f"kiosk_exit: {settings.kiosk_exit!r} is not a key chord (such as Ctrl+Alt+Shift+Q)"
        )
    app = application()
    # Every way out (Ctrl+C, SIGTERM, Ctrl+Q, closing a window) asks the loop to wind down: the sources
    # stop and save their data before Qt's loop ends. Qt must not end it first when windows close.
    app.setQuitOnLastWindowClosed(False)
    loop = event_loop(app)
    asyncio.set_event_loop(loop)
    notifier = Notifier.from_environment()  # run by systemd (packaging/systemd): tell it how the wall is
    with loop:
        quitting = asyncio.Event()

        def request_quit() -> None:
            if notifier is not None and not quitting.is_set():
                notifier.stopping()
            quitting.set()

        _quit_on_signals(request_quit)
        app.aboutToQuit.connect(request_quit)  # the desktop session ends
        display = WallDisplay(
            settings, layout, theme, on_quit=request_quit, kiosk=kiosk, show=show, schedule=schedule
        )
        display.show()
        watchdog = _watched_by_systemd(display, notifier) if notifier is not None else None
        host = _presenter_window(display) if presenter else None
        loop.run_until_complete(display.serve(quitting))
        if host is not None:
            host.close()
            host.deleteLater()
        if watchdog is not None:
            watchdog.stop()
            watchdog.deleteLater()
        display.close()
    return 0


def _watched_by_systemd(display: WallDisplay, notifier: Notifier) -> Watchdog:
    """Ready once every window has drawn a whole frame, pings from the UI thread, a status line that
    follows what is shown; a hung wall killed by the watchdog (SIGABRT) prints every thread's stack."""
    watchdog = Watchdog(
        notifier,
        drawn=lambda: bool(display.windows.views) and all(view.drawn for view in display.windows.views),
        status=lambda: status_line(display.status()),
    )
    display.watchers.append(watchdog.changed)
    if notifier.watchdog_s is not None:
        faulthandler.enable(all_threads=True)
    watchdog.start()
    return watchdog


def _presenter_window(display: WallDisplay) -> QWidget:
    from wallapp.presenting import open_presenter  # built on this module: imported when asked for

    return open_presenter(display)


def _quit_on_signals(request_quit: Callable[[], None]) -> None:
    """Ctrl+C or SIGTERM quit cleanly, even before the event loop has started.

    The request is queued, so it runs inside the loop; a short timer lets Python see signals while Qt waits.
    """

    def quit_soon(*_: object) -> None:
        QTimer.singleShot(0, request_quit)

    signal.signal(signal.SIGINT, quit_soon)
    signal.signal(signal.SIGTERM, quit_soon)
    timer = QTimer(QApplication.instance())
    timer.timeout.connect(lambda: None)
    timer.start(250)
