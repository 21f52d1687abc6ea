"""Changes of what a node of a wall of several PCs shows, in step with the other nodes.

A change asked of a node (a layout, a show, a step of it, the wall blacked out, files read again) is
announced over the broker (``wallapp.core.relay.Switch``) for an instant ahead on the shared time base, far
enough for the slowest node to be ready (``Link.ahead``: ``wallapp.core.ahead``); every node, this one
too, hears it, prepares it at once (the next scene built off screen) and shows it at that instant on a
precise timer, saying how long after the announcement it was ready. Every node hears the announcements in
the same order, so every node makes the same choices: a layout or show announced while another waits for
its instant replaces it, a reload then is left out (the scene coming on reads its files anyway), a step or
a blackout waits for its own instant. What the change is (how to prepare and show it) is the wall's:
``prepare``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import Qt, QTimer

from wallapp.core import relay
from wallapp.core.timebase import TimeBase
from wallapp.errors import WallError

log = logging.getLogger("wallapp")

SHOWN_WITHIN_S = 3.0
"""How long after its instant a change announced may take to come back from the broker and be shown."""
LATEST_S = 10.0
"""A switch announced for further ahead than this (a clock far off) is shown this long after it is heard."""
KEPT_IDS = 32
"""Switches remembered as heard (a switch is shown once, even heard twice)."""


class Scene(Protocol):
    """A scene built ahead, let go of when its switch is replaced."""

    def dispose(self) -> None: ...

    def deleteLater(self) -> None: ...  # Qt's name


class Link(Protocol):
    """What announcing needs of the broker link."""

    node: str

    def ahead(self) -> float:
        """How far ahead of now to announce a switch (seconds)."""
        ...

    async def announce(self, switch: relay.Switch) -> bool: ...

    def expect(self, change: str) -> list[str]: ...


Prepared = tuple[Callable[[], None], Scene | None]
"""How to show a change at its instant, and the scene built for it (None: nothing built ahead)."""


def what(message: relay.Switch) -> str:
    """ "layout hub", "show lobby", "reload": a switch in a few words."""
    return " ".join(part for part in (message.kind, message.name) if part)


class Switches:
    """One node's switches: those it announces, and those it hears, each shown at its instant."""

    def __init__(self, clock: TimeBase, prepare: Callable[[relay.Switch], Prepared]) -> None:
        """``prepare``: what a switch is on this wall (``WallError`` if it cannot be shown here)."""
        self.clock, self.prepare = clock, prepare
        self.on_settled: Callable[[str, str | None], None] = lambda _id, _error: None
        """Called with each switch's id once shown here (None) or not (why: it failed, another replaced
        it)."""
        self.switched: dict[str, Any] | None = None
        """The last switch shown, and when on the shared time base (``late_ms`` after its instant)."""
        self._pending: tuple[relay.Switch, Callable[[], None], Scene | None] | None = None
        self._at_instant = _precise(self.at_instant)
        self._timers: set[QTimer] = set()
        """Steps and blackouts, each waiting for its instant."""
        self._waiting: dict[str, asyncio.Future[None]] = {}
        """Changes this node asked, waiting until shown here (by switch id)."""
        self._seen: list[str] = []
        self._ready: dict[str, float] = {}
        """When each switch waiting for its instant was prepared (shared time), by switch id."""
        self._announcing: set[asyncio.Future[None]] = set()

    async def announce(
        self,
        link: Link,
        kind: str,
        name: str | None = None,
        number: int | None = None,
        document: dict[str, Any] | None = None,
    ) -> tuple[str, list[str]]:
        """Announce a change to every node for ``link.ahead()`` from now, and wait until this node has
        shown it (its error raised if it could not): its id and the nodes it was announced to (those
        online); a change that cannot be announced (the broker lost meanwhile) is made on this node only,
        at once (announced to none)."""
        now, ahead = self.clock.ticks(), link.ahead()
        message = relay.Switch.model_validate(
            {
                "id": uuid.uuid4().hex,
                "by": link.node,
                "kind": kind,
                "name": name,
                "number": number,
                "at": now + ahead,
                "announced": now,
                "document": document,
            }
        )
        shown = self._waiting[message.id] = asyncio.get_running_loop().create_future()
        nodes = link.expect(message.id)
        try:
            if not await link.announce(message):
                nodes = []
                self.heard(message.model_copy(update={"at": self.clock.ticks()}))
            try:
                await asyncio.wait_for(asyncio.shield(shown), ahead + SHOWN_WITHIN_S)
            except TimeoutError:
                log.warning("%s: announced, not heard back from the broker in time", what(message))
        finally:
            self._waiting.pop(message.id, None)
        return message.id, nodes

    def announce_soon(
        self, link: Link, kind: str, name: str | None = None, number: int | None = None
    ) -> None:
        """``announce`` from a timer, a key or a file watcher: its failure logged."""

        async def announcing() -> None:
            try:
                await self.announce(link, kind, name, number)
            except WallError:
                pass  # logged as it was prepared
            except Exception as exc:
                log.error("%s %s: the switch failed: internal error", kind, name or "", exc_info=exc)

        task = asyncio.ensure_future(announcing())
        self._announcing.add(task)
        task.add_done_callback(self._announcing.discard)

    def heard(self, message: relay.Switch) -> None:
        """A change announced on the wall: prepared now, shown at its instant."""
        if message.id in self._seen:
            return
        self._seen = [*self._seen[1 - KEPT_IDS :], message.id]
        if message.kind == "reload" and self._pending is not None and self._pending[0].kind != "reload":
            self._settle(message.id, None)  # the scene about to come on reads its files anyway
            return
        try:
            present, scene = self.prepare(message)
        except Exception as exc:
            cause = str(exc) if isinstance(exc, WallError) else f"internal error ({type(exc).__name__})"
            log.error(
                "%s, asked by node %s, cannot be shown: %s (the wall keeps what it shows)",
                what(message),
                message.by,
                cause,
            )
            self._settle(message.id, exc)
            return
        self._ready[message.id] = self.clock.ticks()
        if message.kind in ("step", "blank"):  # after what waits for its instant (a step may be of it)
            self._at(message, present)
            return
        self.drop_pending()
        self._pending = (message, present, scene)
        self._at_instant.start(self._ms_until(message.at))

    def _ms_until(self, instant: float) -> int:
        return max(0, math.ceil(min(instant - self.clock.ticks(), LATEST_S) * 1000))

    def _at(self, message: relay.Switch, present: Callable[[], None]) -> None:
        timer = _precise(lambda: None)

        def fire() -> None:
            self._timers.discard(timer)
            timer.deleteLater()
            self._show(message, present)

        timer.timeout.connect(fire)
        self._timers.add(timer)
        timer.start(self._ms_until(message.at))

    def at_instant(self) -> None:
        """Show the layout or show waiting for its instant (its precise timer's call)."""
        if self._pending is not None:
            (message, present, _), self._pending = self._pending, None
            self._show(message, present)

    def _show(self, message: relay.Switch, present: Callable[[], None]) -> None:
        """The instant of a switch: show it, and say how far from its instant it was shown."""
        began = self.clock.ticks()
        try:
            present()
        except Exception as exc:
            cause = str(exc) if isinstance(exc, WallError) else f"internal error ({type(exc).__name__})"
            log.error("%s cannot be shown: %s", what(message), cause)
            self._settle(message.id, exc)
            return
        late_ms = (began - message.at) * 1000
        ready = self._ready.pop(message.id, None)
        self.switched = {
            "id": message.id,
            "kind": message.kind,
            "name": message.name,
            "by": message.by,
            "at": message.at,
            "announced": message.announced,
            "shown_at": began,
            "late_ms": round(late_ms, 1),
            "took_ms": round((self.clock.ticks() - began) * 1000, 1),
            # How long before its instant the next scene was ready (below 0: prepared too late).
            "ready_ms": round((message.at - ready) * 1000, 1) if ready is not None else None,
            # And after its announcement: what the next switch is announced ahead for.
            "ready_after_ms": (
                round((ready - message.announced) * 1000, 1)
                if ready is not None and message.announced is not None
                else None
            ),
        }
        log.info(
            "%s, asked by node %s, shown at %.3f on the shared time base (%+.1f ms from its instant)",
            what(message),
            message.by,
            began,
            late_ms,
        )
        self._settle(message.id, None)

    def _settle(self, switch: str, error: BaseException | None, why: str | None = None) -> None:
        """``switch`` shown (``error`` None), or not: ``error``, or ``why`` it was left out."""
        self._ready.pop(switch, None)
        if error is not None:
            why = str(error) if isinstance(error, WallError) else f"internal error ({type(error).__name__})"
        self.on_settled(switch, why)
        waiting = self._waiting.get(switch)
        if waiting is None or waiting.done():
            return
        if error is None:
            waiting.set_result(None)
        else:
            waiting.set_exception(error)

    def pending(self) -> bool:
        """A layout or show announced waits for its instant."""
        return self._pending is not None

    def waiting(self) -> Scene | None:
        """The scene built for the layout or show waiting for its instant (None: none)."""
        return self._pending[2] if self._pending is not None else None

    def drop_pending(self) -> None:
        """Forget the switch prepared and not yet shown (another one came, or the wall closes)."""
        self._at_instant.stop()
        if self._pending is not None:
            message, _, scene = self._pending
            self._pending = None
            self._ready.pop(message.id, None)
            self._settle(message.id, None, "replaced by a later switch")
            if scene is not None:
                scene.dispose()
                scene.deleteLater()

    def close(self) -> None:
        self.drop_pending()
        for timer in [self._at_instant, *self._timers]:
            timer.stop()
            timer.deleteLater()
        self._timers.clear()


def _precise(call: Callable[[], None]) -> QTimer:
    """A single-shot timer on the millisecond."""
    timer = QTimer()
    timer.setSingleShot(True)
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(call)
    return timer
