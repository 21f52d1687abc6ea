"""A real HTTP proxy on 127.0.0.1 for tests: CONNECT tunnels (https, wss) and forwarded plain requests (http).

It counts what it relayed, so a test proves the traffic went through it; with ``credentials`` it answers
407 to requests without them, as a corporate proxy does. It reaches 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from types import TracebackType
from urllib.parse import urlsplit

_LOOPBACK = ("127.0.0.1", "localhost")


class ConnectProxy:
    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.credentials = credentials
        self.tunnels: list[str] = []
        """``host:port`` of each CONNECT tunnel relayed."""
        self.forwarded: list[str] = []
        """The URL of each plain request forwarded."""
        self.refused = 0
        """Requests answered 407 (no or wrong credentials)."""
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def __aenter__(self) -> ConnectProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            await self._handle(reader, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()
            self._handlers.discard(task)

    def _authorised(self, headers: dict[str, str]) -> bool:
        if self.credentials is None:
            return True
        token = base64.b64encode(":".join(self.credentials).encode()).decode()
        return headers.get("proxy-authorization") == f"Basic {token}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        request_line, *lines = head.removesuffix("\r\n\r\n").split("\r\n")
        method, target, version = request_line.split(" ", 2)
        headers = {name.lower(): value for name, _, value in (line.partition(": ") for line in lines)}
        if not self._authorised(headers):
            self.refused += 1
            writer.write(
                b'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="wall"\r\n'
                b"Content-Length: 0\r\nConnection: close\r\n\r\n"
            )
            await writer.drain()
            return
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            assert host in _LOOPBACK, target
            upstream_reader, upstream = await asyncio.open_connection(host, int(port))
            self.tunnels.append(target)
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        else:  # a plain request in absolute form, forwarded alone (the server closes after it)
            url = urlsplit(target)
            assert url.hostname in _LOOPBACK, target
            upstream_reader, upstream = await asyncio.open_connection(url.hostname, url.port or 80)
            self.forwarded.append(target)
            path = url.path + (f"?{url.query}" if url.query else "")
            kept = [line for line in lines if not line.lower().startswith(("proxy-", "connection:"))]
            upstream.write(
                "\r\n".join([f"{method} {path} {version}", *kept, "Connection: close", "", ""]).encode()
            )
        try:
            await asyncio.gather(_pipe(reader, upstream), _pipe(upstream_reader, writer))
        finally:
            upstream.close()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    """Copy until either side ends, then end the other."""
    with contextlib.suppress(OSError):
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    sink.close()
