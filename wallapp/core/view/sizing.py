"""Text sized to its room: the sizes a text may take, the largest that fits, one size per row.

Pure arithmetic: the Qt side says whether text fits at a size, this chooses the size. A short post on a
large box is large, a long one is still whole; the cards of a row share one size so a wall does not look
random.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

STEP = 0.9
"""Each size is this share of the next larger one: steps a reader does not notice between neighbours."""

K = TypeVar("K", bound=Hashable)


def ladder(floor: int, most: int, step: float = STEP) -> list[int]:
    """The sizes from ``most`` down to ``floor``, largest first, each ``step`` of the one before (whole
    pixels, never repeated); just ``[floor]`` when ``most`` is not above it."""
    sizes = [max(floor, most)]
    while sizes[-1] > floor:
        sizes.append(max(floor, min(sizes[-1] - 1, int(sizes[-1] * step))))
    return sizes


def largest(sizes: Sequence[int], fits: Callable[[int], bool]) -> int | None:
    """The first (largest) of ``sizes`` at which ``fits``, found by halving: text that fits at a size fits
    at every smaller one, so a few trials suffice where a ladder has a dozen rungs. None if none fits."""
    low, high = 0, len(sizes)  # the answer's index lies in [low, high); high: none fits
    while low < high:
        middle = (low + high) // 2
        if fits(sizes[middle]):
            high = middle
        else:
            low = middle + 1
    return sizes[low] if low < len(sizes) else None


def shared(sizes: Sequence[int], groups: Sequence[K]) -> list[int]:
    """Each size lowered to the smallest of its group (a row of cards): one size per row."""
    least: dict[K, int] = {}
    for size, group in zip(sizes, groups, strict=True):
        least[group] = min(size, least.get(group, size))
    return [least[group] for group in groups]
