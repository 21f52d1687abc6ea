"""file and demo sources, stores opened from the cache, and a runner surviving its own errors."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter
from servers import http_client, start_source, until, warnings_of

from wallapp.core.config.layout import load_layout
from wallapp.core.config.sources import SourceSpec
from wallapp.core.data.freshness import SourceState
from wallapp.core.data.records import Metric, Post
from wallapp.core.data.store import Store
from wallapp.core.view.geometry import WallSpec
from wallapp.live import describe_target, open_store
from wallapp.live.feeds import Feeds

SPEC: TypeAdapter[Any] = TypeAdapter(SourceSpec)
EVENING = datetime(2026, 3, 3, 18, tzinfo=UTC)
LAYOUTS = Path(__file__).resolve().parents[2] / "layouts"


def ids(store: Store) -> list[str]:
    return sorted(record.id for record in store.records())


def write(path: Path, text: str, bump: int) -> None:
    """Write and move the mtime on, so a change is seen even on coarse file-system clocks."""
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(bump * 10**9, bump * 10**9))


@pytest.fixture(autouse=True)
def _data_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="wallapp.live")


@pytest.mark.asyncio
async def test_json_file_read_again_when_it_changes(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    spec = SPEC.validate_python(
        {
            "kind": "file",
            "path": "feed/posts.json",
            "interval": 0.01,
            "mapping": {"record": "post", "items": "posts"},
        }
    )
    path = tmp_path / "feed" / "posts.json"
    store = Store("file")
    async with http_client() as client:
        runner = start_source("file", spec, store, client, base_dir=tmp_path)
        await until(lambda: runner.health.failures >= 1)
        path.parent.mkdir()
        write(path, json.dumps({"posts": [{"id": "1"}]}), 1)
        await until(lambda: ids(store) == ["1"])
        write(path, '{"posts": [{"id": "2"}', 2)
        await until(lambda: runner.health.failures >= 1)
        assert ids(store) == ["1"]
        write(path, json.dumps({"posts": [{"id": "2"}]}), 3)
        await until(lambda: ids(store) == ["1", "2"])
        assert runner.freshness(store.as_of).state is SourceState.LIVE
        await runner.stop()
    missing, truncated = warnings_of(caplog, "file")
    assert missing == f"source 'file' ({path}): file not found; retrying in 0.01 s"
    assert "the file is not valid JSON: Expecting ',' delimiter" in truncated


@pytest.mark.asyncio
async def test_ndjson_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "kpis.ndjson"
    write(path, '{"name": "rate", "value": 1}\n\n{"name": "time", "value": 2}\n', 1)
    spec = SPEC.validate_python(
        {"kind": "file", "path": str(path), "interval": 0.01, "mapping": {"record": "metric"}}
    )
    store = Store("kpis")
    async with http_client() as client:
        runner = start_source("kpis", spec, store, client)
        await until(lambda: ids(store) == ["rate", "time"])
        write(path, '{"name": "rate", "value": 3}\nnot json\n', 2)
        await until(lambda: runner.health.failures >= 1)
        write(path, '{"name": "rate", "value": 3}\n', 3)
        await until(lambda: isinstance(m := store.get("rate"), Metric) and m.value == 3)
        await runner.stop()
    (line,) = warnings_of(caplog, "kpis")
    assert "line 2 of the file is not JSON" in line


@pytest.mark.asyncio
async def test_demo_posts_follow_the_clock(tmp_path: Path) -> None:
    now = [EVENING]
    spec = SPEC.validate_python(
        {"kind": "demo", "seed": 3, "interval": 0.01, "filters": {"languages": ["fr"]}}
    )
    store = open_store("demo", spec, tmp_path)
    async with http_client() as client:
        runner = start_source("demo", spec, store, client, clock=lambda: now[0])
        await until(lambda: len(store) > 20)
        first = set(ids(store))
        now[0] = EVENING + timedelta(minutes=2)
        await until(lambda: not set(ids(store)) <= first)
        await runner.stop()
    posts = [record for record in store.records() if isinstance(record, Post)]
    assert {post.lang for post in posts} == {"fr"}
    assert posts[0].created_at is not None
    assert posts[0].created_at > EVENING
    assert runner.freshness(now[0]).state is SourceState.LIVE
    assert store.save()

    reopened = open_store("demo", spec, tmp_path)
    assert reopened.from_cache
    assert reopened.records() == store.records()
    assert open_store("demo", SPEC.validate_python({"kind": "demo", "seed": 4}), tmp_path).records() == ()


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("feed", "count"), [("kpis", 600), ("influencers", 20), ("topics", 12), ("activity", 61)]
)
async def test_demo_feeds(feed: str, count: int) -> None:
    spec = SPEC.validate_python({"kind": "demo", "seed": 1, "feed": feed, "interval": 0.01})
    store = Store(feed, capacity=1000)
    async with http_client() as client:
        runner = start_source(feed, spec, store, client, clock=lambda: EVENING)
        await until(lambda: len(store) == count and runner.health.last_success is not None)
        await until(lambda: store.as_of is not None)
        await runner.stop()


@pytest.mark.asyncio
async def test_a_runner_survives_its_own_errors(caplog: pytest.LogCaptureFixture) -> None:
    calls = [0]

    def clock() -> datetime:
        calls[0] += 1
        if calls[0] == 1:
            raise RuntimeError("clock broke")
        return EVENING

    spec = SPEC.validate_python({"kind": "demo", "seed": 1, "interval": 0.01, "feed": "topics"})
    store = Store("demo")
    async with http_client() as client:
        runner = start_source("demo", spec, store, client, clock=clock)
        await until(lambda: len(store) == 12)
        await runner.stop()
    assert "source 'demo' (demo topics): internal error" in caplog.text
    assert runner.health.failures == 0


def test_primed_demo_sources_age_on_the_time_the_feeds_are_given() -> None:
    now = [EVENING]
    feeds = Feeds(None, now=lambda: now[0])
    stores = feeds.use(load_layout(LAYOUTS / "lobby.json", WallSpec()))
    feeds.prime(EVENING)
    store, freshness = stores["care"]
    assert len(store) == 600
    assert freshness().state is SourceState.LIVE
    now[0] = EVENING + timedelta(minutes=20)
    aged = feeds.freshness()["care"]
    assert (aged.state, aged.age) == (SourceState.STALE, timedelta(minutes=20))


def test_describe_target() -> None:
    http = SPEC.validate_python(
        {
            "kind": "http",
            "url": "https://u:${secret:P}@api.example/x",
            "query": {"key": "${env:K}", "q": 1},
            "mapping": {"record": "row"},
        }
    )
    assert describe_target(http) == "https://u:***@api.example/x?key=***&q=1"
    assert describe_target(SPEC.validate_python({"kind": "demo", "feed": "kpis"})) == "demo kpis"
