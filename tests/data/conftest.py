"""Real servers on 127.0.0.1 for the source tests, runners started on them, and waiting for a condition
without long sleeps."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.types import ASGIApp

from wallapp.core.config.sources import SourceSpec
from wallapp.core.data.store import Store
from wallapp.live import SourceRunner


def free_port() -> int:
    """A port nothing listens on (connection refused), free to serve on later."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def serve(app: ASGIApp, port: int = 0) -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn on the running loop; yields the base URL ``http://127.0.0.1:PORT``."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    config = uvicorn.Config(
        app, lifespan="off", log_level="critical", ws="websockets-sansio", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await until(lambda: server.started or task.done())
        if task.done():
            task.result()
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def until(condition: Callable[[], object], timeout: float = 10.0) -> None:
    """Wait until ``condition()`` is true (checked every few milliseconds)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


@asynccontextmanager
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as client:
        yield client


def start_source(
    name: str, spec: SourceSpec, store: Store, client: httpx.AsyncClient, **options: Any
) -> SourceRunner:
    """A runner (``options`` as for ``SourceRunner``) started on the running loop."""
    runner = SourceRunner(name, spec, store, client, **options)
    runner.start()
    return runner


def warnings_of(caplog: pytest.LogCaptureFixture, source: str) -> list[str]:
    """The warning lines logged about a source."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.WARNING and record.getMessage().startswith(f"source {source!r}")
    ]
