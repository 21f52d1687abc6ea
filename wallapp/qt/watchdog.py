"""systemd's watchdog on the UI thread: ready once every screen shows a whole frame, alive while it runs.

The pings come from a timer on the UI thread, the thread that paints the screens and runs the sources
(asyncio runs on Qt's loop): a blocked event loop or a paint that never ends stops them, and systemd
restarts the wall. A wall with nothing moving still pings, since its loop still turns. The protocol itself
is in ``wallapp.live.notify``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from wallapp.live.notify import Notifier

log = logging.getLogger("wallapp.notify")

READY_CHECK_MS = 50
"""How often the windows are asked whether each has drawn a whole frame, until they all have."""


class Watchdog(QObject):
    def __init__(self, notifier: Notifier, drawn: Callable[[], bool], status: Callable[[], str]) -> None:
        """``drawn``: whether every window has drawn a complete frame; ``status``: what the wall shows, in
        one line (``systemctl status``)."""
        super().__init__()
        self.notifier = notifier
        self.drawn = drawn
        self.describe = status
        self.ready = False
        self._told = ""
        self._ready_check = QTimer(self)
        self._ready_check.setInterval(READY_CHECK_MS)
        self._ready_check.timeout.connect(self._check_ready)
        self._pings = QTimer(self)
        every = notifier.ping_every_s
        if every is not None:
            self._pings.setInterval(max(1, round(every * 1000)))
            self._pings.timeout.connect(self.ping)

    def start(self) -> None:
        self.notifier.status("starting: waiting for a first frame on every screen")
        self._ready_check.start()
        if self.notifier.ping_every_s is not None:
            self.notifier.ping()
            self._pings.start()
            log.info("telling systemd the wall is alive every %.1f s", self.notifier.ping_every_s)

    def _check_ready(self) -> None:
        if self.drawn():
            self._ready_check.stop()
            self.ready = True
            self._told = self.describe()
            self.notifier.ready(self._told)

    def ping(self) -> None:
        self.notifier.ping()
        self.changed()

    def changed(self) -> None:
        """What the wall shows may have changed: a new status line for systemd, if it did."""
        if self.ready and (line := self.describe()) != self._told:
            self._told = line
            self.notifier.status(line)

    def stop(self) -> None:
        self._ready_check.stop()
        self._pings.stop()
        self.notifier.close()
