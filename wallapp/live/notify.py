"""systemd's notify protocol, spoken directly: readiness, watchdog pings, status and stopping.

A service of ``Type=notify`` finds a datagram socket in ``$NOTIFY_SOCKET`` (a path, or ``@name`` in the
abstract namespace) and sends it newline-separated ``KEY=value`` lines: ``READY=1`` once it is up,
``WATCHDOG=1`` more often than ``$WATCHDOG_USEC`` (when ``$WATCHDOG_PID`` is unset or names this process),
``STATUS=...`` for ``systemctl status``, ``STOPPING=1`` on the way out. Without ``$NOTIFY_SOCKET`` (run by
hand, or under another supervisor) nothing is sent at all. The protocol is a few lines; libsystemd is not
needed for it.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping
from typing import Any

log = logging.getLogger("wallapp.notify")


class Notifier:
    """The service manager's socket, and how often it wants to hear that the wall is alive."""

    def __init__(self, address: str, watchdog_s: float | None = None) -> None:
        """``address``: a socket path, or ``@name`` for the abstract namespace; ``watchdog_s``: the
        watchdog's timeout (None: no watchdog)."""
        self.address = "\0" + address[1:] if address.startswith("@") else address
        self.watchdog_s = watchdog_s
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        self._failing = False

    @classmethod
    def from_environment(
        cls, env: Mapping[str, str] | None = None, pid: int | None = None
    ) -> Notifier | None:
        """The notifier systemd asks for in ``env`` (the process's environment); None when it asks none."""
        env = os.environ if env is None else env
        address = env.get("NOTIFY_SOCKET", "")
        if not address:
            return None
        if not address.startswith(("/", "@")):
            log.warning("NOTIFY_SOCKET=%s: not a socket path or @name; systemd is not told anything", address)
            return None
        return cls(address, watchdog_timeout(env, os.getpid() if pid is None else pid))

    @property
    def ping_every_s(self) -> float | None:
        """How often to ping: half the watchdog's timeout, as systemd advises (None: no watchdog)."""
        return self.watchdog_s / 2 if self.watchdog_s is not None else None

    def ready(self, status: str) -> None:
        self.send(READY="1", STATUS=status)

    def ping(self) -> None:
        self.send(WATCHDOG="1")

    def status(self, status: str) -> None:
        self.send(STATUS=status)

    def stopping(self) -> None:
        self.send(STOPPING="1", STATUS="stopping")

    def send(self, **fields: str) -> bool:
        """One datagram of ``KEY=value`` lines; False if it could not be sent (said once in the log until
        one can be again: the wall goes on either way)."""
        message = "\n".join(f"{key}={value.replace(chr(10), ' ')}" for key, value in fields.items())
        try:
            self._socket.sendto(message.encode(), self.address)
        except OSError as exc:
            if not self._failing:
                self._failing = True
                log.warning("cannot tell systemd (%s): %s", self.address.lstrip("\0"), exc.strerror or exc)
            return False
        self._failing = False
        return True

    def close(self) -> None:
        self._socket.close()


def watchdog_timeout(env: Mapping[str, str], pid: int) -> float | None:
    """The watchdog timeout in seconds that ``env`` sets for process ``pid``; None if none is set, it is
    meant for another process, or it does not read as a positive number of microseconds."""
    usec, owner = env.get("WATCHDOG_USEC", ""), env.get("WATCHDOG_PID", "")
    if not usec or (owner and owner != str(pid)):
        return None
    try:
        timeout = int(usec) / 1_000_000
    except ValueError:
        log.warning("WATCHDOG_USEC=%s: not a number of microseconds; no watchdog pings", usec)
        return None
    return timeout if timeout > 0 else None


def status_line(status: Mapping[str, Any]) -> str:
    """What ``systemctl status`` shows for the wall: the layout (or show and scene) on how many windows,
    and the sources that are not live. ``status``: the wall's status as the control API reports it."""
    screens = status.get("screens", {})
    windows = screens.get("windows", 0)
    where = "a preview window" if screens.get("preview") else f"{windows} screen{'s' if windows != 1 else ''}"
    scene = status.get("scene")
    if status.get("show") and scene:
        shown = f"show {status['show']}, scene {scene['number']}/{scene['of']} ({scene['title']})"
    else:
        shown = f"{status.get('title')} ({status.get('layout')})"
    line = f"showing {shown} on {where}"
    schedule = status.get("schedule")
    if schedule:
        line += f"; schedule {schedule.get('name')}"
        line += ": screens off" if schedule.get("kind") == "off" else ""
        line += ", overridden by hand" if schedule.get("overridden") else ""
    sources = status.get("sources", {})
    troubled = sorted(f"{name} {s.get('state')}" for name, s in sources.items() if s.get("state") != "live")
    if troubled:
        line += f"; {len(troubled)} of {len(sources)} sources not live: {', '.join(troubled)}"
    undrawn = screens.get("undrawn") or []
    if undrawn:
        line += f"; blank: {', '.join(undrawn)}"
    return line
