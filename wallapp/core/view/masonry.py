"""Masonry: cards of different heights packed into columns, each card going to the shortest column.

Pure geometry: the Qt side measures each card's natural height, this places them.
"""

from __future__ import annotations

from collections.abc import Sequence

from wallapp.core.view.geometry import Rect


def masonry(
    columns: Sequence[Rect],
    heights: Sequence[float],
    gap: float,
    *,
    least: float = 0.0,
    stretch: bool = True,
) -> list[Rect]:
    """Places for cards of ``heights``, in order, each in the column filled least so far (the leftmost of
    equals). A card taller than the room left there is cut to that room if it is at least ``least`` (its
    text is then shrunk or elided); otherwise placing stops. The cards keep their order, newest first,
    with nothing older slipped into a gap.

    With ``stretch``, the room left at the foot of each column is shared among its cards, so that every
    column ends at the bottom: cards only ever grow.
    """
    filled = [column.y for column in columns]
    placed: list[tuple[int, Rect]] = []
    for wanted in heights:
        if not columns:
            break
        index = min(range(len(columns)), key=lambda i: (filled[i], columns[i].x))
        column = columns[index]
        room = column.bottom - filled[index]
        if room <= 0 or (wanted > room and room < least):
            break
        height = min(wanted, room)
        placed.append((index, Rect(column.x, filled[index], column.width, height)))
        filled[index] += height + gap
    if not stretch:
        return [rect for _, rect in placed]
    return [_stretched(rect, index, placed, columns) for index, rect in placed]


def _stretched(rect: Rect, index: int, placed: list[tuple[int, Rect]], columns: Sequence[Rect]) -> Rect:
    mine = [r for i, r in placed if i == index]
    share = (columns[index].bottom - mine[-1].bottom) / len(mine)
    before = mine.index(rect)
    return Rect(rect.x, rect.y + before * share, rect.width, rect.height + share)
