"""Throughput of the data layer: mapping a 1,000-post payload, the cost of a store update, and the
longest stall of the event loop (the UI thread under qasync) while an SSE stream delivers 2,000 posts/s.

Run: ``python benchmarks/bench_mapping.py``. Targets: 1,000 posts mapped in under 50 ms; no single
event-loop stall over 8 ms while ingesting 2,000 posts/s.
"""

from __future__ import annotations

import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from wallapp.core.config.sources import SseSource
from wallapp.core.data.mapping import Mapping
from wallapp.core.data.records import Record
from wallapp.core.data.store import Store
from wallapp.live import Network, SourceRunner

POSTS = 1000

MAPPING = Mapping.model_validate(
    {
        "record": "post",
        "items": "data",
        "lookups": [{"as": "author", "from": "includes.users", "key": "id", "match": "author_id"}],
        "fields": {
            "network": {"default": "twitter"},
            "author_name": "author.name",
            "handle": "author.username",
            "avatar_url": "author.profile_image_url",
            "author_followers": "author.public_metrics.followers_count",
            "created_at": {"expr": "created_at", "coerce": "datetime"},
            "likes": {"expr": "public_metrics.like_count", "default": 0},
            "reposts": "public_metrics.retweet_count",
            "reach": "public_metrics.impression_count",
            "country": "geo.country_code",
            "media_url": "attachments.media[0].url",
        },
    }
)


def payload(count: int = POSTS) -> dict[str, Any]:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    posts = [
        {
            "id": str(10**18 + n),
            "text": f"Post {n} about #OrbisTelecom and @orbis_care, with some more words to read",
            "author_id": str(n % 200),
            "created_at": (start + timedelta(seconds=n)).isoformat(),
            "lang": "en",
            "geo": {"country_code": "FR"},
            "public_metrics": {"like_count": n % 50, "retweet_count": n % 7, "impression_count": n * 10},
            "attachments": {"media": [{"url": f"https://media.example/{n}.jpg"}]} if n % 5 == 0 else {},
        }
        for n in range(count)
    ]
    users = [
        {
            "id": str(u),
            "name": f"User {u}",
            "username": f"user{u}",
            "profile_image_url": f"https://img.example/{u}.png",
            "public_metrics": {"followers_count": u * 100},
        }
        for u in range(200)
    ]
    return {"data": posts, "includes": {"users": users}}


def timed(action: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(label: str, times: list[float], per: int | None = None) -> None:
    median = statistics.median(times)
    line = f"{label}: median {median:.2f} ms, max {max(times):.2f} ms"
    if per:
        line += f", {per / median * 1000:,.0f} records/s"
    print(line)


def bench_mapping() -> None:
    data = payload()
    compiled = MAPPING.compiled
    assert len(compiled.apply(data).records) == POSTS
    report(f"map {POSTS} posts (join, 12 fields)", timed(lambda: compiled.apply(data), 20), POSTS)


def bench_store() -> None:
    posts = MAPPING.compiled.apply(payload(5000)).records
    start = datetime(2026, 3, 1, tzinfo=UTC)
    store = Store("bench", capacity=500)
    store.update(posts[:500], as_of=start)
    singles = iter(posts[500:])
    report(
        "store update, 1 new post into 500 (UI thread, per SSE event)",
        timed(lambda: store.update([next(singles)], as_of=start), 2000),
    )
    batches = iter(range(500, 5000, 100))
    report(
        "store update, 100 new posts into 500",
        timed(lambda: store.update(posts[(n := next(batches)) : n + 100], as_of=start), 40),
    )

    def sorted_view() -> tuple[Record, ...]:
        fresh = Store("bench", capacity=500)
        fresh.update(posts[:500], as_of=start)
        return fresh.records()

    report("store records() after a change (sorted view, 500)", timed(sorted_view, 20))
    with tempfile.TemporaryDirectory() as folder:
        saved = Store("bench", capacity=500, cache_path=Path(folder) / "bench.json")
        saved.update(posts[:500], as_of=start)
        report("store snapshot save (500 posts)", timed(saved.save, 20))
        report("store snapshot load (500 posts)", timed(saved.load, 20))


RATE = 2000
SECONDS = 4


def _serve_stream(port: int) -> None:
    """A server pushing RATE posts/s as SSE events (run in its own process)."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import StreamingResponse
    from starlette.routing import Route

    async def stream(request: Request) -> StreamingResponse:
        async def events() -> AsyncIterator[str]:
            number, start = 0, time.perf_counter()
            while True:
                due = int((time.perf_counter() - start) * RATE)
                chunk = []
                while number < due:
                    number += 1
                    post = {
                        "id": str(number),
                        "text": f"post {number} #OrbisTelecom",
                        "handle": f"user{number % 97}",
                    }
                    chunk.append(f"id: {number}\ndata: {json.dumps(post)}\n\n")
                yield "".join(chunk)
                await asyncio.sleep(0.005)

        return StreamingResponse(events(), media_type="text/event-stream")

    app = Starlette(routes=[Route("/stream", stream)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", lifespan="off")


async def until_first(store: Store) -> None:
    """Warm-up (connecting, first imports) is not ingesting: measure from the first post on."""
    while not len(store):
        await asyncio.sleep(0.001)


async def _ingest(port: int) -> tuple[int, int, list[float]]:
    loop = asyncio.get_running_loop()

    def next_frame(callback: Callable[[], None]) -> None:
        loop.call_later(1 / 60, callback)

    notified = [0]
    store = Store("bench", capacity=500, schedule=next_frame)
    store.subscribe(lambda s: notified.__setitem__(0, notified[0] + 1))
    spec = SseSource.model_validate(
        {"kind": "sse", "url": f"http://127.0.0.1:{port}/stream", "mapping": {"record": "post"}}
    )
    stalls: list[float] = []
    async with httpx.AsyncClient(trust_env=False) as client:
        runner = SourceRunner("bench", spec, store, Network(client=client))
        runner.start()
        await until_first(store)
        first = int(store.records()[0].id)
        end = time.perf_counter() + SECONDS
        while time.perf_counter() < end:
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            stalls.append((time.perf_counter() - before - 0.001) * 1000)
        await runner.stop()
        last = int(store.records()[0].id)
    return last - first, notified[0], stalls


def bench_sse_ingest() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)])
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            with socket.socket() as attempt:
                if attempt.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        posts, notifications, stalls = asyncio.run(_ingest(port))
    finally:
        server.terminate()
        server.wait()
    stalls.sort()
    print(
        f"SSE ingest at {RATE} posts/s for {SECONDS} s: {posts / SECONDS:,.0f} posts/s stored, "
        f"{notifications / SECONDS:.0f} coalesced notifications/s; event-loop stall "
        f"p99 {stalls[int(len(stalls) * 0.99)]:.2f} ms, max {stalls[-1]:.2f} ms "
        f"(five longest: {', '.join(f'{stall:.1f}' for stall in stalls[-5:])})"
    )


def main() -> None:
    if sys.argv[1:2] == ["--serve"]:
        _serve_stream(int(sys.argv[2]))
        return
    bench_mapping()
    bench_store()
    bench_sse_ingest()


if __name__ == "__main__":
    main()
