"""The one retry loop of every source kind (``run_reader``), driven by a scripted reader: the waits that
follow successes, failures and bugs, and what is reported, without sleeping."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import TypeAdapter

from wallapp.core.config.sources import Backoff, Resolver, SourceSpec
from wallapp.core.data.store import Store
from wallapp.errors import SourceError
from wallapp.live.backoff import backoff_delay
from wallapp.live.ingest import Ingest
from wallapp.live.runner import run_reader

pytestmark = pytest.mark.asyncio

SPEC: TypeAdapter[Any] = TypeAdapter(SourceSpec)
BACKOFF = {"initial": 1, "factor": 2, "maximum": 5, "jitter": 0}
REMOTE = {"url": "https://api.example/p", "mapping": {"record": "post"}, "backoff": BACKOFF}
HTTP = {"kind": "http", "interval": 30, **REMOTE}

Step = Callable[[Ingest], "float | None"]


def ok(asked: float | None = None) -> Step:
    """An attempt that went well (the data confirmed), asking for ``asked`` seconds before the next (None:
    the spec's own wait)."""

    def step(ingest: Ingest) -> float | None:
        ingest.unchanged()
        return asked

    return step


def fail(cause: str = "refused", *, wait_at_least: float | None = None, messages: int = 0) -> Step:
    """A failed attempt, after ``messages`` messages came in."""

    def step(ingest: Ingest) -> float | None:
        for _ in range(messages):
            ingest.arrived()
        raise SourceError(ingest.name, cause, wait_at_least=wait_at_least)

    return step


def bug(ingest: Ingest) -> float | None:
    raise RuntimeError("a bug")


class Run:
    """``run_reader`` playing ``steps`` (one per attempt, across fresh readers) until they run out."""

    def __init__(self, spec: dict[str, Any], rng: random.Random | None = None) -> None:
        self.spec = SPEC.validate_python(spec)
        self.ingest = Ingest(
            "feed",
            Store("feed"),
            target="here",
            mapping=None,
            filters=None,
            resolver=Resolver("feed", {}, {}),
        )
        self.rng = rng or random.Random(0)
        self.waits: list[float] = []
        self.readers = 0

    async def play(self, *steps: Step) -> list[float]:
        script = iter(steps)
        with pytest.raises(asyncio.CancelledError):
            await run_reader(lambda: self._reader(script), self.spec, self.ingest, self.rng, self._sleep)
        return self.waits

    def _reader(self, script: Iterator[Step]) -> Any:
        self.readers += 1
        ingest = self.ingest

        class Reader:
            async def once(self) -> float | None:
                step = next(script, None)
                if step is None:
                    raise asyncio.CancelledError
                return step(ingest)

        return Reader()

    async def _sleep(self, seconds: float) -> None:
        self.waits.append(seconds)


async def test_failures_back_off_a_success_waits_the_interval_and_the_server_is_heard(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="wallapp.live")
    run = Run(HTTP)
    waits = await run.play(
        fail(), fail(), fail(), fail(), ok(), fail(wait_at_least=10), fail("busy", wait_at_least=0), ok(0.5)
    )
    assert waits == [1, 2, 4, 5, 30, 10, 2, 0.5]
    assert run.ingest.health.failures == 0
    assert run.readers == 1
    lines = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    # One line an outage: the second one's new cause ("busy") is in the debug log, not told again.
    assert lines == [
        "source 'feed' (here): refused; retrying in 1 s",
        "source 'feed' (here): refused; retrying in 10 s",
    ]
    assert "source 'feed' (here): busy; retrying in 2 s" in caplog.messages


async def test_a_stream_that_brought_messages_before_it_broke_counts_again_from_one() -> None:
    run = Run({"kind": "sse", **REMOTE})
    waits = await run.play(fail(), fail(), fail(messages=3), fail(), ok(), fail(messages=1), ok(0.2))
    # A stream that ended cleanly is opened again after ``backoff.initial``, or the server's retry delay.
    assert waits == [1, 2, 1, 2, 1, 1, 0.2]


async def test_the_waits_are_jittered_by_the_given_rng() -> None:
    run = Run({**HTTP, "backoff": {**BACKOFF, "jitter": 0.5}}, random.Random(7))
    waits = await run.play(fail(), fail(), fail())
    draws = random.Random(7)
    assert waits == [full * (1 - 0.5 * draws.random()) for full in (1, 2, 4)]


async def test_a_file_tries_again_every_interval() -> None:
    spec = {"kind": "file", "path": "x.json", "interval": 2, "mapping": {"record": "post"}}
    run = Run(spec)
    assert await run.play(fail(), fail(), fail(), fail(), ok()) == [2, 2, 2, 2, 2]
    assert run.ingest.health.failures == 0


async def test_a_bug_is_logged_and_the_source_starts_afresh(caplog: pytest.LogCaptureFixture) -> None:
    run = Run(HTTP)
    waits = await run.play(fail(), fail(), bug, fail(), bug, ok())
    # The restarts count on (1 s, then 2 s); a fresh reader counts its failures from one again.
    assert waits == [1, 2, 1, 1, 2, 30]
    assert run.readers == 3
    # Told once, with its traceback: the second bug is the same problem in the same failure episode.
    (error,) = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert error.getMessage() == "source 'feed' (here): internal error (RuntimeError); retrying in 1 s"
    assert error.exc_info
    assert run.ingest.health.last_error == "internal error (RuntimeError)"


async def test_a_bug_in_a_local_source_restarts_after_the_default_backoff() -> None:
    run = Run({"kind": "demo", "interval": 1, "feed": "topics"})
    (wait, after) = await run.play(bug, ok())
    assert 0.5 <= wait <= 1  # Backoff(): 1 s, up to half of it jittered away
    assert after == 1
    assert run.readers == 2


async def test_days_of_failures_wait_the_maximum_not_an_overflow() -> None:
    # 2,000 failures in a row is a week of waits at 300 s: 2.0 ** 1999 is past what a float holds.
    assert backoff_delay(Backoff(maximum=300, jitter=0), 2000, random.Random()) == 300


@pytest.mark.parametrize(
    ("spec", "longest"),
    [
        ({"kind": "http", "interval": 30}, 30),  # a long outage: the next try never more than 30 s away
        ({"kind": "http", "interval": 3600}, 300),  # an hourly poll still retries within five minutes
        ({"kind": "sse", "expect_every": 20}, 20),
        ({"kind": "http", "interval": 0.5, "backoff": {"initial": 2}}, 2),
        ({"kind": "http", "interval": 30, "backoff": {"maximum": 120}}, 120),  # declared: as declared
    ],
)
async def test_the_waits_after_failures_grow_no_longer_than_the_interval_unless_declared(
    spec: dict[str, Any], longest: float
) -> None:
    run = Run({"url": "https://api.example/p", "mapping": {"record": "post"}, **spec})
    waits = await run.play(*[fail() for _ in range(40)])
    assert max(waits) <= longest
    assert max(waits) > longest / 2  # jittered by at most half
