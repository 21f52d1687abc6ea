"""The screens' power in a kiosk: the screen saver held off while the wall shows, the screens asleep in an
off window. The decisions against a stand-in for ``xset``; then a real D-Bus session bus with a stand-in
desktop service, and a real X server (Xvfb)."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtDBus import QDBusConnection
from PySide6.QtWidgets import QApplication
from test_wayland import _sway
from test_x11 import _read_until, _xvfb

from wallapp.qt.power import (
    DBusSaver,
    ScreenPower,
    SwaySleeper,
    XsetSaver,
    XsetSleeper,
    read_xset,
    run_command,
    screen_power,
)

HERE = Path(__file__).resolve().parent


class FakeX:
    """An X server's screen saver and DPMS as ``xset`` reads and sets them; every call kept."""

    def __init__(self, dpms: bool | None = True) -> None:
        self.timeout, self.cycle, self.dpms, self.monitor = 600, 30, dpms, "On"
        self.calls: list[str] = []

    def __call__(self, argv: list[str]) -> tuple[int, str]:
        assert argv[0] == "xset"
        args = argv[1:]
        self.calls.append(" ".join(args))
        if args == ["q"]:
            return 0, self.query()
        if args[0] == "s":
            self.timeout, self.cycle = (0, self.cycle) if args[1] == "off" else (int(args[1]), int(args[2]))
            args = args[2 if args[1] == "off" else 3 :]
        if self.dpms is None and args:
            return 0, "server does not have extension for dpms option"
        if args in (["-dpms"], ["+dpms"]):
            self.dpms = args[0] == "+dpms"
        elif args[:2] == ["dpms", "force"]:
            self.dpms, self.monitor = True, args[2].capitalize()
        return 0, ""

    def query(self) -> str:
        saver = (
            "Screen Saver:\n  prefer blanking:  yes    allow exposures:  yes\n"
            f"  timeout:  {self.timeout}    cycle:  {self.cycle}\n"
        )
        if self.dpms is None:
            return f"{saver}DPMS (Energy Star):\n  Server does not have the DPMS Extension\n"
        enabled = "Enabled" if self.dpms else "Disabled"
        monitor = f"  Monitor is {self.monitor}\n" if self.dpms else ""
        timeouts = "  Standby: 600    Suspend: 600    Off: 600\n"
        return f"{saver}DPMS (Energy Star):\n{timeouts}  DPMS is {enabled}\n{monitor}"


def test_xset_holds_the_saver_off_and_puts_back_what_it_found() -> None:
    x = FakeX(dpms=True)
    saver = XsetSaver(x)
    saver.hold()
    saver.hold()  # held once
    assert (x.timeout, x.dpms) == (0, False)
    saver.release()
    assert (x.timeout, x.cycle, x.dpms) == (600, 30, True)
    assert x.calls == ["q", "s off -dpms", "s 600 30", "+dpms"]


def test_without_dpms_only_the_screen_saver_is_held_off() -> None:
    x = FakeX(dpms=None)
    saver = XsetSaver(x)
    saver.hold()
    saver.release()
    assert x.calls == ["q", "s off", "s 600 30"]


def test_an_off_window_lets_the_screens_sleep_and_its_end_wakes_them(
    caplog: pytest.LogCaptureFixture,
) -> None:
    x = FakeX(dpms=False)  # DPMS disabled by the installer: it is disabled again at the end
    power = ScreenPower(XsetSaver(x), XsetSleeper(x))
    power.show(False)
    assert x.calls == []  # nothing before the windows are up
    power.show(True)
    power.start()
    assert (x.timeout, x.dpms, x.monitor) == (0, False, "On")
    caplog.set_level(logging.INFO)
    power.show(False)
    assert (x.timeout, x.monitor) == (600, "Off")
    assert caplog.records[-1].getMessage() == "screens put to sleep (xset dpms force off)"
    power.show(False)  # no change: nothing done
    power.show(True)
    assert (x.timeout, x.dpms, x.monitor) == (0, False, "On")
    power.close()
    assert (x.timeout, x.cycle, x.dpms) == (600, 30, False)
    assert x.calls == [
        *("q", "s off -dpms"),  # start: held
        *("s 600 30", "-dpms", "q", "dpms force off"),  # off window: released, asleep
        *("dpms force on", "s off -dpms"),  # the window ends: awake, held again
        *("s 600 30", "-dpms"),  # exit: as found
    ]


def test_where_the_screens_cannot_sleep_the_log_says_so_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    x = FakeX(dpms=None)
    power = ScreenPower(XsetSaver(x), XsetSleeper(x))
    power.start()
    for showing in (False, True, False):
        power.show(showing)
    said = [r.getMessage() for r in caplog.records if "stay powered" in r.getMessage()]
    assert said == [
        "screens off: the wall is black but the screens stay powered (this display cannot put them to sleep)"
    ]
    assert "dpms force off" not in x.calls


def test_the_mechanism_is_chosen_and_logged(caplog: pytest.LogCaptureFixture, qapp: QApplication) -> None:
    caplog.set_level(logging.INFO)
    no_bus = QDBusConnection("nowhere")  # not connected: as a session without a bus
    assert screen_power(False, "xcb", no_bus, FakeX()).saver is None  # not a kiosk: a window among others
    x11 = screen_power(True, "xcb", no_bus, FakeX(), which=lambda _: "/usr/bin/xset")
    assert isinstance(x11.saver, XsetSaver)
    assert isinstance(x11.sleeper, XsetSleeper)
    x11.start()
    assert caplog.records[-1].getMessage() == (
        "screen saver and display sleep held off through xset (X11 screen saver and DPMS)"
    )
    wayland = screen_power(True, "wayland", no_bus, FakeX(), which=lambda _: "/usr/bin/xset")
    assert (wayland.saver, wayland.sleeper) == (None, None)
    assert caplog.records[-1].getMessage() == (
        "screen saver: no org.freedesktop.ScreenSaver on the session bus and not X11: "
        "the screens may blank or sleep"
    )


def test_under_sway_the_outputs_sleep_through_swaymsg(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[str] = []

    def swaymsg(argv: list[str]) -> tuple[int, str]:
        calls.append(" ".join(argv))
        return 0, '[{"success": true}]'

    caplog.set_level(logging.INFO)
    sway = {"SWAYSOCK": "/run/user/1000/sway-ipc.sock"}
    power = screen_power(True, "wayland", QDBusConnection("nowhere"), swaymsg, lambda _: "/usr/bin/x", sway)
    assert isinstance(power.sleeper, SwaySleeper)
    power.start()
    power.show(False)
    assert caplog.records[-1].getMessage() == "screens put to sleep (swaymsg output * dpms off)"
    power.show(True)
    assert calls == [
        "swaymsg -t get_version",
        "swaymsg output * dpms off",
        "swaymsg output * dpms on",
    ]
    other = screen_power(True, "wayland", QDBusConnection("nowhere"), swaymsg, lambda _: "/usr/bin/x", {})
    assert other.sleeper is None  # another compositor: black, powered


def test_xset_q_is_read() -> None:
    state = read_xset(FakeX(dpms=True).query())
    assert state is not None
    assert (state.timeout, state.cycle, state.dpms, state.monitor) == (600, 30, True, "On")
    assert read_xset("xset:  unable to open display") is None


# A real session bus, and a stand-in desktop service on it.


@pytest.fixture
def session_bus(qapp: QApplication) -> Iterator[tuple[QDBusConnection, subprocess.Popen[str]]]:
    """A private D-Bus session bus, the stand-in ScreenSaver service registered on it, and a connection."""
    if shutil.which("dbus-daemon") is None:
        pytest.skip("needs dbus-daemon")
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--print-address", "--nofork"], stdout=subprocess.PIPE, text=True
    )
    assert daemon.stdout is not None
    address = daemon.stdout.readline().strip()
    service = subprocess.Popen(
        [sys.executable, str(HERE / "fake_screensaver.py"), address],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert service.stdout is not None
    bus = QDBusConnection.connectToBus(address, "test-session-bus")
    try:
        assert service.stdout.readline().strip() == "ready"
        yield bus, service
    finally:
        QDBusConnection.disconnectFromBus("test-session-bus")
        for process in (service, daemon):
            process.terminate()
            process.wait(timeout=10)
            if process.stdout is not None:
                process.stdout.close()


def test_the_desktop_holds_its_screen_saver_while_the_wall_shows(
    session_bus: tuple[QDBusConnection, subprocess.Popen[str]], caplog: pytest.LogCaptureFixture
) -> None:
    bus, service = session_bus
    assert service.stdout is not None
    caplog.set_level(logging.INFO)
    power = screen_power(True, "offscreen", bus, FakeX())
    assert isinstance(power.saver, DBusSaver)
    power.start()
    assert service.stdout.readline().strip() == "Inhibit wallapp a video wall is showing -> 42"
    assert caplog.records[-1].getMessage() == (
        "screen saver and display sleep held off through org.freedesktop.ScreenSaver (D-Bus)"
    )
    power.show(False)  # an off window: the desktop may blank the screens
    assert service.stdout.readline().strip() == "UnInhibit 42"
    power.show(True)
    assert service.stdout.readline().strip() == "Inhibit wallapp a video wall is showing -> 43"
    power.close()
    assert service.stdout.readline().strip() == "UnInhibit 43"
    assert power.saver.cookie is None


# A real X server: Xvfb has no DPMS extension, so its screen saver is what can be checked for real.


@pytest.mark.x11
@pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("xset")), reason="needs Xvfb and xset")
def test_a_real_x_servers_screen_saver_is_held_off_and_put_back(caplog: pytest.LogCaptureFixture) -> None:
    with _xvfb("640x480") as display:
        env = {**os.environ, "DISPLAY": display}

        def xset(argv: list[str]) -> tuple[int, str]:
            return run_command(argv, env)

        def state() -> tuple[int, int, bool | None]:
            read = read_xset(xset(["xset", "q"])[1])
            assert read is not None
            return read.timeout, read.cycle, read.dpms

        xset(["xset", "s", "300", "45"])
        assert state() == (300, 45, None)  # Xvfb: no DPMS
        caplog.set_level(logging.INFO)
        power = screen_power(True, "xcb", QDBusConnection("nowhere"), xset, which=shutil.which)
        power.start()
        assert state() == (0, 45, None)
        power.show(False)
        assert state() == (300, 45, None)
        assert caplog.records[-1].getMessage() == (
            "screens off: the wall is black but the screens stay powered "
            "(this display cannot put them to sleep)"
        )
        power.show(True)
        assert state() == (0, 45, None)
        power.close()
        assert state() == (300, 45, None)


@pytest.mark.x11
@pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("xset")), reason="needs Xvfb and xset")
def test_a_kiosk_following_a_schedule_holds_the_x_screen_saver_until_it_quits(tmp_path: Path) -> None:
    schedule = tmp_path / "always.json"
    schedule.write_text(json.dumps({"name": "Always", "otherwise": {"layout": "hub"}}))
    with _xvfb("640x480") as display:
        env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
        env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")

        def saver() -> tuple[int, int]:
            read = read_xset(run_command(["xset", "q"], env)[1])
            assert read is not None
            return read.timeout, read.cycle

        run_command(["xset", "s", "300", "45"], env)
        wall = subprocess.Popen(
            [sys.executable, "-m", "wallapp", "run", "--kiosk", "--schedule", str(schedule), "-v"],
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert _read_until(wall, "schedule always:").endswith("schedule always: otherwise (layout hub)")
            held = _read_until(wall, "screen saver")  # once the windows are up
            assert held.endswith("held off through xset (X11 screen saver and DPMS)")
            assert saver() == (0, 45)
            wall.send_signal(signal.SIGTERM)
            assert wall.wait(timeout=60) == 0
            assert saver() == (300, 45)  # as found
        finally:
            if wall.poll() is None:
                wall.kill()
                wall.wait()
            assert wall.stderr is not None
            wall.stderr.close()


@pytest.mark.wayland
@pytest.mark.skipif(not (shutil.which("sway") and shutil.which("swaymsg")), reason="needs sway")
def test_a_real_sway_takes_the_sleep_and_wake_commands() -> None:
    """sway's headless outputs have no power to cut (their state reads "dpms": true whatever is asked): what
    can be checked is that a real sway takes the commands the kiosk sends."""
    answers: list[tuple[int, str]] = []
    with _sway(1) as sway:

        def swaymsg(argv: list[str]) -> tuple[int, str]:
            answers.append(run_command(argv, sway.env))
            return answers[-1]

        sleeper = SwaySleeper(swaymsg)
        assert sleeper.can_sleep()
        sleeper.sleep()
        sleeper.wake()
    assert [status for status, _ in answers] == [0, 0, 0]
    assert all(json.loads(output) == [{"success": True}] for _, output in answers[1:])
