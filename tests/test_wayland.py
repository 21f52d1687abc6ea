"""Real Wayland windows: sway's headless backend with six outputs, screenshots taken by the compositor (grim).

sway refuses to run as root: run as root (CI), the test runs it as an unprivileged user it creates; the
wall itself runs as the test's user and reaches the compositor through the socket's full path.

sway runs with ``-D damage=rerender``: without it, sway 1.7's headless outputs with the pixman renderer
give screenshots that show the compositor's grey wherever nothing changed since the previous frame (a
plain Qt window filled once shows the same), so only the moving ticker would appear.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QImage

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


@pytest.fixture(scope="module")
def sway() -> Iterator[Sway]:
    prefix = _unprivileged()
    home = Path(tempfile.mkdtemp(prefix="wallapp-sway-"))
    runtime = home / "run"
    runtime.mkdir(mode=0o700)
    config = home / "config"
    config.write_text(
        "".join(f"output {name} resolution 1920x1080 position {x} {y}\n" for name, x, y in OUTPUTS)
        + "default_border none\n"
    )
    if prefix:
        user = pwd.getpwnam(USER)
        for path in (home, runtime, config):
            os.chown(path, user.pw_uid, user.pw_gid)
    server_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(runtime),
        "WLR_BACKENDS": "headless",
        "WLR_HEADLESS_OUTPUTS": str(len(OUTPUTS)),
        "WLR_LIBINPUT_NO_DEVICES": "1",
        "WLR_RENDERER": "pixman",
    }
    log = (home / "sway.log").open("w")
    variables = [f"{k}={v}" for k, v in server_env.items()]
    server = subprocess.Popen(
        [*prefix, "env", *variables, "sway", "-D", "damage=rerender", "-c", str(config)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    client_runtime = Path(tempfile.mkdtemp(prefix="wallapp-wayland-client-"))
    try:
        deadline = time.monotonic() + 30
        while not (list(runtime.glob("wayland-*[0-9]")) and list(runtime.glob("sway-ipc.*.sock"))):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.skip(f"sway did not start: {(home / 'sway.log').read_text()[-600:]}")
            time.sleep(0.1)
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
        env.update(
            QT_QPA_PLATFORM="wayland",
            XDG_RUNTIME_DIR=str(client_runtime),
            WAYLAND_DISPLAY=str(next(runtime.glob("wayland-*[0-9]"))),
            SWAYSOCK=str(next(runtime.glob("sway-ipc.*.sock"))),
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
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(client_runtime, ignore_errors=True)


def _read_until(proc: subprocess.Popen[str], text: str, seen: list[str], timeout: float = 60) -> str:
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line.strip())
        if text in line:
            return line.strip()
    proc.kill()
    pytest.fail(f"never saw {text!r}; the wall said: {seen}")


def _windows(sway: Sway) -> dict[str, tuple[str, list[int]]]:
    """Each wall window ("screen 1,0"): the output it is on, and its rectangle there."""
    found: dict[str, tuple[str, list[int]]] = {}

    def walk(node: dict[str, Any], output: str) -> None:
        if node["type"] == "output":
            output = node["name"]
        title = node.get("name") or ""
        if node.get("pid") and title.startswith("wallapp — screen"):
            rect = node["rect"]
            found[title.split(" — ")[1]] = (output, [rect["x"], rect["y"], rect["width"], rect["height"]])
        for child in [*node["nodes"], *node["floating_nodes"]]:
            walk(child, output)

    walk(json.loads(sway.msg("-t", "get_tree", "-r")), "")
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


def _wall(sway: Sway) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "wallapp", "run", "hub", "-v"],
        env=sway.env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )


def _every_screen_drawn(sway: Sway, picture: Path) -> list[tuple[float, float]]:
    """Screenshots until every output shows the wall (the first frames take a moment), at most 30 s."""
    background = Style(open_layout(load_settings(), "hub").theme).colour("background").rgb()
    deadline = time.monotonic() + 30
    while True:
        shares = _drawn(sway.screenshot(picture), background)
        if all(grey < 0.01 and ours > 0.02 for grey, ours in shares) or time.monotonic() > deadline:
            return shares
        time.sleep(0.5)


def test_every_screen_shows_the_wall_on_its_own_output(sway: Sway, tmp_path: Path) -> None:
    wall = _wall(sway)
    said: list[str] = []
    try:
        assert _read_until(wall, "window(s)", said).endswith("on 6 window(s)")
        shares = _every_screen_drawn(sway, tmp_path / "wall.png")
        assert all(grey < 0.01 and ours > 0.02 for grey, ours in shares), (shares, tmp_path / "wall.png")
        windows = _windows(sway)
        for index, (name, x, y) in enumerate(OUTPUTS):
            assert windows[f"screen {index % 3},{index // 3}"] == (name, [x, y, 1920, 1080])
    finally:
        wall.terminate()
        _, rest = wall.communicate(timeout=30)
    said += rest.splitlines()
    assert wall.returncode == 0, said
    # Qt's Wayland warnings are known and handled; a blank screen would have been reported.
    assert not [line for line in said if "Qt:" in line or "drawn" in line], said
