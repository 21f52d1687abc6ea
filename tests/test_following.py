"""A running wall following its schedule on an injected clock: window edges, midnight, an operator's
override, edits of the schedule file, a screens-off window."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from servers import Clock
from test_control import TOKEN, serve
from test_player import Ticks, on_wall, scene, text
from test_power import FakeX

from wallapp import app, cli
from wallapp.app import WallDisplay
from wallapp.core.config.settings import load_settings
from wallapp.qt.power import ScreenPower, XsetSaver, XsetSleeper

RunAsync = Callable[[Coroutine[Any, Any, Any]], Any]
WriteJson = Callable[[str, object], Path]
PARIS = ZoneInfo("Europe/Paris")

DAYS: dict[str, Any] = {
    "name": "Days",
    "timezone": "Europe/Paris",
    "windows": [
        {"start": "08:00", "end": "19:00", "layout": "one"},
        {"start": "19:00", "end": "02:00", "show": "tour"},
        {"start": "02:00", "end": "06:00", "off": True},
    ],
    "otherwise": {"layout": "three"},
}


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _qt(qapp: QApplication) -> None:
    """Every test here builds a wall."""


@pytest.fixture
def folder(tmp_path: Path, write_json: WriteJson) -> Path:
    """Layouts ``one``, ``two``, ``three`` (a text saying its name) and ``broken``, the show ``tour``
    (scenes one and two, 10 s each) and the schedule ``days``."""
    for name in ("one", "two", "three"):
        write_json(f"{name}.json", {"name": name.capitalize(), "widgets": [text("t", f"Layout {name}")]})
    write_json("broken.json", {"name": "Broken", "widgets": [{"id": "x"}]})
    write_json("tour.json", {"name": "Tour", "scenes": [scene("one"), scene("two")]})
    write_json("days.json", DAYS)
    return tmp_path


def wall(folder: Path, clock: Clock, ticks: Ticks | None = None, schedule: str = "days") -> WallDisplay:
    control = {"listen": "127.0.0.1:0", "token": TOKEN}
    settings = load_settings(
        layouts_dirs=[folder], shows_dirs=[folder], schedules_dirs=[folder], layout="two", control=control
    )
    display = WallDisplay(settings, now=clock, ticks=ticks or Ticks(), schedule=schedule)
    display.show()
    return display


def at(display: WallDisplay, clock: Clock, instant: datetime) -> str:
    """Set the clock, check the schedule as its timer does; what the wall shows then."""
    clock.now = instant
    assert display.follower is not None
    display.follower.check()
    return on_wall(display)


def playing(display: WallDisplay) -> str | None:
    """The show the wall plays (None: a layout)."""
    return display.playing.name if display.playing is not None else None


def black(display: WallDisplay) -> bool:
    """Every window of the wall shows nothing but black."""
    for view in display.windows.canvas_views():
        image = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        rows = np.frombuffer(image.constBits(), np.uint32).reshape(image.height(), -1)
        if (rows[:, : image.width()] & 0xFFFFFF).any():  # 0xffRRGGBB: any colour but black
            return False
    return True


def test_the_wall_follows_its_windows_across_midnight(folder: Path) -> None:
    clock, ticks = Clock(), Ticks()
    clock.now = paris(2, 18, 59)
    display = wall(folder, clock, ticks)
    try:
        assert (on_wall(display), playing(display)) == ("one", None)  # the schedule's, not the settings'
        assert (at(display, clock, paris(2, 19)), playing(display)) == ("one", "tour")  # its first scene
        ticks.now += 10
        display.advance()
        assert on_wall(display) == "two"
        assert at(display, clock, paris(3, 0, 30)) == "two"  # past midnight: the same show goes on
        assert at(display, clock, paris(3, 1, 59)) == "two"
        assert (at(display, clock, paris(3, 2)), display.dark) == ("two", True)  # off: kept, black
        assert (at(display, clock, paris(3, 6)), display.dark, playing(display)) == ("three", False, None)
        assert at(display, clock, paris(3, 8)) == "one"
    finally:
        display.close()


def test_the_wall_changes_by_itself_on_its_timer(folder: Path, qtbot: QtBot) -> None:
    clock = Clock()
    clock.now = paris(2, 7, 59)
    display = wall(folder, clock)
    try:
        assert on_wall(display) == "three"
        clock.now = paris(2, 8)
        qtbot.waitUntil(lambda: on_wall(display) == "one", timeout=5000)
    finally:
        display.close()


def test_an_operators_switch_holds_until_the_next_edge(
    run_async: RunAsync, folder: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = Clock()
    clock.now = paris(2, 10)
    display = wall(folder, clock)
    caplog.set_level(logging.INFO)

    async def steps(client: httpx.AsyncClient) -> None:
        status = (await client.get("/status")).json()
        assert status["schedule"] == {
            "name": "days",
            "title": "Days",
            "file": str(folder / "days.json"),
            "window": 0,
            "kind": "layout",
            "showing": "one",
            "until": paris(2, 19).isoformat(),
            "overridden": False,
            "failed": False,
        }
        await client.post("/layout", json={"layout": "two"})
        assert "layout two put on by hand: schedule days takes over again at 2026-12-02 19:00" in [
            record.getMessage() for record in caplog.records
        ]
        assert at(display, clock, paris(2, 18, 59)) == "two"
        assert (await client.get("/status")).json()["schedule"]["overridden"] is True
        where = ["ctl", "--url", str(display.control_url), "--token", TOKEN, "status"]
        assert await asyncio.to_thread(cli.main, where) == 0
        out = capsys.readouterr().out
        assert "schedule: days, windows[0] (layout one) until 2026-12-02T19:00:00+01:00, overridden" in out
        assert at(display, clock, paris(2, 19)) == "one"  # the tour, from its first scene
        assert playing(display) == "tour"
        assert (await client.get("/status")).json()["schedule"]["overridden"] is False
        await client.post("/show", json={"name": "tour"})  # in the tour's own window: held to its end
        assert at(display, clock, paris(3, 1)) == "one"
        await client.post("/layout", json={"layout": "two"})
        assert at(display, clock, paris(3, 2)) == "two"  # off: black, asleep
        assert display.dark
        await client.post("/layout", json={"layout": "three"})  # an operator wakes the wall
        assert (on_wall(display), display.dark) == ("three", False)
        assert at(display, clock, paris(3, 5, 59)) == "three"
        assert (at(display, clock, paris(3, 6)), display.dark) == ("three", False)

    serve(run_async, display, steps)


def test_a_broken_edit_keeps_the_last_good_schedule(
    folder: Path, write_json: WriteJson, caplog: pytest.LogCaptureFixture, qtbot: QtBot
) -> None:
    clock = Clock()
    clock.now = paris(2, 10)
    display = wall(folder, clock)
    try:
        broken = {**DAYS, "windows": [{"start": "25:00", "layout": "one"}, {"days": ["monday"], "off": True}]}
        path = write_json("days.json", broken)
        qtbot.waitUntil(lambda: "keeps the last good schedule" in caplog.text, timeout=5000)
        [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert line.startswith(f"{path}: windows[0].start: ")
        assert "; windows[1].days[0]: " in line
        assert line.endswith("(the wall keeps the last good schedule)")
        assert "\n" not in line
        assert at(display, clock, paris(2, 19)) == "one"  # the tour, on the last good schedule
        assert playing(display) == "tour"
        fixed = {**DAYS, "windows": [{"start": "08:00", "end": "22:00", "layout": "two"}]}
        write_json("days.json", fixed)
        qtbot.waitUntil(lambda: on_wall(display) == "two", timeout=5000)
        assert playing(display) is None
    finally:
        display.close()


def test_what_cannot_be_shown_is_one_line_and_the_wall_keeps_what_it_shows(
    folder: Path, write_json: WriteJson, caplog: pytest.LogCaptureFixture
) -> None:
    write_json("days.json", {**DAYS, "windows": [{"start": "08:00", "end": "19:00", "layout": "broken"}]})
    clock = Clock()
    clock.now = paris(2, 7)
    display = wall(folder, clock)
    try:
        caplog.set_level(logging.INFO)
        assert at(display, clock, paris(2, 8)) == "three"
        assert at(display, clock, paris(2, 8, 1)) == "three"
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1  # tried once, not every second
        assert errors[0].startswith(
            "schedule days: windows[0] (layout broken) until 2026-12-02 19:00 cannot be shown: "
        )
        assert errors[0].endswith("(the wall keeps what it shows)")
        assert display.status()["schedule"]["failed"] is True
        assert at(display, clock, paris(2, 19)) == "three"
    finally:
        display.close()


def test_an_off_window_blacks_out_and_sleeps_the_screens(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    x = FakeX(dpms=True)
    monkeypatch.setattr(
        app, "screen_power", lambda kiosk, _platform: ScreenPower(XsetSaver(x), XsetSleeper(x))
    )
    clock = Clock()
    clock.now = paris(2, 1, 59)
    settings = load_settings(
        layouts_dirs=[folder], shows_dirs=[folder], schedules_dirs=[folder], layout="two"
    )
    display = WallDisplay(settings, now=clock, ticks=Ticks(), schedule="days", kiosk=True)
    display.show()
    try:
        assert (black(display), x.timeout, x.monitor) == (False, 0, "On")  # the tour: saver held off
        assert at(display, clock, paris(2, 2)) == "one"
        assert (black(display), x.timeout, x.dpms, x.monitor) == (True, 600, True, "Off")
        display.reload()  # a new scene in the off window is black as well
        assert black(display)
        display.blank(False)  # the operator's blank key cannot light it
        assert black(display)
        assert at(display, clock, paris(2, 6)) == "three"
        assert (black(display), x.timeout, x.dpms, x.monitor) == (False, 0, False, "On")
    finally:
        display.close()
    assert (x.timeout, x.dpms) == (600, True)  # as found


def test_a_schedule_is_given_alone_and_a_broken_one_refuses_to_start(
    folder: Path, write_json: WriteJson, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["run", "--schedule", "lobby", "hub"]) == cli.EXIT_ERROR
    assert capsys.readouterr().err.splitlines()[-1] == (
        "wallapp: --schedule: give a schedule, a layout or a show, not several"
    )
    broken = {
        "name": "Days",
        "windows": [{"start": "08:00", "layout": "nowhere"}],
        "otherwise": {"layout": "hub"},
    }
    path = write_json("days.json", broken)
    assert cli.main(["run", "--schedule", str(path)]) == cli.EXIT_ERROR
    assert (
        capsys.readouterr()
        .err.splitlines()[-1]
        .startswith(f"wallapp: {path}: windows[0].layout: unknown layout 'nowhere'")
    )
