"""Where a running show is: which scene is on, for how much longer, and what the host's keys do.

A pure state machine over an injected clock (``Ticks`` seconds): a ``Programme`` (the playable scenes of a
show, their durations, loop or stop) turns a ``Playhead`` and the time into the next ``Playhead``. The
runtime asks ``tick`` each frame or timer and switches the wall when the scene changes; nothing here waits.
Holding stops the scene's timer (it survives next/previous, so a host who holds keeps control); resuming
gives the scene back the time it had left.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from wallapp.core.config.show import HOLD, LoadedShow
from wallapp.errors import Problem, ShowError


@dataclass(frozen=True)
class Playhead:
    scene: int
    """Index of the scene on the wall, in the show's scenes."""
    started: float
    """When it came on, in ticks; moved later by the time it was held."""
    held_since: float | None = None
    """When the host held the show (None: the scene's timer runs)."""
    ended: bool = False
    """A show that stops at its end is past its last scene, which stays on."""

    @property
    def held(self) -> bool:
        return self.held_since is not None


@dataclass(frozen=True)
class Programme:
    """What plays: the scenes that can be shown, in order, each with its duration (None: hold)."""

    name: str
    order: tuple[int, ...]
    durations: tuple[float | None, ...]
    """By index in the show's scenes (all of them, playable or not)."""
    loop: bool

    @classmethod
    def of(cls, loaded: LoadedShow) -> Programme:
        """The programme of a show's playable scenes; ``ShowError`` if none can be shown."""
        show = loaded.show
        if not loaded.playable:
            raise ShowError(loaded.path, [Problem("scenes", "no scene can be shown"), *loaded.problems])
        durations = tuple(None if s.duration == HOLD else float(s.duration) for s in show.scenes)
        return cls(show.name, loaded.playable, durations, show.end == "loop")

    def start(self, now: float) -> Playhead:
        return Playhead(self.order[0], now)

    def left(self, head: Playhead, now: float) -> float | None:
        """Seconds before the scene changes by itself (None: it waits for the host)."""
        duration = self.durations[head.scene]
        if duration is None or head.ended:
            return None
        until = head.held_since if head.held_since is not None else now
        return max(0.0, head.started + duration - until)

    def upcoming(self, head: Playhead) -> int | None:
        """The scene that ``next`` would show (None: the show stops here)."""
        position = self.order.index(head.scene)
        if position + 1 < len(self.order):
            return self.order[position + 1]
        return self.order[0] if self.loop else None

    def coming(self, head: Playhead) -> Playhead | None:
        """The playhead once the scene's time is up: the next scene, from the instant it comes on (None:
        the scene waits for the host, or the show stops after it)."""
        duration = self.durations[head.scene]
        if duration is None or head.held or head.ended:
            return None
        after = self.tick(head, head.started + duration)
        return None if after.ended or after.scene == head.scene else after

    def tick(self, head: Playhead, now: float) -> Playhead:
        """The playhead at ``now``: past every scene whose time is up (each next one starting exactly
        when the one before ended, so a late tick does not shift the show)."""
        if head.held or head.ended:
            return head
        timed = [self.durations[i] for i in self.order]
        cycle = sum(d for d in timed if d is not None)
        if self.loop and None not in timed and now - head.started > 2 * cycle:
            skipped = (now - head.started) // cycle - 1
            head = dataclasses.replace(head, started=head.started + skipped * cycle)
        while (duration := self.durations[head.scene]) is not None and now >= head.started + duration:
            following = self.upcoming(head)
            if following is None:
                return dataclasses.replace(head, ended=True)
            head = Playhead(following, head.started + duration)
        return head

    def _go(self, head: Playhead, scene: int, now: float) -> Playhead:
        return Playhead(scene, now, now if head.held else None)

    def next(self, head: Playhead, now: float) -> Playhead:
        following = self.upcoming(head)
        if following is None:
            return dataclasses.replace(head, ended=True)
        return self._go(head, following, now)

    def previous(self, head: Playhead, now: float) -> Playhead:
        """The scene before (from the first: the last of a looping show, else the first again)."""
        position = self.order.index(head.scene)
        if position > 0:
            return self._go(head, self.order[position - 1], now)
        return self._go(head, self.order[-1] if self.loop else self.order[0], now)

    def first(self, head: Playhead, now: float) -> Playhead:
        return self._go(head, self.order[0], now)

    def jump(self, head: Playhead, number: int, now: float) -> Playhead:
        """Scene ``number`` as the host counts them (1 is the first of the show's scenes)."""
        if not 1 <= number <= len(self.durations):
            raise ShowError(
                self.name, [Problem("", f"no scene {number} (scenes 1 to {len(self.durations)})")]
            )
        if number - 1 not in self.order:
            raise ShowError(self.name, [Problem("", f"scene {number} cannot be shown (see the log)")])
        return self._go(head, number - 1, now)

    def hold(self, head: Playhead, now: float) -> Playhead:
        return head if head.held else dataclasses.replace(head, held_since=now)

    def resume(self, head: Playhead, now: float) -> Playhead:
        if head.held_since is None:
            return head
        return Playhead(head.scene, head.started + (now - head.held_since), None, head.ended)
