"""How fresh a source's data is: live, stale, failing, with the data's age and the last error.

Everything here is a pure function of the time passed in: a runtime records successes and failures in a
``Health`` value, and anyone (a widget's stale badge, the control API) asks ``assess`` at any time.

- ``connecting``: nothing received yet and nothing failed yet (no data to show, or only cached data);
- ``live``: a good update arrived within ``stale_after`` expected intervals;
- ``stale``: the last good update is older than that, or the data shown comes from the cache;
- ``failing``: the last attempt failed; the data shown (if any) is the last good one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum


class SourceState(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    STALE = "stale"
    FAILING = "failing"


@dataclass(frozen=True)
class Health:
    """What happened to a source so far."""

    last_success: datetime | None = None
    last_failure: datetime | None = None
    last_error: str | None = None
    failures: int = 0
    """Failures since the last success."""
    failing_since: datetime | None = None
    """The first of those failures: how long the source has been failing."""

    def succeeded(self, now: datetime) -> Health:
        return replace(self, last_success=now, failures=0, failing_since=None)

    def failed(self, now: datetime, error: str) -> Health:
        since = self.failing_since if self.failures else now
        return replace(
            self, last_failure=now, last_error=error, failures=self.failures + 1, failing_since=since
        )


@dataclass(frozen=True)
class Freshness:
    """The answer to "can the wall trust this source now?"."""

    state: SourceState
    age: timedelta | None
    """Age of the data shown (as of its last good update); None when there is none."""
    last_error: str | None
    failures: int
    failing_for: timedelta | None = None
    """How long the source has been failing, without a success in between; None when it is not."""

    @property
    def badge(self) -> bool:
        """Whether a widget should mark its data as not live."""
        return self.state is not SourceState.LIVE and self.age is not None


def assess(
    health: Health,
    now: datetime,
    *,
    interval: float,
    stale_after: float = 3,
    as_of: datetime | None = None,
) -> Freshness:
    """A source's freshness at ``now``: ``interval`` is how often good updates are expected, in seconds.

    ``as_of`` is the time of the data shown (a store's, possibly loaded from the cache).
    """
    data_time = as_of or health.last_success
    age = max(now - data_time, timedelta(0)) if data_time is not None else None
    if health.failures:
        state = SourceState.FAILING
    elif health.last_success is None:
        state = SourceState.CONNECTING if age is None else SourceState.STALE
    elif (now - health.last_success).total_seconds() > stale_after * interval:
        state = SourceState.STALE
    else:
        state = SourceState.LIVE
    failing_for = (
        max(now - health.failing_since, timedelta(0))
        if health.failures and health.failing_since is not None
        else None
    )
    return Freshness(state, age, health.last_error, health.failures, failing_for)
