"""The screens' power in a kiosk: kept awake while the wall shows something, put to sleep in an off window.

A lobby wall runs for weeks with nobody touching a key, so the desktop's screen saver and display sleep
would blank it after a few idle minutes. While the wall shows, the kiosk holds them off:

- through ``org.freedesktop.ScreenSaver.Inhibit`` on the session bus (GNOME, KDE, Xfce and most desktops
  serve it); the desktop drops the hold by itself if the wall dies;
- else, under X11 without such a service (a bare X session), with ``xset s off -dpms``, the previous
  values read from ``xset q`` and put back when the hold ends;
- else nothing: one line says the screens may sleep.

In a "screens off" window of the schedule the hold is released and the screens are put to sleep at once
where the session can: under X11 with DPMS (``xset dpms force off``), under sway (``swaymsg output * dpms
off``); they are woken when the window ends. Elsewhere (another Wayland compositor, an X server without
DPMS) the wall is black but the screens stay powered, said once in the log.

Commands run through an injected ``Run`` so that the decisions are tested without an X server.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import Q_ARG, Q_RETURN_ARG, QMetaObject, Qt
from PySide6.QtDBus import QDBusConnection, QDBusInterface

log = logging.getLogger("wallapp.power")

Run = Callable[[list[str]], tuple[int, str]]
"""Runs a command: its exit status and what it printed (stdout, then stderr)."""

SERVICE = "org.freedesktop.ScreenSaver"
PATH = "/org/freedesktop/ScreenSaver"
APP = "wallapp"
REASON = "a video wall is showing"
NO_DPMS = "Server does not have the DPMS Extension"


def run_command(argv: list[str], env: Mapping[str, str] | None = None) -> tuple[int, str]:
    """Run ``argv`` (a few seconds at most); a command that is missing or hangs is a failure, not an error."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=5, check=False, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 127, str(exc)
    return done.returncode, done.stdout + done.stderr


class Saver(Protocol):
    """Holds off the screen saver and display sleep."""

    mechanism: str

    def hold(self) -> None: ...

    def release(self) -> None: ...


class DBusSaver:
    """``org.freedesktop.ScreenSaver`` on a D-Bus connection (the session bus)."""

    mechanism = f"{SERVICE} (D-Bus)"

    def __init__(self, bus: QDBusConnection) -> None:
        self.bus = bus
        self.cookie: int | None = None
        self._saver: QDBusInterface | None = None

    @staticmethod
    def available(bus: QDBusConnection) -> bool:
        if not bus.isConnected():
            return False
        registered = bus.interface().isServiceRegistered(SERVICE)
        return registered.isValid() and bool(registered.value())

    def _interface(self) -> QDBusInterface:
        if self._saver is None:
            self._saver = QDBusInterface(SERVICE, PATH, SERVICE, self.bus)
            self._saver.setTimeout(3000)
        return self._saver

    def hold(self) -> None:
        if self.cookie is not None:
            return
        saver = self._interface()
        # Through the interface's own methods (read from the service's introspection), so that the cookie
        # goes back as the uint32 the service expects: a Python int would be sent as an int32.
        cookie = QMetaObject.invokeMethod(
            saver,
            "Inhibit",
            Qt.ConnectionType.DirectConnection,
            Q_RETURN_ARG("uint"),
            Q_ARG(str, APP),
            Q_ARG(str, REASON),
        )
        if not isinstance(cookie, int) or saver.lastError().isValid():
            log.warning("screen saver: %s Inhibit failed: %s", SERVICE, saver.lastError().message())
            return
        self.cookie = cookie

    def release(self) -> None:
        if self.cookie is None:
            return
        cookie, self.cookie = self.cookie, None
        saver = self._interface()
        QMetaObject.invokeMethod(
            saver, "UnInhibit", Qt.ConnectionType.DirectConnection, Q_ARG("uint", cookie)
        )
        if saver.lastError().isValid():
            log.warning("screen saver: %s UnInhibit failed: %s", SERVICE, saver.lastError().message())


@dataclass(frozen=True)
class XState:
    """What ``xset q`` says of the screen saver and DPMS."""

    timeout: int
    cycle: int
    dpms: bool | None
    """DPMS on or off; None when the X server has no DPMS."""
    monitor: str | None
    """"On", "Off", "Standby", "Suspend" (None without DPMS)."""


def read_xset(output: str) -> XState | None:
    """The screen saver and DPMS state from ``xset q``'s output (None if it has no screen saver part)."""
    saver = re.search(r"timeout:\s*(\d+)\s+cycle:\s*(\d+)", output)
    if saver is None:
        return None
    dpms = None if NO_DPMS in output else re.search(r"DPMS is (Enabled|Disabled)", output)
    monitor = re.search(r"Monitor is (?:in )?(\w+)", output)
    return XState(
        int(saver[1]),
        int(saver[2]),
        None if dpms is None else dpms[1] == "Enabled",
        monitor[1] if monitor else None,
    )


class XsetSaver:
    """``xset s off -dpms`` while held; the values found at the first hold put back on release."""

    mechanism = "xset (X11 screen saver and DPMS)"

    def __init__(self, run: Run) -> None:
        self.run = run
        self.before: XState | None = None
        self.held = False

    def hold(self) -> None:
        if self.held:
            return
        if self.before is None:
            status, output = self.run(["xset", "q"])
            self.before = read_xset(output) if status == 0 else None
            if self.before is None:
                log.warning("screen saver: `xset q` failed (%s): it is not held off", output.strip()[:200])
                return
        self.run(["xset", "s", "off", *(["-dpms"] if self.before.dpms is not None else [])])
        self.held = True

    def release(self) -> None:
        if not self.held or self.before is None:
            return
        self.held = False
        before = self.before
        self.run(["xset", "s", str(before.timeout), str(before.cycle)])
        if before.dpms is not None:
            self.run(["xset", "+dpms" if before.dpms else "-dpms"])


class Sleeper(Protocol):
    """Puts the screens to sleep and wakes them."""

    how: str

    def can_sleep(self) -> bool: ...

    def sleep(self) -> None: ...

    def wake(self) -> None: ...


class XsetSleeper:
    """Puts X11 screens to sleep with DPMS (``xset dpms force off``) and wakes them."""

    how = "xset dpms force off"

    def __init__(self, run: Run) -> None:
        self.run = run

    def can_sleep(self) -> bool:
        status, output = self.run(["xset", "q"])
        state = read_xset(output) if status == 0 else None
        return state is not None and state.dpms is not None

    def sleep(self) -> None:
        self.run(["xset", "dpms", "force", "off"])

    def wake(self) -> None:
        self.run(["xset", "dpms", "force", "on"])


class SwaySleeper:
    """Puts sway's outputs to sleep (``swaymsg output * dpms off``, as swayidle does) and wakes them."""

    how = "swaymsg output * dpms off"

    def __init__(self, run: Run) -> None:
        self.run = run

    def can_sleep(self) -> bool:
        return self.run(["swaymsg", "-t", "get_version"])[0] == 0

    def sleep(self) -> None:
        self.run(["swaymsg", "output", "*", "dpms", "off"])

    def wake(self) -> None:
        self.run(["swaymsg", "output", "*", "dpms", "on"])


class ScreenPower:
    """The screens kept awake while the wall shows (``show(True)``), asleep in an off window
    (``show(False)``).

    Nothing happens before ``start`` (the windows are up) or after ``close``; ``show`` only acts on a change.
    """

    def __init__(self, saver: Saver | None, sleeper: Sleeper | None, kiosk: bool = True) -> None:
        self.saver, self.sleeper, self.kiosk = saver, sleeper, kiosk
        self.showing = True
        self.started = False
        self.asleep = False
        self._said_powered = False
        self._said_held = False

    def start(self) -> None:
        self.started = True
        self._apply()

    def show(self, showing: bool) -> None:
        if showing != self.showing:
            self.showing = showing
            if self.started:
                self._apply()

    def _apply(self) -> None:
        if self.showing:
            if self.asleep and self.sleeper is not None:
                self.sleeper.wake()
                log.info("screens woken")
            self.asleep = False
            if self.saver is not None:
                self.saver.hold()
                if not self._said_held:
                    self._said_held = True
                    log.info("screen saver and display sleep held off through %s", self.saver.mechanism)
            return
        if self.saver is not None:
            self.saver.release()
        if self.sleeper is not None and self.sleeper.can_sleep():
            self.sleeper.sleep()
            self.asleep = True
            log.info("screens put to sleep (%s)", self.sleeper.how)
        elif not self._said_powered:
            self._said_powered = True
            why = "not a kiosk" if not self.kiosk else "this display cannot put them to sleep"
            log.info("screens off: the wall is black but the screens stay powered (%s)", why)

    def close(self) -> None:
        """Let the screen saver work again (the wall quits)."""
        if self.started and self.saver is not None:
            self.saver.release()
        self.started = False


def screen_power(
    kiosk: bool,
    platform: str,
    bus: QDBusConnection | None = None,
    run: Run = run_command,
    which: Callable[[str], str | None] = shutil.which,
    environ: Mapping[str, str] = os.environ,
) -> ScreenPower:
    """The way this session keeps the screens awake and puts them to sleep (``platform``: Qt's, such as
    xcb or wayland). Outside a kiosk nothing is held and nothing sleeps: the wall is a window among others."""
    if not kiosk:
        return ScreenPower(None, None, kiosk=False)
    x11 = platform == "xcb" and which("xset") is not None
    bus = bus if bus is not None else QDBusConnection.sessionBus()
    saver: Saver | None
    if DBusSaver.available(bus):
        saver = DBusSaver(bus)
    elif x11:
        saver = XsetSaver(run)
    else:
        saver = None
    if saver is None:
        log.warning(
            "screen saver: no %s on the session bus and not X11: the screens may blank or sleep", SERVICE
        )
    sleeper: Sleeper | None = None
    if x11:
        sleeper = XsetSleeper(run)
    elif platform == "wayland" and environ.get("SWAYSOCK") and which("swaymsg") is not None:
        sleeper = SwaySleeper(run)
    return ScreenPower(saver, sleeper)
