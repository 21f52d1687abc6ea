"""The shared time base: NTP's arithmetic on made-up round trips, the choice of samples, the node's clock."""

from __future__ import annotations

import pytest

from wallapp.core import relay
from wallapp.core.timebase import Sample, TimeBase, estimate

OFFSET = 2.5  # the leader's clock is 2.5 s ahead of the node's


def trip(sent: float, there: float, back: float, offset: float = OFFSET, answering: float = 0.0) -> Sample:
    """A round trip sent at ``sent`` (node's clock), ``there`` s to the leader, ``back`` s back."""
    t1 = sent + there + offset
    return Sample(sent, t1, t1 + answering, sent + there + answering + back)


def test_a_symmetric_trip_gives_the_offset_exactly_and_the_delay_without_the_answering_time() -> None:
    sample = trip(100.0, 0.004, 0.004, answering=0.010)
    assert sample.offset == pytest.approx(OFFSET)
    assert sample.delay == pytest.approx(0.008)


def test_an_asymmetric_trip_errs_by_half_the_difference() -> None:
    sample = trip(100.0, 0.002, 0.030)  # the answer slowed on its way back
    assert sample.offset == pytest.approx(OFFSET - 0.014)
    assert sample.delay == pytest.approx(0.032)


def test_the_median_of_the_fastest_half_leaves_slow_lopsided_trips_out() -> None:
    samples = [
        trip(0.0, 0.003, 0.003),
        trip(0.1, 0.002, 0.004),  # 1 ms off
        trip(0.2, 0.004, 0.002),  # 1 ms off the other way
        trip(0.3, 0.003, 0.0035),
        trip(0.4, 0.001, 0.200),  # a frame painted while the answer waited: 100 ms off
        trip(0.5, 0.001, 0.150),
        trip(0.6, 0.010, 0.090),
        trip(0.7, 0.001, 0.050),
    ]
    found = estimate(samples, "a")
    assert found is not None
    assert found.offset == pytest.approx(OFFSET, abs=0.0005)
    assert found.delay == pytest.approx(0.006)
    assert (found.samples, found.leader) == (8, "a")
    # The plain median of every sample would be dragged off by the lopsided ones.
    everything = estimate(samples, "a", keep=1.0)
    assert everything is not None
    assert everything.offset < OFFSET - 0.010


def test_no_usable_samples_no_estimate() -> None:
    assert estimate([], "a") is None
    backwards = Sample(10.0, 5.0, 5.0, 9.0)  # received before it was sent: a clock read out of order
    assert estimate([backwards], "a") is None
    one = estimate([backwards, trip(0.0, 0.01, 0.01)], "a")
    assert one is not None
    assert one.samples == 1
    assert one.offset == pytest.approx(OFFSET)


class Clocks:
    def __init__(self, local: float, wall: float) -> None:
        self.local_s, self.wall_s = local, wall

    def local(self) -> float:
        return self.local_s

    def wall(self) -> float:
        return self.wall_s

    def advance(self, seconds: float) -> None:
        self.local_s += seconds
        self.wall_s += seconds


def test_the_time_base_starts_on_the_wall_clock_and_takes_the_leaders_from_an_estimate() -> None:
    clocks = Clocks(local=50.0, wall=1_700_000_000.0)
    base = TimeBase(clocks.local, clocks.wall)
    assert base.ticks() == 1_700_000_000.0
    assert base.status() == {"offset_ms": 0.0, "delay_ms": None, "samples": 0, "leader": None, "age_s": None}
    # The leader's shared time is 12 ms ahead of this node's wall clock.
    leader_now = 1_700_000_000.012
    found = estimate([Sample(50.0, leader_now + 0.001, leader_now + 0.001, 50.002)], "a")
    assert found is not None
    base.adopt(found)
    assert base.ticks() == pytest.approx(leader_now)
    clocks.advance(3.0)
    assert base.ticks() == pytest.approx(leader_now + 3.0)
    assert base.now().timestamp() == pytest.approx(leader_now + 3.0)
    assert base.status() == {
        "offset_ms": pytest.approx(12.0),
        "delay_ms": 2.0,
        "samples": 1,
        "leader": "a",
        "age_s": 3.0,
    }
    clocks.wall_s += 60  # the wall clock set by hand: the shared time goes on with the monotonic clock
    assert base.ticks() == pytest.approx(leader_now + 3.0)


def test_time_messages_on_their_topics() -> None:
    topics = relay.Topics("wallapp/hub")
    assert topics.kind(topics.ask) == ("ask", "")
    assert topics.kind(topics.answer("b")) == ("answer", "b")
    assert topics.kind(topics.switch) == ("switch", "")
    assert topics.subscriptions("b")[-1] == topics.sync("b")
    answer = relay.TimeAnswer(node="b", leader="a", id=3, t0=1.0, t1=2.0, t2=2.5)
    assert relay.decode("answer", relay.encode(answer)) == answer
    assert relay.decode("ask", b'{"node": "b"}') == "id: Field required"
    switch = relay.Switch(id="x", by="b", kind="layout", name="hub", at=1_700_000_000.25)
    assert relay.decode("switch", relay.encode(switch)) == switch
