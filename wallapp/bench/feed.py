"""A local backend for the bench: server-sent events carrying realistic posts at an exact rate.

The demo server's stream follows the simulator's daily rhythm and bursts; a measurement needs a rate it
sets. This server sends the simulator's posts (text, authors, languages, emoji) again and again under
fresh ids, ``rate`` per second, each event's id being the post's id. ``GET /rate?posts=N`` changes the
rate of every open stream. It runs in its own process (``python -m wallapp.bench.feed PORT RATE``): the
backend's work is not the wall's, and a thread would compete with the wall for the interpreter lock.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from wallapp.core.data.demo import Simulator

TICK = 0.005
"""Seconds between writes: events due in that time go out together, like a busy real stream."""
CONTROL_TIMEOUT = 60.0
"""Seconds the bench's own requests to the feed may take. They measure nothing, and on a wall whose frames
take seconds (OpenGL on a software renderer, six 4K screens) the event loop that sends them turns seldom:
httpx's default of 5 s ran out there."""


def sample_posts(seed: int = 7, count: int = 2000) -> list[dict[str, Any]]:
    """Posts from the simulator, as the records its stream sends."""
    simulator = Simulator(seed, base_rate=40)
    start = datetime(2026, 3, 2, 18, tzinfo=UTC)
    posts = simulator.posts(start, start + timedelta(minutes=5), limit=count)
    return [post.model_dump(mode="json", exclude={"type"}, exclude_none=True) for post in posts]


def create_app(rate: float, seed: int = 7) -> Starlette:
    posts = sample_posts(seed)
    pace = {"rate": rate}

    async def set_rate(request: Request) -> Response:
        pace["rate"] = max(0.0, float(request.query_params.get("posts", "0")))
        return JSONResponse(pace)

    async def stream(request: Request) -> Response:
        async def events() -> AsyncIterator[str]:
            number, due, last = 0, 0.0, time.perf_counter()
            yield "retry: 1000\n\n"
            while True:
                now = time.perf_counter()
                due += pace["rate"] * (now - last)
                last = now
                chunk = []
                created = datetime.now(UTC).isoformat().replace("+00:00", "Z")
                while number < int(due):
                    number += 1
                    post = dict(posts[number % len(posts)], id=f"b{number}", created_at=created)
                    chunk.append(f"id: b{number}\nevent: post\ndata: {json.dumps(post)}\n\n")
                if chunk:
                    yield "".join(chunk)
                await asyncio.sleep(TICK)

        return StreamingResponse(
            events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )

    return Starlette(routes=[Route("/stream", stream), Route("/rate", set_rate)])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class FeedServer:
    """The feed in a child process, on a free port of 127.0.0.1."""

    def __init__(self, rate: float) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process = subprocess.Popen(
            [sys.executable, "-m", "wallapp.bench.feed", str(self.port), str(rate)],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while not self._listening():
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError("the bench's feed server did not start")
            time.sleep(0.05)

    def _listening(self) -> bool:
        with socket.socket() as attempt:
            return attempt.connect_ex(("127.0.0.1", self.port)) == 0

    @property
    def stream_url(self) -> str:
        return f"{self.url}/stream"

    async def set_rate(self, client: httpx.AsyncClient, posts_per_second: float) -> None:
        response = await client.get(
            f"{self.url}/rate", params={"posts": posts_per_second}, timeout=CONTROL_TIMEOUT
        )
        response.raise_for_status()

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(5)
            if self._process.poll() is None:
                self._process.kill()
                self._process.wait()


@contextlib.contextmanager
def feed_server(rate: float) -> Iterator[FeedServer]:
    server = FeedServer(rate)
    try:
        yield server
    finally:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m wallapp.bench.feed")
    parser.add_argument("port", type=int)
    parser.add_argument("rate", type=float)
    args = parser.parse_args()
    uvicorn.run(create_app(args.rate), host="127.0.0.1", port=args.port, log_level="warning", lifespan="off")


if __name__ == "__main__":
    main()
