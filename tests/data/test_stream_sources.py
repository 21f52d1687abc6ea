"""sse and websocket sources against real servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter
from servers import Clock, free_port, http_client, serve, start_source, until, warnings_of
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from wallapp.core.config.layout import load_layout
from wallapp.core.config.settings import load_settings
from wallapp.core.config.sources import SourceSpec
from wallapp.core.data.freshness import SourceState
from wallapp.core.data.store import Store
from wallapp.live.feeds import Feeds
from wallapp.live.network import Network

SPEC: TypeAdapter[Any] = TypeAdapter(SourceSpec)
FAST = {"timeout": 2, "backoff": {"initial": 0.01, "maximum": 0.05, "jitter": 0}}
POSTS = {"record": "post"}
DROP = object()


def ids(store: Store) -> list[str]:
    return sorted(record.id for record in store.records())


class EventServer:
    """Each connection plays the next plan: text chunks (a coroutine function is awaited: a step of the
    test between two events), then DROP (cut the connection), None (end the stream) or idling."""

    def __init__(self, *plans: list[Any]) -> None:
        self.plans = list(plans)
        self.headers: list[dict[str, str]] = []
        self.app = Starlette(routes=[Route("/stream", self._stream)])

    async def _stream(self, request: Request) -> Response:
        self.headers.append(dict(request.headers))
        plan = self.plans.pop(0) if self.plans else []
        if plan and isinstance(plan[0], Response):
            return plan[0]

        async def body() -> AsyncIterator[str]:
            for chunk in plan:
                if chunk is DROP:
                    raise ConnectionAbortedError("dropped on purpose")
                if chunk is None:
                    return
                if callable(chunk):
                    await chunk()
                    continue
                yield chunk
            while not await request.is_disconnected():
                await asyncio.sleep(0.01)

        return StreamingResponse(body(), media_type="text/event-stream")


def post_event(post_id: str, event_id: str | None = None) -> str:
    head = f"id: {event_id}\n" if event_id else ""
    return head + f"data: {json.dumps({'id': post_id, 'text': 'hello'})}\n\n"


@pytest.fixture(autouse=True)
def _data_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="wallapp.live")


@pytest.mark.asyncio
async def test_sse_garbage_lines_are_skipped_without_reconnecting(caplog: pytest.LogCaptureFixture) -> None:
    server = EventServer(
        [
            "retry: 10\n\n",
            post_event("p1", "1"),
            "garbage line without a colon\n: a comment\n\n",
            "data: not json\n\n",
            "event: other\ndata: {}\n\n",
            post_event("p2", "2"),
        ]
    )
    store = Store("stream")
    async with serve(server.app) as base, http_client() as client:
        spec = SPEC.validate_python(
            {"kind": "sse", "url": f"{base}/stream", "mapping": POSTS, **FAST, "events": ["message"]}
        )
        runner = start_source("stream", spec, store, client)
        await until(lambda: ids(store) == ["p1", "p2"])
        assert runner.freshness(store.as_of).state is SourceState.LIVE
        await runner.stop()
    assert len(server.headers) == 1
    assert server.headers[0]["accept"] == "text/event-stream"
    (line,) = warnings_of(caplog, "stream")
    assert (
        line == f"source 'stream' ({base}/stream): an event is not JSON: Expecting value at column 1; skipped"
    )


@pytest.mark.asyncio
async def test_sse_dropped_mid_event_reconnects_with_last_event_id(caplog: pytest.LogCaptureFixture) -> None:
    server = EventServer(
        ["retry: 20\n", post_event("p1", "7"), 'id: 8\ndata: {"id": "p', DROP],
        [JSONResponse({"not": "a stream"})],
        [post_event("p2", "9")],
    )
    store = Store("stream")
    async with serve(server.app) as base, http_client() as client:
        spec = SPEC.validate_python({"kind": "sse", "url": f"{base}/stream", "mapping": POSTS, **FAST})
        runner = start_source("stream", spec, store, client)
        await until(lambda: ids(store) == ["p1", "p2"])
        await runner.stop()
    assert "last-event-id" not in server.headers[0]
    assert server.headers[1]["last-event-id"] == "7"
    assert server.headers[2]["last-event-id"] == "7"
    # One line for the outage; the second failure's other cause is in the debug log (and the status).
    (first,) = warnings_of(caplog, "stream")
    assert first.startswith(f"source 'stream' ({base}/stream): the server broke the connection (")
    assert first.endswith("; retrying in 0.02 s")
    assert any("not an event stream" in line for line in warnings_of(caplog, "stream", logging.DEBUG))
    assert "recovered after 2 failures" in caplog.text


@pytest.mark.asyncio
async def test_sse_stream_ended_without_events_is_a_failure(caplog: pytest.LogCaptureFixture) -> None:
    server = EventServer([None], [Response(status_code=502)], [post_event("p1")])
    store = Store("stream")
    async with serve(server.app) as base, http_client() as client:
        spec = SPEC.validate_python({"kind": "sse", "url": f"{base}/stream", "mapping": POSTS, **FAST})
        runner = start_source("stream", spec, store, client)
        await until(lambda: ids(store) == ["p1"])
        await runner.stop()
    (first,) = warnings_of(caplog, "stream")
    assert "the server ended the stream without sending an event" in first
    assert any("HTTP 502 Bad Gateway" in line for line in warnings_of(caplog, "stream", logging.DEBUG))


class SocketServer:
    """Each connection: record the subscribe message, send the next plan's messages, then close or idle."""

    def __init__(self, *plans: tuple[list[str], int | None]) -> None:
        self.plans = list(plans)
        self.subscribed: list[str] = []
        self.app = Starlette(routes=[WebSocketRoute("/ws", self._socket)])

    async def _socket(self, socket: WebSocket) -> None:
        await socket.accept()
        self.subscribed.append(await socket.receive_text())
        messages, close = self.plans.pop(0) if self.plans else ([], None)
        for message in messages:
            await socket.send_text(message)
        if close is not None:
            await socket.close(code=close, reason="maintenance")
            return
        try:
            while True:
                await socket.receive_text()
        except WebSocketDisconnect:
            pass


@pytest.mark.asyncio
async def test_websocket_closed_by_the_server_reconnects_and_subscribes_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = SocketServer(
        ([json.dumps([{"id": "w1"}]), "not json", json.dumps({"id": "w2"})], 1011),
        ([json.dumps({"id": "w3"})], None),
    )
    store = Store("socket")
    async with serve(server.app) as base, http_client() as client:
        url = base.replace("http://", "ws://") + "/ws"
        spec = SPEC.validate_python(
            {
                "kind": "websocket",
                "url": url,
                "query": {"token": "${env:WS_TOKEN}"},
                "mapping": POSTS,
                "subscribe": {"action": "subscribe", "topics": ["posts"]},
                **FAST,
            }
        )
        runner = start_source("socket", spec, store, client, environ={"WS_TOKEN": "s3cr3t-ws"})
        await until(lambda: ids(store) == ["w1", "w2", "w3"])
        assert runner.freshness(store.as_of).state is SourceState.LIVE
        await runner.stop()
    assert [json.loads(m) for m in server.subscribed] == [{"action": "subscribe", "topics": ["posts"]}] * 2
    first, second = warnings_of(caplog, "socket")
    assert first == f"source 'socket' ({url}?token=***): a message is not JSON; skipped"
    assert second.endswith(
        "the server closed the connection (code 1011: server error, maintenance); retrying in 0.01 s"
    )
    assert "s3cr3t" not in caplog.text


@pytest.mark.asyncio
async def test_websocket_refused_then_up(caplog: pytest.LogCaptureFixture) -> None:
    port = free_port()
    store = Store("socket")
    server = SocketServer(([json.dumps({"id": "w1"})], None))
    async with http_client() as client:
        spec = SPEC.validate_python(
            {
                "kind": "websocket",
                "url": f"ws://127.0.0.1:{port}/ws",
                "mapping": POSTS,
                "subscribe": "hello",
                **FAST,
            }
        )
        runner = start_source("socket", spec, store, client)
        await until(lambda: runner.health.failures >= 2)
        async with serve(server.app, port=port):
            await until(lambda: ids(store) == ["w1"])
            await runner.stop()
    assert server.subscribed == ["hello"]
    (line,) = warnings_of(caplog, "socket")
    assert "connection refused" in line


@pytest.mark.asyncio
async def test_websocket_message_over_the_cap(caplog: pytest.LogCaptureFixture) -> None:
    big = json.dumps({"id": "big", "text": "x" * 5000})
    server = SocketServer(([json.dumps({"id": "w1"}), big], None), ([json.dumps({"id": "w2"})], None))
    store = Store("socket")
    async with serve(server.app) as base, http_client() as client:
        url = base.replace("http://", "ws://") + "/ws"
        spec = SPEC.validate_python(
            {"kind": "websocket", "url": url, "mapping": POSTS, "subscribe": "hi", "max_bytes": 1000, **FAST}
        )
        runner = start_source("socket", spec, store, client)
        await until(lambda: ids(store) == ["w1", "w2"])
        await runner.stop()
    (line,) = warnings_of(caplog, "socket")
    assert line.endswith("a message is over the cap of 1,000 bytes; retrying in 0.01 s")


GARBAGE = ["data: not json\n\n", 'data: {"id": \n\n', "data: [1, 2\n\n", 'data: {"id" "x"}\n\n']


@pytest.mark.asyncio
async def test_a_stream_of_garbage_is_told_once_across_reconnects(caplog: pytest.LogCaptureFixture) -> None:
    """Every event bad, in different ways, and the stream ends and is opened again: one failure episode,
    one line; the first good event ends it, one line."""
    clock = Clock()
    server = EventServer(*[[*GARBAGE, None]] * 4, [post_event("p1")])
    store = Store("stream")
    async with serve(server.app) as base, http_client() as client:
        spec = SPEC.validate_python({"kind": "sse", "url": f"{base}/stream", "mapping": POSTS, **FAST})
        runner = start_source("stream", spec, store, client, clock=clock)
        await until(lambda: runner.health.failures >= 8)
        assert runner.freshness().state is SourceState.FAILING
        clock.advance(minutes=12)
        await until(lambda: ids(store) == ["p1"])
        await runner.stop()
    assert len(server.headers) == 5
    (line,) = warnings_of(caplog, "stream")
    assert line == f"source 'stream' ({base}/stream): an event is not JSON: Expecting value at column 1"
    assert f"source 'stream' ({base}/stream): recovered after 16 failures over 12 min" in caplog.messages


@pytest.mark.asyncio
async def test_bad_events_in_a_working_stream_are_skipped_and_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Good and bad events mixed: the bad ones are skipped, told once, then counted and told again an hour
    later; the source stays live and no recovery is ever told."""
    clock = Clock()

    store = Store("stream")

    def later(minutes: float) -> list[Any]:
        """The clock moved on once the events before have been handled (a good one after them arrived)."""
        mark = f"mark{minutes}"

        async def advance() -> None:
            await until(lambda: mark in ids(store))
            clock.advance(minutes=minutes)

        return [post_event(mark), advance]

    good_and_bad = [chunk for n, bad in enumerate(GARBAGE * 3) for chunk in (post_event(f"p{n}"), bad)]
    server = EventServer(
        [*good_and_bad, None],
        [post_event("late"), GARBAGE[0], *later(50), None],
        [post_event("later"), GARBAGE[0], *later(10), GARBAGE[0], post_event("latest")],
    )
    async with serve(server.app) as base, http_client() as client:
        spec = SPEC.validate_python({"kind": "sse", "url": f"{base}/stream", "mapping": POSTS, **FAST})
        runner = start_source("stream", spec, store, client, clock=clock)
        await until(lambda: "latest" in ids(store))
        await runner.stop()
    assert len(store) == 17
    assert runner.freshness(store.as_of).state is SourceState.LIVE  # skipped, not failing
    assert runner.freshness(store.as_of).last_error == "an event is not JSON: Expecting value at column 1"
    first, hourly = warnings_of(caplog, "stream")
    assert (
        first
        == f"source 'stream' ({base}/stream): an event is not JSON: Expecting value at column 1; skipped"
    )
    assert hourly == (
        f"source 'stream' ({base}/stream): an event is not JSON: Expecting value at column 1; skipped "
        "(13 more like it in the last 1 h 00 min)"
    )
    assert not [message for message in caplog.messages if "recovered" in message]


@pytest.mark.asyncio
async def test_an_sse_client_error_is_logged_with_what_the_server_says(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = EventServer([JSONResponse({"error": "unknown stream 'orbis'"}, status_code=404)])
    async with serve(server.app) as base, http_client() as client:
        spec = SPEC.validate_python({"kind": "sse", "url": f"{base}/stream", "mapping": POSTS, **FAST})
        runner = start_source("stream", spec, Store("stream"), client)
        await until(lambda: runner.health.failures >= 1)
        await runner.stop()
    (line,) = warnings_of(caplog, "stream")
    assert line.startswith(
        f"source 'stream' ({base}/stream): HTTP 404 Not Found: {{\"error\":\"unknown stream 'orbis'\"}};"
    )


@pytest.mark.asyncio
async def test_an_sse_source_resumes_after_the_wall_restarts(tmp_path: Path) -> None:
    """The last event id is kept with the last good data: the first connection of the next run sends it."""
    server = EventServer([post_event("p1", "41"), post_event("p2", "42")])
    cache = tmp_path / "stores"
    async with serve(server.app) as base, http_client() as client:
        source = {"kind": "sse", "url": f"{base}/stream", "mapping": POSTS, **FAST}
        path = tmp_path / "wall.json"
        path.write_text(json.dumps({"name": "Stream", "sources": {"stream": source}}))
        loaded = load_layout(path, load_settings().wall)

        async def run(connections: int) -> None:
            """A wall that runs until it has connected and has both posts, then stops (and saves)."""
            feeds = Feeds(cache)
            ((store, _),) = feeds.use(loaded).values()
            feeds.start(Network(client=client))
            await until(lambda: len(server.headers) == connections and ids(store) == ["p1", "p2"])
            await feeds.stop()

        await run(1)
        await run(2)
    assert "last-event-id" not in server.headers[0]
    assert server.headers[1]["last-event-id"] == "42"
