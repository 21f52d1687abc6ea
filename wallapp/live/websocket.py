"""``websocket`` sources: JSON messages over a WebSocket, with an optional subscribe message on connect.

Each attempt is one connection, ended by a ``SourceError`` telling why it closed; a bad message (not JSON,
not fitting the mapping) is logged and skipped; a message over ``max_bytes`` closes the connection (the
library enforces the cap). TLS and the proxy are the network's, as for HTTP sources.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import (
    ConnectionClosed,
    InvalidHandshake,
    InvalidProxyStatus,
    InvalidStatus,
    InvalidURI,
)

from wallapp.core.config.sources import Resolver, TlsOptions, WebSocketSource
from wallapp.errors import SourceError
from wallapp.live.errors import describe_network_error, describe_os_error, describe_proxy_refusal
from wallapp.live.http import body_detail, request_parts
from wallapp.live.ingest import Ingest
from wallapp.live.network import Network
from wallapp.live.sse import YIELD_AFTER

_CLOSE_CODES = {
    1000: "normal closure",
    1001: "going away",
    1002: "protocol error",
    1003: "unsupported data",
    1007: "invalid data",
    1008: "policy violation",
    1009: "message too big",
    1010: "extension required",
    1011: "server error",
    1012: "service restart",
    1013: "try again later",
    1014: "bad gateway",
}


def _closed(code: int | None, reason: str | None) -> str:
    """Why the server closed the connection: its close code, what the code means, and its own words."""
    if code is None:
        return "the server closed the connection"
    detail = ", ".join(part for part in (_CLOSE_CODES.get(code, ""), reason) if part)
    return f"the server closed the connection (code {code}{': ' + detail if detail else ''})"


class WebSocketReader:
    def __init__(
        self, spec: WebSocketSource, ingest: Ingest, resolver: Resolver, network: Network, tls: TlsOptions
    ) -> None:
        self.spec = spec
        self.ingest = ingest
        self.resolver = resolver
        self.network = network
        self.tls = tls
        self.name = ingest.name

    async def once(self) -> None:
        """One connection, until it closes; always ends with ``SourceError`` telling why it closed."""
        spec = self.spec
        url, headers = request_parts(spec, self.resolver)
        proxy, route = self.network.route(url, self.tls)
        tls: dict[str, Any] = {"ssl": self.network.context(self.tls, self.resolver)} if route.secure else {}
        try:
            async with connect(
                url,
                additional_headers=headers,
                open_timeout=spec.timeout,
                close_timeout=spec.timeout,
                max_size=spec.max_bytes,
                proxy=proxy.with_credentials if proxy else None,
                **tls,
            ) as socket:
                if spec.subscribe is not None:
                    subscribe = self.resolver.json(spec.subscribe)
                    await socket.send(subscribe if isinstance(subscribe, str) else json.dumps(subscribe))
                slice_start = time.perf_counter()
                async for message in socket:
                    self._message(message)
                    if time.perf_counter() - slice_start > YIELD_AFTER:
                        # A burst of buffered messages: let the UI paint between slices.
                        await asyncio.sleep(0)
                        slice_start = time.perf_counter()
        except ConnectionClosed as exc:
            # The wall's own cap: it closed first with 1009 (a server closing with 1009 is the server's
            # complaint, told with its code like any other).
            if (
                exc.sent is not None
                and exc.sent.code == 1009
                and (exc.rcvd is None or not exc.rcvd_then_sent)
            ):
                raise SourceError(
                    self.name, f"a message is over the cap of {spec.max_bytes:,} bytes"
                ) from None
            close = exc.rcvd or exc.sent
            if close is None:
                raise SourceError(self.name, "the connection was lost") from None
            raise SourceError(self.name, _closed(close.code, close.reason)) from None
        except InvalidStatus as exc:
            answer = exc.response
            status = answer.status_code
            says = (
                body_detail(bytes(answer.body or b""), answer.headers.get("Content-Type", ""))
                if 400 <= status < 500
                else None
            )
            raise SourceError(
                self.name, f"HTTP {status} {answer.reason_phrase}".rstrip(), detail=says
            ) from None
        except InvalidURI:
            raise SourceError(self.name, "invalid WebSocket URL") from None
        except InvalidProxyStatus as exc:
            refusal = f"HTTP {exc.response.status_code} {exc.response.reason_phrase}".rstrip()
            raise SourceError(self.name, describe_proxy_refusal(route, refusal)) from None
        except InvalidHandshake as exc:
            cause = describe_network_error(exc, route) or f"the WebSocket handshake failed ({exc})"
            raise SourceError(self.name, cause) from None
        except TimeoutError:
            raise SourceError(self.name, f"cannot connect within {spec.timeout:g} s") from None
        except OSError as exc:
            raise SourceError(
                self.name, describe_network_error(exc, route) or describe_os_error(exc)
            ) from None
        # Closed normally (1000, or 1001 "going away"): the library ends the loop without an exception.
        raise SourceError(self.name, _closed(socket.close_code, socket.close_reason))

    def _message(self, message: str | bytes) -> None:
        self.ingest.arrived()
        try:
            try:
                payload = json.loads(message)
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise SourceError(self.name, "a message is not JSON") from None
            except RecursionError:
                raise SourceError(self.name, "a message is nested too deeply") from None
            self.ingest.payload(payload)
        except SourceError as error:
            self.ingest.rejected(error.cause)
