"""Motion as pure functions of the time (easing, glides, counting figures, turns), so a movement looks the
same under any load and on every screen."""

from __future__ import annotations

from collections.abc import Mapping


def ease_in_out(progress: float) -> float:
    """Ease in and out (cubic): 0 at 0, 1 at 1, slow at both ends."""
    p = min(1.0, max(0.0, progress))
    return 4 * p**3 if p < 0.5 else 1 - (-2 * p + 2) ** 3 / 2


def ease_out(progress: float) -> float:
    """Ease out (cubic): quick start, gentle arrival."""
    p = min(1.0, max(0.0, progress))
    return 1 - (1 - p) ** 3


class Glide:
    """Keyed slots (row indexes) moving from where they were to where they go over ``duration`` seconds."""

    def __init__(self, duration: float) -> None:
        self.duration = duration
        self._from: dict[str, float] = {}
        self._to: dict[str, float] = {}
        self._start = 0.0

    def retarget(self, targets: Mapping[str, float], now: float, enter_from: float) -> None:
        """New slots for the keys; keys already shown start where they are now, new ones at ``enter_from``.

        The first targets appear in place: there is nothing to glide from.
        """
        first = not self._to
        current = self.positions(now)
        self._from = {key: slot if first else current.get(key, enter_from) for key, slot in targets.items()}
        self._to = dict(targets)
        self._start = now

    def positions(self, now: float) -> dict[str, float]:
        weight = ease_in_out((now - self._start) / self.duration) if self.duration > 0 else 1.0
        return {key: self._from[key] + (slot - self._from[key]) * weight for key, slot in self._to.items()}

    def moving(self, now: float) -> bool:
        return now - self._start < self.duration and any(
            self._from[key] != slot for key, slot in self._to.items()
        )

    def span(self) -> tuple[float, float] | None:
        """The lowest and highest slot the keys that move pass through (None when none moves): all that a
        frame of the glide changes lies between them."""
        ends = [
            end
            for key, slot in self._to.items()
            if self._from[key] != slot
            for end in (self._from[key], slot)
        ]
        return (min(ends), max(ends)) if ends else None


def mix(start: float, end: float, weight: float) -> float:
    return start + (end - start) * weight


class Tween:
    """A figure that counts from its old value to a new one over ``duration`` seconds (eased in and out),
    as a function of the time: a KPI never jumps, and looks the same under any load."""

    def __init__(self, duration: float, value: float | None = None) -> None:
        self.duration = duration
        self._from = self._to = value
        self._start = float("-inf")

    @property
    def target(self) -> float | None:
        return self._to

    def retarget(self, value: float | None, now: float) -> None:
        """Count towards ``value`` from where the figure is now; the first value (or a missing one, either
        side) shows at once: there is nothing to count from."""
        current = self.value(now)
        self._from = current if current is not None and value is not None else value
        self._to = value
        self._start = now

    def value(self, now: float) -> float | None:
        if self._to is None or self._from is None:
            return self._to
        if self.duration <= 0:
            return self._to
        return mix(self._from, self._to, ease_in_out((now - self._start) / self.duration))

    def moving(self, now: float) -> bool:
        return self._from != self._to and now - self._start < self.duration


TURN_OUT = 0.45
"""The share of a turn over which the last item fades out; the next fades in over the same share at
its end, and between them for a moment only the panel shows: a breath, never two texts over each other."""


def turn(progress: float) -> tuple[float, float]:
    """A turn from one item to the next (the spotlight's post) at ``progress`` (0 to 1): the outgoing
    item's opacity and the incoming one's, each eased in and out. The two never show at once: the
    panel under them (drawn by the widget) carries the eye from one to the other."""
    return 1 - ease_in_out(progress / TURN_OUT), ease_in_out(arriving(progress))


def arriving(progress: float) -> float:
    """How far into its own fade-in (0 to 1) the incoming item of a turn is at ``progress``."""
    start = 1 - TURN_OUT
    return min(1.0, max(0.0, (progress - start) / (1 - start)))  # exactly 1 at the end


def rise(progress: float) -> float:
    """How far below its place (a share of its travel, 1 to 0) an entering item still is: it rises and
    settles, easing out."""
    return 1 - ease_out(progress)
