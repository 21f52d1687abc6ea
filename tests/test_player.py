"""A show on the running wall: its scenes in turn as the playhead says, on an injected clock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QGraphicsRectItem
from servers import Clock, serving, until, while_serving
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from test_control import TOKEN, serve
from windows_kit import whole

from wallapp import app, cli
from wallapp.app import WallDisplay
from wallapp.core.config.settings import load_settings
from wallapp.core.config.widgets import Widget
from wallapp.core.config.widgets.basic import TextOptions
from wallapp.errors import ShowError
from wallapp.live.runner import SourceRunner
from wallapp.qt import widgets
from wallapp.qt.frames import FrameClock
from wallapp.qt.scene import WallScene
from wallapp.qt.widgets import WidgetItem

RunAsync = Callable[[Coroutine[Any, Any, Any]], Any]
WriteJson = Callable[[str, object], Path]


class Ticks:
    """The seconds a test moves by hand (the wall's ``ticks``)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def text(id_: str, words: str) -> dict[str, Any]:
    return {"id": id_, "kind": "text", "place": {"screen": [0, 1]}, "options": {"text": words}}


def scene(layout: str, duration: float | str = 10, **more: Any) -> dict[str, Any]:
    return {"layout": layout, "duration": duration, **more}


@pytest.fixture(autouse=True)
def _qt(qapp: QApplication) -> None:
    """Every test here builds a wall."""


@pytest.fixture
def layouts(tmp_path: Path, write_json: WriteJson) -> Path:
    """Layouts ``one``, ``two``, ``three`` (each a text saying its name) and ``broken``."""
    for name in ("one", "two", "three"):
        write_json(f"{name}.json", {"name": name.capitalize(), "widgets": [text("t", f"Layout {name}")]})
    write_json("broken.json", {"name": "Broken", "widgets": [{"id": "x"}]})
    return tmp_path


def wall(folder: Path, show: str | None, ticks: Ticks, kiosk: bool = False) -> WallDisplay:
    """A wall on the layouts and shows of ``folder`` playing ``show`` (None: showing ``one``), its
    control API on a free port of 127.0.0.1."""
    control = {"listen": "127.0.0.1:0", "token": TOKEN}
    settings = load_settings(layouts_dirs=[folder], shows_dirs=[folder], layout="one", control=control)
    display = WallDisplay(settings, now=Clock(), show=show, ticks=ticks, kiosk=kiosk)
    display.show()
    return display


def on_wall(display: WallDisplay) -> str:
    """The layout the wall shows whole (its scene under every window, or on its way), by file name."""
    return whole(display).loaded.path.stem


def built_ahead(display: WallDisplay) -> WallScene | None:
    return display.built_ahead


def shown_text(display: WallDisplay) -> str:
    [widget] = display.scene.loaded.layout.widgets
    assert isinstance(widget.options, TextOptions)
    return widget.options.text


@pytest.mark.parametrize(("end", "after"), [("loop", "one"), ("stop", "three")])
def test_scenes_follow_each_other_on_the_clock(
    layouts: Path, write_json: WriteJson, end: str, after: str
) -> None:
    write_json(
        "tour.json", {"name": "Tour", "end": end, "scenes": [scene("one"), scene("two", 5), scene("three")]}
    )
    ticks = Ticks()
    display = wall(layouts, "tour", ticks)
    try:
        seen = [on_wall(display)]
        for step in (9.9, 0.1, 5, 10, 9.9):
            ticks.now += step
            display.advance()
            seen.append(on_wall(display))
        assert seen == ["one", "one", "two", "three", after, after]
    finally:
        display.close()


def test_the_next_scene_is_built_ahead_and_only_swapped_in_at_its_instant(
    layouts: Path, write_json: WriteJson
) -> None:
    write_json("tour.json", {"name": "Tour", "scenes": [scene("one"), scene("two"), scene("three")]})
    ticks = Ticks()
    display = wall(layouts, "tour", ticks)
    try:
        ticks.now += 10 - app.BUILD_AHEAD_S + 0.1
        display.advance()
        built = display.built_ahead
        assert built is not None
        assert (built.loaded.path.stem, on_wall(display)) == ("two", "one")
        ticks.now += app.BUILD_AHEAD_S
        display.advance()
        assert display.scene is built
        assert on_wall(display) == "two"
        # Stepped to the scene built ahead: on a single PC the host's step swaps in that very scene.
        ticks.now += 10 - app.BUILD_AHEAD_S
        display.advance()
        ahead = display.built_ahead
        assert ahead is not None
        display.step("next")
        assert display.built_ahead is None
        assert on_wall(display) == "three"
        assert display.scene is ahead
        # Stepped elsewhere: the scene built ahead is let go of, the step's scene built.
        ticks.now += app.HOST_AHEAD_S
        display.advance()
        ahead = built_ahead(display)  # (a function: mypy keeps the property narrowed to None above)
        assert ahead is not None
        assert ahead.loaded.path.stem == "one"
        display.step("previous")
        assert on_wall(display) == "two"
        assert display.scene is not ahead
    finally:
        display.close()


def test_a_scenes_sources_run_until_its_end_though_the_next_is_built_ahead(
    tmp_path: Path, write_json: WriteJson
) -> None:
    for name in ("one", "two"):
        widget = text("t", f"Layout {name}")
        write_json(f"{name}.json", {"name": name, "sources": {name: {"kind": "demo"}}, "widgets": [widget]})
    write_json("tour.json", {"name": "Tour", "scenes": [scene("one"), scene("two")]})
    ticks = Ticks()
    display = wall(tmp_path, "tour", ticks)
    try:
        ticks.now += 9
        display.advance()
        assert display.built_ahead is not None
        assert set(display.feeds.stores()) == {"one", "two"}  # the next scene's opened, the one on's kept
        display.step("hold")  # on a single PC the scene built ahead is kept, and its source
        assert set(display.feeds.stores()) == {"one", "two"}
        display.step("resume")
        display.advance()
        ticks.now += 1
        display.advance()
        assert on_wall(display) == "two"
        assert set(display.feeds.stores()) == {"two"}
    finally:
        display.close()


def test_a_scene_shows_its_layout_with_its_overrides(layouts: Path, write_json: WriteJson) -> None:
    show = {
        "name": "Tour",
        "scenes": [scene("one", overrides={"t": {"text": "Welcome, visitors"}}), scene("two")],
    }
    write_json("tour.json", show)
    ticks = Ticks()
    display = wall(layouts, "tour", ticks)
    try:
        assert (on_wall(display), shown_text(display)) == ("one", "Welcome, visitors")
        ticks.now += 10
        display.advance()
        assert (on_wall(display), shown_text(display)) == ("two", "Layout two")
    finally:
        display.close()


def test_a_broken_scene_is_skipped_in_one_line(
    layouts: Path, write_json: WriteJson, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_json("tour.json", {"name": "Tour", "scenes": [scene("broken"), scene("two"), scene("gone")]})
    caplog.set_level(logging.INFO)
    ticks = Ticks()
    display = wall(layouts, "tour", ticks)
    try:
        skipped = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(skipped) == 2
        assert skipped[0].startswith(f"{path}: scene 1 (broken) skipped: scenes[0].layout: ")
        assert skipped[1].startswith(f"{path}: scene 3 (gone) skipped: scenes[2].layout: ")
        assert on_wall(display) == "two"
        ticks.now += 10
        display.advance()
        assert on_wall(display) == "two"  # the only playable scene, again
    finally:
        display.close()


def test_a_show_with_nothing_to_show_refuses_to_start(
    layouts: Path, write_json: WriteJson, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_json("tour.json", {"name": "Tour", "scenes": [scene("broken"), scene("gone")]})
    with pytest.raises(ShowError) as raised:
        wall(layouts, "tour", Ticks())
    assert str(raised.value) == f"{path}: scenes: none of its 2 scene(s) can be shown"
    assert cli.main(["run", "--show", str(path)]) == cli.EXIT_ERROR
    err = capsys.readouterr().err  # (ends with) the one line: what is wrong, with nothing else after it
    assert err.splitlines()[-1] == f"wallapp: {path}: scenes: none of its 2 scene(s) can be shown"


def test_a_source_shared_by_two_scenes_keeps_running(
    run_async: RunAsync, tmp_path: Path, write_json: WriteJson, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scenes one and two declare the same source: its runner is not started again at the change (it
    keeps its connection and timers); scene three's differs, and is."""
    asked: list[str] = []
    started: list[str] = []
    start = SourceRunner.start

    def counted(runner: SourceRunner) -> asyncio.Task[None]:
        started.append(str(runner.spec.url))  # type: ignore[union-attr]
        return start(runner)

    monkeypatch.setattr(SourceRunner, "start", counted)

    async def data(request: Request) -> JSONResponse:
        asked.append(request.url.query)
        return JSONResponse({"kpis": [{"metric": "response_rate", "value": 0.9}]})

    with serving(Starlette(routes=[Route("/data", data)])) as base:

        def layout(name: str, version: int) -> None:
            source = {
                "kind": "http",
                "url": f"{base}/data?v={version}",
                "interval": 3600,
                "mapping": {"record": "metric", "items": "kpis"},
            }
            widget = text("t", f"Layout {name}")
            write_json(f"{name}.json", {"name": name, "sources": {"feed": source}, "widgets": [widget]})

        layout("one", 1)
        layout("two", 1)
        layout("three", 2)
        write_json("tour.json", {"name": "Tour", "scenes": [scene("one"), scene("two"), scene("three")]})
        ticks = Ticks()
        display = wall(tmp_path, "tour", ticks)

        async def steps() -> None:
            await until(lambda: asked == ["v=1"], "the first poll")
            for _ in range(2):
                ticks.now += 10
                display.advance()
            assert on_wall(display) == "three"
            await until(lambda: "v=2" in asked, "scene three's source")
            assert asked == ["v=1", "v=2"]
            assert [url.rpartition("?")[2] for url in started] == ["v=1", "v=2"]

        while_serving(run_async, display, steps)


def test_the_control_api_starts_and_steps_a_show(
    run_async: RunAsync, layouts: Path, write_json: WriteJson, capsys: pytest.CaptureFixture[str]
) -> None:
    write_json(
        "tour.json", {"name": "Tour", "scenes": [scene("one"), scene("two", "hold"), scene("three", 30)]}
    )
    ticks = Ticks()
    display = wall(layouts, None, ticks)

    async def steps(client: httpx.AsyncClient) -> None:
        status = (await client.get("/status")).json()
        assert (status["show"], status["scene"], status["time_left_s"]) == (None, None, None)
        answer = await client.post("/next")
        assert (answer.status_code, answer.json()) == (409, {"error": "next: no show running"})
        assert (await client.post("/show", json={"name": "nowhere"})).status_code == 404
        answer = await client.post("/show", json={"title": "tour"})
        assert answer.status_code == 422
        assert "body.name" in answer.json()["error"]
        assert (await client.post("/show", json={"name": "tour"})).json() == {"show": "tour"}
        ticks.now += 4
        status = (await client.get("/status")).json()
        assert (status["show"], status["layout"], status["time_left_s"]) == ("tour", "one", 6)
        assert status["scene"] == {"number": 1, "of": 3, "title": "One", "held": False, "ended": False}
        await client.post("/next")
        status = (await client.get("/status")).json()
        assert (on_wall(display), status["scene"]["number"], status["time_left_s"]) == ("two", 2, None)
        await client.post("/next")
        ticks.now += 10
        await client.post("/hold")
        status = (await client.get("/status")).json()
        assert (status["scene"]["held"], status["time_left_s"]) == (True, None)
        ticks.now += 100  # held: the scene stays
        display.advance()
        assert on_wall(display) == "three"
        await client.post("/resume")
        assert (await client.get("/status")).json()["time_left_s"] == 20
        await client.post("/previous")
        assert on_wall(display) == "two"
        where = ["ctl", "--url", str(display.control_url), "--token", TOKEN]
        assert await asyncio.to_thread(cli.main, [*where, "show", "tour"]) == 0
        assert capsys.readouterr().out == "playing tour\n"
        assert on_wall(display) == "one"
        assert await asyncio.to_thread(cli.main, [*where, "status"]) == 0
        assert "show: tour, scene 1 of 3 (One), 10 s left" in capsys.readouterr().out
        # Switching to a layout stops the show.
        await client.post("/layout", json={"layout": "three"})
        assert (await client.get("/status")).json()["show"] is None

    serve(run_async, display, steps)


@pytest.mark.parametrize("kiosk", [False, True])
def test_a_clickers_keys_drive_the_show_on_any_window(
    layouts: Path, write_json: WriteJson, caplog: pytest.LogCaptureFixture, kiosk: bool
) -> None:
    """In a kiosk too, where every other key is ignored."""
    write_json("tour.json", {"name": "Tour", "scenes": [scene("one"), scene("two", "hold"), scene("three")]})
    ticks = Ticks()
    display = wall(layouts, "tour", ticks, kiosk)
    K = Qt.Key

    def press(*keys: Qt.Key) -> str:
        for key in keys:
            QTest.keyClick(display.windows.views[-1], key)
        return on_wall(display)

    try:
        assert [press(K.Key_PageDown), press(K.Key_Right), press(K.Key_Space)] == ["two", "three", "one"]
        assert [press(K.Key_PageUp), press(K.Key_Left), press(K.Key_Home)] == ["three", "two", "one"]
        assert press(K.Key_3, K.Key_Return) == "three"
        assert press(K.Key_X, K.Key_Escape, K.Key_Down) == "three"  # stray keys: nothing
        assert press(K.Key_2, K.Key_X, K.Key_Return) == "three"  # another key between: no jump
        assert press(K.Key_9, K.Key_Enter) == "three"
        assert caplog.records[-1].getMessage().endswith("no scene 9 (scenes 1 to 3)")
        press(K.Key_1, K.Key_Return, K.Key_H)
        ticks.now += 100
        display.advance()
        assert on_wall(display) == "one"  # held
        assert display.playing is not None
        assert display.playing.head.held
        press(K.Key_H)
        ticks.now += 9.9
        display.advance()
        assert on_wall(display) == "one"  # resumed: the scene gets back the 10 s it had left
        ticks.now += 0.1
        display.advance()
        assert on_wall(display) == "two"
        press(K.Key_B)
        assert (display.control.blanked, "blank" in display.scene.overlays) == (True, True)
        press(K.Key_Period)
        assert (display.control.blanked, "blank" in display.scene.overlays) == (False, False)
    finally:
        display.close()


def test_an_edited_scene_layout_is_shown_with_the_scenes_overrides(
    layouts: Path, write_json: WriteJson, caplog: pytest.LogCaptureFixture
) -> None:
    show = {"name": "Tour", "scenes": [scene("one", overrides={"t": {"text": "Welcome"}}), scene("two")]}
    write_json("tour.json", show)
    ticks = Ticks()
    display = wall(layouts, "tour", ticks)
    try:
        write_json("one.json", {"name": "One again", "widgets": [text("t", "Layout one")]})
        assert display.reload()
        assert (display.scene.loaded.layout.name, shown_text(display)) == ("One again", "Welcome")
        write_json("one.json", {"name": "One", "widgets": [{"id": "x"}]})
        assert not display.reload()
        assert caplog.records[-1].getMessage().endswith("(the wall keeps the previous version)")
        assert (display.scene.loaded.layout.name, shown_text(display)) == ("One again", "Welcome")
        ticks.now += 10
        display.advance()  # the show goes on
        assert on_wall(display) == "two"
    finally:
        display.close()


def test_a_scene_that_fails_to_build_is_one_line_and_the_wall_keeps_what_it_shows(
    layouts: Path, write_json: WriteJson, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    write_json("tour.json", {"name": "Tour", "scenes": [scene("one"), scene("two"), scene("three")]})
    ticks = Ticks()
    display = wall(layouts, "tour", ticks)
    try:
        shown = display.scene

        def broken(*_: object, **__: object) -> None:
            raise OSError(36, "File name too long")

        with monkeypatch.context() as patch:
            patch.setattr(app, "build_scene", broken)
            ticks.now += 10
            display.advance()  # on the show's timer: no traceback may leave it
        assert display.scene is shown
        assert on_wall(display) == "one"
        errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert errors == [
            "scene 2 (Two) cannot be shown: internal error (OSError) (the wall keeps what it shows)"
        ]
        ticks.now += 10
        display.advance()  # the show goes on
        assert on_wall(display) == "three"
    finally:
        display.close()


def test_a_show_imports_the_widget_kinds_of_all_its_scenes_when_it_starts(
    layouts: Path, write_json: WriteJson, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kind imported when a scene first shows it costs that scene change its import (the chart's
    pyqtgraph: 0.3 to 0.7 s); a show imports its scenes' kinds as it starts."""
    clock = {"id": "c", "kind": "clock", "place": {"screen": [1, 0]}}
    write_json("later.json", {"name": "Later", "widgets": [text("t", "Layout later"), clock]})
    write_json("tour.json", {"name": "Tour", "scenes": [scene("one"), scene("later")]})
    loaded: list[str] = []

    def item_class(kind: type[Widget]) -> type[WidgetItem]:
        loaded.append(kind.__name__)
        return widgets.item_class(kind)

    monkeypatch.setattr(app, "item_class", item_class)
    display = wall(layouts, "tour", Ticks())
    try:
        assert on_wall(display) == "one"
        assert "ClockWidget" in loaded  # the second scene's clock, before the second scene shows
    finally:
        display.close()


def test_a_held_scene_has_the_hosts_next_built_ahead(layouts: Path, write_json: WriteJson) -> None:
    """A clicker's next swaps in a scene built (and its data bound) while the host talked: the step does
    not wait for a build."""
    write_json("tour.json", {"name": "Tour", "scenes": [scene("one", "hold"), scene("two", "hold")]})
    ticks = Ticks()
    display = wall(layouts, "tour", ticks)
    try:
        display.advance()
        assert built_ahead(display) is None  # not while the scene comes on
        ticks.now += app.HOST_AHEAD_S
        display.advance()
        ahead = built_ahead(display)
        assert ahead is not None
        assert ahead.loaded.path.stem == "two"
        frames = ahead.context.frames
        assert frames is not None
        held = [frames.held]  # nothing of it repaints while it waits
        display.step("hold")
        display.step("resume")
        assert built_ahead(display) is ahead
        display.step("next")
        assert display.scene is ahead
        held.append(frames.held)
        assert held == [True, False]
        assert on_wall(display) == "two"
    finally:
        display.close()


def test_a_frame_clock_held_does_not_tick_and_ticks_again_when_let_go(qapp: QApplication) -> None:
    frames = FrameClock(16)
    item = QGraphicsRectItem(0, 0, 10, 10)
    frames.hold(True)
    frames.animate(item, True)
    ticking = [frames.ticking]
    frames.hold(False)
    ticking.append(frames.ticking)
    frames.hold(True)
    ticking.append(frames.ticking)
    frames.animate(item, False)
    frames.hold(False)
    ticking.append(frames.ticking)  # nothing moves
    assert ticking == [False, True, False, False]
