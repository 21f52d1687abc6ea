"""Avatars and media for the wall: fetched, decoded off the UI thread, cached in memory and on disk.

``image(url)`` answers at once with what is cached (or None, and the widget draws its placeholder);
missing images are fetched on the running loop through the shared HTTP client, with a timeout and a size
cap, and ``ready`` is emitted when one arrives. A corrupt, huge or wrong-type image stays a placeholder and
is not asked for again for a while.

The disk cache only ever holds pictures that decoded, each written whole (``write_atomically``); one that
no longer decodes (a disk fault) is set aside and fetched again. A disk that cannot take them (full,
read-only) leaves the pictures in memory only, said once in the log. The disk cache is bounded
(``DISK_BYTES``): a wall showing posts from ever new authors would otherwise fill the disk within weeks. When
it grows past the bound, the pictures least recently used go first, down to three quarters of it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
import os
import time
import urllib.parse
import weakref
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

import httpx
from PySide6.QtCore import QBuffer, QByteArray, QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QImageReader, QPainter
from PySide6.QtSvg import QSvgRenderer

from wallapp.core.durable import Episode, set_aside, sweep, write_atomically
from wallapp.core.timing import Ticks
from wallapp.errors import SourceError
from wallapp.live.http import read_capped

log = logging.getLogger("wallapp.images")

MAX_BYTES = 4 * 2**20
MAX_SIDE = 512
"""Decoded images are scaled down to this: avatars and thumbnails are small on the wall."""
SVG_SIDE = 192
"""Vector pictures (generated avatars) are drawn at this size: about the size they are shown."""
MEMORY_BYTES = 8 * 2**20
"""Decoded pictures kept in memory, the least recently used dropped first (a kiosk runs for weeks), but
never one that a widget shows (``showing``): those are kept whatever this says, and this is for the others,
pictures that may come back (an author posting again). A picture let go is decoded again from the disk
cache when it is next shown. (24 MB held the demo's 160 latest avatars within three minutes where the hub
shows 25; 64 MB held 40 MB more after an hour, for nothing.)"""
RETRY_FAILED_AFTER = 600.0
WHOLE_WITHIN = 30.0
"""Seconds a picture may take to arrive whole: each read has ``timeout``, but a server that sends a
byte now and then would hold the fetch for ever."""
DISK_BYTES = 256 * 2**20
"""Pictures kept on disk at most (as fetched: up to ``MAX_BYTES`` each)."""


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
        disk_bytes: int = DISK_BYTES,
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
        self.disk_bytes = disk_bytes
        self._on_disk: int | None = None
        """What the pictures on disk take (None: not counted yet; counted at the first one written)."""
        self._held = 0
        self.timeout = timeout
        self.whole_within = whole_within
        self.client: httpx.AsyncClient | None = None
        self._memory: OrderedDict[str, QImage] = OrderedDict()
        self._shown: weakref.WeakKeyDictionary[object, frozenset[str]] = weakref.WeakKeyDictionary()
        """The pictures each widget shows now (held weakly: a widget gone shows nothing)."""
        self._failed: dict[str, float] = {}
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._disk_writes = Episode(log, "pictures")
        if folder is not None:
            sweep(folder)

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

    def showing(self, widget: object, urls: Iterable[str | None]) -> None:
        """The pictures ``widget`` shows from now on (none: ``()``), kept in memory while it does. A widget
        that keeps its own picture of them (a card, a ranking's row) asks for them again only when it draws
        that picture again (the age on a card changes, the row moves): let go of meanwhile, it would find
        none and draw its placeholder, then the picture once decoded again, a flicker on the wall."""
        self._shown[widget] = frozenset(url for url in urls if url)

    def forget(self) -> None:
        """Let go of every decoded picture (they are decoded again, from the disk cache, when next shown)."""
        self._memory.clear()
        self._held = 0

    @property
    def held_bytes(self) -> int:
        """What the decoded pictures kept in memory take."""
        return self._held

    @property
    def shown_urls(self) -> frozenset[str]:
        """The pictures some widget shows now."""
        return frozenset().union(*self._shown.values())

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
        if self._held > self.memory_bytes:
            shown = self.shown_urls | {url}
            for old in [kept for kept in self._memory if kept not in shown]:  # least recently used first
                self._held -= self._memory.pop(old).sizeInBytes()
                if self._held <= self.memory_bytes:
                    break
        return image

    def _disk(self, url: str) -> Path | None:
        return self.folder / hashlib.sha256(url.encode()).hexdigest()[:32] if self.folder else None

    async def _fetch(self, url: str, client: httpx.AsyncClient) -> None:
        try:
            image = await self._from_disk(url)
            if image is None:
                data = await self._bytes(url, client)
                image = await asyncio.to_thread(decode, data) if data else None
                if image is None and data:
                    log.warning("image %s: not a usable image", _short(url))
                if image is not None and data:
                    await self._keep_on_disk(url, data)
            self._keep(url, image)
            if image is not None:
                self.ready.emit(url)
        finally:
            self._pending.pop(url, None)

    async def _from_disk(self, url: str) -> QImage | None:
        """The picture kept on disk by an earlier fetch; None if there is none or it cannot be used (then
        it is set aside, with one log line, and fetched again)."""
        disk = self._disk(url)
        if disk is None:
            return None
        try:
            data = await asyncio.to_thread(_read_and_touch, disk)
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("image %s: cannot read %s: %s; fetching it again", _short(url), disk, exc.strerror)
            return None
        image = await asyncio.to_thread(decode, data)
        if image is None:
            aside = await asyncio.to_thread(set_aside, disk)
            done = f"set aside as {aside.name}" if aside else "removed"
            log.warning("image %s: the copy on disk %s is not a usable image: %s", _short(url), disk, done)
        return image

    async def _keep_on_disk(self, url: str, data: bytes) -> None:
        disk = self._disk(url)
        if disk is None:
            return
        try:
            await asyncio.to_thread(write_atomically, disk, data)
        except OSError as exc:
            self._disk_writes.failed(exc, disk.parent, "kept in memory only until they can be")
            return
        self._disk_writes.succeeded(disk.parent)
        if self._on_disk is None:
            self._on_disk = await asyncio.to_thread(trim, disk.parent, self.disk_bytes)
        else:
            self._on_disk += len(data)
        if self._on_disk > self.disk_bytes:
            self._on_disk = await asyncio.to_thread(trim, disk.parent, self.disk_bytes * 3 // 4)

    async def _bytes(self, url: str, client: httpx.AsyncClient) -> bytes | None:
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
                # Inflated here a piece at a time, never past the cap (a gzip bomb stops at MAX_BYTES).
                return bytes(await read_capped(response, _short(url), MAX_BYTES, "image"))
        except SourceError as exc:
            log.warning("image %s: %s", _short(url), exc.cause)
            return None
        except httpx.HTTPError as exc:
            log.warning("image %s: %s", _short(url), type(exc).__name__ if not str(exc) else exc)
            return None
        except TimeoutError:
            log.warning("image %s: not complete within %g s", _short(url), self.whole_within)
            return None


def _read_and_touch(path: Path) -> bytes:
    """A picture's bytes, its time set to now: it was used, so it is among the last to go (``trim``)."""
    data = path.read_bytes()
    with contextlib.suppress(OSError):
        os.utime(path)
    return data


def trim(folder: Path, keep_bytes: int) -> int:
    """Remove the least recently used pictures in ``folder`` until they take ``keep_bytes`` at most; what
    they take then."""
    pictures = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.is_file() and not entry.name.startswith("."):
                with contextlib.suppress(OSError):
                    stat = entry.stat()
                    pictures.append((stat.st_mtime_ns, stat.st_size, entry.path))
    total = sum(size for _, size, _ in pictures)
    for _, size, path in sorted(pictures):
        if total <= keep_bytes:
            break
        with contextlib.suppress(OSError):
            os.unlink(path)
            total -= size
    return total


def _short(url: str) -> str:
    """A URL fit for a log line: no query (it may carry tokens), not too long."""
    parts = urllib.parse.urlsplit(url)
    text = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return text if len(text) <= 100 else text[:97] + "..."
