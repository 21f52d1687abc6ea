"""A kept-alive connection the server closes as the next poll goes out is no failure of the backend: the
poll is sent again on a new connection, and nothing is logged. A real server on 127.0.0.1, written on
asyncio streams so that it closes exactly there."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from pydantic import TypeAdapter

from wallapp.core.config.sources import SourceSpec
from wallapp.errors import SourceError
from wallapp.live.network import Network
from wallapp.live.runner import SourceRunner, open_store

BODY = json.dumps({"kpis": [{"name": "response_rate", "value": 87.4}]}).encode()
OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n"


class Server:
    """Answers the first request of a connection; the second on the same connection (a kept-alive one)
    ``second`` says how: "close" without a word, or "answer"."""

    def __init__(self, second: str) -> None:
        self.second = second
        self.connections = 0
        self.requests = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        served = 0
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                self.requests += 1
                served += 1
                if served == 2 and self.second == "close":
                    break
                writer.write(OK % (len(BODY), b"Connection: keep-alive\r\n") + BODY)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()


def spec(port: int, path: str = "/kpis") -> Any:
    return TypeAdapter(SourceSpec).validate_python(
        {
            "kind": "http",
            "url": f"http://127.0.0.1:{port}{path}",
            "mapping": {"record": "metric", "items": "kpis"},
        }
    )


@pytest.mark.parametrize("second", ["close", "answer"])
def test_a_poll_on_a_connection_the_server_just_closed_goes_again_and_is_no_failure(
    second: str, run_async: Any, caplog: pytest.LogCaptureFixture
) -> None:
    server = Server(second)

    async def scenario() -> None:
        listening = await asyncio.start_server(server.serve, "127.0.0.1", 0)
        port = listening.sockets[0].getsockname()[1]
        try:
            async with Network() as network:
                runner = SourceRunner("care", spec(port), open_store("care", spec(port)), network)
                with caplog.at_level(logging.DEBUG):
                    await runner.once()
                    await runner.once()  # on the kept-alive connection
        finally:
            listening.close()
            await listening.wait_closed()

    run_async(scenario())
    assert runner_lines(caplog) == []
    if second == "close":  # the second poll went out twice: on the closed connection, then a new one
        assert (server.connections, server.requests) == (2, 3)
    else:  # kept alive and answered: nothing sent twice
        assert (server.connections, server.requests) == (1, 2)


def test_a_post_is_never_sent_twice_and_a_backend_that_is_down_still_fails(run_async: Any) -> None:
    server = Server("close")

    async def scenario() -> None:
        listening = await asyncio.start_server(server.serve, "127.0.0.1", 0)
        port = listening.sockets[0].getsockname()[1]
        posted = TypeAdapter(SourceSpec).validate_python(
            {
                "kind": "http",
                "method": "POST",
                "body": {"q": "orbis"},
                "url": f"http://127.0.0.1:{port}/kpis",
                "mapping": {"record": "metric", "items": "kpis"},
            }
        )
        try:
            async with Network() as network:
                runner = SourceRunner("care", posted, open_store("care", posted), network)
                await runner.once()
                with pytest.raises(SourceError):
                    await runner.once()  # the server closed the kept-alive connection: not sent again
        finally:
            listening.close()
            await listening.wait_closed()

    run_async(scenario())
    assert (server.connections, server.requests) == (1, 2)


def runner_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
