"""Motion as pure functions of the time: a figure counting to its new value, a turn, an entrance."""

from __future__ import annotations

import itertools

import pytest

from wallapp.core.view.motion import Tween, arriving, rise, turn


def test_a_first_value_shows_at_once() -> None:
    counter = Tween(1.0)
    counter.retarget(70.0, now=5.0)
    assert counter.value(5.0) == 70.0
    assert not counter.moving(5.0)


def test_a_new_value_counts_from_the_old_one_eased_never_jumping() -> None:
    counter = Tween(1.0, 70.0)
    counter.retarget(80.0, now=10.0)
    seen = [counter.value(10.0 + step / 60) or 0.0 for step in range(61)]  # one second at 60 fps
    assert seen[0] == 70.0
    assert seen[-1] == 80.0
    assert seen == sorted(seen)  # always towards the new value
    steps = [b - a for a, b in itertools.pairwise(seen)]
    assert max(steps) <= 10.0 / 60 * 3  # eased: at most three times the even pace in one frame
    assert steps[0] < steps[30]  # slow to start
    assert steps[-1] < steps[30]  # and to arrive
    assert counter.moving(10.5)
    assert not counter.moving(11.0)
    assert counter.value(99.0) == 80.0


def test_a_value_changed_while_counting_counts_on_from_where_it_is() -> None:
    counter = Tween(1.0, 0.0)
    counter.retarget(100.0, now=0.0)
    halfway = counter.value(0.5)
    assert halfway == pytest.approx(50.0)
    counter.retarget(0.0, now=0.5)
    assert counter.value(0.5) == pytest.approx(halfway)  # no jump back to 100 or 0
    assert counter.value(1.5) == 0.0


def test_no_value_either_side_shows_at_once() -> None:
    counter = Tween(1.0, 70.0)
    counter.retarget(None, now=0.0)
    assert counter.value(0.0) is None
    counter.retarget(50.0, now=1.0)
    assert counter.value(1.0) == 50.0


def test_no_time_to_count_is_a_plain_change() -> None:
    counter = Tween(0.0, 1.0)
    counter.retarget(2.0, now=0.0)
    assert counter.value(0.0) == 2.0


def test_a_turn_fades_the_last_out_then_the_next_in_never_both_at_once() -> None:
    assert turn(0.0) == (1.0, 0.0)
    assert turn(1.0) == (0.0, 1.0)
    frames = [turn(step / 100) for step in range(101)]
    leaving, coming = [f[0] for f in frames], [f[1] for f in frames]
    assert leaving == sorted(leaving, reverse=True)
    assert coming == sorted(coming)
    assert all(a == 0 or b == 0 for a, b in frames)  # no text over text
    assert any(a == b == 0 for a, b in frames)  # a breath on the bare panel between them
    assert [arriving(p / 100) for p in (0, 50, 55, 100)] == [0.0, 0.0, 0.0, 1.0]
    assert 0 < arriving(0.8) < 1


def test_an_entering_card_rises_and_settles() -> None:
    assert rise(0.0) == 1.0
    assert rise(-1.0) == 1.0  # waiting for its picture: where it starts
    assert rise(1.0) == 0.0
    travel = [rise(step / 10) for step in range(11)]
    assert travel == sorted(travel, reverse=True)
    assert travel[0] - travel[1] > travel[9] - travel[10]  # quick start, gentle arrival
