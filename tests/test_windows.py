"""Six real QScreens (offscreen multi-screen platform): one window per screen, each its own rectangle."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

import pytest
from PySide6.QtCore import QMessageLogContext, Qt, QtMsgType
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from wallapp.app import BLANK_AFTER_S, WallWindows, build_scene, open_layout
from wallapp.core.config.outputs import Output, surface
from wallapp.core.config.settings import load_settings
from wallapp.core.view.geometry import ScreenSpec, Wall, WallSpec
from wallapp.qt import application, snapshot
from wallapp.qt.views import PreviewView, ScreenView, SpannedView

FIXED = datetime(2026, 11, 22, 9, 41, 0, tzinfo=UTC)


def hub_scene(**settings: Any) -> Any:
    return build_scene(open_layout(load_settings(**settings), "hub"), now=lambda: FIXED)


def differing_pixels(a: QImage, b: QImage, step: int = 7) -> float:
    a = a.convertToFormat(QImage.Format.Format_RGB32)
    b = b.convertToFormat(QImage.Format.Format_RGB32)
    assert a.size() == b.size()
    samples = [(x, y) for x in range(0, a.width(), step) for y in range(0, a.height(), step)]
    return sum(a.pixel(x, y) != b.pixel(x, y) for x, y in samples) / len(samples)


def test_the_platform_gives_six_screens(qapp: Any) -> None:
    assert [s.name() for s in QGuiApplication.screens()] == [f"WALL-{i}" for i in range(6)]


def test_run_opens_one_window_per_screen_showing_its_own_rectangle(qtbot: QtBot) -> None:
    scene = hub_scene()
    windows = WallWindows(scene, preview=False)
    assert not windows.plan.preview
    windows.show()
    try:
        assert len(windows.views) == 6
        whole = snapshot.render(scene)
        for index, view in enumerate(windows.views):
            assert isinstance(view, ScreenView)
            qtbot.waitExposed(view)
            screen = view.screen()
            assert screen.name() == f"WALL-{index}"
            assert view.geometry() == screen.geometry()
            assert view.isFullScreen()
            cell = view.cell.rect
            assert view.mapToScene(0, 0).toTuple() == (cell.x, cell.y)
            shown = view.grab().toImage()
            expected = whole.copy(int(cell.x), int(cell.y), int(cell.width), int(cell.height))
            # Same picture as the canvas at that rectangle (a few antialiased edge pixels may differ).
            assert differing_pixels(shown, expected) < 0.01, screen.name()
        # And the screens really differ: each window is not showing the same rectangle.
        first, second = (v.grab().toImage() for v in windows.views[:2])
        assert differing_pixels(first, second) > 0.05
    finally:
        windows.close()


def test_screens_with_more_pixels_than_the_wall_spec_are_scaled_to_fit(qtbot: QtBot) -> None:
    half = ScreenSpec(width_px=960, height_px=540, gap_px=(3, 3))
    scene = hub_scene(wall=WallSpec(screen=half))
    windows = WallWindows(scene, preview=False)
    windows.show()
    try:
        view = windows.views[4]
        assert isinstance(view, ScreenView)
        qtbot.waitExposed(view)
        assert view.transform().m11() == 2.0
        assert view.mapToScene(view.viewport().rect().bottomRight()).toTuple() == (
            963 + 959.5,
            543 + 539.5,
        )  # screen [1, 1]
    finally:
        windows.close()


def test_preview_shows_the_whole_canvas_in_one_window(qtbot: QtBot) -> None:
    scene = hub_scene()
    windows = WallWindows(scene, preview=True)
    windows.show()
    try:
        [view] = windows.views
        assert isinstance(view, PreviewView)
        qtbot.waitExposed(view)
        assert "preview" in view.windowTitle()
        visible = view.mapToScene(view.viewport().rect()).boundingRect()
        assert visible.contains(view.sceneRect().adjusted(1, 1, -1, -1))
    finally:
        windows.close()


def test_ctrl_q_in_a_wall_window_asks_to_quit(qtbot: QtBot) -> None:
    asked: list[bool] = []
    windows = WallWindows(hub_scene(), preview=True, on_quit=lambda: asked.append(True))
    windows.show()
    try:
        [view] = windows.views
        view.activateWindow()
        qtbot.waitUntil(view.isActiveWindow)
        QTest.keyClick(view, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: asked == [True], timeout=2000)
        windows.close()  # closed by wallapp itself: not a request to quit
        assert asked == [True]
    finally:
        windows.close()


def test_a_kiosk_ignores_stray_keys_and_quits_only_on_its_chord(qtbot: QtBot) -> None:
    asked: list[bool] = []
    windows = WallWindows(
        hub_scene(), preview=True, on_quit=lambda: asked.append(True), exit_chord="Ctrl+Alt+Shift+Q"
    )
    windows.show()
    try:
        [view] = windows.views
        assert isinstance(view, PreviewView)
        view.activateWindow()
        qtbot.waitUntil(view.isActiveWindow)
        assert view.isFullScreen()  # even a preview: nothing of the desktop shows
        assert view.cursor().shape() == Qt.CursorShape.BlankCursor
        view.resetTransform()  # the canvas at full size in the window: arrows would scroll it
        view.centerOn(view.sceneRect().center())
        where = view.horizontalScrollBar().value(), view.verticalScrollBar().value()
        for key in (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_PageDown, Qt.Key.Key_End, Qt.Key.Key_F11):
            QTest.keyClick(view, key)
        QTest.keyClick(view, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        QGuiApplication.processEvents()
        assert (view.horizontalScrollBar().value(), view.verticalScrollBar().value()) == where
        assert view.isFullScreen()
        assert asked == []
        chord = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        QTest.keyClick(view, Qt.Key.Key_Q, chord | Qt.KeyboardModifier.ShiftModifier)
        qtbot.waitUntil(lambda: asked == [True], timeout=2000)
    finally:
        windows.close()


class Clock:
    """Seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def blank_reports(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "drawn" in r.getMessage()]


def test_a_window_that_has_drawn_nothing_is_reported_once_with_its_screen_and_output(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    windows = WallWindows(hub_scene(), preview=False, ticks=clock)
    windows.show()  # no event is processed yet: nothing is painted
    try:
        clock.t += BLANK_AFTER_S - 1
        windows.check_drawn()
        assert windows.undrawn() == []
        assert blank_reports(caplog) == []
        clock.t += 1
        windows.check_drawn()
        windows.check_drawn()
        assert windows.undrawn() == windows.views
        reports = blank_reports(caplog)
        assert reports == [
            f"screen [{i % 3}, {i // 3}] (output WALL-{i}) has drawn nothing 5 s after it was shown: "
            "that screen is blank"
            for i in range(6)
        ]
        caplog.clear()
        qtbot.waitUntil(lambda: all(view.drawn for view in windows.views))
        windows.check_drawn()
        assert windows.undrawn() == []
        assert len(blank_reports(caplog)) == 6
        assert all(r.endswith("has drawn at last") for r in blank_reports(caplog))
    finally:
        windows.close()


def test_only_a_paint_of_the_whole_output_counts_as_a_frame(qtbot: QtBot) -> None:
    windows = WallWindows(hub_scene(), preview=False)
    windows.show()
    try:
        view = windows.views[1]
        assert isinstance(view, ScreenView)
        qtbot.waitUntil(lambda: view.drawn)
        view.drawn = False  # as if that first frame had never come
        view.viewport().repaint(0, 0, 10, 10)  # part of a frame is not a frame
        assert not view.drawn
        view.viewport().repaint()
        assert view.drawn
    finally:
        windows.close()


def test_a_spanned_output_has_drawn_once_every_tile_has(qtbot: QtBot) -> None:
    screen = QGuiApplication.screens()[0]
    shown = surface(Wall(WallSpec()), Output(screen.name(), 0, 0, 1920, 1080), (0, 0, 3, 2))
    window = SpannedView(hub_scene(), shown, screen, lambda: None)
    assert not window.drawn
    window.showFullScreen()
    try:
        qtbot.waitUntil(lambda: window.drawn)
        window.tiles[4].drawn = False  # one screen of the six not drawn: the output is not
        assert not window.drawn
        assert window.where() == "spanned output WALL-0"
    finally:
        window.close()


def test_a_wall_that_draws_every_screen_reports_nothing(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    windows = WallWindows(hub_scene(), preview=True, ticks=clock)
    windows.show()
    try:
        qtbot.waitUntil(lambda: windows.views[0].drawn)
        clock.t += 60
        windows.check_drawn()
        assert windows.undrawn() == []
        assert blank_reports(caplog) == []
    finally:
        windows.close()


def test_qt_wayland_warnings_of_a_working_wall_go_to_debug_others_stay_warnings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def route(category: str, message: str) -> int:
        caplog.clear()
        context = cast(QMessageLogContext, SimpleNamespace(category=category))
        with caplog.at_level(logging.DEBUG, "wallapp.qt"):
            application._route(QtMsgType.QtWarningMsg, context, message)
        [record] = caplog.records
        return record.levelno

    zero = "Configure event with maximized or fullscreen state contains invalid width: 0"
    assert route("qt.qpa.wayland", zero) == logging.DEBUG
    assert route("qt.qpa.wayland.textinput", "Trying to disable 0x5 but 0x0 is focused") == logging.DEBUG
    assert route("qt.qpa.wayland", "Could not create EGL context") == logging.WARNING
    assert route("qt.qpa.xcb", zero) == logging.WARNING
