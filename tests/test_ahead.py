"""How far ahead a switch is announced: from what the wall's nodes said of their last switches."""

from __future__ import annotations

import pytest

from wallapp.core import relay
from wallapp.core.ahead import KEPT, MOST_S, Ahead


def said(node: str, switch: str, ready_after_ms: float | None) -> relay.Report:
    return relay.Report(
        node=node, role="follower", offset_ms=0.0, switch=switch, ready_after_ms=ready_after_ms, at=0.0
    )


def test_an_idle_wall_is_announced_the_least_ahead_and_a_slow_node_makes_it_longer() -> None:
    ahead = Ahead()
    assert ahead.ahead() == relay.SWITCH_AHEAD_S  # nothing said yet
    ahead.heard(said("a", "s1", 40.0))
    ahead.heard(said("b", "s1", 90.0))
    assert ahead.ahead() == relay.SWITCH_AHEAD_S  # 1.5 x 90 ms is less than the least
    ahead.heard(said("c", "s1", 600.0))
    assert ahead.ahead() == pytest.approx(0.9)  # the slowest node's time, with the margin
    ahead.heard(said("c", "s2", 5000.0))  # a node stuck for seconds
    assert ahead.ahead() == MOST_S


def test_a_switch_counts_once_and_a_slow_one_is_forgotten_after_the_last_few() -> None:
    ahead = Ahead()
    ahead.heard(said("c", "s0", 800.0))
    for _ in range(3):  # the same report again (every few seconds): one switch
        ahead.heard(said("c", "s1", 100.0))
    ahead.heard(said("c", "s1", 100.0))
    assert ahead.slowest() == pytest.approx(0.8)
    for number in range(2, KEPT):
        ahead.heard(said("c", f"s{number}", 100.0))
    assert ahead.slowest() == pytest.approx(0.8)  # still among c's last KEPT switches
    ahead.heard(said("c", f"s{KEPT}", 100.0))
    assert ahead.slowest() == pytest.approx(0.1)
    assert ahead.ahead() == relay.SWITCH_AHEAD_S
    ahead.heard(said("d", "s9", None))  # a node that has not shown a switch says nothing of it
    assert ahead.slowest() == pytest.approx(0.1)
