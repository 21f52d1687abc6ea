"""Avatars and media for the wall: fetched, decoded off the UI thread, cached in memory and on disk.

``image(url)`` answers at once with what is cached (or None, and the widget draws its placeholder);
missing images are fetched on the running loop through the shared HTTP client, with a timeout and a size
cap, and ``ready`` is emitted when one arrives. A corrupt, huge or wrong-type image stays a placeholder and
is not asked for again for a while.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import time
import urllib.parse
from collections import OrderedDict
from pathlib import Path

import httpx
from PySide6.QtCore import QBuffer, QByteArray, QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QImageReader, QPainter
from PySide6.QtSvg import QSvgRenderer

from wallapp.core.timing import Ticks

log = logging.getLogger("wallapp.images")

MAX_BYTES = 4 * 2**20
MAX_SIDE = 512
"""Decoded images are scaled down to this: avatars and thumbnails are small on the wall."""
SVG_SIDE = 192
"""Vector pictures (generated avatars) are drawn at this size: about the size they are shown."""
MEMORY_BYTES = 64 * 2**20
"""Decoded pictures kept in memory, the least recently used dropped first (a kiosk runs for weeks)."""
RETRY_FAILED_AFTER = 600.0
WHOLE_WITHIN = 30.0
"""Seconds a picture may take to arrive whole: each read has ``timeout``, but a server that sends a
byte now and then would hold the fetch for ever."""


def decode(data: bytes) -> QImage | None:
    """PNG, JPEG, GIF, WebP or SVG bytes to an image no larger than ``MAX_SIDE``; None if unusable."""
    if data.lstrip()[:5] in (b"<svg ", b"<?xml") or b"<svg" in data[:256]:
        renderer = QSvgRenderer(QByteArray(data))
        if not renderer.isValid():
            return None
        size = renderer.defaultSize().scaled(QSize(SVG_SIDE, SVG_SIDE), Qt.AspectRatioMode.KeepAspectRatio)
        image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        return image
    reader = QImageReader()
    buffer = QByteArray(data)

    device = QBuffer(buffer)
    device.open(QBuffer.OpenModeFlag.ReadOnly)
    reader.setDevice(device)
    reader.setAllocationLimit(64)
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > MAX_SIDE:
        reader.setScaledSize(size.scaled(QSize(MAX_SIDE, MAX_SIDE), Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return None if image.isNull() else image


def _data_url_bytes(url: str) -> bytes | None:
    header, _, payload = url.partition(",")
    try:
        if header.endswith(";base64"):
            return base64.b64decode(payload, validate=True)
        return urllib.parse.unquote_to_bytes(payload)
    except ValueError:
        return None


class ImageCache(QObject):
    ready = Signal(str)
    """An image asked for earlier has arrived: repaint what shows it."""

    def __init__(
        self,
        folder: Path | None,
        *,
        memory_bytes: int = MEMORY_BYTES,
        timeout: float = 5.0,
        whole_within: float = WHOLE_WITHIN,
        ticks: Ticks = time.monotonic,
    ) -> None:
        """``timeout``: for connecting and each read; ``whole_within``: for the whole picture; ``ticks``:
        the clock that times the wait before a failed picture is asked for again."""
        super().__init__()
        self.folder = folder
        self.ticks = ticks
        self.memory_bytes = memory_bytes
        self._held = 0
        self.timeout = timeout
        self.whole_within = whole_within
        self.client: httpx.AsyncClient | None = None
        self._memory: OrderedDict[str, QImage] = OrderedDict()
        self._failed: dict[str, float] = {}
        self._pending: dict[str, asyncio.Task[None]] = {}

    def image(self, url: str | None) -> QImage | None:
        if not url:
            return None
        if (cached := self._memory.get(url)) is not None:
            self._memory.move_to_end(url)
            return cached
        if self.ticks() < self._failed.get(url, float("-inf")):
            return None
        if url.startswith("data:"):  # small, inline (the demo's identicons): decode now
            data = _data_url_bytes(url)
            return self._keep(url, decode(data) if data else None)
        if url.startswith(("http://", "https://")) and url not in self._pending and self.client is not None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return None
            self._pending[url] = loop.create_task(self._fetch(url, self.client))
        return None

    def forget(self) -> None:
        """Let go of every decoded picture (they are decoded again, from the disk cache, when next shown)."""
        self._memory.clear()
        self._held = 0

    @property
    def held_bytes(self) -> int:
        """What the decoded pictures kept in memory take."""
        return self._held

    @property
    def held_urls(self) -> list[str]:
        """The pictures kept in memory, least recently used (the next to be let go) first."""
        return list(self._memory)

    def fetching(self, url: str) -> bool:
        """Whether the picture at ``url`` is on its way (asked for, neither kept nor failed yet)."""
        return url in self._pending

    def _keep(self, url: str, image: QImage | None) -> QImage | None:
        if image is None:
            now = self.ticks()
            if len(self._failed) > 4096:  # forget the failures whose wait is over
                self._failed = {u: until for u, until in self._failed.items() if until > now}
            self._failed[url] = now + RETRY_FAILED_AFTER
            return None
        self._memory[url] = image
        self._held += image.sizeInBytes()
        while self._held > self.memory_bytes and len(self._memory) > 1:
            _, dropped = self._memory.popitem(last=False)
            self._held -= dropped.sizeInBytes()
        return image

    def _disk(self, url: str) -> Path | None:
        return self.folder / hashlib.sha256(url.encode()).hexdigest()[:32] if self.folder else None

    async def _fetch(self, url: str, client: httpx.AsyncClient) -> None:
        try:
            data = await self._bytes(url, client)
            image = await asyncio.to_thread(decode, data) if data else None
            if image is None and data:
                log.warning("image %s: not a usable image", _short(url))
                if (disk := self._disk(url)) is not None:  # asked again later: from the server, not here
                    disk.unlink(missing_ok=True)
            self._keep(url, image)
            if image is not None:
                self.ready.emit(url)
        finally:
            self._pending.pop(url, None)

    async def _bytes(self, url: str, client: httpx.AsyncClient) -> bytes | None:
        disk = self._disk(url)
        if disk is not None and disk.is_file():
            return await asyncio.to_thread(disk.read_bytes)
        try:
            async with (
                asyncio.timeout(self.whole_within),
                client.stream("GET", url, timeout=self.timeout) as response,
            ):
                response.raise_for_status()
                kind = response.headers.get("content-type", "image/")
                if not kind.startswith("image/"):
                    log.warning("image %s: not an image (%s)", _short(url), kind.split(";")[0])
                    return None
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > MAX_BYTES:  # the loop's async-generator hooks close the abandoned body
                        log.warning("image %s: larger than %d MB", _short(url), MAX_BYTES // 2**20)
                        return None
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            log.warning("image %s: %s", _short(url), type(exc).__name__ if not str(exc) else exc)
            return None
        except TimeoutError:
            log.warning("image %s: not complete within %g s", _short(url), self.whole_within)
            return None
        data = b"".join(chunks)
        if disk is not None:
            disk.parent.mkdir(parents=True, exist_ok=True)
            await asyncio.to_thread(disk.write_bytes, data)
        return data


def _short(url: str) -> str:
    """A URL fit for a log line: no query (it may carry tokens), not too long."""
    parts = urllib.parse.urlsplit(url)
    text = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return text if len(text) <= 100 else text[:97] + "..."
