"""What the control API can ask of the wall (``Wall``), and the one place its changes go through
(``Controller``): serialised, audited, told to the console's event stream."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from wallapp import __version__
from wallapp.core.data.alerts import Alert
from wallapp.core.data.moderation import Change, Moderation
from wallapp.core.data.records import Post
from wallapp.core.timing import Now, Ticks
from wallapp.errors import LayoutError, ShowError
from wallapp.live.audit import AuditLog
from wallapp.live.events import Events
from wallapp.live.moderation import Decisions

log = logging.getLogger("wallapp.control")


Reach = dict[str, str]
"""On a wall of several PCs, what each node did of a change: "applied", why not, "no answer", "offline"."""


class Wall(Protocol):
    """What the API needs of the running wall. Its changes return, on a wall of several PCs, what each node
    did of them (``Reach``: every node is asked); on a single PC, None."""

    def status(self) -> dict[str, Any]:
        """The layout shown, its sources' freshness, the screens."""
        ...

    def layout_names(self) -> list[str]: ...

    def show_names(self) -> list[str]: ...

    async def switch(self, layout: str) -> Reach | None:
        """Show ``layout`` (a name) with no blank frame; ``LayoutError`` if it cannot be shown."""
        ...

    async def try_layout(self, layout: str, document: dict[str, Any]) -> Reach | None:
        """Show ``document``, an unsaved version of ``layout`` (a name), as a switch does; its file is left
        as it is, and a reload shows the file again. ``LayoutError`` if it cannot be shown."""
        ...

    async def play(self, show: str) -> Reach | None:
        """Play ``show`` (a name) from its first scene; ``ShowError`` if none of its scenes can be shown."""
        ...

    async def move(self, what: str) -> Reach | None:
        """Move the show's playhead: next, previous, hold or resume; ``Conflict`` when no show plays."""
        ...

    async def reread(self) -> Reach | None:
        """Show the layout as it is on disk; ``Conflict`` (logged) when it is broken and the wall keeps
        the previous version."""
        ...

    async def put_alert(self, alert: ShownAlert | None) -> Reach | None:
        """Have the wall show ``alert`` (None: clear it): ``Controller.alert_here`` on every node."""
        ...

    def show_alert(self, alert: Alert | None) -> None:
        """Show ``alert`` across this PC's screens (None: clear it)."""
        ...

    async def black_out(self, on: bool) -> Reach | None:
        """Black out the wall, or show it again (``Controller.blanked`` set as it is done)."""
        ...

    def picture(self, width: int, at: float | None = None, own: bool = False) -> bytes:
        """The whole canvas as the wall shows it now (mullions as black gaps), ``width`` pixels wide: PNG;
        ``at``: as it shows at that instant (seconds since the UTC epoch, on a node the shared time base);
        ``own``: only this node's screens, the others black (the part of a stitched picture of the wall)."""
        ...

    async def gathered(self, width: int, at: float | None = None) -> tuple[bytes, dict[str, str]]:
        """``picture`` of the whole wall at ``at`` (now when None), on a wall of several PCs each node's
        screens as that node draws them (asked of its control API): and who drew each node's screens
        (nothing on a single PC)."""
        ...

    def thumbnail(self, layout: str, width: int) -> bytes:
        """The layout (a name) drawn from its file, ``width`` pixels wide: PNG; ``LayoutError`` if broken."""
        ...

    def posts(self, count: int) -> dict[str, list[Post]]:
        """The latest ``count`` posts of each post source shown, whatever moderation says of them."""
        ...

    def moderate(self, moderation: Moderation) -> None:
        """Apply the operator's decisions about posts now: a hidden post leaves the wall at the next frame."""
        ...

    async def decide(self, change: Change) -> Reach | None:
        """Take a moderation decision: ``Controller.moderation_here`` on every node (on a wall of several
        PCs, with the decisions the leader holds)."""
        ...


class NotFound(Exception):
    """An unknown layout or show (404)."""


class Conflict(Exception):
    """The wall cannot do it now (409): a broken layout, no show running."""


POSTS_KEPT = 500
"""How far back a post is found to be moderated (a store's usual capacity)."""
PICTURE_EVERY_S = 5.0
"""The console's picture of the wall is renewed this often, and at once on every change."""


@dataclass(frozen=True)
class ShownAlert:
    alert: Alert
    until: datetime | None


class Controller:
    """The wall's state as the operator sets it (alert, blank) and its changes, one at a time."""

    def __init__(
        self,
        wall: Wall,
        now: Now,
        ticks: Ticks = time.monotonic,
        audit: AuditLog | None = None,
        decisions: Decisions | None = None,
    ) -> None:
        """``audit``: where the API writes who changed what (none: not recorded); ``decisions``: the
        moderation in force and its file (none: nothing decided, kept in memory)."""
        self.wall, self.now, self.ticks, self.audit = wall, now, ticks, audit
        self.decisions = decisions or Decisions(None, Moderation())
        self.lock = asyncio.Lock()
        self.alert: ShownAlert | None = None
        self.blanked = False
        self.started = ticks()
        self.events = Events()
        self.picture_version = 0
        self._pictures: dict[tuple[int, int, bool], bytes] = {}
        self._told: dict[str, Any] | None = None
        if audit is not None:
            audit.listeners.append(lambda entry: self.events.publish("audit", entry.__dict__))

    async def switch(self, layout: str) -> Reach | None:
        """Show ``layout``: after any change in progress; ``NotFound`` or ``Conflict`` if it cannot be."""
        return await self._change("layout", layout, self.wall.layout_names(), self.wall.switch)

    async def try_layout(self, layout: str, document: dict[str, Any]) -> Reach | None:
        """Show an unsaved version of ``layout`` (the editor's Apply): ``NotFound`` or ``Conflict``."""
        return await self._change(
            "layout", layout, self.wall.layout_names(), lambda name: self.wall.try_layout(name, document)
        )

    async def start_show(self, show: str) -> Reach | None:
        """Play ``show``: after any change in progress; ``NotFound`` or ``Conflict`` if it cannot be."""
        return await self._change("show", show, self.wall.show_names(), self.wall.play)

    async def _change(
        self, what: str, name: str, known: list[str], change: Callable[[str], Awaitable[Reach | None]]
    ) -> Reach | None:
        """Changes wait their turn, so two never leave the wall half-switched; a failed one keeps the wall."""
        if name not in known:
            raise NotFound(f"unknown {what} {name!r} (known: {', '.join(known)})")
        async with self.lock:
            try:
                return await change(name)
            except (LayoutError, ShowError) as exc:
                raise Conflict(f"{exc} (the wall keeps what it shows)") from None

    async def reload(self) -> Reach | None:
        async with self.lock:
            return await self.wall.reread()

    async def raise_alert(self, alert: Alert, ttl: float | None) -> Reach | None:
        until = self.now() + timedelta(seconds=ttl) if ttl is not None else None
        return await self.wall.put_alert(ShownAlert(alert, until))

    async def clear_alert(self) -> Reach | None:
        return await self.wall.put_alert(None)

    def alert_here(self, alert: ShownAlert | None) -> None:
        """Show ``alert`` on this PC's screens (None: none), as the wall was asked."""
        self.alert = alert
        self.wall.show_alert(alert.alert if alert is not None else None)

    def expire(self) -> None:
        """Clear the alert once its time to live has passed (called every fraction of a second; on a wall
        of several PCs, on each at the same instant of their shared time)."""
        if self.alert is not None and self.alert.until is not None and self.now() >= self.alert.until:
            log.info("alert expired: %s", self.alert.alert.message)
            self.alert_here(None)

    async def blank(self, on: bool | None) -> tuple[bool, Reach | None]:
        """Black out the wall (None: toggle); the new state."""
        blanked = not self.blanked if on is None else on
        return blanked, await self.wall.black_out(blanked)

    async def show_step(self, what: str) -> Reach | None:
        """next, previous, hold, resume: after any change in progress; ``Conflict`` when no show plays."""
        async with self.lock:
            return await self.wall.move(what)

    def post_sources(self) -> dict[str, list[Post]]:
        return self.wall.posts(POSTS_KEPT)

    def find_post(self, source: str, post: str) -> None:
        """``NotFound`` unless ``source`` is a post source shown and holds ``post``."""
        sources = self.post_sources()
        if source not in sources:
            raise NotFound(
                f"no post source {source!r} on the wall (post sources: {', '.join(sources) or 'none'})"
            )
        if post not in {p.id for p in sources[source]}:
            raise NotFound(f"source {source!r} has no post {post!r} (any more)")

    async def decide(self, change: Change) -> tuple[Moderation, Reach | None]:
        """Apply a moderation decision to the wall now, and keep it: the decisions then."""
        reach = await self.wall.decide(change)
        return self.decisions.current, reach

    def moderation_here(self, moderation: Moderation) -> None:
        """Show posts as ``moderation`` decides on this PC's screens, and keep it in the moderation file."""
        self.decisions.change(lambda _: moderation)
        self.wall.moderate(moderation)
        self.events.publish("posts", {})
        self.renew_picture()

    def picture(self, width: int, at: float | None = None, own: bool = False) -> bytes:
        """The wall's picture at the current version (drawn once per version and width); one at an instant
        ``at`` is drawn each time it is asked for."""
        if at is not None:
            return self.wall.picture(width, at, own)
        key = (self.picture_version, width, own)
        if key not in self._pictures:
            self._pictures = {k: v for k, v in self._pictures.items() if k[0] == self.picture_version}
            self._pictures[key] = self.wall.picture(width, None, own)
        return self._pictures[key]

    def renew_picture(self) -> None:
        self.picture_version += 1
        self.events.publish("picture", {"version": self.picture_version})

    def tell(self, force: bool = False) -> None:
        """Push the status to the watching consoles when it changed (or ``force``), and a new picture when
        what is shown changed (a layout, a scene, the alert, blank)."""
        status = self.status()
        told, self._told = self._told, status
        if told is not None and _shown(told) != _shown(status):
            self.renew_picture()
        if force or told is None or _without_clock(told) != _without_clock(status):
            self.events.publish("status", status)

    def status(self) -> dict[str, Any]:
        alert = self.alert
        return {
            **self.wall.status(),
            "blank": self.blanked,
            "alert": None
            if alert is None
            else {
                "text": alert.alert.message,
                "level": alert.alert.level,
                "until": alert.until.isoformat() if alert.until else None,
            },
            "version": __version__,
            "uptime_s": round(self.ticks() - self.started, 1),
        }


def _without_clock(status: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in status.items() if key != "uptime_s"}


def _shown(status: dict[str, Any]) -> tuple[Any, ...]:
    scene = status.get("scene") or {}
    return (status.get("layout"), status.get("show"), scene.get("number"), status["blank"], status["alert"])
