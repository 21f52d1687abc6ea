"""Serving for tests: a real ASGI backend on 127.0.0.1 in a thread, and a wall serving its sources."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any

import pytest
import uvicorn

from wallapp.app import WallDisplay


@contextlib.contextmanager
def serving(app: Any, ws: str = "none") -> Iterator[str]:
    """The app's base URL while it is served on a free port; stopped on exit."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off", ws=ws)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


async def until(condition: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    """Wait on the loop until ``condition`` holds; fail the test naming ``what`` after ``timeout`` s."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def while_serving(
    run_async: Callable[[Coroutine[Any, Any, Any]], Any],
    display: WallDisplay,
    steps: Callable[[], Awaitable[None]],
) -> None:
    """Run ``steps`` on the loop while the display's sources are served, as ``wallapp run`` does; then
    stop the sources and close the display, whatever happened."""

    async def scenario() -> None:
        quitting = asyncio.Event()
        serving = asyncio.ensure_future(display.serve(quitting))
        try:
            await steps()
        finally:
            quitting.set()
            await serving

    try:
        run_async(scenario())
    finally:
        display.close()
