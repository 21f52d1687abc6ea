"""The running wall following its schedule: a check every second, the schedule file watched.

The decisions are ``wallapp.core.config.follow``'s; this puts them on the wall through a ``Stage`` (the
composition root's wall) and logs each change in one line. Checked every ``CHECK_MS`` against the injected
wall time rather than sleeping until the next edge: a clock set or a suspend cannot make the wall miss one.

The schedule file is watched like a layout: an edit is read again, a broken one is one logged line (the
file, each problem at its JSON path) and the wall keeps following the last good schedule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer

from wallapp.core.config import follow
from wallapp.core.config.follow import Following
from wallapp.core.config.schedule import Entry, Schedule
from wallapp.core.timing import Now
from wallapp.errors import DocumentError, WallError
from wallapp.qt.watch import FileWatcher

log = logging.getLogger("wallapp.schedule")

CHECK_MS = 1000


class Stage(Protocol):
    """What following a schedule needs of the wall."""

    def put_layout(self, layout: str) -> None:
        """Show ``layout`` (a name) with no blank frame; ``WallError`` if it cannot be, the wall unchanged."""
        ...

    def put_show(self, show: str) -> None:
        """Play ``show`` from its first scene; ``WallError`` if it cannot be, the wall unchanged."""
        ...

    def screens_off(self, off: bool) -> None:
        """Black and asleep (an off window), or back."""
        ...

    def busy(self) -> bool:
        """A change is in progress (an operator's switch): the check waits for the next second."""
        ...


def one_line(exc: WallError) -> str:
    """An error in one log line: a document's problems joined, each at its JSON path."""
    if isinstance(exc, DocumentError) and len(exc.problems) > 1:
        return f"{exc.source}: " + "; ".join(str(problem) for problem in exc.problems)
    return str(exc)


class ScheduleFollower(QObject):
    """Puts on the wall what ``schedule`` says, at every edge; an operator's switch holds until the next."""

    def __init__(
        self, stage: Stage, name: str, path: Path, load: Callable[[Path], Schedule], now: Now
    ) -> None:
        """``load``: reads the schedule at ``path`` (``ScheduleError``), now and at every edit."""
        super().__init__()
        self.stage, self.name, self.path, self.load, self.now = stage, name, path, load, now
        self.schedule = load(path)
        self.following = Following()
        self.off = False
        """The wall is in a screens-off window."""
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_MS)
        self._timer.timeout.connect(self.check)
        self._watcher = FileWatcher([path], self.reload)

    def start(self) -> None:
        """Put on what the schedule says now, then check every second."""
        log.info("following schedule %s (%s)", self.name, self.path)
        self.check()
        self._timer.start()

    def check(self) -> None:
        if self.stage.busy():
            return
        self.following, entry = follow.check(self.schedule, self.following, self.now())
        if entry is not None:
            self._put(entry)

    def _put(self, entry: Entry) -> None:
        described = follow.describe(entry, self.schedule)
        try:
            if entry.kind == "show" and entry.name is not None:
                self.stage.put_show(entry.name)
            elif entry.kind == "layout" and entry.name is not None:
                self.stage.put_layout(entry.name)
        except WallError as exc:
            self.following = follow.failed(self.following)
            log.error(
                "schedule %s: %s cannot be shown: %s (the wall keeps what it shows)",
                self.name,
                described,
                one_line(exc),
            )
            return
        self._screens_off(entry.kind == "off")
        log.info("schedule %s: %s", self.name, described)

    def _screens_off(self, off: bool) -> None:
        if off != self.off:
            self.off = off
            self.stage.screens_off(off)

    def by_hand(self, what: str) -> None:
        """The operator put ``what`` on the wall: the schedule waits for its next edge (the screens on
        meanwhile)."""
        self.following = follow.by_hand(self.schedule, self.now())
        self._screens_off(False)
        until = self.following.by_hand.until if self.following.by_hand else None
        when = f"{until.astimezone(self.schedule.zone()):%Y-%m-%d %H:%M}" if until else "its next change"
        log.info("%s put on by hand: schedule %s takes over again at %s", what, self.name, when)

    def reload(self) -> bool:
        """Follow the schedule as it is on disk now; keep the last good one if it is broken."""
        try:
            schedule = self.load(self.path)
        except WallError as exc:
            log.error("%s (the wall keeps the last good schedule)", one_line(exc))
            return False
        except Exception as exc:  # a bug, not the file: still one line, and the wall goes on
            log.error("%s: internal error (%s) (the wall keeps the last good schedule)", self.path, exc)
            log.debug("the internal error", exc_info=exc)
            return False
        self.schedule = schedule
        self.following = follow.retry(self.following)
        log.info("reloaded schedule %s (%s)", self.name, self.path)
        self.check()
        return True

    def status(self) -> dict[str, Any]:
        return {**follow.status(self.name, self.schedule, self.following, self.now()), "file": str(self.path)}

    def close(self) -> None:
        self._timer.stop()
        self._watcher.close()
        self._watcher.deleteLater()
