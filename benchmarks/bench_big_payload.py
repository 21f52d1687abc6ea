"""A big payload arriving: the longest stall of the event loop (the UI thread under qasync) and the
memory it takes, while an HTTP source fetches, parses, maps, filters and stores a payload of tens of MB.

Run: ``python benchmarks/bench_big_payload.py [--mb 40] [--runs 5] [--profile]``. Each run is a fresh
process (so its peak memory is its own), fed by a server in another process (so the backend does not
compete with the wall for the interpreter lock). ``--profile`` times each stage alone and prints a
cProfile of the whole path on the calling thread.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import resource
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from bench_mapping import MAPPING, payload

from wallapp.core.config.sources import HttpSource
from wallapp.core.data.filters import FilterOptions
from wallapp.core.data.store import Store
from wallapp.live import SourceRunner, ingest
from wallapp.live.ingest import parse_json
from wallapp.live.network import Network
from wallapp.live.offload import Offload

FILTERS = {"blocked_terms": ["scam"], "languages": ["en", "fr"]}
HEARTBEAT = 0.001


def body(megabytes: float) -> bytes:
    """A tweets-like search result (posts, authors joined from ``includes.users``) of about that size."""
    size = [len(json.dumps(payload(count)).encode()) for count in (1000, 2000)]
    per_post = (size[1] - size[0]) / 1000
    return json.dumps(payload(int((megabytes * 1e6 - size[0]) / per_post) + 1000)).encode()


def serve(port: int, megabytes: float) -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    data = body(megabytes)

    async def big(request: Request) -> Response:
        return Response(data, media_type="application/json")

    async def ping(request: Request) -> Response:
        return Response(b"{}", media_type="application/json")

    app = Starlette(routes=[Route("/big", big), Route("/ping", ping)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", lifespan="off")


def rss_mb() -> float:
    """The resident memory now (sampled at every heartbeat: its peak is the payload's)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1e6


async def fetch_once(port: int, client: httpx.AsyncClient, offload: Offload | None) -> dict[str, float]:
    """One poll of the big payload by a real runner; the loop's heartbeat gaps meanwhile."""
    spec = HttpSource.model_validate(
        {
            "kind": "http",
            "url": f"http://127.0.0.1:{port}/big",
            "interval": 3600,
            "timeout": 120,
            "max_bytes": 256 * 2**20,
            "mapping": MAPPING.model_dump(by_alias=True, exclude_unset=True),
            "filters": FILTERS,
        }
    )
    store = Store("big", capacity=spec.capacity)
    gaps: list[float] = []
    baseline = peak = rss_mb()
    runner = SourceRunner("big", spec, store, Network(client=client), offload=offload)
    started = time.perf_counter()
    runner.start()
    while runner.health.last_success is None and not runner.health.failures:
        before = time.perf_counter()
        await asyncio.sleep(HEARTBEAT)
        gaps.append(time.perf_counter() - before - HEARTBEAT)
        peak = max(peak, rss_mb())
    elapsed = time.perf_counter() - started
    await runner.stop()
    if runner.health.failures:
        raise SystemExit(f"the source failed: {runner.health.last_error}")
    return {
        "stall_ms": max(gaps) * 1000,
        "over_50ms": sum(gap > 0.05 for gap in gaps),
        "seconds": elapsed,
        "peak_mb": peak - baseline,
        "records": len(store),
    }


async def fetch_twice(port: int, threads: bool) -> list[dict[str, float]]:
    """The first payload (the worker process starts) and the next (it is there)."""
    offload = None if threads else Offload()
    async with httpx.AsyncClient(trust_env=False) as client:
        await client.get(f"http://127.0.0.1:{port}/ping")  # connected: the figures are the payload's
        results = [await fetch_once(port, client, offload) for _ in range(2)]
    if offload is not None:
        offload.close()
    return results


def trial(port: int, threads: bool) -> None:
    print(json.dumps(asyncio.run(fetch_twice(port, threads))))


async def stall_beside(work: Any) -> float:
    done = asyncio.ensure_future(asyncio.to_thread(work))
    longest = 0.0
    while not done.done():
        before = time.perf_counter()
        await asyncio.sleep(HEARTBEAT)
        longest = max(longest, time.perf_counter() - before - HEARTBEAT)
    await done
    return longest * 1000


def profile(megabytes: float) -> None:
    data = body(megabytes)
    compiled = MAPPING.compiled
    filters = FilterOptions.model_validate(FILTERS).compiled
    stages: dict[str, float] = {}

    def stage(name: str, work: Any) -> Any:
        start = time.perf_counter()
        result = work()
        stages[name] = (time.perf_counter() - start) * 1000
        return result

    parsed = stage("parse (json.loads)", lambda: parse_json("big", data))
    mapped = stage("map (JMESPath + records)", lambda: compiled.apply(parsed).records)
    kept = stage("filter", lambda: filters.apply(mapped))
    store = Store("big", capacity=500)
    stage("store update (500 kept)", lambda: store.update(kept, as_of=datetime.now(UTC)))
    print(f"{len(data) / 1e6:.1f} MB, {len(mapped):,} records:")
    for name, ms in stages.items():
        print(f"  {name}: {ms:,.0f} ms")
    # What a worker thread leaves the loop: the longest wait of a 1 ms heartbeat while a stage runs there.
    print("longest loop stall with the stage in a worker thread:")
    for name, work in (
        ("parse", lambda: parse_json("big", data)),
        ("map", lambda: compiled.apply(parsed)),
        ("filter", lambda: filters.apply(mapped)),
    ):
        print(f"  {name}: {asyncio.run(stall_beside(work)):,.0f} ms")
    profiler = cProfile.Profile()
    profiler.enable()
    Store("big", capacity=500).update(
        filters.apply(compiled.apply(parse_json("big", data)).records), as_of=datetime.now(UTC)
    )
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(12)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=40)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--threads", action="store_true", help="read in a worker thread, as before the worker process"
    )
    parser.add_argument(
        "--process-over",
        type=int,
        metavar="BYTES",
        help=f"payloads over this go to the worker process (default {ingest.OFF_PROCESS_BYTES:,})",
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--trial", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve, args.mb)
    if args.trial:
        if args.process_over is not None:
            ingest.OFF_PROCESS_BYTES = args.process_over
        return trial(args.trial, args.threads)
    if args.profile:
        return profile(args.mb)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--mb", str(args.mb)])
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                httpx.head(f"http://127.0.0.1:{port}/big", trust_env=False)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        here = Path(__file__)
        command = [sys.executable, str(here), "--trial", str(port)] + (["--threads"] if args.threads else [])
        if args.process_over is not None:
            command += ["--process-over", str(args.process_over)]
        runs = [
            json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
            for _ in range(args.runs)
        ]
    finally:
        server.terminate()
        server.wait()
    how = "a worker thread" if args.threads else "the worker process"
    kept = runs[0][0]["records"]
    print(f"a {args.mb:g} MB payload read in {how}, {kept:g} records kept, {args.runs} runs:")
    for number, which in enumerate(("first payload", "next payload")):
        print(f"  {which}:")
        for key in ("stall_ms", "over_50ms", "seconds", "peak_mb"):
            values = sorted(run[number][key] for run in runs)
            print(
                f"    {key}: median {statistics.median(values):,.1f}, "
                f"range {values[0]:,.1f} to {values[-1]:,.1f}"
            )


if __name__ == "__main__":
    main()
