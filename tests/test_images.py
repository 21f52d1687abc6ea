"""Avatars and media from a real HTTP server: cached, capped, and a placeholder for anything unusable."""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from disks import fill, read_only, tmpfs
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from servers import serving, until
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wallapp.core.data.demo import identicon
from wallapp.qt.images import MAX_BYTES, ImageCache, decode


def png_bytes(colour: str = "#3366cc", size: int = 64) -> bytes:
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stub says bytes; PySide6 takes only str
    return bytes(data.data())


class Images:
    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.files = {
            "/ok.png": (png_bytes(), "image/png"),
            "/corrupt.png": (b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 40, "image/png"),
            "/page.png": (b"<html><body>Not found</body></html>", "text/html"),
            "/huge.png": (b"\x89PNG" + b"\x00" * (MAX_BYTES + 1024), "image/png"),
            # 32 KiB on the wire, 32 MiB inflated: stopped at the cap, never inflated whole.
            "/bomb.png": (gzip.compress(b"\x89PNG" + b"\x00" * 32 * 2**20), "image/png"),
        }
        self.app = Starlette(routes=[Route("/{name}", self.serve)])

    async def serve(self, request: Request) -> Response:
        path = request.url.path
        self.hits[path] = self.hits.get(path, 0) + 1
        body, kind = self.files.get(path, (b"", "text/plain"))
        headers = {"Content-Encoding": "gzip"} if path == "/bomb.png" else {}
        return Response(body, media_type=kind, status_code=200 if body else 404, headers=headers)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[Images, str]]:
    images = Images()
    with serving(images.app) as base:
        yield images, base


@pytest.fixture
def run(run_async: Callable[[Any], Any]) -> Callable[[Callable[[httpx.AsyncClient], Any]], None]:
    """Run a scenario on the session's loop with an HTTP client, as the wall does."""

    def with_client(scenario: Callable[[httpx.AsyncClient], Any]) -> None:
        async def main() -> None:
            async with httpx.AsyncClient() as client:
                await scenario(client)

        run_async(main())

    return with_client


async def settled(cache: ImageCache, url: str) -> QImage | None:
    cache.image(url)
    await until(lambda: not cache.fetching(url), "the fetch to end")
    return cache.image(url)


def test_an_image_arrives_once_and_is_kept_in_memory_and_on_disk(
    server: tuple[Images, str], tmp_path: Path, run: Any
) -> None:
    images, base = server
    cache = ImageCache(tmp_path / "images")
    arrived: list[str] = []
    cache.ready.connect(arrived.append)

    async def scenario(client: httpx.AsyncClient) -> None:
        cache.client = client
        assert cache.image(f"{base}/ok.png") is None  # not yet: the widget draws its placeholder
        image = await settled(cache, f"{base}/ok.png")
        assert image is not None
        assert QColor(image.pixel(5, 5)).name() == "#3366cc"
        assert arrived == [f"{base}/ok.png"]
        # A second cache on the same folder (a restart) reads the disk, not the server.
        again = ImageCache(tmp_path / "images")
        again.client = client
        assert await settled(again, f"{base}/ok.png") is not None

    run(scenario)
    assert images.hits["/ok.png"] == 1


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("corrupt.png", "not a usable image"),
        ("page.png", "not an image (text/html)"),
        ("huge.png", "over the cap of 4,194,304 bytes"),
        ("bomb.png", "over the cap of 4,194,304 bytes"),
        ("missing.png", "404"),
    ],
)
def test_unusable_images_stay_placeholders_with_one_line_each(
    name: str,
    says: str,
    server: tuple[Images, str],
    tmp_path: Path,
    run: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    images, base = server
    cache = ImageCache(tmp_path / "images")
    url = f"{base}/{name}"

    async def scenario(client: httpx.AsyncClient) -> None:
        cache.client = client
        with caplog.at_level(logging.WARNING, logger="wallapp.images"):
            assert await settled(cache, url) is None
        assert cache.image(url) is None  # not asked again for a while

    run(scenario)
    lines = [r.getMessage() for r in caplog.records if r.name == "wallapp.images"]
    assert len(lines) == 1
    assert says in lines[0]
    assert images.hits[f"/{name}"] == 1
    assert not (tmp_path / "images").exists() or not any((tmp_path / "images").iterdir())  # nothing kept


def test_a_copy_on_disk_that_no_longer_decodes_is_set_aside_and_fetched_again(
    server: tuple[Images, str], tmp_path: Path, run: Any, caplog: pytest.LogCaptureFixture
) -> None:
    images, base = server
    images.files["/later-damaged.png"] = (png_bytes("#cc3366"), "image/png")
    url = f"{base}/later-damaged.png"
    folder = tmp_path / "images"

    async def scenario(client: httpx.AsyncClient) -> None:
        first = ImageCache(folder)
        first.client = client
        assert await settled(first, url) is not None
        (copy,) = folder.iterdir()
        copy.write_bytes(copy.read_bytes()[:40])  # a disk fault: the file cut short
        restarted = ImageCache(folder)
        restarted.client = client
        with caplog.at_level(logging.WARNING, logger="wallapp.images"):
            image = await settled(restarted, url)
        assert image is not None
        assert QColor(image.pixel(5, 5)).name() == "#cc3366"
        (aside,) = folder.glob("*.corrupt-*")
        assert [r.getMessage() for r in caplog.records] == [
            f"image {url}: the copy on disk {copy} is not a usable image: set aside as {aside.name}"
        ]
        assert decode(copy.read_bytes()) is not None  # fetched again and kept whole

    run(scenario)
    assert images.hits["/later-damaged.png"] == 2


def test_a_full_or_read_only_disk_leaves_pictures_in_memory_with_one_line(
    server: tuple[Images, str], tmp_path: Path, run: Any, caplog: pytest.LogCaptureFixture
) -> None:
    images, base = server
    urls = [f"{base}/no-room-{n}.png" for n in range(4)]
    for n in range(4):
        images.files[f"/no-room-{n}.png"] = (png_bytes(size=64 + n), "image/png")

    async def scenario(client: httpx.AsyncClient) -> None:
        with tmpfs(tmp_path / "images", size_kb=64) as folder:
            cache = ImageCache(folder)
            cache.client = client
            fill(folder)
            with caplog.at_level(logging.INFO, logger="wallapp.images"):
                assert await settled(cache, urls[0]) is not None
                assert await settled(cache, urls[1]) is not None  # shown from memory
                assert [p.name for p in folder.iterdir()] == ["filler"]
                (folder / "filler").unlink()
                read_only(folder)
                assert await settled(cache, urls[2]) is not None
                read_only(folder, on=False)
                assert await settled(cache, urls[3]) is not None
            assert [r.getMessage() for r in caplog.records] == [
                f"pictures cannot be written to {folder}: No space left on device; "
                "kept in memory only until they can be",
                f"pictures can be written to {folder} again",
            ]
            assert len(list(folder.iterdir())) == 1

    run(scenario)


def test_inline_avatars_decode_at_once(qapp: QApplication) -> None:
    cache = ImageCache(None)
    image = cache.image(identicon("someone"))
    assert image is not None
    colours = {
        QColor(image.pixel(x, y)).name()
        for x in range(0, image.width(), 8)
        for y in range(0, image.height(), 8)
    }
    assert len(colours) >= 2  # the identicon's two colours, not black
    assert "#000000" not in colours


def test_decode_refuses_what_is_not_an_image(qapp: QApplication) -> None:
    assert decode(b"definitely not an image") is None
    assert decode(png_bytes(size=4000)).width() <= 1024  # type: ignore[union-attr]


def test_memory_is_bounded_by_bytes_least_recently_used_first(qapp: QApplication) -> None:
    one = 192 * 192 * 4  # a generated avatar, drawn at the size it is shown
    cache = ImageCache(None, memory_bytes=3 * one)
    urls = [identicon(f"person-{n}") for n in range(4)]
    for url in urls[:3]:
        assert cache.image(url) is not None
    assert cache.held_bytes == 3 * one
    cache.image(urls[0])  # used again: now the most recent
    cache.image(urls[3])  # over the budget: the least recently used goes
    assert cache.held_urls == [urls[2], urls[0], urls[3]]
    assert cache.held_bytes == 3 * one


def test_a_picture_a_widget_shows_is_never_let_go_of_whatever_the_bound(qapp: QApplication) -> None:
    """A card or a ranking's row keeps its own picture and asks for the avatar again only when it redraws
    it: let go of meanwhile, the redraw would show the placeholder, then the picture, a flicker."""

    class Widget:  # anything a weak reference can be taken to, as the wall's widgets
        pass

    one = 192 * 192 * 4
    cache = ImageCache(None, memory_bytes=2 * one)
    urls = [identicon(f"person-{n}") for n in range(6)]
    ranking, wall = Widget(), Widget()
    cache.image(urls[0])
    cache.showing(ranking, [urls[0], None])  # shown, then not asked for again
    cache.image(urls[1])
    cache.showing(wall, [urls[1]])
    for url in urls[2:5]:  # many more pictures since: over the bound, yet the shown ones stay
        cache.image(url)
    assert cache.held_urls == [urls[0], urls[1], urls[4]]
    assert cache.held_bytes == 3 * one  # over the bound by what is shown, no more
    cache.showing(wall, [])  # the page turned: no longer shown, let go of first
    cache.image(urls[5])
    assert cache.held_urls == [urls[0], urls[5]]
    del ranking  # a widget gone shows nothing
    cache.image(urls[2])
    assert cache.held_urls == [urls[5], urls[2]]


def test_the_disk_cache_is_bounded_and_lets_the_least_recently_used_go_first(
    server: tuple[Images, str], tmp_path: Path, run: Any
) -> None:
    images, base = server
    names = [f"/bounded-{n}.png" for n in range(6)]
    for n, name in enumerate(names):
        images.files[name] = (png_bytes(f"#0000{n:02x}", size=64), "image/png")
    size = max(len(images.files[name][0]) for name in names)
    urls = [base + name for name in names]
    folder = tmp_path / "images"
    bound = size * 9 // 2  # room for four and a half

    def on_disk() -> set[int]:
        kept = {p.name for p in folder.iterdir()}
        return {n for n, url in enumerate(urls) if hashlib.sha256(url.encode()).hexdigest()[:32] in kept}

    async def scenario(client: httpx.AsyncClient) -> None:
        first = ImageCache(folder, disk_bytes=bound)
        first.client = client
        for url in urls[:4]:
            assert await settled(first, url) is not None
        assert on_disk() == {0, 1, 2, 3}
        for n, url in enumerate(urls[:4]):  # written a while ago, in this order (not within one clock tick)
            written = time.time() - 100 + n
            os.utime(folder / hashlib.sha256(url.encode()).hexdigest()[:32], (written, written))
        restarted = ImageCache(folder, disk_bytes=bound)
        restarted.client = client
        assert await settled(restarted, urls[0]) is not None  # from disk: now the most recently used
        assert await settled(restarted, urls[4]) is not None  # five: over the bound, the oldest goes
        assert on_disk() == {0, 2, 3, 4}
        assert await settled(restarted, urls[5]) is not None  # over again: down to three quarters
        assert on_disk() == {0, 4, 5}
        assert sum(p.stat().st_size for p in folder.iterdir()) <= bound * 3 // 4

    run(scenario)
    assert images.hits["/bounded-0.png"] == 1
