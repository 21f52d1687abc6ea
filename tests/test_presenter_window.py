"""The presenter window: the host's screen beside the wall, on a show played with an injected clock."""

from __future__ import annotations

import json
import logging
import signal
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot
from servers import Clock, until
from test_cli import HERE, _wait_for, wallapp
from windows_kit import whole

from wallapp.app import WallDisplay
from wallapp.core.config.settings import load_settings
from wallapp.presenting import STILL_WIDTH_PX, open_presenter
from wallapp.qt.presenter_window import PresenterWindow, clock

RunAsync = Callable[[Coroutine[Any, Any, Any]], Any]
WriteJson = Callable[[str, object], Path]
LEFT = Qt.MouseButton.LeftButton


class Ticks:
    """The seconds a test moves by hand (the wall's ``ticks``)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _qt(qapp: QApplication) -> None:
    """Every test here builds a wall."""


def write_layouts(write_json: WriteJson, grid: tuple[int, int] = (3, 2)) -> None:
    """Layouts ``one``, ``two``, ``three``: a text saying the name, each on its own background colour."""
    for name, colour in (("one", "#3A0A0A"), ("two", "#0A3A12"), ("three", "#0A1A3A")):
        widget = {"id": "t", "kind": "text", "place": {"screen": [0, 1]}, "options": {"text": name.upper()}}
        write_json(f"{name}-theme.json", {"name": name, "palette": {**DARK, "background": colour}})
        layout = {"name": name.capitalize(), "grid": grid, "theme": f"{name}-theme.json", "widgets": [widget]}
        write_json(f"{name}.json", layout)


@pytest.fixture
def folder(tmp_path: Path, write_json: WriteJson) -> Path:
    """The layouts, and in ``shows/`` the show ``tour``: one for 10 s, two until the host moves on, three
    for 30 s, then it stops."""
    write_layouts(write_json)
    scenes = [
        {"layout": "one", "duration": 10},
        {"layout": "two", "title": "Second", "duration": "hold"},
        {"layout": "three", "duration": 30},
    ]
    (tmp_path / "shows").mkdir()
    write_json("shows/tour.json", {"name": "Tour", "end": "stop", "scenes": scenes})
    return tmp_path


DARK = {
    "background": "#0A0E15",
    "surface": "#131A25",
    "surface_alt": "#1B2432",
    "text": "#F3F6FA",
    "text_muted": "#A7B3C5",
    "accent": "#3FA2FF",
    "positive": "#34D399",
    "warning": "#FBBF24",
    "critical": "#F87171",
    "border": "#243043",
}


def wall(
    folder: Path, show: str | None, ticks: Ticks, quits: list[str] | None = None, **settings: Any
) -> WallDisplay:
    config = load_settings(layouts_dirs=[folder], shows_dirs=[folder / "shows"], layout="one", **settings)
    display = WallDisplay(
        config, now=Clock(), show=show, ticks=ticks, on_quit=lambda: (quits or []).append("quit")
    )
    display.show()
    return display


@pytest.fixture
def presented(folder: Path) -> Iterator[tuple[WallDisplay, PresenterWindow, Ticks]]:
    """The tour on the wall, and its presenter window."""
    ticks = Ticks()
    display = wall(folder, "tour", ticks)
    window = open_presenter(display)
    yield display, window, ticks
    window.close()
    window.deleteLater()
    display.close()


def on_wall(display: WallDisplay) -> str:
    return whole(display).loaded.path.stem


def live_colour(window: PresenterWindow) -> str:
    """The colour of the live picture in the middle of the wall's top row."""
    canvas = window.live.sceneRect()
    where = window.live.mapFromScene(QPointF(canvas.width() / 2, canvas.height() / 4))
    return window.live.grab().toImage().pixelColor(where).name()


def held(display: WallDisplay) -> bool:
    assert display.playing is not None
    return display.playing.head.held


def said(window: PresenterWindow) -> tuple[str, str, str, str, str]:
    """What the window says: the scene now, its title, the next one, the time left, and the note under it."""
    return (
        window.now_caption.text(),
        window.now_title.text(),
        window.next_title.text(),
        window.countdown.text(),
        window.note.text(),
    )


def test_time_left_is_whole_seconds_rounded_up() -> None:
    assert [clock(s) for s in (0, 0.2, 9.9, 42, 60, 605, 3723.5)] == [
        "0:00",
        "0:01",
        "0:10",
        "0:42",
        "1:00",
        "10:05",
        "1:02:04",
    ]


def test_it_says_what_is_on_what_comes_next_and_the_time_left(
    presented: tuple[WallDisplay, PresenterWindow, Ticks], qtbot: QtBot
) -> None:
    display, window, ticks = presented
    assert window.show_name.text() == "Tour"
    assert said(window) == (
        "ON THE WALL · SCENE 1 OF 3",
        "One",
        "Second",
        "0:10",
        "Then scene 2 comes on by itself.",
    )
    assert window.live.scene() is display.scene  # the live picture is the wall's own canvas
    assert live_colour(window) == "#3a0a0a"
    ticks.now += 4.5
    window._tick.timeout.emit()  # the window's second
    assert window.countdown.text() == "0:06"
    ticks.now += 5.5
    display.advance()  # the wall moves on: the window follows at once
    assert said(window) == (
        "ON THE WALL · SCENE 2 OF 3",
        "Second",
        "Three",
        "No timer",
        "This scene stays on until you move on.",
    )
    assert window.live.scene() is display.scene
    assert on_wall(display) == "two"
    assert live_colour(window) == "#0a3a12"  # scene two's background, in the middle of the top row
    display.step("next")
    assert said(window)[1:4] == ("Three", "Nothing: last scene", "0:30")
    assert window.note.text() == "Then the show ends by itself."
    display.step("hold")
    ticks.now += 100
    window._tick.timeout.emit()
    assert (window.countdown.text(), window.hold.text(), window.hold.isChecked()) == (
        "0:30",
        "▶  Resume",
        True,
    )
    display.step("resume")
    ticks.now += 30
    display.advance()
    assert said(window)[1:4] == ("Three", "Nothing: the show has ended", "Ended")
    assert not window.next.isEnabled()


def test_the_next_scene_is_shown_as_a_still_picture_drawn_once(
    presented: tuple[WallDisplay, PresenterWindow, Ticks], qtbot: QtBot
) -> None:
    """Scene two's own background colour fills its picture (the first scene's is another)."""
    display, window, _ = presented
    window.load_still()  # now, rather than once the wall's change is well over
    assert (window.still.image, window.still.message) == (None, "Drawing the scene…")  # on a worker thread
    qtbot.waitUntil(lambda: window.still.image is not None, timeout=30_000)
    image = window.still.image
    assert image is not None
    canvas = display.scene.wall.canvas
    assert (image.width(), image.height()) == (
        STILL_WIDTH_PX,
        round(canvas.height * STILL_WIDTH_PX / canvas.width),
    )
    assert image.pixelColor(5, 5).name() == "#0a3a12"
    assert window.stage.still(2) is image  # drawn once, kept
    display.step("next")
    window.load_still()
    qtbot.waitUntil(
        lambda: window.still.image is not None and window.still.image.pixelColor(5, 5).name() == "#0a1a3a",
        timeout=30_000,
    )
    display.step("next")  # the last scene: nothing comes next, and the picture says so
    assert window.still.image is None
    assert window.still.message == "After this scene the show stops, and the scene stays on the wall"


def test_the_buttons_move_the_show_and_blank_the_wall(
    presented: tuple[WallDisplay, PresenterWindow, Ticks],
) -> None:
    display, window, ticks = presented

    def click(button: QPushButton) -> str:
        QTest.mouseClick(button, LEFT)
        return on_wall(display)

    assert [click(window.next), click(window.next), click(window.previous)] == ["two", "three", "two"]
    assert click(window.first) == "one"
    assert [b.text() for b in window.scene_buttons] == ["1", "2", "3"]
    assert click(window.scene_buttons[2]) == "three"
    assert [b.isChecked() for b in window.scene_buttons] == [False, False, True]
    click(window.scene_buttons[0])
    click(window.hold)
    assert held(display)
    ticks.now += 60
    display.advance()
    assert on_wall(display) == "one"  # held
    click(window.hold)
    assert not held(display)
    click(window.blank)
    assert (display.control.blanked, "blank" in display.scene.overlays) == (True, True)
    assert (window.chip.text(), window.blank.text(), window.blank.isChecked()) == (
        "WALL BLANKED",
        "Show wall",
        True,
    )
    click(window.blank)
    assert (display.control.blanked, window.chip.text()) == (False, "ON AIR")
    display.blank(True)  # blanked another way (the control API): the window says so too
    assert window.chip.text() == "WALL BLANKED"


def test_a_clickers_keys_work_on_the_presenter_window(
    presented: tuple[WallDisplay, PresenterWindow, Ticks],
) -> None:
    display, window, _ = presented
    K = Qt.Key

    def press(*keys: Qt.Key) -> str:
        for key in keys:
            QTest.keyClick(window, key)
        return on_wall(display)

    assert [press(K.Key_PageDown), press(K.Key_Space), press(K.Key_PageUp)] == ["two", "three", "two"]
    assert press(K.Key_3, K.Key_Return) == "three"
    assert press(K.Key_Home) == "one"
    assert window.now_title.text() == "One"
    press(K.Key_B)
    assert (display.control.blanked, window.chip.text()) == (True, "WALL BLANKED")


def test_it_opens_on_a_screen_the_wall_does_not_use(
    folder: Path, write_json: WriteJson, caplog: pytest.LogCaptureFixture, qtbot: QtBot
) -> None:
    """A 2 x 2 wall on four of the six screens: the first free one in reading order is WALL-2."""
    write_layouts(write_json, grid=(2, 2))
    caplog.set_level(logging.INFO)
    outputs = ["WALL-0", "WALL-1", "WALL-3", "WALL-4"]
    display = wall(folder, "tour", Ticks(), wall={"columns": 2, "rows": 2, "outputs": outputs})
    window = open_presenter(display)
    try:
        assert sorted(view.screen().name() for view in display.windows.views) == outputs
        qtbot.waitExposed(window)
        assert window.screen().name() == "WALL-2"
        assert QRect(3840, 0, 1920, 1080).contains(window.geometry())
        assert caplog.records[-1].getMessage() == "presenter window on WALL-2, a screen the wall does not use"
        # The wall's screens change (WALL-2 is now the wall's): the window moves off it.
        outputs = ["WALL-0", "WALL-1", "WALL-2", "WALL-3"]
        display.settings = load_settings(
            layouts_dirs=[folder],
            shows_dirs=[folder / "shows"],
            wall={"columns": 2, "rows": 2, "outputs": outputs},
        )
        display.reload()
        display.replan()
        assert sorted(view.screen().name() for view in display.windows.views) == outputs
        assert window.screen().name() == "WALL-4"
        assert QRect(1920, 1080, 1920, 1080).contains(window.geometry())
        display.step("next")  # on a free screen already: it stays
        assert window.screen().name() == "WALL-4"
    finally:
        window.close()
        display.close()


@pytest.mark.parametrize(
    ("preview", "why"), [(False, "every screen is the wall's"), (True, "the wall is a preview window")]
)
def test_with_no_screen_to_spare_it_is_an_ordinary_window_and_says_so(
    folder: Path, caplog: pytest.LogCaptureFixture, preview: bool, why: str
) -> None:
    display = wall(folder, "tour", Ticks(), window=preview)
    window = open_presenter(display)
    try:
        assert window.isVisible()
        assert not window.isFullScreen()
        [line] = [
            r.getMessage()
            for r in caplog.records
            if r.levelno == logging.WARNING and "presenter" in r.getMessage()
        ]
        assert line == f"{why}: the presenter window is an ordinary window, on {window.screen().name()}"
    finally:
        window.close()
        display.close()


def test_closing_it_leaves_the_wall_running(folder: Path) -> None:
    ticks, quits = Ticks(), list[str]()
    display = wall(folder, "tour", ticks, quits)
    window = open_presenter(display)
    try:
        window.close()
        assert not window.isVisible()
        assert quits == []
        assert all(view.isVisible() for view in display.windows.views)
        ticks.now += 10
        display.advance()  # the show goes on; the closed window no longer follows it
        assert on_wall(display) == "two"
        assert window.now_title.text() == "One"
    finally:
        window.deleteLater()
        display.close()


def test_with_no_show_playing_it_offers_the_shows(folder: Path, run_async: RunAsync) -> None:
    display = wall(folder, None, Ticks())
    window = open_presenter(display)
    try:
        assert (window.show_name.text(), window.now_title.text()) == ("No show playing", "One")
        moves = (window.previous, window.hold, window.next, window.first)
        assert not any(b.isEnabled() for b in moves)
        assert window.still.message == "Start a show below"
        assert window.blank.isEnabled()
        assert window.scene_buttons == []
        starts = {b.text(): b for b in window.start_buttons}
        assert list(starts) == ["▶  Start lobby", "▶  Start tour", "▶  Start visitor-demo"]  # and the shipped
        QTest.mouseClick(starts["▶  Start tour"], LEFT)
        run_async(until(lambda: display.playing is not None, "the show to start"))
        assert (window.show_name.text(), window.now_title.text(), on_wall(display)) == ("Tour", "One", "one")
        assert window.start_buttons == []
        assert window.next.isEnabled()
        run_async(display.switch("three"))  # the operator switches to a layout: the show stops
        assert (window.show_name.text(), window.now_title.text()) == ("No show playing", "Three")
    finally:
        window.close()
        window.deleteLater()
        display.close()


def test_a_show_that_cannot_start_is_one_line_in_the_log(
    folder: Path, write_json: WriteJson, run_async: RunAsync, caplog: pytest.LogCaptureFixture
) -> None:
    write_json("shows/broken.json", {"name": "Broken", "scenes": [{"layout": "gone", "duration": 5}]})
    display = wall(folder, None, Ticks())
    window = open_presenter(display)
    try:
        assert window.start_buttons[0].text() == "▶  Start broken"
        QTest.mouseClick(window.start_buttons[0], LEFT)
        run_async(until(lambda: any(r.levelno == logging.ERROR for r in caplog.records), "the error"))
        errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert errors[-1].endswith("(the wall keeps what it shows)")
        assert (display.playing, window.show_name.text()) == (None, "No show playing")
    finally:
        window.close()
        window.deleteLater()
        display.close()


def test_the_picture_shows_the_window(
    presented: tuple[WallDisplay, PresenterWindow, Ticks], tmp_path: Path
) -> None:
    """A rendering test: the window is drawn in its dark theme, the next button in the accent colour."""
    _, window, _ = presented
    picture: QImage = window.grab().toImage()
    assert picture.pixelColor(3, 3).name() == "#0a0e15"
    centre = window.next.mapTo(window, window.next.rect().center())
    assert picture.pixelColor(centre.x() - window.next.width() // 3, centre.y()).name() == "#3fa2ff"


def test_wallapp_run_presenter_opens_it_on_the_laptop_screen_beside_the_wall(tmp_path: Path) -> None:
    """The whole command: six wall screens and a laptop's below them; quits cleanly on SIGTERM."""
    platform = json.loads((HERE / "six-screens.json").read_text())
    laptop = {**platform["screens"][0], "name": "LAPTOP", "x": 0, "y": 2160, "width": 1280, "height": 800}
    platform["screens"].append(laptop)
    (tmp_path / "seven-screens.json").write_text(json.dumps(platform))
    env = {"QT_QPA_PLATFORM": f"offscreen:configfile={tmp_path / 'seven-screens.json'}"}
    proc = wallapp("run", "-v", "--show", "visitor-demo", "--presenter", env=env)
    seen = _wait_for(proc, "presenter window on")
    assert seen[-1] == "wallapp: presenter window on LAPTOP, a screen the wall does not use"
    assert any(line.endswith("on 6 window(s)") for line in seen)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "Traceback" not in err


def test_a_next_scene_that_cannot_be_drawn_says_so_in_one_line(
    presented: tuple[WallDisplay, PresenterWindow, Ticks],
    folder: Path,
    qtbot: QtBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Scene two's theme broken since the show started: no picture, and one line in the log."""
    _, window, _ = presented
    (folder / "two-theme.json").write_text("{", encoding="utf-8")
    window.load_still()
    qtbot.waitUntil(lambda: window.still.message != "Drawing the scene…", timeout=30_000)
    assert (window.still.image, window.still.message) == (None, "No picture of this scene (see the log)")
    [line] = [
        r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "picture" in r.getMessage()
    ]
    assert line.startswith(f"no picture of scene 2 for the presenter: {folder / 'two-theme.json'}: ")
    assert window.next_title.text() == "Second"
