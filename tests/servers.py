"""Real servers on 127.0.0.1 for tests, a wall serving its sources, and waiting on the loop for a condition.

Two ways to serve: ``serve`` runs uvicorn on the test's own running loop (the source tests, async);
``serving`` runs it in a thread, for tests that drive the wall's loop themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import pytest
import uvicorn
from starlette.types import ASGIApp

from wallapp.core.config.sources import SourceSpec
from wallapp.core.data.store import Store
from wallapp.live import Network, SourceRunner

if TYPE_CHECKING:
    from wallapp.app import WallDisplay


class Clock:
    """The wall time a test moves by hand (a source's ``clock``)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 10, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


T = TypeVar("T")


def free_port() -> int:
    """A port nothing listens on (connection refused), free to serve on later."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def until(condition: Callable[[], object], what: str = "the condition", timeout: float = 15.0) -> None:
    """Wait on the running loop until ``condition()`` is true (checked every few milliseconds); fail the
    test naming ``what`` after ``timeout`` s. The condition must be false, not raise, until what it waits
    for exists: an exception ends the wait as a failure."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(0.005)


def poll(probe: Callable[[], T], timeout: float = 30.0) -> T | None:
    """``probe()`` asked again and again until it answers something true (returned), for a process the test
    cannot drive by a clock (a compositor, an X server); None after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not (answer := probe()):
        if time.monotonic() > deadline:
            return None
        time.sleep(0.05)
    return answer


@contextlib.asynccontextmanager
async def serve(app: ASGIApp, port: int = 0, **tls: Any) -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn on the running loop; yields the base URL ``http://127.0.0.1:PORT``
    (``https://`` when ``tls`` has uvicorn's ``ssl_certfile``, ``ssl_ca_certs``...)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    config = uvicorn.Config(
        app, lifespan="off", log_level="critical", ws="websockets-sansio", timeout_graceful_shutdown=1, **tls
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await until(lambda: server.started or task.done(), "the server to start")
        if task.done():
            task.result()
        yield f"{'https' if tls else 'http'}://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@contextlib.contextmanager
def serving(app: ASGIApp, ws: str = "none", **tls: Any) -> Iterator[str]:
    """The app's base URL while it is served from a thread on a free port; stopped on exit (``tls``: as
    for ``serve``)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off", ws=ws, **tls)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.02)
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextlib.asynccontextmanager
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    """A client that goes straight to 127.0.0.1, whatever proxy the environment names."""
    async with httpx.AsyncClient(trust_env=False) as client:
        yield client


def start_source(
    name: str, spec: SourceSpec, store: Store, client: httpx.AsyncClient | Network, **options: Any
) -> SourceRunner:
    """A runner (``options`` as for ``SourceRunner``) started on the running loop; a bare client is the
    network's (no TLS or proxy settings)."""
    network = client if isinstance(client, Network) else Network(client=client)
    runner = SourceRunner(name, spec, store, network, **options)
    runner.start()
    return runner


def warnings_of(caplog: pytest.LogCaptureFixture, source: str, level: int = logging.WARNING) -> list[str]:
    """The warning lines logged about a source (or those at ``level`` and above)."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= level and record.getMessage().startswith(f"source {source!r}")
    ]


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


def ctl_on(
    url: Callable[[], object], capsys: pytest.CaptureFixture[str], token: str
) -> Callable[..., Coroutine[Any, Any, tuple[int, str, str]]]:
    """``wallapp ctl ARGS`` against the wall at ``url()`` (asked at each call: the API listens once the wall
    serves), in a worker thread (the wall's loop serves it): its exit code, what it printed and what it said
    on stderr."""

    async def ctl(*args: str, token: str = token) -> tuple[int, str, str]:
        from wallapp import cli

        code = await asyncio.to_thread(cli.main, ["ctl", "--url", str(url()), "--token", token, *args])
        out, err = capsys.readouterr()
        return code, out.strip(), err.strip()

    return ctl
