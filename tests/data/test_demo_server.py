"""The demo server over real HTTP, and the example sources that read it by configuration alone."""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime
from typing import Any

import pytest
from pydantic import TypeAdapter
from servers import http_client, serve, start_source, until, warnings_of

from wallapp.core.config.sources import SourceSpec
from wallapp.core.data.records import Metric, Person, Post, Topic
from wallapp.core.data.store import Store
from wallapp.demo_server import BACKLOG, create_app, example_sources

pytestmark = pytest.mark.asyncio

SPEC: TypeAdapter[Any] = TypeAdapter(SourceSpec)


async def test_json_endpoints_and_conditional_requests() -> None:
    async with serve(create_app(1, tick=0.05)) as base, http_client() as client:
        posts = await client.get(f"{base}/api/posts", params={"limit": 5})
        assert posts.status_code == 200
        body = posts.json()
        assert len(body["data"]) == 5
        assert {user["id"] for user in body["includes"]["users"]} >= {body["data"][0]["author_id"]}
        again = await client.get(
            f"{base}/api/posts", params={"limit": 5}, headers={"If-None-Match": posts.headers["etag"]}
        )
        assert again.status_code in (200, 304)
        assert len((await client.get(f"{base}/api/kpis")).json()["kpis"]) == 600
        assert len((await client.get(f"{base}/api/influencers")).json()["ranking"]) == 20
        assert (await client.get(f"{base}/api/topics")).json()["trends"][0]["name"].startswith("#")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("posts", Post),
        ("posts-live", Post),
        ("posts-socket", Post),
        ("influencers", Person),
        ("topics", Topic),
        ("kpis", Metric),
    ],
)
async def test_example_sources_read_the_demo_server(
    name: str, kind: type, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="wallapp.live")
    async with serve(create_app(2, tick=0.05)) as base, http_client() as client:
        spec = SPEC.validate_python(example_sources(base)[name])
        store = Store(name, capacity=1000)
        runner = start_source(name, spec, store, client)
        await until(lambda: len(store) >= 5)
        await runner.stop()
    records = store.records()
    assert all(isinstance(record, kind) for record in records)
    assert warnings_of(caplog, name) == []
    if kind is Post:
        post = records[0]
        assert isinstance(post, Post)
        assert post.handle
        assert post.author_name
        assert post.created_at is not None
        assert post.avatar_url is not None
        assert post.avatar_url.startswith("data:image/svg+xml")
    if kind is Metric:
        metric = records[0]
        assert isinstance(metric, Metric)
        assert set(metric.dimensions) == {"country", "brand"}
        assert metric.measured_at is not None


async def test_the_stream_resumes_after_the_last_event_id() -> None:
    resume = int(time.time()) - 120  # further back than the default backlog
    headers = {"Last-Event-ID": f"{resume}000000"}
    async with (
        serve(create_app(3, tick=0.05)) as base,
        http_client() as client,
        client.stream("GET", f"{base}/api/stream", headers=headers) as response,
    ):
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = []
        async for line in response.aiter_lines():
            lines.append(line)
            if line.startswith("data: "):
                break
    assert lines[0] == "retry: 150"
    first = json.loads(lines[-1].removeprefix("data: "))
    # Resumed at the given point, not from the default backlog: the first post is older than the backlog
    # window (90 s of posts lie between the two; at the quietest simulated hour that is several posts).
    created = datetime.fromisoformat(first["created_at"]).timestamp()
    assert resume <= created < time.time() - BACKLOG.total_seconds()
