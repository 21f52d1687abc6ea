"""Waits between attempts after failures: exponential, capped, with jitter so walls do not retry in step."""

from __future__ import annotations

import random
from email.utils import parsedate_to_datetime

from wallapp.core.config.sources import Backoff


def backoff_delay(policy: Backoff, failures: int, rng: random.Random) -> float:
    """Seconds to wait after ``failures`` failures in a row (1 or more)."""
    try:
        full = min(policy.maximum, policy.initial * policy.factor ** max(failures - 1, 0))
    except OverflowError:  # days of failures: the growth passed what a float holds, long after the cap
        full = policy.maximum
    return full * (1 - policy.jitter * rng.random())


def retry_after(value: str | None, now: float) -> float | None:
    """A ``Retry-After`` header (seconds or an HTTP date) as seconds from ``now`` (a Unix time)."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(moment.timestamp() - now, 0.0)
