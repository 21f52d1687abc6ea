"""Rows gliding to new positions: a pure function of the time, so a glide looks the same under any load."""

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
