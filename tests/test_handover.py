"""A cut reaches the windows a few a frame (``wallapp.qt.handover``): each window shows the old scene or
the new one, never a deleted one, and the old scene goes once the last window has the new. The test's wall
is six 1080p screens, handed over two a frame as if they were larger (a wall of six 1080p screens changes
at once, one of 4K panels a screen a frame)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from test_crossfade import text_everywhere
from windows_kit import showing

from wallapp import app
from wallapp.app import WallDisplay
from wallapp.core.config.settings import load_settings
from wallapp.qt.handover import PIXELS_PER_FRAME, groups
from wallapp.qt.scene import WallScene

TWO_SCREENS = 2 * 1920 * 1080


@pytest.fixture
def display(tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> Iterator[WallDisplay]:
    monkeypatch.setattr(app, "PIXELS_PER_FRAME", TWO_SCREENS)
    for name in ("one", "two", "three"):
        (tmp_path / f"{name}.json").write_text(json.dumps(text_everywhere(name)))
    shown = WallDisplay(load_settings(layouts_dirs=[tmp_path], layout="one"))
    shown.show()
    qtbot.waitUntil(lambda: all(view.drawn for view in shown.windows.views))
    yield shown
    shown.close()


def handed(display: WallDisplay, scene: WallScene) -> int:
    return sum(view.scene() is scene for view in display.windows.canvas_views())


def gone(scene: WallScene) -> list[bool]:
    """Fills with True when ``scene`` is deleted."""
    deleted: list[bool] = []
    scene.destroyed.connect(lambda: deleted.append(True))
    return deleted


def noting(order: list[int], index: int, switch: Callable[[WallScene], None]) -> Callable[[WallScene], None]:
    def noted(scene: WallScene) -> None:
        order.append(index)
        switch(scene)

    return noted


def test_a_cut_reaches_the_windows_two_1080p_screens_a_frame_in_reading_order(
    display: WallDisplay, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = display.scene
    order: list[int] = []
    for index, view in enumerate(display.windows.views):
        monkeypatch.setattr(view, "set_wall_scene", noting(order, index, view.set_wall_scene))
    display.put_layout("two")
    new = display.scene
    assert new is not old
    deleted_when: list[int] = []
    old.destroyed.connect(lambda: deleted_when.append(handed(display, new)))
    assert handed(display, old) == 6  # built: the windows take it from the next frame on
    handover = display.windows.handover
    assert handover is not None
    assert [len(group) for group in handover.waiting] == [2, 2, 2]
    qtbot.waitUntil(lambda: showing(display, new))
    assert order == [0, 1, 2, 3, 4, 5]
    qtbot.waitUntil(lambda: bool(deleted_when))
    assert deleted_when == [6]  # deleted once no window shows it, not before


class Sized:
    def __init__(self, pixels: int) -> None:
        self.size = pixels

    def set_wall_scene(self, scene: WallScene) -> None:
        raise AssertionError("not handed anything here")

    def pixels(self) -> int:
        return self.size


def test_groups_hold_at_most_the_pixels_of_a_frame_and_a_larger_window_alone() -> None:
    hd, uhd = Sized(1920 * 1080), Sized(3840 * 2160)
    assert [len(g) for g in groups([hd] * 6, PIXELS_PER_FRAME)] == [6]  # at once, as a plain cut
    assert [len(g) for g in groups([uhd] * 6, PIXELS_PER_FRAME)] == [1] * 6
    assert [len(g) for g in groups([hd] * 6, TWO_SCREENS)] == [2, 2, 2]
    assert [len(g) for g in groups([hd, uhd, hd, hd, hd], TWO_SCREENS)] == [1, 1, 2, 1]
    assert groups([], PIXELS_PER_FRAME) == []


def test_a_window_waiting_for_the_cut_still_paints_the_old_scene(display: WallDisplay) -> None:
    last = display.windows.canvas_views()[5]
    old_text = last.grab().toImage()
    display.put_layout("two")
    assert last.scene() is not display.scene
    again = last.grab().toImage()
    assert again == old_text  # the old scene's picture, whole: not blank, not half-built


def test_another_change_during_a_cut_finishes_it_at_once(display: WallDisplay, qtbot: QtBot) -> None:
    first = display.scene
    first_gone = gone(first)
    display.put_layout("two")
    second = display.scene
    second_gone = gone(second)
    display.put_layout("three")
    third = display.scene
    assert handed(display, first) == 0  # the first cut finished at once: no window is left on it
    assert handed(display, second) == 6  # until the next frames hand the third over
    qtbot.waitUntil(lambda: showing(display, third))
    qtbot.waitUntil(lambda: bool(first_gone) and bool(second_gone))


def test_the_windows_closing_during_a_cut_let_both_scenes_go(display: WallDisplay, qtbot: QtBot) -> None:
    old_gone = gone(display.scene)
    display.put_layout("two")
    display.windows.close()
    qtbot.waitUntil(lambda: bool(old_gone))
