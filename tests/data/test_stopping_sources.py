"""A source asked to stop stops, even when a cancellation is lost on the way (Python 3.11's
``asyncio.wait_for`` loses one that comes just as what it waits for completes), and a stop that cannot
end its task gives up within a bound and says which task: a wall asked to quit always quits."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from pydantic import TypeAdapter
from servers import http_client, start_source, until

from wallapp.core.config.sources import SourceSpec
from wallapp.core.data.store import Store
from wallapp.live.tasks import cancelled

pytestmark = pytest.mark.asyncio

SPEC: TypeAdapter[Any] = TypeAdapter(SourceSpec)
STOPS_WITHIN_S = 5.0
"""Far more than a stop takes (a few loop turns); only a stop waiting for ever reaches it."""


async def test_a_source_stops_when_the_first_cancellation_is_lost() -> None:
    lost: list[float] = []

    async def sleep(seconds: float) -> None:
        """The wait between attempts, losing the first cancellation as ``wait_for`` can on 3.11."""
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            if lost:
                raise
            lost.append(seconds)

    spec = SPEC.validate_python({"kind": "demo", "seed": 1, "interval": 0.01, "feed": "kpis"})
    store = Store("demo")
    async with http_client() as client:
        runner = start_source("demo", spec, store, client, sleep=sleep)
        task = runner.start()
        await until(lambda: len(store) > 0)
        stopping = asyncio.get_running_loop().create_task(runner.stop())
        await asyncio.wait([stopping], timeout=STOPS_WITHIN_S)  # no cancellation from outside
        stopped = stopping.done()
        task.cancel()  # what a stop that waits for ever leaves running
    assert lost, "the first cancellation was not lost: the test proves nothing"
    assert stopped
    assert task.cancelled()


async def test_a_task_that_will_not_end_is_left_behind_and_named(caplog: pytest.LogCaptureFixture) -> None:
    let_go = asyncio.Event()

    async def stubborn() -> None:
        while not let_go.is_set():
            try:
                await let_go.wait()
            except asyncio.CancelledError:
                continue  # every cancellation swallowed until the test lets it go

    task = asyncio.get_running_loop().create_task(stubborn(), name="source 'stuck'")
    await asyncio.sleep(0)
    await asyncio.wait_for(cancelled(task, give_up_after=0.3), STOPS_WITHIN_S)
    assert not task.done()
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == ["source 'stuck' did not stop within 0.3 s of being asked; left behind"]
    let_go.set()
    task.cancel()
    await task


async def test_a_stopper_cancelled_meanwhile_lets_the_cleanup_finish_then_is_cancelled() -> None:
    cleaning, clean = asyncio.Event(), asyncio.Event()

    async def slow_to_end() -> None:
        try:
            await asyncio.Event().wait()  # until cancelled
        finally:
            cleaning.set()
            await clean.wait()  # a goodbye to a server, say

    task = asyncio.get_running_loop().create_task(slow_to_end())
    await asyncio.sleep(0)
    stopper = asyncio.get_running_loop().create_task(cancelled(task))
    await until(cleaning.is_set, "the task cleaning up")
    stopper.cancel()
    for _ in range(3):
        await asyncio.sleep(0)
    assert not stopper.done()  # still waiting for the task's end
    clean.set()
    with pytest.raises(asyncio.CancelledError):
        await stopper
    assert task.cancelled()
