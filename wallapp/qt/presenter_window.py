"""The presenter's window, on the host's own screen (a laptop beside the wall, a touch screen on a lectern).

What the host needs at a glance, standing: the scene on the wall now (a live picture of it), the one that
comes next (a still picture), how long the scene has left, whether the wall is blanked, and the clicker's
controls as large buttons. It is fed, never reaching into the wall: a ``Stage`` says what is on
(``Presenting``, plain data read again at every change and every second), gives the canvas for the live
picture and a still of a scene to come, and takes the host's actions, in the clicker's words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QRect, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QColor, QImage, QPainter, QPaintEvent, QResizeEvent, QScreen
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from wallapp.core.config.theme import Theme
from wallapp.qt.presenter import PresenterKeys
from wallapp.qt.scene import WallScene, paint_mullions
from wallapp.qt.style import Style

REFRESH_MS = 1000
"""The countdown moves on once a second."""
LIVE_FPS = 10
"""How often the live picture of the wall is drawn."""
STILL_AFTER_MS = 1500
"""The next scene's still is drawn a moment after the change: once the wall's new scene is on (and most
cross-fades are over), so that drawing it does not make the wall stutter."""


@dataclass(frozen=True)
class SceneRef:
    number: int
    """As the host counts them: 1 is the show's first scene."""
    title: str


@dataclass(frozen=True)
class Presenting:
    """What the wall shows, as the presenter window tells it."""

    wall: str
    """The title of the layout on the wall."""
    blanked: bool = False
    show: str | None = None
    """The show's name; None when the wall shows a layout and no show plays."""
    scene: SceneRef | None = None
    count: int = 0
    """How many scenes the show has (playable or not)."""
    scenes: tuple[SceneRef, ...] = ()
    """The scenes the host can jump to."""
    upcoming: SceneRef | None = None
    """What ``next`` shows (None: the show stops after this scene)."""
    left_s: float | None = None
    """Seconds before the scene changes by itself, frozen while held (None: it waits for the host)."""
    held: bool = False
    ended: bool = False
    shows: tuple[str, ...] = ()
    """The shows the host can start."""


class Stage(Protocol):
    """What the presenter window needs of the running wall."""

    def presenting(self) -> Presenting: ...

    def canvas(self) -> WallScene:
        """The canvas on the wall now."""
        ...

    def still(self, number: int) -> QImage | str:
        """A picture of scene ``number`` (as the host counts), or what to say instead (being drawn, or why
        it cannot be); asked again after each change and every second."""
        ...

    def release(self) -> None:
        """The window has closed: stop working for it."""
        ...

    def act(self, what: str, number: int | None) -> None:
        """What a clicker's key does: next, previous, first, jump (to ``number``), pause, blank."""
        ...

    def start(self, show: str) -> None:
        """Play ``show`` from its first scene."""
        ...


def clock(seconds: float) -> str:
    """0:42, 12:05, 1:02:03: whole seconds, rounded up (a scene with 0.2 s left still says 0:01)."""
    whole = int(-(-seconds // 1))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class _Colours:
    """The theme's colours as style sheets write them (a theme may give ``#RRGGBBAA``)."""

    def __init__(self, theme: Theme) -> None:
        self.style = Style(theme)

    def __getattr__(self, name: str) -> str:
        c = self.style.colour(name)
        return f"rgba({c.red()}, {c.green()}, {c.blue()}, {c.alpha()})"


def _stylesheet(theme: Theme) -> str:
    p = _Colours(theme)
    family = ", ".join(f'"{f}"' for f in [theme.fonts.family, *theme.fonts.fallbacks])
    return f"""
    PresenterWindow {{ background: {p.background}; }}
    QWidget {{ font-family: {family}; }}
    QLabel {{ color: {p.text}; font-size: 22px; }}
    QLabel[role="caption"] {{ color: {p.text_muted}; font-size: 17px; font-weight: 700;
        letter-spacing: 2px; }}
    QLabel[role="show"] {{ font-size: 30px; font-weight: 700; }}
    QLabel[role="title"] {{ font-size: 30px; font-weight: 700; }}
    QLabel[role="next"] {{ font-size: 24px; font-weight: 600; color: {p.text}; }}
    QLabel[role="clock"] {{ font-size: 84px; font-weight: 700; }}
    QLabel[role="clock"][state="held"] {{ color: {p.warning}; }}
    QLabel[role="clock"][state="soon"] {{ color: {p.accent}; }}
    QLabel[role="clock"][state="idle"] {{ color: {p.text_muted}; font-size: 44px; }}
    QLabel[role="note"] {{ color: {p.text_muted}; font-size: 19px; }}
    QLabel[role="chip"] {{ border-radius: 10px; padding: 6px 16px; font-size: 18px; font-weight: 700;
        background: {p.surface_alt}; color: {p.positive}; }}
    QLabel[role="chip"][state="blanked"] {{ background: {p.critical}; color: {p.background}; }}
    QFrame[role="panel"] {{ background: {p.surface}; border: 2px solid {p.border}; border-radius: 16px; }}
    QFrame[role="panel"] QLabel {{ background: transparent; border: none; }}
    QPushButton {{ background: {p.surface_alt}; color: {p.text}; border: 2px solid {p.border};
        border-radius: 14px; font-size: 24px; font-weight: 700; padding: 10px 22px; min-height: 60px; }}
    QPushButton:pressed {{ background: {p.border}; }}
    QPushButton:disabled {{ color: {p.border}; border-color: {p.surface_alt}; }}
    QPushButton[role="next"] {{ background: {p.accent}; color: {p.background}; border-color: {p.accent};
        font-size: 30px; }}
    QPushButton[role="next"]:disabled {{ background: {p.surface_alt}; color: {p.border};
        border-color: {p.surface_alt}; }}
    QPushButton:checked {{ background: {p.warning}; color: {p.background}; border-color: {p.warning}; }}
    QPushButton[role="blank"]:checked {{ background: {p.critical}; border-color: {p.critical}; }}
    QPushButton[role="scene"] {{ font-size: 22px; min-width: 56px; min-height: 52px; padding: 4px 10px; }}
    QPushButton[role="scene"]:checked {{ background: {p.text}; color: {p.background};
        border-color: {p.text}; }}
    QPushButton[role="start"] {{ font-size: 26px; min-height: 72px; }}
    """


def _label(role: str, text: str = "") -> QLabel:
    label = QLabel(text)
    label.setProperty("role", role)
    return label


def _restyle(widget: QWidget, state: str) -> None:
    """Set the ``state`` the style sheet reads (Qt reads properties again only when asked)."""
    if widget.property("state") != state:
        widget.setProperty("state", state)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


class LiveView(QGraphicsView):
    """The wall's canvas scaled to fit, mullions black, as the audience sees it now.

    Drawn ``LIVE_FPS`` times a second, not at every change of the canvas: a thumbnail needs no 60 fps, and
    the wall's frames stay its own (a ticker otherwise repaints this view too, every frame).
    """

    def __init__(self, scene: WallScene, backdrop: QColor) -> None:
        super().__init__(scene)
        self.wall_scene = scene
        self.backdrop = backdrop
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setInteractive(False)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 120)
        self.setSceneRect(scene.sceneRect())
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.NoViewportUpdate)
        self.frames = QTimer(self)
        self.frames.setInterval(1000 // LIVE_FPS)
        self.frames.timeout.connect(self.viewport().update)
        self.frames.start()

    def set_wall_scene(self, scene: WallScene) -> None:
        self.wall_scene = scene
        self.setScene(scene)
        self.setSceneRect(scene.sceneRect())
        self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        painter.fillRect(rect, self.backdrop)
        painter.fillRect(self.sceneRect().intersected(QRectF(rect)), self.wall_scene.backgroundBrush())

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        paint_mullions(painter, self.wall_scene.wall)


class StillView(QWidget):
    """A picture scaled to fit, centred, or a line saying why there is none."""

    def __init__(self, style: Style) -> None:
        super().__init__()
        self.image: QImage | None = None
        self.message = ""
        self.colours = style.colour("text_muted"), style.colour("surface_alt")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(240, 90)

    def show_image(self, image: QImage | None, message: str = "") -> None:
        if image is not self.image or message != self.message:
            self.image, self.message = image, message
            self.update()

    def sizeHint(self) -> QSize:
        return QSize(480, 180)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if self.image is not None and not self.image.isNull():
            size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(self.rect().center())
            painter.drawImage(target, self.image)
        else:
            muted, fill = self.colours
            painter.fillRect(self.rect(), fill)
            painter.setPen(muted)
            font = painter.font()
            font.setPixelSize(20)
            painter.setFont(font)
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message
            )
        painter.end()


def _panel() -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setProperty("role", "panel")
    box = QVBoxLayout(frame)
    box.setContentsMargins(22, 18, 22, 22)
    box.setSpacing(10)
    return frame, box


class PresenterWindow(QWidget):
    """The host's view of the show and its controls; closing it leaves the wall as it is."""

    def __init__(self, stage: Stage, theme: Theme) -> None:
        """``theme``: the window's colours and fonts (the wall's dark theme: a dim room, a lit face)."""
        super().__init__()
        self.stage = stage
        style = Style(theme)
        self.setWindowTitle("wallapp — presenter")
        self.setStyleSheet(_stylesheet(theme))
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the clicker's keys come here, not to a button
        self.keys = PresenterKeys(self._act)
        self.installEventFilter(self.keys)
        self.state = Presenting(wall="")
        self.closed = False
        """Closed by the host: it no longer reads the wall (which goes on)."""
        self._still_of: tuple[str | None, int] | None = None

        page = QVBoxLayout(self)
        # The window's size is the host's (maximised on its screen): its contents never resize it.
        page.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        page.setContentsMargins(24, 20, 24, 24)
        page.setSpacing(16)
        page.addLayout(self._header())
        body = QHBoxLayout()
        body.setSpacing(16)
        body.addWidget(self._now_panel(style), 3)
        body.addLayout(self._side(style), 2)
        page.addLayout(body, 1)
        self.scene_row = QHBoxLayout()
        self.scene_row.setSpacing(8)
        self.scene_buttons: list[QPushButton] = []
        page.addLayout(self.scene_row)
        self.start_row = QHBoxLayout()
        self.start_row.setSpacing(12)
        self.start_buttons: list[QPushButton] = []
        page.addLayout(self.start_row)
        page.addLayout(self._controls())

        self._tick = QTimer(self)
        self._tick.setInterval(REFRESH_MS)
        self._tick.timeout.connect(self.refresh)
        self._tick.start()
        self._still_timer = QTimer(self)
        self._still_timer.setSingleShot(True)
        self._still_timer.setInterval(STILL_AFTER_MS)
        self._still_timer.timeout.connect(self.load_still)
        self.resize(1280, 800)
        self.refresh()

    def _header(self) -> QHBoxLayout:
        self.show_name = _label("show")
        self.chip = _label("chip")
        header = QHBoxLayout()
        header.addWidget(self.show_name, 1)
        header.addWidget(self.chip)
        return header

    def _now_panel(self, style: Style) -> QFrame:
        """What the wall shows now, live."""
        panel, box = _panel()
        self.now_caption = _label("caption", "ON THE WALL")
        self.now_title = _label("title")
        self.now_title.setWordWrap(True)
        self.live = LiveView(self.stage.canvas(), style.colour("surface"))
        box.addWidget(self.now_caption)
        box.addWidget(self.now_title)
        box.addWidget(self.live, 1)
        return panel

    def _side(self, style: Style) -> QVBoxLayout:
        """What comes next, and when."""
        side = QVBoxLayout()
        side.setSpacing(16)
        next_panel, next_box = _panel()
        self.next_caption = _label("caption", "NEXT")
        self.next_title = _label("next")
        self.next_title.setWordWrap(True)
        self.still = StillView(style)
        next_box.addWidget(self.next_caption)
        next_box.addWidget(self.next_title)
        next_box.addWidget(self.still, 1)
        time_panel, time_box = _panel()
        self.time_caption = _label("caption", "TIME LEFT")
        self.countdown = _label("clock")
        self.note = _label("note")
        self.note.setWordWrap(True)
        time_box.addWidget(self.time_caption)
        time_box.addWidget(self.countdown)
        time_box.addWidget(self.note)
        side.addWidget(next_panel, 3)
        side.addWidget(time_panel, 2)
        return side

    def _controls(self) -> QGridLayout:
        """The clicker's keys as buttons, the one used most the largest."""
        self.previous = self._button("◀  Previous", "previous", "PageUp, Left")
        self.hold = self._button("❚❚  Hold", "pause", "H, Pause: the scene's timer stops, and resumes")
        self.hold.setCheckable(True)
        self.next = self._button("Next  ▶", "next", "PageDown, Right, Space")
        self.next.setProperty("role", "next")
        self.first = self._button("⇤  First", "first", "Home")
        self.blank = self._button("Blank wall", "blank", "B, '.': the wall goes black, and back")
        self.blank.setCheckable(True)
        self.blank.setProperty("role", "blank")
        controls = QGridLayout()
        controls.setHorizontalSpacing(12)
        for column, (button, stretch) in enumerate(
            ((self.first, 2), (self.previous, 3), (self.hold, 3), (self.next, 5), (self.blank, 3))
        ):
            controls.addWidget(button, 0, column)
            controls.setColumnStretch(column, stretch)
        return controls

    def _button(self, text: str, what: str, keys: str) -> QPushButton:
        button = QPushButton(text)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setToolTip(keys)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        button.clicked.connect(lambda: self._act(what, None))
        return button

    def _act(self, what: str, number: int | None) -> None:
        self.stage.act(what, number)
        self.refresh()

    def _start(self, show: str) -> None:
        self.stage.start(show)

    def place_on(self, screen: QScreen) -> None:
        """Fill the free area of ``screen`` (the host's own), as a maximised ordinary window."""
        self.setScreen(screen)
        self.setGeometry(screen.availableGeometry())

    def refresh(self) -> None:
        """Read what the wall shows and say it; called at every change of the show and every second."""
        if self.closed:
            return
        state = self.stage.presenting()
        canvas = self.stage.canvas()
        if self.live.scene() is not canvas:
            self.live.set_wall_scene(canvas)
        if state.scenes != self.state.scenes:
            self._scene_buttons(state.scenes)
        if state.shows != self.state.shows:
            self._start_buttons(state.shows)
        self.state = state
        self._say(state)
        key = (state.show, state.upcoming.number) if state.upcoming is not None else None
        if key is None:
            self._still_of = None
            self.still.show_image(None, self._no_next(state))
        elif key != self._still_of:
            self._still_of = key
            self.still.show_image(None)
            self._still_timer.start()
        elif not self._still_timer.isActive():
            self.load_still()  # the stage keeps it: cheap, and a reloaded layout is drawn again

    def load_still(self) -> None:
        if self._still_of is not None:
            number = self._still_of[1]
            still = self.stage.still(number)
            if isinstance(still, QImage):
                self.still.show_image(still)
            else:
                self.still.show_image(None, still)

    @staticmethod
    def _no_next(state: Presenting) -> str:
        if state.show is None:
            return "Start a show below"
        if state.ended:
            return "The show has ended; its last scene stays on the wall"
        return "After this scene the show stops, and the scene stays on the wall"

    def _say(self, state: Presenting) -> None:
        self.chip.setText("WALL BLANKED" if state.blanked else "ON AIR")
        _restyle(self.chip, "blanked" if state.blanked else "live")
        self.blank.setChecked(state.blanked)
        self.blank.setText("Show wall" if state.blanked else "Blank wall")
        playing = state.show is not None and state.scene is not None
        for button in (self.previous, self.hold, self.next, self.first):
            button.setEnabled(playing)
        self.hold.setChecked(state.held)
        self.hold.setText("▶  Resume" if state.held else "❚❚  Hold")
        if state.show is None or state.scene is None:
            self.show_name.setText("No show playing")
            self.now_caption.setText("ON THE WALL")
            self.now_title.setText(state.wall)
            self.next_title.setText("—")
            self.countdown.setText("—")
            _restyle(self.countdown, "idle")
            self.note.setText("The wall shows a layout. Start a show to present it scene by scene.")
            return
        scene = state.scene
        self.show_name.setText(state.show)
        self.now_caption.setText(f"ON THE WALL · SCENE {scene.number} OF {state.count}")
        self.now_title.setText(scene.title)
        upcoming = state.upcoming
        if upcoming is not None:
            self.next_caption.setText(f"NEXT · SCENE {upcoming.number}")
            self.next_title.setText(upcoming.title)
        else:
            self.next_caption.setText("NEXT")
            self.next_title.setText("Nothing: the show has ended" if state.ended else "Nothing: last scene")
        self.next.setEnabled(upcoming is not None)
        for button, ref in zip(self.scene_buttons, state.scenes, strict=True):
            button.setChecked(ref.number == scene.number)
        self._say_time(state)

    def _say_time(self, state: Presenting) -> None:
        after = (
            f"then scene {state.upcoming.number} comes on"
            if state.upcoming is not None
            else "then the show ends"
        )
        if state.ended:
            self.countdown.setText("Ended")
            _restyle(self.countdown, "idle")
            self.note.setText("The last scene stays on the wall. First or a scene number starts again.")
        elif state.left_s is None:
            self.countdown.setText("No timer")
            _restyle(self.countdown, "idle")
            self.note.setText("This scene stays on until you move on.")
        elif state.held:
            self.countdown.setText(clock(state.left_s))
            _restyle(self.countdown, "held")
            self.note.setText("Held: the scene stays on until you resume.")
        else:
            self.countdown.setText(clock(state.left_s))
            _restyle(self.countdown, "soon" if state.left_s <= 10 else "running")
            self.note.setText(f"{after[0].upper()}{after[1:]} by itself.")

    def _scene_buttons(self, scenes: tuple[SceneRef, ...]) -> None:
        """One button per scene the host can jump to."""
        _clear(self.scene_row)
        self.scene_buttons = []
        for ref in scenes:
            button = QPushButton(str(ref.number))
            button.setProperty("role", "scene")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setToolTip(f"{ref.title} (keys: {ref.number} then Enter)")
            button.clicked.connect(_jump(self._act, ref.number))
            self.scene_row.addWidget(button)
            self.scene_buttons.append(button)
        if scenes:
            self.scene_row.addStretch(1)

    def _start_buttons(self, shows: tuple[str, ...]) -> None:
        """One button per show the host can start (while no show plays)."""
        _clear(self.start_row)
        self.start_buttons = []
        for name in shows:
            button = QPushButton(f"▶  Start {name}")
            button.setProperty("role", "start")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(_starter(self._start, name))
            self.start_row.addWidget(button)
            self.start_buttons.append(button)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the host's window leaves the wall running; it stops reading the wall."""
        if not self.closed:
            self.closed = True
            self.stage.release()
            self.live.frames.stop()
            self._tick.stop()
            self._still_timer.stop()
        super().closeEvent(event)


def _clear(row: QHBoxLayout) -> None:
    while (item := row.takeAt(0)) is not None:
        if (widget := item.widget()) is not None:
            widget.deleteLater()


def _jump(act: Callable[[str, int | None], None], number: int) -> Callable[[], None]:
    return lambda: act("jump", number)


def _starter(start: Callable[[str], None], name: str) -> Callable[[], None]:
    return lambda: start(name)
