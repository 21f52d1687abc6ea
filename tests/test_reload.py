"""Editing the layout while the wall runs: good edits appear, broken ones are refused and the wall stays."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from windows_kit import showing

from wallapp import app
from wallapp.app import WallDisplay
from wallapp.core.config.settings import load_settings


def layout(title: str) -> dict[str, Any]:
    return {
        "name": "Live",
        "widgets": [
            {"id": "t", "kind": "text", "place": {"screen": [0, 0]}, "options": {"text": title}},
        ],
    }


@pytest.fixture
def display(tmp_path: Path, qtbot: QtBot) -> Any:
    path = tmp_path / "live.json"
    path.write_text(json.dumps(layout("First")))
    shown = WallDisplay(load_settings(), str(path))
    shown.show()
    yield shown
    shown.close()


def title(display: WallDisplay) -> str:
    return display.scene.items_by_id["t"].spec.options.text  # type: ignore[union-attr]


def test_a_saved_change_appears_in_the_same_windows(display: WallDisplay, qtbot: QtBot) -> None:
    views = list(display.windows.views)
    display.opened.loaded.path.write_text(json.dumps(layout("Second")))
    qtbot.waitUntil(lambda: title(display) == "Second", timeout=5000)
    assert display.windows.views == views
    qtbot.waitUntil(lambda: showing(display, display.scene))  # the cut reaches the windows one a frame


def test_a_broken_change_is_reported_and_the_wall_keeps_the_last_good_layout(
    display: WallDisplay, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    path = display.opened.loaded.path
    scene = display.scene
    path.write_text('{"name": "Live", "widgets": [')
    qtbot.waitUntil(
        lambda: any("keeps the previous version" in r.message for r in caplog.records), timeout=5000
    )
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.getMessage().startswith(f"{path}: line 1, column 30: invalid JSON")
    assert display.scene is scene
    assert title(display) == "First"
    # Fixed again: the wall follows, without a restart.
    path.write_text(json.dumps(layout("Fixed")))
    qtbot.waitUntil(lambda: title(display) == "Fixed", timeout=5000)


def test_a_file_replaced_by_rename_is_still_watched(
    display: WallDisplay, qtbot: QtBot, tmp_path: Path
) -> None:
    path = display.opened.loaded.path
    for text in ("Renamed once", "Renamed twice"):
        fresh = tmp_path / "live.json.tmp"
        fresh.write_text(json.dumps(layout(text)))
        fresh.replace(path)

        def shown(text: str = text) -> bool:
            return title(display) == text

        qtbot.waitUntil(shown, timeout=5000)


def test_a_theme_file_next_to_the_layout_is_found_and_watched(
    tmp_path: Path, qtbot: QtBot, layouts: Path
) -> None:
    theme = json.loads((layouts.parent / "themes" / "dark.json").read_text())
    (tmp_path / "brand.json").write_text(json.dumps(theme))
    path = tmp_path / "branded.json"
    path.write_text(json.dumps({**layout("Branded"), "theme": "brand.json"}))
    shown = WallDisplay(load_settings(), str(path))
    try:
        assert shown.opened.theme_path == tmp_path / "brand.json"
        theme["palette"]["background"] = "#202020"
        (tmp_path / "brand.json").write_text(json.dumps(theme))
        qtbot.waitUntil(lambda: shown.scene.wall_style.theme.palette.background == "#202020", timeout=5000)
    finally:
        shown.close()


@pytest.mark.parametrize(
    ("depth", "where"),
    [
        (600, "sources.api.body[0][0][0][0][0]...: "),  # valid to Python, breaks when the source is set up
        (100_000, ""),  # past Python's recursion limit
    ],
)
def test_a_layout_nested_too_deeply_is_one_line_never_a_traceback(
    display: WallDisplay, qtbot: QtBot, caplog: pytest.LogCaptureFixture, depth: int, where: str
) -> None:
    path = display.opened.loaded.path
    source = {"kind": "http", "url": "https://api.example/q", "method": "POST", "body": "DEEP"}
    deep = "[" * depth + "]" * depth
    text = json.dumps({**layout("Deep"), "sources": {"api": {**source, "mapping": {"record": "post"}}}})
    path.write_text(text.replace('"DEEP"', deep))
    qtbot.waitUntil(
        lambda: any("keeps the previous version" in r.message for r in caplog.records), timeout=5000
    )
    [record] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert record.getMessage() == (
        f"{path}: {where}nested too deeply (more than 64 levels) (the wall keeps the previous version)"
    )
    assert not record.exc_info
    assert title(display) == "First"


def test_a_scene_that_cannot_be_built_leaves_the_shown_one_whole(
    display: WallDisplay, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A fault while the new canvas is built (a bug, not the file): the canvas on the wall is not taken
    apart first, its widgets stay bound to their sources, one line says so."""
    scene = display.scene
    item = scene.items_by_id["t"]

    def broken(*_: object, **__: object) -> None:
        raise OSError(36, "File name too long")

    monkeypatch.setattr(app, "build_scene", broken)
    display.opened.loaded.path.write_text(json.dumps(layout("Second")))
    assert display.reload() is False
    assert display.scene is scene
    assert all(view.scene() is scene for view in display.windows.canvas_views())
    assert scene._freshness.isActive(), "the shown canvas was disposed"
    assert (title(display), item.scene()) == ("First", scene)
    [line] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert line.endswith("cannot be shown: internal error (OSError) (the wall keeps the previous version)")
