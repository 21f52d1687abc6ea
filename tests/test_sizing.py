"""Text sized to its room, as arithmetic: the sizes a text may take, the largest that fits, one per row."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from wallapp.core.view.sizing import ladder, largest, shared


def test_the_ladder_runs_from_the_most_down_to_the_floor_in_small_steps() -> None:
    sizes = ladder(32, 120)
    assert sizes[0] == 120
    assert sizes[-1] == 32
    assert sizes == sorted(set(sizes), reverse=True)  # largest first, never twice
    assert all(0.85 <= smaller / larger < 1 for larger, smaller in itertools.pairwise(sizes))


def test_a_most_at_or_below_the_floor_is_the_floor_alone() -> None:
    assert ladder(32, 32) == [32]
    assert ladder(32, 20) == [32]


def test_the_largest_size_that_fits_is_found_in_a_few_trials() -> None:
    sizes = ladder(32, 240)
    tried: list[int] = []

    def fits(px: int) -> bool:
        tried.append(px)
        return px <= 100

    assert largest(sizes, fits) == max(px for px in sizes if px <= 100)
    assert len(tried) <= 5 < len(sizes)


def test_nothing_fits_at_all() -> None:
    assert largest(ladder(32, 120), lambda px: False) is None
    assert largest([], lambda px: True) is None


@given(st.integers(8, 64), st.integers(8, 400), st.integers(0, 500))
def test_halving_finds_what_trying_every_size_finds(floor: int, most: int, limit: int) -> None:
    sizes = ladder(floor, most)
    expected = next((px for px in sizes if px <= limit), None)
    assert largest(sizes, lambda px: px <= limit) == expected


def test_a_row_takes_the_size_of_its_tightest_card() -> None:
    # Two rows of three cards: the long post of the first row sets its size, the second row keeps its own.
    sizes = [60, 44, 56, 52, 60, 60]
    rows = [0, 0, 0, 1, 1, 1]
    assert shared(sizes, rows) == [44, 44, 44, 52, 52, 52]
    assert shared([], []) == []
