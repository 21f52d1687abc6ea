from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wallapp.core.data.freshness import Health, SourceState, assess

T0 = datetime(2026, 3, 1, 10, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_connecting_then_live_then_stale() -> None:
    health = Health()
    assert assess(health, T0, interval=10).state is SourceState.CONNECTING
    health = health.succeeded(T0)
    fresh = assess(health, at(30), interval=10)
    assert (fresh.state, fresh.age, fresh.badge) == (SourceState.LIVE, timedelta(seconds=30), False)
    stale = assess(health, at(31), interval=10)
    assert (stale.state, stale.badge) == (SourceState.STALE, True)
    assert assess(health, at(31), interval=10, stale_after=5).state is SourceState.LIVE


def test_failing_keeps_the_age_of_the_last_good_data_and_recovers() -> None:
    health = Health().succeeded(T0).failed(at(12), "HTTP 503").failed(at(24), "timed out")
    failing = assess(health, at(25), interval=10)
    assert (failing.state, failing.last_error, failing.failures) == (SourceState.FAILING, "timed out", 2)
    assert failing.age == timedelta(seconds=25)
    assert failing.badge
    recovered = assess(health.succeeded(at(30)), at(31), interval=10)
    assert (recovered.state, recovered.failures, recovered.last_error) == (SourceState.LIVE, 0, "timed out")


def test_cached_data_is_stale_until_the_source_answers() -> None:
    fresh = assess(Health(), T0, interval=10, as_of=T0 - timedelta(hours=2))
    assert (fresh.state, fresh.age) == (SourceState.STALE, timedelta(hours=2))
    failing = assess(Health().failed(T0, "refused"), T0, interval=10)
    assert (failing.state, failing.age, failing.badge) == (SourceState.FAILING, None, False)


def test_failing_counts_from_the_first_failure_since_the_last_success() -> None:
    health = Health().succeeded(T0).failed(at(10), "HTTP 500").failed(at(70), "HTTP 500")
    assert assess(health, at(190), interval=10).failing_for == timedelta(minutes=3)
    again = health.succeeded(at(200)).failed(at(300), "refused")
    assert assess(again, at(310), interval=10).failing_for == timedelta(seconds=10)
    assert assess(again.succeeded(at(320)), at(321), interval=10).failing_for is None
