"""Reading server-sent events with the memory bounded: lines and events past the cap are cut, not kept."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator

import pytest
from servers import http_client, serve
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from wallapp.live.eventstream import Event, read_events

pytestmark = pytest.mark.asyncio


async def events_of(chunks: list[bytes], cap: int = 100, encoding: str | None = None) -> list[Event]:
    """The events a real server streaming ``chunks`` gives, read with ``cap``."""

    async def stream(request: Request) -> Response:
        async def body() -> AsyncIterator[bytes]:
            for chunk in chunks:
                yield chunk

        headers = {"Content-Encoding": encoding} if encoding else None
        return StreamingResponse(body(), media_type="text/event-stream", headers=headers)

    app = Starlette(routes=[Route("/s", stream)])
    async with serve(app) as base, http_client() as client, client.stream("GET", f"{base}/s") as response:
        return [event async for event in read_events(response, cap)]


async def test_events_split_anywhere_read_the_same() -> None:
    text = b'retry: 10\n\n: comment\nid: 1\ndata: {"a": 1}\n\nevent: other\r\ndata: x\r\ndata: y\r\r'
    whole = await events_of([text])
    assert whole == [
        Event(retry=10),
        Event(data='{"a": 1}', id="1"),
        Event(event="other", data="x\ny", id="1"),
    ]
    assert await events_of([bytes([byte]) for byte in text]) == whole  # one byte at a time


async def test_a_line_with_no_end_is_cut_at_the_cap_and_its_event_marked() -> None:
    endless = [b"data: " + b"x" * 1000] * 50 + [b"\n\n", b"data: ok\n\n"]
    assert await events_of(endless) == [Event(over_cap=True), Event(data="ok")]


async def test_data_lines_past_the_cap_are_dropped_and_the_event_marked() -> None:
    many = [b"data: 0123456789\n" * 100, b"\n", b"data: next\n\n"]
    assert await events_of(many) == [Event(over_cap=True), Event(data="next")]


async def test_a_compressed_stream_is_inflated_a_piece_at_a_time() -> None:
    text = "".join(f"id: {n}\ndata: {json.dumps({'n': n})}\n\n" for n in range(500)).encode()
    events = await events_of([gzip.compress(text)], encoding="gzip")
    assert [event.data for event in events] == [json.dumps({"n": n}) for n in range(500)]
    bomb = gzip.compress(b"data: " + b"x" * 50_000_000)  # 50 MB on one line, 50 KB on the wire
    assert await events_of([bomb], cap=1000) == [Event(over_cap=True)]  # told as it comes, cut, not kept


async def test_a_half_character_across_two_chunks_is_one_character() -> None:
    text = "data: café\n\n".encode()
    cut = text.index("é".encode()) + 1
    assert await events_of([text[:cut], text[cut:]]) == [Event(data="café")]
