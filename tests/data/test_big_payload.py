"""Big payloads are read in a worker process, which sends back only what the store keeps: the same
records, in the same order, with the same failures and log lines as when read on the wall's side."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import TypeAdapter
from sample_apis import TWEETS_MAPPING
from scripted import Scripted, fixed, json_reply
from servers import http_client, serve, start_source, until, warnings_of
from starlette.responses import Response

from wallapp.core.config.sources import SourceSpec
from wallapp.core.data.mapping import CompiledMapping, MappingResult
from wallapp.core.data.records import Record
from wallapp.core.data.store import Store
from wallapp.live import ingest
from wallapp.live.offload import Offload

pytestmark = pytest.mark.asyncio

SPEC: TypeAdapter[Any] = TypeAdapter(SourceSpec)
FAST = {"interval": 0.01, "timeout": 10, "backoff": {"initial": 0.01, "maximum": 0.05, "jitter": 0}}
BIG = 4096
"""Bytes over which a payload goes to the worker, in these tests (a real one is megabytes)."""


def search_result(posts: int) -> dict[str, Any]:
    """A tweets-like page: some posts share an id (the newer wins), some have no time, one is blocked."""
    data = [
        {
            "id": str(n % (posts - 3)),
            "text": "a scam, do not click" if n == 7 else f"post {n} about #Orbis",
            "author_id": str(n % 4),
            **({"created_at": f"2026-03-01T10:{n % 60:02d}:00Z"} if n % 5 else {}),
            "lang": "en",
        }
        for n in range(posts)
    ]
    users = [{"id": str(u), "name": f"User {u}", "username": f"user{u}"} for u in range(4)]
    return {"data": data, "includes": {"users": users}}


def spec(url: str, **fields: Any) -> Any:
    return SPEC.validate_python(
        {
            "kind": "http",
            "url": url,
            "mapping": TWEETS_MAPPING,
            "filters": {"blocked_terms": ["scam"]},
            **FAST,
            **fields,
        }
    )


@pytest.fixture(scope="module")
def offload() -> Iterator[Offload]:
    """One worker for the module: it takes a second to start."""
    worker = Offload()
    yield worker
    worker.close()


@pytest.fixture
def mapped_here(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Payloads mapped in this process (the worker's own mapping is not watched)."""
    monkeypatch.setattr(ingest, "OFF_PROCESS_BYTES", BIG)
    mapped: list[int] = []
    apply = CompiledMapping.apply

    def watched(mapping: CompiledMapping, payload: Any) -> MappingResult:
        mapped.append(len(payload) if isinstance(payload, list) else 1)
        return apply(mapping, payload)

    monkeypatch.setattr(CompiledMapping, "apply", watched)
    return mapped


async def read(payload: Any, offload: Offload | None, capacity: int = 10, **fields: Any) -> Store:
    """The store after one good poll of ``payload``."""
    store = Store("search", capacity=capacity)
    async with serve(Scripted(json_reply(payload)).app) as base, http_client() as client:
        runner = start_source("search", spec(f"{base}/s", **fields), store, client, offload=offload)
        await until(lambda: runner.health.last_success is not None, "the first good poll", timeout=60)
        await runner.stop()
    return store


def shown(store: Store) -> list[tuple[str, str]]:
    return [(record.id, getattr(record, "text", "")) for record in store.records()]


async def test_a_big_payload_is_read_in_the_worker_with_the_same_result(
    offload: Offload, mapped_here: list[int]
) -> None:
    payload = search_result(60)
    assert len(json.dumps(payload)) > BIG
    there = await read(payload, offload)
    assert offload.started
    assert not mapped_here  # parsed, mapped and filtered in the worker
    here = await read(payload, None)
    assert mapped_here
    assert shown(there) == shown(here)
    assert len(there) == 10
    assert all("scam" not in text for _, text in shown(there))


async def test_a_small_payload_never_starts_the_worker(mapped_here: list[int]) -> None:
    offload = Offload()
    store = await read(search_result(8), offload)
    assert not offload.started
    assert mapped_here
    assert len(store) == 5  # eight posts, five ids


async def test_a_whole_picture_over_capacity_is_reported_with_its_size(
    offload: Offload, mapped_here: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    people = [{"id": f"p{n}", "name": f"Person {n}", "handle": f"p{n}", "rank": n + 1} for n in range(80)]
    mapping = {"record": "person", "items": "people"}
    store = await read({"people": people}, offload, capacity=25, mapping=mapping, filters=None)
    assert not mapped_here
    assert [record.id for record in store.records()] == [f"p{n}" for n in range(25)]  # in rank order
    (line,) = [r.getMessage() for r in caplog.records if "capacity" in r.getMessage()]
    assert line.startswith("source 'search': a payload of 80 records is over the store's capacity of 25")


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        ('{"data": [' + '{"id": "1"},' * 1000, "the response is not valid JSON: Expecting value"),
        (json.dumps({"data": "x" * BIG}), "the payload does not fit the mapping: 'data' is a string"),
    ],
    ids=["truncated", "wrong shape"],
)
async def test_a_bad_big_payload_fails_as_it_would_on_the_wall_side(
    body: str, cause: str, offload: Offload, mapped_here: list[int]
) -> None:
    causes = []
    for worker in (offload, None):
        store = Store("search")
        api = Scripted(fixed(lambda: Response(body, media_type="application/json")))
        async with serve(api.app) as base, http_client() as client:
            runner = start_source("search", spec(f"{base}/s"), store, client, offload=worker)
            await until(lambda: runner.health.failures > 0, "the failure", timeout=60)  # noqa: B023
            await runner.stop()
        causes.append(runner.health.last_error)
    assert causes[0] == causes[1]
    assert causes[0] is not None
    assert causes[0].startswith(cause)


async def test_items_the_mapping_skips_are_logged_by_the_wall(
    offload: Offload, mapped_here: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    payload = {"data": [{"id": str(n), "created_at": "soon" if n == 3 else None} for n in range(200)]}
    store = await read(payload, offload, mapping={"record": "post", "items": "data"}, filters=None)
    assert not mapped_here
    assert len(store) == 10
    (line,) = warnings_of(caplog, "search")
    assert "1 of 200 items skipped (item 3: created_at: cannot read 'soon' as a time)" in line


async def test_a_worker_that_dies_is_replaced(
    mapped_here: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    offload = Offload()
    payload = search_result(60)
    first = await read(payload, offload)
    assert first.records()
    worker = offload._process  # the test plays the out-of-memory killer
    assert worker is not None
    assert worker.pid is not None
    os.kill(worker.pid, signal.SIGKILL)
    worker.join()
    store = Store("search", capacity=10)
    async with serve(Scripted(json_reply(payload)).app) as base, http_client() as client:
        runner = start_source("search", spec(f"{base}/s"), store, client, offload=offload)
        await until(lambda: len(store) == 10, "a good poll with a new worker", timeout=60)
        await runner.stop()
    assert not mapped_here
    assert warnings_of(caplog, "search")[0].endswith(
        "the payload could not be read: the worker process ended during the job; retrying in 0.01 s"
    )
    offload.close()


async def test_the_worker_sends_back_the_newest_records_and_how_many_it_left_out() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    job = ingest.Job("s", "response", json.dumps(TWEETS_MAPPING), None, 3, now)
    digest = ingest.digest_payload(json.dumps(search_result(8)).encode(), job)
    assert digest.error is None
    assert all(isinstance(record, Record) for record in digest.records)
    assert (len(digest.records), digest.left_out) == (3, 2)
