"""systemd's watchdog: the wall says it is ready once every screen has a frame, and stops saying it is
alive when its loop is stuck. Each test reads a real notify socket, as systemd does."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from servers import until

from wallapp.live.notify import Notifier, status_line, watchdog_timeout
from wallapp.qt.watchdog import Watchdog

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PING_EVERY_S = 0.2
"""The subprocess's pings with WATCHDOG_USEC at 0.4 s (systemd's advice: half the timeout)."""


class NotifySocket:
    """A datagram socket where systemd would listen; the messages as dicts of their ``KEY=value`` lines."""

    def __init__(self, address: str | bytes) -> None:
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(address)

    def receive(self, timeout: float = 30.0) -> dict[str, str] | None:
        """The next message, or None if none comes within ``timeout`` s."""
        self.socket.settimeout(timeout)
        try:
            data = self.socket.recv(4096)
        except (TimeoutError, BlockingIOError):
            return None
        return dict(line.split("=", 1) for line in data.decode().splitlines())

    def next_with(self, key: str, timeout: float = 30.0) -> tuple[dict[str, str], list[dict[str, str]]]:
        """The next message that has ``key``, and those before it; fails after ``timeout`` s of silence."""
        before: list[dict[str, str]] = []
        while (message := self.receive(timeout)) is not None:
            if key in message:
                return message, before
            before.append(message)
        pytest.fail(f"no {key} within {timeout} s; before it: {before}")

    def drain(self) -> list[dict[str, str]]:
        """What has arrived and not been read yet."""
        drained = []
        while (message := self.receive(0.0)) is not None:
            drained.append(message)
        return drained


@pytest.fixture
def notify_path(tmp_path: Path) -> Iterator[tuple[NotifySocket, str]]:
    path = tmp_path / "notify"
    listener = NotifySocket(str(path))
    yield listener, str(path)
    listener.socket.close()


@pytest.fixture
def notify_abstract() -> Iterator[tuple[NotifySocket, str]]:
    name = f"wallapp-test-{os.getpid()}-{id(object())}"
    listener = NotifySocket(b"\0" + name.encode())
    yield listener, "@" + name
    listener.socket.close()


def quiet_layout(folder: Path) -> Path:
    """A layout with nothing that moves and no sources: an idle wall."""
    layout = {
        "name": "Quiet",
        "widgets": [
            {"id": "hello", "kind": "text", "place": {"screen": [1, 0]}, "options": {"text": "Welcome"}}
        ],
    }
    path = folder / "quiet.json"
    path.write_text(json.dumps(layout), encoding="utf-8")
    return path


def run_wall(layout: Path, **env: str) -> subprocess.Popen[str]:
    """``wallapp run`` as systemd starts it: on six offscreen screens, with the given environment."""
    base = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "NOTIFY_SOCKET")}
    base["QT_QPA_PLATFORM"] = f"offscreen:configfile={HERE / 'six-screens.json'}"
    return subprocess.Popen(
        [sys.executable, "-m", "wallapp", "run", str(layout)],
        env={**base, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


# The protocol


def test_nothing_is_sent_without_a_notify_socket() -> None:
    assert Notifier.from_environment({}) is None
    assert Notifier.from_environment({"NOTIFY_SOCKET": "", "WATCHDOG_USEC": "30000000"}) is None


def test_the_watchdog_timeout_is_honoured_only_for_this_process() -> None:
    assert watchdog_timeout({"WATCHDOG_USEC": "30000000"}, pid=42) == 30.0
    assert watchdog_timeout({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "42"}, pid=42) == 30.0
    assert watchdog_timeout({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "41"}, pid=42) is None
    assert watchdog_timeout({"WATCHDOG_USEC": "0"}, pid=42) is None
    assert watchdog_timeout({}, pid=42) is None
    notifier = Notifier.from_environment({"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "30000000"}, pid=7)
    assert notifier is not None
    assert notifier.ping_every_s == 15.0
    notifier.close()


def test_messages_reach_a_path_and_an_abstract_socket(
    notify_path: tuple[NotifySocket, str], notify_abstract: tuple[NotifySocket, str]
) -> None:
    for listener, address in (notify_path, notify_abstract):
        notifier = Notifier.from_environment({"NOTIFY_SOCKET": address})
        assert notifier is not None
        assert notifier.watchdog_s is None
        notifier.ready("showing Hub (hub) on 6 screens\nand more")
        notifier.ping()
        notifier.stopping()
        notifier.close()
        assert listener.receive() == {"READY": "1", "STATUS": "showing Hub (hub) on 6 screens and more"}
        assert listener.receive() == {"WATCHDOG": "1"}
        assert listener.receive() == {"STOPPING": "1", "STATUS": "stopping"}


def test_a_vanished_socket_is_one_log_line_and_the_wall_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = Notifier(str(tmp_path / "gone"), 30.0)
    assert not notifier.send(WATCHDOG="1")
    assert not notifier.send(WATCHDOG="1")
    notifier.close()
    assert [r.getMessage() for r in caplog.records] == [
        f"cannot tell systemd ({tmp_path / 'gone'}): No such file or directory"
    ]


def test_the_status_line_says_what_is_shown() -> None:
    status: dict[str, Any] = {
        "layout": "hub",
        "title": "Hub",
        "show": None,
        "scene": None,
        "sources": {"posts": {"state": "live"}, "kpis": {"state": "failing"}, "ranks": {"state": "stale"}},
        "screens": {"windows": 6, "preview": False, "undrawn": []},
    }
    assert status_line(status) == (
        "showing Hub (hub) on 6 screens; 2 of 3 sources not live: kpis failing, ranks stale"
    )
    status.update(
        show="Visitors",
        scene={"number": 2, "of": 5, "title": "Our work"},
        sources={},
        screens={"windows": 1, "preview": True, "undrawn": ["the preview window"]},
    )
    assert status_line(status) == (
        "showing show Visitors, scene 2/5 (Our work) on a preview window; blank: the preview window"
    )
    status.update(screens={"windows": 6}, schedule={"name": "lobby", "kind": "off", "overridden": False})
    assert status_line(status) == (
        "showing show Visitors, scene 2/5 (Our work) on 6 screens; schedule lobby: screens off"
    )
    status.update(schedule={"name": "lobby", "kind": "show", "overridden": True})
    assert status_line(status).endswith("; schedule lobby, overridden by hand")


# On the UI thread


def test_ready_waits_for_every_window_then_pings_and_follows_the_status(
    qapp: QApplication,
    run_async: Callable[[Coroutine[Any, Any, Any]], Any],
    notify_path: tuple[NotifySocket, str],
) -> None:
    listener, address = notify_path
    drawn, status = [False], ["showing Hub (hub) on 6 screens"]
    watchdog = Watchdog(Notifier(address, watchdog_s=0.1), lambda: drawn[0], lambda: status[0])
    watchdog.start()
    heard: list[dict[str, str]] = []

    async def hear(count: int) -> None:
        def arrived() -> bool:
            heard.extend(listener.drain())
            return len(heard) >= count

        await until(arrived, f"{count} messages")

    try:
        run_async(hear(6))  # pings go on (every 50 ms here), and no READY while a window has not drawn
        assert heard[0] == {"STATUS": "starting: waiting for a first frame on every screen"}
        assert heard[1:6] == [{"WATCHDOG": "1"}] * 5
        # The UI thread held outside its event loop (here, by this very wait), the rest of the process
        # alive: no ping in ten intervals. Pings come from the loop, not from a thread of their own.
        listener.drain()
        assert listener.receive(timeout=0.5) is None
        heard.clear()
        run_async(hear(2))  # the loop turns again: so do the pings
        assert heard == [{"WATCHDOG": "1"}] * 2
        drawn[0] = True
        run_async(until(lambda: watchdog.ready, "ready"))
        status[0] = "showing Lobby (lobby) on 6 screens"
        watchdog.changed()
    finally:
        watchdog.stop()
    after = [m for m in listener.drain() if m != {"WATCHDOG": "1"}]
    assert after == [
        {"READY": "1", "STATUS": "showing Hub (hub) on 6 screens"},
        {"STATUS": "showing Lobby (lobby) on 6 screens"},
    ]


# The real wall


def test_the_wall_is_ready_after_its_first_frame_pings_while_idle_and_stops_when_its_loop_stops(
    tmp_path: Path, notify_abstract: tuple[NotifySocket, str]
) -> None:
    listener, address = notify_abstract
    wall = run_wall(quiet_layout(tmp_path), NOTIFY_SOCKET=address, WATCHDOG_USEC="400000")
    try:
        ready, before = listener.next_with("READY", timeout=60)
        assert ready["STATUS"] == "showing Quiet (" + str(tmp_path / "quiet.json") + ") on 6 screens"
        assert before[0] == {"STATUS": "starting: waiting for a first frame on every screen"}
        # An idle wall (nothing moves, no sources) goes on pinging.
        for _ in range(10):
            assert listener.next_with("WATCHDOG", timeout=15)[1] == []
        # Its loop stopped (the whole process, as a hung paint or a blocked loop would hold it): silence.
        # Ten ping intervals without one; systemd would end it after two.
        wall.send_signal(signal.SIGSTOP)
        listener.drain()
        assert listener.receive(timeout=10 * PING_EVERY_S) is None
        wall.send_signal(signal.SIGCONT)
        listener.next_with("WATCHDOG", timeout=15)
        # What systemd does when the pings stop: SIGABRT, and every thread's stack in the journal.
        wall.send_signal(signal.SIGABRT)
        _, err = wall.communicate(timeout=30)
        assert wall.returncode == -signal.SIGABRT
        assert "Fatal Python error: Aborted" in err
        assert "most recent call first" in err
    finally:
        if wall.poll() is None:
            wall.kill()
            wall.communicate()


def test_without_a_watchdog_the_wall_says_ready_and_stopping_and_never_pings(
    tmp_path: Path, notify_path: tuple[NotifySocket, str]
) -> None:
    listener, address = notify_path
    wall = run_wall(quiet_layout(tmp_path), NOTIFY_SOCKET=address, WATCHDOG_USEC="400000", WATCHDOG_PID="1")
    try:
        ready, before = listener.next_with("READY", timeout=60)
        assert ready["STATUS"].endswith(" on 6 screens")
        wall.send_signal(signal.SIGTERM)
        stopping, between = listener.next_with("STOPPING", timeout=30)
        _, err = wall.communicate(timeout=30)
    finally:
        if wall.poll() is None:
            wall.kill()
            wall.communicate()
    assert wall.returncode == 0
    assert stopping == {"STOPPING": "1", "STATUS": "stopping"}
    assert not [m for m in [*before, *between] if "WATCHDOG" in m]  # WATCHDOG_PID names another process
    assert "Traceback" not in err


def test_the_unit_file_is_valid_and_asks_for_the_watchdog(tmp_path: Path) -> None:
    unit = (ROOT / "packaging" / "systemd" / "wallapp.service").read_text()
    settings = dict(line.split("=", 1) for line in unit.splitlines() if "=" in line and line[0] != "#")
    assert settings["Type"] == "notify"
    assert settings["WatchdogSec"] == "30"
    assert settings["Restart"] == "always"
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed: the unit's syntax is not checked")
    # Checked as systemd reads it, with a command that exists here in place of the installed wall.
    checked = tmp_path / "wallapp.service"
    checked.write_text(unit.replace("%h/.local/bin/wallapp", shutil.which("true") or "/bin/true"))
    verified = subprocess.run(
        ["systemd-analyze", "verify", str(checked)], capture_output=True, text=True, check=False
    )
    assert verified.returncode == 0, verified.stderr
    assert verified.stderr == ""
