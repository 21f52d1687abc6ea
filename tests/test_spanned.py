"""Spanned displays: one output showing the whole wall (Mosaic, Eyefinity, a wall controller), or part of it.

The one-screen configurations run in a process of their own (tests/spanned_probe.py): Qt reads its screens
once per process, and this session has six.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from spanned_probe import assert_same_picture_cell_by_cell, in_own_process, probe

from wallapp.app import build_scene, open_layout
from wallapp.bench.wall import offscreen_platform, offscreen_screens
from wallapp.core.config.outputs import Output, surface
from wallapp.core.config.settings import load_settings
from wallapp.core.view.geometry import Wall, WallSpec
from wallapp.qt.views import SpannedView


def screens_config(tmp_path: Path, *screens: tuple[str, int, int, int, int]) -> str:
    return offscreen_screens(list(screens), tmp_path)


@pytest.mark.parametrize(
    ("size", "left_of_second_column"),
    [((5760, 2160), 1920), ((5772, 2166), 1926)],
    ids=["without-mullions", "with-mullions"],
)
def test_one_screen_the_size_of_the_wall_shows_it_whole(
    tmp_path: Path, size: tuple[int, int], left_of_second_column: int
) -> None:
    report = probe(screens_config(tmp_path, ("MOSAIC", 0, 0, *size)))
    assert report["preview"] == ""
    [window] = report["windows"]
    assert window["type"] == "SpannedView"
    assert window["geometry"] == [0, 0, *size]
    assert window["fullscreen"]
    assert window["picture"] == list(size)
    assert window["cells"]["1,0"]["tile"] == [left_of_second_column, 0, 1920, 1080]
    assert_same_picture_cell_by_cell(window)


def test_a_screen_of_another_size_previews_and_says_why(tmp_path: Path) -> None:
    report = probe(screens_config(tmp_path, ("LAPTOP", 0, 0, 2560, 1600)))
    [window] = report["windows"]
    assert window["type"] == "PreviewView"
    assert report["preview"] == (
        "the 3x2 wall needs 6 screens, 1 found (2560x1600, not the wall's 5772x2166 with mullions or "
        "5760x2160 without, nor a uniform scale of either); showing a preview window"
    )


def test_two_spanned_groups_side_by_side(tmp_path: Path) -> None:
    platform = screens_config(tmp_path, ("LEFT", 0, 0, 3846, 2166), ("RIGHT", 3846, 0, 1920, 2160))
    spans = [
        {"output": "LEFT", "columns": 2, "bezel_corrected": True},
        {"output": "RIGHT", "column": 2, "bezel_corrected": False},
    ]
    report = probe(platform, WALLAPP_WALL__SPANS=json.dumps(spans))
    left, right = report["windows"]
    assert (left["screen"], left["geometry"]) == ("LEFT", [0, 0, 3846, 2166])
    assert (right["screen"], right["geometry"]) == ("RIGHT", [3846, 0, 1920, 2160])
    assert sorted(left["cells"]) == ["0,0", "0,1", "1,0", "1,1"]
    assert right["cells"]["2,1"]["tile"] == [0, 1080, 1920, 1080]
    for window in (left, right):
        assert all(cell["differing"] < 0.01 for cell in window["cells"].values())


def test_a_controller_input_is_scaled_onto_the_wall(tmp_path: Path) -> None:
    report = probe(screens_config(tmp_path, ("HDMI-1", 0, 0, 3840, 2160)), WALLAPP_WALL__SPANS="[{}]")
    [window] = report["windows"]
    assert window["cells"]["2,1"]["tile"] == [2560, 1080, 1280, 1080]
    assert_same_picture_cell_by_cell(window, tolerance=0.03)  # resampled: more edge pixels differ


class Paints(QObject):
    """Counts paint events per watched widget."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: dict[int, int] = {}

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.counts[id(watched)] = self.counts.get(id(watched), 0) + 1
        return False


def test_a_change_repaints_only_the_tile_it_touches_and_ctrl_q_quits(
    qtbot: QtBot, write_json: Callable[[str, object], Path]
) -> None:
    still = {
        "name": "Still",
        "widgets": [{"id": "t", "kind": "text", "place": {"screen": [0, 0]}, "options": {"text": "Hello"}}],
    }
    scene = build_scene(open_layout(load_settings(), str(write_json("still.json", still))))
    screen = QApplication.screens()[0]
    shown = surface(Wall(WallSpec()), Output(screen.name(), 0, 0, 1920, 1080), (0, 0, 3, 2))
    asked: list[bool] = []
    window = SpannedView(scene, shown, screen, lambda: asked.append(True))
    window.showFullScreen()
    try:
        qtbot.waitExposed(window)
        paints = Paints()
        for tile in window.tiles:
            tile.viewport().installEventFilter(paints)
        qtbot.waitUntil(lambda: window.drawn)  # every tile's first frame is in
        QApplication.processEvents()
        paints.counts.clear()
        corner = window.tiles[4].tile.cell.rect  # screen [1, 1]
        scene.update(corner.x + 10, corner.y + 10, 50, 50)
        qtbot.waitUntil(lambda: bool(paints.counts))
        QApplication.processEvents()  # any other paint the update caused is delivered now
        assert paints.counts == {id(window.tiles[4].viewport()): 1}
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        QTest.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: asked == [True], timeout=2000)
    finally:
        window.close()
        scene.dispose()


def test_wallapp_screens_says_the_wall_is_spanned_and_where_each_screen_goes(tmp_path: Path) -> None:
    platform = screens_config(tmp_path, ("MOSAIC", 0, 0, 5772, 2166))
    result = in_own_process(["-m", "wallapp", "screens"], platform)
    lines = result.stdout.splitlines()
    assert "spanned: MOSAIC (5772x2166) shows 3x2 screens, the driver hides the mullions" in lines
    assert "  wall screen [2, 1] (canvas 3852,1086 1920x1080) -> MOSAIC at 3852,1086 1920x1080" in lines
    assert "preview" not in result.stdout


def test_the_bench_measures_a_spanned_wall_on_screens_of_the_spans_sizes(tmp_path: Path) -> None:

    spec = WallSpec.model_validate(
        {"spans": [{"output": "LEFT", "columns": 2, "bezel_corrected": True}, {"column": 2}]}
    )
    platform = offscreen_platform(spec, tmp_path)
    screens = json.loads(Path(platform.split("configfile=")[1]).read_text())["screens"]
    assert [(s["name"], s["x"], s["y"], s["width"], s["height"]) for s in screens] == [
        ("LEFT", 0, 0, 3846, 2166),
        ("SPAN-1", 3852, 0, 1920, 2160),
    ]
