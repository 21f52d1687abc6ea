"""Network streams that are closed when a TLS handshake is cut short.

httpcore (1.0) closes a connection's socket when its TLS handshake fails, but not when the request is
cancelled during the handshake: a source stopped then (a layout switch, a reload, the wall closing while a
server is slow to answer its hello) leaves a socket open until the garbage collector finds it. Wrapped in
``ClosingBackend``, the stream is closed however the handshake ends.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from typing import Any

import anyio
import httpcore
import httpx

SocketOption = Any
"""httpcore's socket option tuples (its own alias is private)."""


class ClosingStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self.inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self.inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self.inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            secured = await self.inner.start_tls(ssl_context, server_hostname, timeout)
        except BaseException:  # a cancellation too: httpcore closes the socket only on a failure
            with anyio.CancelScope(shield=True):
                await self.inner.aclose()
            raise
        return ClosingStream(secured)

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class ClosingBackend(httpcore.AsyncNetworkBackend):
    """httpcore's own backend, its streams closed when a handshake is cut short."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self.inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return ClosingStream(await self.inner.connect_tcp(host, port, timeout, local_address, socket_options))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[SocketOption] | None = None
    ) -> httpcore.AsyncNetworkStream:
        return ClosingStream(await self.inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def closing(transport: httpx.AsyncHTTPTransport) -> httpx.AsyncHTTPTransport:
    """``transport`` with its connections made through ``ClosingBackend``. httpx does not take a network
    backend, so it is set on its connection pool (a test in ``tests/data/test_tls_and_proxies.py``,
    ``..._stopped_during_its_tls_handshake_closes_its_socket``, fails if that changes)."""
    pool = transport._pool
    pool._network_backend = ClosingBackend(pool._network_backend)
    return transport
