"""``http`` sources: a JSON API polled at an interval.

Conditional requests (ETag / If-None-Match, Last-Modified / If-Modified-Since) spare unchanged payloads;
a 429/503 tells the runner how long the server's ``Retry-After`` asks to wait; the body is streamed and
reading stops past ``max_bytes``.
"""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx

from wallapp.core.config.sources import (
    HttpSource,
    Resolver,
    SseSource,
    WebSocketSource,
    header_problem,
    url_problem,
)
from wallapp.core.data.htmltext import html_to_text
from wallapp.errors import SourceError
from wallapp.live.backoff import retry_after
from wallapp.live.errors import describe_http_error
from wallapp.live.ingest import Ingest


async def read_capped(
    response: httpx.Response, source: str, max_bytes: int, what: str = "response"
) -> bytearray:
    """The body, or ``SourceError`` as soon as it is known to be over ``max_bytes``.

    It grows in one buffer: joining the chunks at the end would copy a big body whole, in one go, with
    the UI thread waiting, and hold it twice meanwhile. A gzip or deflate body is inflated here, never
    past the cap: left to httpx, each piece read from the network is inflated whole, and a gzip bomb
    turns 64 KiB into 64 MiB in one call, a quarter of a second the wall cannot paint."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise SourceError(
            source, f"the {what} ({int(declared):,} bytes) is over the cap of {max_bytes:,} bytes"
        )
    body = bytearray()
    inflater = Inflater.for_encoding(response.headers.get("content-encoding", ""))
    chunks = response.aiter_raw() if inflater is not None else response.aiter_bytes()
    async for raw in chunks:
        try:
            chunk = inflater.inflate(raw, max_bytes - len(body) + 1) if inflater is not None else raw
        except zlib.error as exc:
            raise SourceError(source, f"the {what} cannot be decoded ({exc})") from None
        if len(body) + len(chunk) > max_bytes:
            raise SourceError(source, f"the {what} is over the cap of {max_bytes:,} bytes")
        body += chunk
    return body


class Inflater:
    """A gzip or deflate body inflated a piece at a time, each piece no longer than asked."""

    def __init__(self, wbits: int) -> None:
        self.wbits = wbits
        self._inflater = zlib.decompressobj(wbits)
        self._started = False

    @classmethod
    def for_encoding(cls, encoding: str) -> Inflater | None:
        """The inflater of a ``Content-Encoding``; None for a body sent as is (or encoded otherwise,
        which httpx decodes)."""
        kind = encoding.strip().lower()
        if kind in ("gzip", "x-gzip"):
            return cls(16 + zlib.MAX_WBITS)
        if kind == "deflate":
            return cls(zlib.MAX_WBITS)
        return None

    def inflate(self, data: bytes, limit: int) -> bytes:
        """What ``data`` inflates to, ``limit`` bytes at most (a body that needs more is over the cap
        anyway, so the rest is never inflated); ``zlib.error`` for a corrupt body."""
        if not self._started and self.wbits == zlib.MAX_WBITS:
            self._started = True
            try:  # "deflate" is meant to be zlib-wrapped; some servers send it raw
                return self._inflater.decompress(data, limit)
            except zlib.error:
                self.wbits = -zlib.MAX_WBITS
                self._inflater = zlib.decompressobj(self.wbits)
        out = self._inflater.decompress(data, limit)
        while self._inflater.eof and self._inflater.unused_data and len(out) < limit:
            rest = self._inflater.unused_data  # gzip members one after another
            self._inflater = zlib.decompressobj(self.wbits)
            out += self._inflater.decompress(rest, limit - len(out))
        return out

    def pieces(self, data: bytes, size: int) -> Iterator[bytes]:
        """All that ``data`` inflates to, ``size`` bytes at a time (a stream read on: nothing left out)."""
        piece = self.inflate(data, size)
        while piece:
            yield piece
            state = self._inflater
            rest = state.unconsumed_tail or (state.unused_data if state.eof else b"")
            if not rest:
                return
            piece = self.inflate(rest, size)


def request_parts(
    spec: HttpSource | SseSource | WebSocketSource, resolver: Resolver
) -> tuple[str, dict[str, str]]:
    """The URL (with the ``query`` values added) and the headers, secrets resolved; ``SourceError`` when
    what a secret or variable holds makes them unusable (a line break in a header value...)."""
    query = {
        key: resolver.text(value)
        if isinstance(value, str)
        else str(value).lower()
        if isinstance(value, bool)
        else value
        for key, value in spec.query.items()
    }
    url = resolver.text(spec.url)
    headers = {key: resolver.text(value) for key, value in spec.headers.items()}
    problems = [url_problem(url), *(header_problem(key, value) for key, value in headers.items())]
    if problem := next(filter(None, problems), None):
        raise SourceError(resolver.source, f"{problem}, once its references are filled in")
    try:
        return str(httpx.URL(url).copy_merge_params(query)) if query else url, headers
    except httpx.InvalidURL as exc:
        raise SourceError(resolver.source, f"invalid URL ({exc})") from None


@dataclass
class HttpPoller:
    spec: HttpSource
    ingest: Ingest
    client: httpx.AsyncClient
    resolver: Resolver
    _validators: dict[str, str] = field(default_factory=dict)
    """Conditional-request headers from the last good response (ETag, Last-Modified)."""

    @property
    def name(self) -> str:
        return self.ingest.name

    async def once(self) -> None:
        """One request; raises ``SourceError`` on any failure."""
        spec = self.spec
        url, headers = request_parts(spec, self.resolver)
        headers.update(self._validators)
        body = self.resolver.json(spec.body) if spec.body is not None else None
        try:
            async with asyncio.timeout(spec.timeout):
                request = self.client.build_request(
                    spec.method, url, headers=headers, json=body, timeout=spec.timeout
                )
                response = await self._send(request)
                try:
                    await self._check_status(response)
                    if response.status_code == 304:
                        self.ingest.unchanged()
                        return
                    data = await read_capped(response, self.name, spec.max_bytes)
                finally:
                    await response.aclose()
        except TimeoutError:
            raise SourceError(self.name, f"no complete response within {spec.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise SourceError(self.name, describe_http_error(exc, spec.timeout)) from None
        content_type = response.headers.get("content-type", "")
        if "html" in content_type:
            raise SourceError(self.name, f"the response is HTML, not JSON (Content-Type: {content_type})")
        await self.ingest.text(data)
        self._validators = {}
        if etag := response.headers.get("etag"):
            self._validators["If-None-Match"] = etag
        if modified := response.headers.get("last-modified"):
            self._validators["If-Modified-Since"] = modified

    async def _send(self, request: httpx.Request) -> httpx.Response:
        """``request`` sent; a GET or HEAD that fails before any answer is sent again once, at once: a
        kept-alive connection the server closed just as the request went out (servers close idle ones
        after a few seconds, often the length of a poll's interval) is no failure of the backend. A backend
        that is down fails the second time too, and is told."""
        try:
            return await self.client.send(request, stream=True, follow_redirects=True)
        except (httpx.RemoteProtocolError, httpx.ReadError):
            if request.method not in ("GET", "HEAD"):
                raise
            return await self.client.send(request, stream=True, follow_redirects=True)

    async def _check_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        cause = f"HTTP {status} {response.reason_phrase}".rstrip()
        detail = await error_detail(response)
        if status in (429, 503):
            wait = retry_after(response.headers.get("retry-after"), time.time())
            if wait is not None:
                wait = min(wait, self.spec.retry_after_max)
                cause += f", the server asks to retry after {wait:g} s"
                raise SourceError(self.name, cause, wait_at_least=wait, detail=detail)
        raise SourceError(self.name, cause, detail=detail)


_DETAIL_BYTES = 4096


async def error_detail(response: httpx.Response) -> str | None:
    """What a client error's body says (APIs explain a bad request there), for the log; None otherwise."""
    if not 400 <= response.status_code < 500:
        return None
    body = b""
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) >= _DETAIL_BYTES:
            break
    return body_detail(body[:_DETAIL_BYTES], response.headers.get("content-type", ""))


def body_detail(body: bytes, content_type: str) -> str | None:
    """A body as one line of text (an HTML page as what it says); None if it says nothing."""
    text = body.decode("utf-8", errors="replace")
    if "html" in content_type or text.lstrip().startswith("<"):
        text = html_to_text(text)
    return " ".join(text.split()) or None
