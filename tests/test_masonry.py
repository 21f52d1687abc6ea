"""Masonry placement: each card in the shortest column, order kept, nothing outside the columns."""

from __future__ import annotations

import itertools

from wallapp.core.view.geometry import Rect
from wallapp.core.view.masonry import masonry

COLUMNS = [Rect(0, 0, 100, 1000), Rect(110, 0, 100, 1000), Rect(220, 0, 100, 1000)]


def test_each_card_goes_to_the_column_filled_least_the_leftmost_of_equals() -> None:
    placed = masonry(COLUMNS, [300, 500, 200, 100, 400], gap=10, stretch=False)
    assert [(r.x, r.y, r.height) for r in placed] == [
        (0, 0, 300),
        (110, 0, 500),
        (220, 0, 200),
        (220, 210, 100),  # the third column is the shortest (200 + gap)
        (0, 310, 400),  # then the first (300 + gap)
    ]


def test_placing_stops_at_the_first_card_that_fits_nowhere_so_the_order_holds() -> None:
    placed = masonry(COLUMNS[:1], [600, 500, 100], gap=10, stretch=False, least=400)
    assert [r.height for r in placed] == [600]  # the small third card does not jump the queue


def test_a_card_with_too_little_room_left_is_cut_to_it_when_that_is_enough() -> None:
    placed = masonry(COLUMNS[:1], [600, 500, 100], gap=10, stretch=False, least=300)
    assert [r.height for r in placed] == [600, 390]  # the rest of the column


def test_a_card_taller_than_a_column_is_cut_to_it() -> None:
    assert masonry(COLUMNS[:1], [5000], gap=10) == [Rect(0, 0, 100, 1000)]
    assert masonry([], [100], gap=10) == []


def test_stretched_columns_end_at_the_bottom_and_cards_only_grow() -> None:
    wanted = [300, 500, 200, 100, 400]
    placed = masonry(COLUMNS, wanted, gap=10)
    assert [r.height >= w for r, w in zip(placed, wanted, strict=True)] == [True] * 5
    for column in COLUMNS:
        mine = sorted((r for r in placed if r.x == column.x), key=lambda r: r.y)
        assert mine[-1].bottom == column.bottom
        for above, below in itertools.pairwise(mine):
            assert below.y - above.bottom == 10  # the gap is kept
