"""The frame meter: every window's repaint timed, with the UI thread's CPU time.

A window's pixels are brought up to date when Qt delivers it an ``UpdateRequest``: the scene items that
changed are painted into the window's backing store, which is then flushed to the screen. The meter is an
event filter on each window that delivers that event itself, between two clock readings: what it times is
exactly what a frame costs each screen (items' ``paint`` in Python included), and nothing else.
The UI thread's CPU time read at each repaint gives the work done between frames (data, timers,
painting), unaffected by whatever else runs on the machine.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from wallapp.bench.stats import Repaint
from wallapp.core.timing import Ticks


@dataclass
class _Waiter:
    after: float
    screens: set[int]
    """The screens not repainted yet."""
    enough: int
    """How many screens must repaint."""
    future: asyncio.Future[list[Repaint]]
    seen: list[Repaint] = field(default_factory=list)


class FrameMeter(QObject):
    """Times the repaints of the windows it watches; ``complete(after)`` waits for a whole new frame."""

    def __init__(self, clock: Ticks = time.perf_counter, cpu: Ticks = time.thread_time) -> None:
        super().__init__()
        self.clock = clock
        self.cpu = cpu
        self.repaints: list[Repaint] = []
        self.recording = True
        """Off, repaints are counted and waited for but not kept (a soak: the bench must not grow)."""
        self.counted = 0
        self._windows: dict[int, int] = {}
        self._watched: list[QWidget] = []
        self._waiters: list[_Waiter] = []

    def watch(self, windows: Sequence[QWidget]) -> None:
        """Time these windows (screen numbers are their indexes), instead of any watched before."""
        for window in self._watched:
            window.removeEventFilter(self)
        self._watched = list(windows)
        self._windows = {id(window): index for index, window in enumerate(self._watched)}
        for window in self._watched:
            window.installEventFilter(self)

    @property
    def windows(self) -> list[QWidget]:
        return list(self._watched)

    @property
    def screens(self) -> int:
        return len(self._watched)

    def reset(self) -> None:
        """Forget what was measured so far (a new scenario starts)."""
        self.repaints.clear()
        self.counted = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.UpdateRequest or not isinstance(watched, QWidget):
            return False
        screen = self._windows.get(id(watched))
        if screen is None:
            return False
        cpu, start = self.cpu(), self.clock()
        watched.event(event)
        repaint = Repaint(start, self.clock(), screen, cpu)
        self.counted += 1
        if self.recording:
            self.repaints.append(repaint)
        self._tell_waiters(repaint)
        return True

    def _tell_waiters(self, repaint: Repaint) -> None:
        for waiter in list(self._waiters):
            if repaint.start < waiter.after:
                continue
            waiter.seen.append(repaint)
            waiter.screens.discard(repaint.screen)
            if self.screens - len(waiter.screens) >= waiter.enough:
                self._waiters.remove(waiter)
                if not waiter.future.done():
                    waiter.future.set_result(waiter.seen)

    def expect(
        self, after: float, loop: asyncio.AbstractEventLoop, screens: int | None = None
    ) -> asyncio.Future[list[Repaint]]:
        """The repaints from ``after`` until every window has repainted at least once: a complete frame
        (or until ``screens`` windows have: the first frame of a change that reaches them in turns)."""
        future: asyncio.Future[list[Repaint]] = loop.create_future()
        enough = self.screens if screens is None else min(screens, self.screens)
        self._waiters.append(_Waiter(after, set(range(self.screens)), enough, future))
        return future

    async def complete(
        self, after: float, timeout: float = 10.0, screens: int | None = None
    ) -> list[Repaint]:
        """``expect`` awaited, at most ``timeout`` seconds."""
        future = self.expect(after, asyncio.get_running_loop(), screens)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._waiters = [w for w in self._waiters if w.future is not future]

    def close(self) -> None:
        self.watch([])
        self._waiters.clear()


class Heartbeat:
    """The longest the event loop was held (nothing else could run, no frame could be shown) since
    ``reset``: a task waking every millisecond notes the longest gap between its wakes. Run it only while
    measuring: a millisecond timer costs a little CPU."""

    def __init__(self, clock: Ticks = time.perf_counter) -> None:
        self.clock = clock
        self.last = clock()
        self.longest = 0.0

    def reset(self) -> None:
        self.last, self.longest = self.clock(), 0.0

    def held(self) -> float:
        """The longest hold since ``reset``, the one going on now included."""
        return max(self.longest, self.clock() - self.last)

    async def beat(self) -> None:
        while True:
            await asyncio.sleep(0.001)
            now = self.clock()
            self.longest = max(self.longest, now - self.last)
            self.last = now
