"""Stopping tasks for good, and within a bound.

On Python 3.11 one cancellation is not always enough: ``asyncio.wait_for`` (which aiomqtt and others
wait with) swallows a cancellation that comes just as what it waits for completes, and a task in a retry
loop then goes on for ever. Its stopper, awaiting it once, waited for ever too: a wall asked to quit after
hours of flapping servers stayed up, its loop idle, its results never written. ``cancelled`` cancels
again and again until the task ends, and gives up (with one line saying which task) after ``GIVE_UP_S``,
so a wall always stops.
"""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger(__name__)

AGAIN_EVERY_S = 1.0
"""How long a task may take to end after a cancellation (cleaning up: a goodbye to a broker) before it is
cancelled again."""
GIVE_UP_S = 10.0
"""How long a stop waits for a task that will not end before leaving it behind."""


async def cancelled(*tasks: asyncio.Task[None], give_up_after: float = GIVE_UP_S) -> None:
    """Cancel ``tasks`` and wait for their end, cancelling each again while it goes on; a task still
    running ``give_up_after`` seconds later is left behind, told in the log. The caller cancelled meanwhile
    (its own caller cancels it again and again, for the same reason) still waits for every task's end,
    then is cancelled: no task is left behind, cancelling, when the loop stops."""
    interrupted = False
    loop = asyncio.get_running_loop()
    deadline = loop.time() + give_up_after
    for task in tasks:
        task.cancel()
        asked = loop.time()
        while not task.done() and loop.time() < deadline:
            if loop.time() - asked >= AGAIN_EVERY_S:  # a cleanup that takes less is left to finish
                task.cancel()
                asked = loop.time()
            try:
                await asyncio.wait([task], timeout=AGAIN_EVERY_S)
            except asyncio.CancelledError:
                interrupted = True
        if not task.done():
            name = task.get_name()
            log.error("%s did not stop within %g s of being asked; left behind", name, give_up_after)
        elif not task.cancelled() and (error := task.exception()) is not None:
            log.error("%s failed", task.get_name(), exc_info=error)
    if interrupted:
        raise asyncio.CancelledError
