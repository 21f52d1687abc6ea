"""Real Wayland windows: sway's headless backend with six outputs, screenshots taken by the compositor (grim).

sway refuses to run as root: run as root (CI), the test runs it as an unprivileged user it creates; the
wall itself runs as the test's user and reaches the compositor through the socket's full path.

sway runs with ``-D damage=rerender``: without it, sway 1.7's headless outputs with the pixman renderer
give screenshots that show the compositor's grey wherever nothing changed since the previous frame (a
plain Qt window filled once shows the same), so only the moving ticker would appear.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QImage
from servers import poll

from wallapp.app import open_layout
from wallapp.core.config.settings import load_settings
from wallapp.qt.style import Style

pytestmark = [
    pytest.mark.wayland,
    pytest.mark.skipif(
        not all(shutil.which(tool) for tool in ("sway", "swaymsg", "grim")),
        reason="needs sway and grim (Debian packages sway, grim)",
    ),
]

OUTPUTS = [(f"HEADLESS-{i + 1}", (i % 3) * 1920, (i // 3) * 1080) for i in range(6)]
USER = "wallapp-wayland"
GREY = QColor(0x3F, 0x3F, 0x3F).rgb()  # sway's clear colour where no window draws
SCALE = 0.25
SWAY_ARGS = ("-D", "damage=rerender", "-c")


@dataclass(frozen=True)
class Sway:
    env: dict[str, str]  # what a client (the wall, grim, swaymsg) needs

    def msg(self, *args: str) -> str:
        done = subprocess.run(
            ["swaymsg", *args], env=self.env, capture_output=True, text=True, timeout=10, check=True
        )
        return done.stdout

    def screenshot(self, path: Path) -> QImage:
        subprocess.run(["grim", "-s", str(SCALE), str(path)], env=self.env, check=True, timeout=30)
        return QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)


def _unprivileged() -> list[str]:
    """The command prefix that runs sway as a user it accepts (creating one when running as root)."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("runuser"):
        pytest.skip("running as root and no runuser to start sway as an ordinary user")
    try:
        pwd.getpwnam(USER)
    except KeyError:
        made = subprocess.run(["useradd", "--system", USER], capture_output=True, text=True, check=False)
        if made.returncode != 0:
            pytest.skip(f"sway refuses root and no user could be created: {made.stderr.strip()}")
    return ["runuser", "-u", USER, "--"]


def _output_lines(prefix: str) -> str:
    """The six panels' config: 1920 x 1080 each, laid out 3 x 2."""
    return "".join(
        f"output {prefix}-{i + 1} resolution 1920x1080 position {(i % 3) * 1920} {(i // 3) * 1080}\n"
        for i in range(6)
    )


@contextmanager
def _compositor(home: Path, name: str, config: str, variables: dict[str, str]) -> Iterator[Sway]:
    """One sway as the unprivileged user, its runtime folder (shared by nested ones) in ``home``."""
    prefix = _unprivileged()
    runtime = home / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    before = set(runtime.glob("wayland-*[0-9]")), set(runtime.glob("sway-ipc.*.sock"))
    config_file = home / f"{name}.conf"
    config_file.write_text(config)
    if prefix:
        user = pwd.getpwnam(USER)
        for path in (home, runtime, config_file):
            os.chown(path, user.pw_uid, user.pw_gid)
    server_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(runtime),
        "WLR_LIBINPUT_NO_DEVICES": "1",
        "WLR_RENDERER": "pixman",
        **variables,
    }
    log_path = home / f"{name}.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [*prefix, "env", *(f"{k}={v}" for k, v in server_env.items()), "sway", *SWAY_ARGS, str(config_file)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    client_runtime = Path(tempfile.mkdtemp(prefix="wallapp-wayland-client-"))
    try:

        def sockets() -> tuple[set[Path], set[Path]] | None:
            display = set(runtime.glob("wayland-*[0-9]")) - before[0]
            ipc = set(runtime.glob("sway-ipc.*.sock")) - before[1]
            return (display, ipc) if (display and ipc) or server.poll() is not None else None

        found = poll(sockets)
        if found is None or server.poll() is not None:
            pytest.skip(f"sway did not start: {log_path.read_text()[-600:]}")
        display, ipc = found
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
        env.update(
            QT_QPA_PLATFORM="wayland",
            XDG_RUNTIME_DIR=str(client_runtime),
            WAYLAND_DISPLAY=str(display.pop()),
            SWAYSOCK=str(ipc.pop()),
        )
        yield Sway(env)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        shutil.rmtree(client_runtime, ignore_errors=True)


@contextmanager
def _home() -> Iterator[Path]:
    home = Path(tempfile.mkdtemp(prefix="wallapp-sway-"))
    try:
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


@contextmanager
def _sway(outputs: int) -> Iterator[Sway]:
    """sway with ``outputs`` of the six headless outputs (the others can be added with create_output)."""
    config = (
        _output_lines("HEADLESS")
        + "default_border none\n"
        + 'for_window [app_id="wallapp"] inhibit_idle fullscreen\n'  # the README's kiosk setting
    )
    variables = {"WLR_BACKENDS": "headless", "WLR_HEADLESS_OUTPUTS": str(outputs)}
    with _home() as home, _compositor(home, "sway", config, variables) as server:
        yield server


def _outputs(sway: Sway) -> dict[str, list[int]]:
    return {
        o["name"]: [o["rect"][k] for k in ("x", "y", "width", "height")]
        for o in json.loads(sway.msg("-t", "get_outputs", "-r"))
    }


@contextmanager
def _nested_sway() -> Iterator[tuple[Sway, Sway]]:
    """A sway whose six outputs are windows of another (headless) sway: closing one of those windows
    unplugs that output, which sway 1.7 cannot do to a headless output. Yields (inner, outer)."""
    outer_config = (
        "output HEADLESS-1 resolution 1920x1080\ndefault_border none\nfloating_maximum_size -1 x -1\n"
        'for_window [app_id="wlroots"] floating enable, resize set 1920 1080\n'
    )
    variables = {"WLR_BACKENDS": "headless", "WLR_HEADLESS_OUTPUTS": "1"}
    with _home() as home, _compositor(home, "outer", outer_config, variables) as outer:
        inner_config = _output_lines("WL") + "default_border none\n"
        display = Path(outer.env["WAYLAND_DISPLAY"]).name
        nested = {"WLR_BACKENDS": "wayland", "WLR_WL_OUTPUTS": "6", "WAYLAND_DISPLAY": display}
        with _compositor(home, "inner", inner_config, nested) as inner:

            def sized() -> bool:
                small = [name for name, rect in _outputs(inner).items() if rect[2:] != [1920, 1080]]
                for name in small:  # mapped before the rule that sizes it applied
                    # Its window not titled yet: "no matching node"; the next look sizes it.
                    with contextlib.suppress(subprocess.CalledProcessError):
                        outer.msg(f'[title="wlroots - {name}"] resize set 1920 1080')
                return not small

            if not poll(sized):
                pytest.skip(f"the nested sway's outputs are not 1920 x 1080: {_outputs(inner)}")
            yield inner, outer


@pytest.fixture(scope="module")
def sway() -> Iterator[Sway]:
    with _sway(len(OUTPUTS)) as server:
        yield server


class Wall:
    """``wallapp run hub`` as a Wayland client, its console lines read as they come."""

    def __init__(self, sway: Sway, *options: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "wallapp", "run", "hub", "-v", *options],
            env=sway.env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        self.said: list[str] = []
        self._lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._lines.put(line.strip())

    def until(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                break
            self.said.append(line)
            if text in line:
                return line
        pytest.fail(f"never saw {text!r}; the wall said: {self.said}")

    def stop(self) -> list[str]:
        """Quit it; everything it said."""
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self._reader.join(timeout=10)
        assert self.proc.stderr is not None
        self.proc.stderr.close()
        while not self._lines.empty():
            self.said.append(self._lines.get())
        assert self.proc.returncode == 0, self.said
        return self.said


def _windows(sway: Sway, idle: bool = True) -> dict[str, tuple[str, list[int]]]:
    """Each wall window ("screen 1,0"): the output it is on, and its rectangle there; ``idle``: check
    that the compositor keeps the panels awake for it (the README's kiosk rule)."""
    found: dict[str, tuple[str, list[int]]] = {}
    app_ids: set[str] = set()

    def walk(node: dict[str, Any], output: str) -> None:
        if node["type"] == "output":
            output = node["name"]
        title = node.get("name") or ""
        if node.get("pid") and title.startswith("wallapp — screen"):
            rect = node["rect"]
            app_ids.add(node["app_id"])
            assert node["inhibit_idle"] or not idle, "the panels would go to sleep"
            found[title.split(" — ")[1]] = (output, [rect["x"], rect["y"], rect["width"], rect["height"]])
        for child in [*node["nodes"], *node["floating_nodes"]]:
            walk(child, output)

    walk(json.loads(sway.msg("-t", "get_tree", "-r")), "")
    assert app_ids <= {"wallapp"}  # what a compositor's rules (inhibit_idle...) match
    return found


def _drawn(image: QImage, background: int) -> list[tuple[float, float]]:
    """Per output: the share of the compositor's grey and the share of the wall's background colour."""
    shares = []
    width, height = round(1920 * SCALE), round(1080 * SCALE)
    for _, x, y in OUTPUTS:
        samples = [
            image.pixel(round(x * SCALE) + i, round(y * SCALE) + j)
            for i in range(1, width - 1, 3)
            for j in range(1, height - 1, 3)
        ]
        shares.append(
            (
                sum(p == GREY for p in samples) / len(samples),
                sum(p == background for p in samples) / len(samples),
            )
        )
    return shares


def _every_screen_drawn(sway: Sway, picture: Path) -> list[tuple[float, float]]:
    """Screenshots until every output shows the wall (the first frames take a moment), at most 30 s."""
    background = Style(open_layout(load_settings(), "hub").theme).colour("background").rgb()

    def whole() -> list[tuple[float, float]] | None:
        shares = _drawn(sway.screenshot(picture), background)
        return shares if all(grey < 0.01 and ours > 0.02 for grey, ours in shares) else None

    return poll(whole) or _drawn(sway.screenshot(picture), background)


def test_every_screen_shows_the_wall_on_its_own_output(sway: Sway, tmp_path: Path) -> None:
    wall = Wall(sway, "--kiosk")  # as a kiosk runs it
    try:
        assert wall.until("window(s)").endswith("on 6 window(s)")
        shares = _every_screen_drawn(sway, tmp_path / "wall.png")
        assert all(grey < 0.01 and ours > 0.02 for grey, ours in shares), (shares, tmp_path / "wall.png")
        windows = _windows(sway)
        for index, (name, x, y) in enumerate(OUTPUTS):
            assert windows[f"screen {index % 3},{index // 3}"] == (name, [x, y, 1920, 1080])
    finally:
        said = wall.stop()
    # Qt's Wayland warnings are known and handled; a blank screen would have been reported.
    assert not [line for line in said if "Qt:" in line or "drawn" in line], said


def test_an_output_added_while_the_wall_runs_replans_the_windows(tmp_path: Path) -> None:
    # sway 1.7 cannot disable a headless output ("Failed to commit output"): removal is tested on X11.
    with _sway(len(OUTPUTS) - 1) as sway:
        wall = Wall(sway)
        try:
            assert wall.until("window(s)").endswith("on 1 window(s)")
            assert "6 screens, 5 found; showing a preview window" in wall.said[-2]
            sway.msg("create_output")
            assert wall.until("window(s)").endswith("on 6 window(s)")
            shares = _every_screen_drawn(sway, tmp_path / "wall.png")
            assert all(grey < 0.01 and ours > 0.02 for grey, ours in shares), shares
            assert _windows(sway)["screen 2,1"] == ("HEADLESS-6", [3840, 1080, 1920, 1080])
        finally:
            wall.stop()


def _placed(sway: Sway, screen: str, output: str, timeout: float = 30) -> list[int]:
    """The rectangle of the wall's window for ``screen`` once it is on ``output`` (it maps a moment after
    the wall says it opened it)."""
    found = poll(lambda: _windows(sway, idle=False).get(screen, ("", []))[0] == output, timeout)
    assert found, (screen, output, _windows(sway, idle=False))
    return _windows(sway, idle=False)[screen][1]


def test_an_output_unplugged_and_plugged_back_replans_the_windows() -> None:
    with _nested_sway() as (sway, outer):
        wall = Wall(sway)
        try:
            assert wall.until("window(s)").endswith("on 6 window(s)")
            assert _placed(sway, "screen 1,1", "WL-5") == [1920, 1080, 1920, 1080]
            outer.msg('[title="wlroots - WL-5"] kill')  # the panel's cable pulled
            assert wall.until("window(s)").endswith("on 1 window(s)")
            assert "6 screens, 5 found; showing a preview window" in wall.said[-2]
            sway.msg("create_output")  # a panel plugged in (WL-7), then placed where WL-5 was
            outer.msg('[title="wlroots - WL-7"] resize set 1920 1080')
            sway.msg("output", "WL-7", "position", "1920", "1080")
            assert wall.until("window(s)").endswith("on 6 window(s)")
            assert _placed(sway, "screen 1,1", "WL-7") == [1920, 1080, 1920, 1080]
            assert _placed(sway, "screen 0,0", "WL-1") == [0, 0, 1920, 1080]
        finally:
            said = wall.stop()
    assert not [line for line in said if "drawn nothing" in line], said
