"""Real X11 windows: one Xvfb screen carved into six RandR monitors, like a GPU driving six panels."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from spanned_probe import assert_same_picture_cell_by_cell, probe

pytestmark = [
    pytest.mark.x11,
    pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("xrandr")), reason="needs Xvfb and xrandr"),
]

MONITORS = [(c * 1920, r * 1080) for r in range(2) for c in range(3)]

PROBE = textwrap.dedent(
    """
    import json
    from PySide6.QtWidgets import QApplication
    from wallapp.app import WallWindows, build_scene, open_layout
    from wallapp.core.config.settings import load_settings
    from wallapp.qt.application import application

    app = application()
    windows = WallWindows(build_scene(open_layout(load_settings(), "hub")), preview=False)
    windows.show()
    for _ in range(20):
        app.processEvents()
    print(json.dumps({
        "screens": [[s.name(), *s.geometry().getRect()] for s in app.screens()],
        "windows": [
            {"screen": v.screen().name(), "geometry": list(v.geometry().getRect()),
             "top_left": list(v.mapToScene(0, 0).toTuple()), "fullscreen": v.isFullScreen()}
            for v in windows.views
        ],
    }))
    windows.close()
    """
)


def _free_display() -> int:
    for number in range(90, 140):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return number
    pytest.skip("no free X display number")


@contextmanager
def _xvfb(size: str) -> Iterator[str]:
    """An X server with one screen of ``size`` (no RandR monitors yet): its display name."""
    display = f":{_free_display()}"
    server = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", f"{size}x24", "-nolisten", "tcp", "-noreset"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = {**os.environ, "DISPLAY": display}
    try:
        deadline = time.monotonic() + 20
        while subprocess.run(["xrandr", "-q"], check=False, env=env, capture_output=True).returncode != 0:
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail("Xvfb did not start")
            time.sleep(0.1)
        yield display
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def six_monitor_x() -> Iterator[str]:
    with _xvfb("5760x2160") as display:
        _six_monitors(display)
        yield display


def _six_monitors(display: str) -> None:
    """Carve the screen into the wall's six RandR monitors, as a GPU driving six panels shows them."""
    env = {**os.environ, "DISPLAY": display}
    for index, (x, y) in enumerate(MONITORS):
        output = "screen" if index == 0 else "none"
        geometry = f"1920/527x1080/296+{x}+{y}"
        subprocess.run(["xrandr", "--setmonitor", f"WALL-{index}", geometry, output], env=env, check=True)


def _wallapp_run(display: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """``wallapp run -v`` on ``display``, its log on stderr; and the environment for xrandr there."""
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "wallapp", "run", "-v"],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    return proc, env


def test_six_real_windows_land_on_six_monitors(six_monitor_x: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(DISPLAY=six_monitor_x, QT_QPA_PLATFORM="xcb")
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [s[1:] for s in report["screens"]] == [[x, y, 1920, 1080] for x, y in MONITORS]
    windows = report["windows"]
    assert len(windows) == 6
    for index, window in enumerate(windows):
        x, y = MONITORS[index]
        assert window["geometry"] == [x, y, 1920, 1080]
        column, row = index % 3, index // 3
        assert window["top_left"] == [column * 1926, row * 1086]  # its own rectangle of the canvas
        assert window["fullscreen"]
    assert len({w["screen"] for w in windows}) == 6


def _read_until(proc: subprocess.Popen[str], text: str, timeout: float = 60) -> str:
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        if text in line:
            return line.strip()
    proc.kill()
    pytest.fail(f"never saw {text!r}")


def test_unplugging_a_screen_previews_and_plugging_it_back_restores_the_wall(six_monitor_x: str) -> None:
    proc, env = _wallapp_run(six_monitor_x)
    try:
        assert _read_until(proc, "window(s)").endswith("on 6 window(s)")
        subprocess.run(["xrandr", "--delmonitor", "WALL-5"], env=env, check=True)
        notice = _read_until(proc, "showing a preview window")
        assert notice == "wallapp: the 3x2 wall needs 6 screens, 5 found; showing a preview window"
        assert _read_until(proc, "window(s)").endswith("on 1 window(s)")
        x, y = MONITORS[5]
        subprocess.run(
            ["xrandr", "--setmonitor", "WALL-5", f"1920/527x1080/296+{x}+{y}", "none"], env=env, check=True
        )
        assert _read_until(proc, "window(s)").endswith("on 6 window(s)")
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    assert proc.returncode == 0


@pytest.mark.parametrize(("width", "height"), [(5760, 2160), (5772, 2166)])
def test_one_x_screen_the_size_of_the_wall_is_filled_by_one_spanned_window(width: int, height: int) -> None:
    """Mosaic or Eyefinity: the driver shows the operating system one screen, no monitors within it."""
    with _xvfb(f"{width}x{height}") as display:
        report = probe("xcb", DISPLAY=display)
    assert report["preview"] == ""
    [window] = report["windows"]
    assert window["type"] == "SpannedView"
    assert window["geometry"] == [0, 0, width, height]
    assert window["fullscreen"]
    assert_same_picture_cell_by_cell(window)


def test_a_spanned_wall_re_plans_when_monitors_appear_within_it() -> None:
    with _xvfb("5760x2160") as display:
        proc, _ = _wallapp_run(display)
        try:
            # The first line about windows: one spanned window, no preview notice before it.
            assert _read_until(proc, "window").endswith("on 1 window(s)")
            _six_monitors(display)
            assert _read_until(proc, "window(s)").endswith("on 6 window(s)")
        finally:
            proc.terminate()
            _, errors = proc.communicate(timeout=30)
        assert proc.returncode == 0
        assert "preview" not in errors
