"""The operator console in a real browser, whichever browser: the page's calls as the tests make them, the
wall the page talks to, and the scenarios every browser plays (sign in, watch, switch, raise an alert;
hide a post, approve a queued one).

A browser's driver blocks: each of its calls runs in a thread, so the wall's loop (which serves the page,
its pictures and its event stream) goes on meanwhile. A browser gives ``Page`` its few blocking primitives;
the rest is the same for all.
"""

from __future__ import annotations

import asyncio
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, Protocol

import pytest
from servers import Clock, until, while_serving

from wallapp.app import WallDisplay
from wallapp.core.config.settings import load_settings
from wallapp.qt.widgets.alert import AlertItem
from wallapp.qt.widgets.posts import PostWallItem

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "operator-token"
READ = "watcher-token"
RunAsync = Callable[[Coroutine[Any, Any, Any]], Any]


class Element(Protocol):
    """An element of the page as both drivers hand it over."""

    def clear(self) -> None: ...

    def send_keys(self, *value: str) -> None: ...

    def click(self) -> None: ...


class Page(ABC):
    """One browser tab, as the tests use it: each call runs in a thread so the wall keeps serving."""

    @abstractmethod
    def go(self, url: str) -> None:
        """Open ``url`` in the tab and wait for it to load."""

    @abstractmethod
    def script(self, script: str, *args: Any) -> Any:
        """Run ``script`` (a function body, its arguments in ``arguments``) in the page; its answer."""

    @abstractmethod
    def find(self, css: str) -> Element:
        """The first element at ``css``."""

    def keys(self, css: str, text: str) -> None:
        """Empty the field at ``css`` and type ``text`` into it, key by key."""
        element = self.find(css)
        element.clear()
        element.send_keys(text)

    async def open(self, url: str) -> None:
        await asyncio.to_thread(self.go, url)

    async def run(self, script: str, *args: Any) -> Any:
        return await asyncio.to_thread(self.script, script, *args)

    async def type(self, css: str, text: str) -> None:
        await asyncio.to_thread(self.keys, css, text)

    async def click(self, css: str) -> None:
        await asyncio.to_thread(lambda: self.find(css).click())

    async def choose(self, css: str, value: str) -> None:
        """Choose the option of value ``value`` in the ``<select>`` at ``css``, as a person would."""
        await self.click(f"{css} option[value='{value}']")

    async def text(self, css: str) -> str:
        return str(await self.run("return document.querySelector(arguments[0]).textContent", css))

    async def until(self, script: str, what: str, *args: Any, timeout: float = 30.0) -> Any:
        """Wait until ``script`` returns something true in the page; fail naming ``what``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (answer := await self.run(script, *args)):
            if loop.time() > deadline:
                pytest.fail(f"timed out after {timeout:g} s waiting in the browser for {what}")
            await asyncio.sleep(0.05)
        return answer

    async def colour(self, x: float, y: float) -> list[int]:
        """The colour of the page's picture of the wall at a point (parts of its width and height)."""
        rgb: list[int] = await self.run(
            """const img = document.getElementById('picture');
            const c = document.createElement('canvas');
            c.width = img.naturalWidth; c.height = img.naturalHeight;
            const g = c.getContext('2d'); g.drawImage(img, 0, 0);
            const pixel = g.getImageData(arguments[0] * c.width, arguments[1] * c.height, 1, 1);
            return Array.from(pixel.data.slice(0, 3));""",
            x,
            y,
        )
        return rgb


def themed(folder: Path, name: str, background: str) -> None:
    theme = json.loads((ROOT / "themes" / "dark.json").read_text(encoding="utf-8"))
    theme["palette"]["background"] = background
    theme.pop("$schema", None)
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps({**theme, "name": name}), encoding="utf-8")


def open_wall(tmp_path: Path, clock: Clock, show: str | None = None, **settings: Any) -> WallDisplay:
    display = WallDisplay(
        load_settings(
            layouts_dirs=[tmp_path],
            themes_dirs=[tmp_path / "themes"],
            control={"listen": "127.0.0.1:0", "token": TOKEN, "read_token": READ},
            state_dir=tmp_path / "state",
            **settings,
        ),
        now=clock,
        show=show,
    )
    display.show()
    return display


def browse(run_async: RunAsync, wall: WallDisplay, steps: Callable[[str], Coroutine[Any, Any, None]]) -> None:
    async def scenario() -> None:
        await until(lambda: wall.control_url is not None, "the control API")
        await steps(str(wall.control_url))

    while_serving(run_async, wall, scenario)


THUMBNAILS = (
    "const thumbs = Array.from(document.querySelectorAll('.thumb img'));"
    "return thumbs.length === arguments[0] && thumbs.every(i => i.complete && i.naturalWidth > 0)"
)
SIGNED_IN = "return !document.getElementById('console').hidden && document.getElementById('role').textContent"
PICTURE = (
    "const i = document.getElementById('picture');"
    "return i.complete && i.naturalWidth > 0 && i.dataset.version"
)


async def sign_in(page: Page, url: str, token: str) -> None:
    await page.open(url)
    await page.until("return !document.getElementById('signin').hidden", "the sign-in form")
    await page.type("#token", token)
    await page.click("#signin-button")


async def raise_an_alert(page: Page, wall: WallDisplay) -> None:
    """An alert typed in the page: previewed as text (never as HTML), raised on the wall as typed."""
    await page.type("#alert-text", "<b>Lyon</b>  outage: answers delayed")
    await page.choose("#alert-level", "crisis")
    assert await page.text("#alert-preview-text") == "<b>Lyon</b> outage: answers delayed"
    assert await page.run("return document.querySelector('#alert-preview b') !== null") is False
    assert await page.run("return document.getElementById('alert-preview').dataset.level") == "crisis"
    await page.click("#alert-raise")

    def shown_alert() -> tuple[str, str] | None:
        banners = [i for i in wall.scene.overlays.get("alert", []) if isinstance(i, AlertItem) and i.alert]
        return (banners[0].alert.level, banners[0].alert.message) if banners and banners[0].alert else None

    await until(lambda: shown_alert() is not None, "the alert on the wall")
    assert shown_alert() == ("crisis", "<b>Lyon</b> outage: answers delayed")
    await page.until(
        "return document.getElementById('now-alert').textContent.startsWith('crisis: <b>Lyon</b>')",
        "the alert in the page",
    )
    await page.until("return document.querySelectorAll('#audit li').length >= 2", "the audit log")
    audit = await page.run("return Array.from(document.querySelectorAll('#audit li'), li => li.textContent)")
    assert audit[0].endswith(
        "operator@127.0.0.1 alert crisis: <b>Lyon</b> outage: answers delayed (for 3600 s)"
    )
    assert audit[1].endswith("operator@127.0.0.1 layout two")
    assert await page.run("return document.querySelector('#audit b, #now-alert b') !== null") is False


def two_layouts(tmp_path: Path, clock: Clock) -> WallDisplay:
    """A wall on layout "one" (a red theme, a source that fails), with "two" (green) to switch to."""
    themed(tmp_path / "themes", "red", "#800000")
    themed(tmp_path / "themes", "green", "#005000")
    missing = {"kind": "file", "path": "missing.json", "mapping": {"record": "post"}}
    text = {"id": "t", "kind": "text", "place": {"screen": [0, 1]}, "options": {"text": "Welcome"}}
    one = {"name": "One", "theme": "red", "sources": {"inbox": missing}, "widgets": [text]}
    two = {"name": "Two", "theme": "green", "widgets": [text]}
    for name, layout in (("one", one), ("two", two)):
        (tmp_path / f"{name}.json").write_text(json.dumps(layout), encoding="utf-8")
    return open_wall(tmp_path, clock, layout="one")


async def sign_in_watch_switch_and_alert(page: Page, wall: WallDisplay, url: str) -> None:
    """The operator's round on ``two_layouts``' wall: a wrong token then the right one, the wall's picture
    and its failing source, a switch by thumbnail seen on the wall and pushed back to the page, an alert."""
    # A wrong token: a clear error, nothing kept.
    await sign_in(page, url, "not-the-token")
    error = await page.until("return document.getElementById('signin-error').textContent", "an error")
    assert error == "Wrong token: the wall does not accept it."
    assert await page.run("return sessionStorage.length") == 0
    assert await page.run("return document.getElementById('console').hidden") is True
    # The right one: the console, the token in the tab's session storage and never in the URL.
    await page.type("#token", TOKEN)
    await page.click("#signin-button")
    assert await page.until(SIGNED_IN, "the console") == "operator"
    assert await page.run("return sessionStorage.getItem('wallapp-console-token')") == TOKEN
    assert TOKEN not in await page.run("return location.href")
    # Now showing: the wall's picture, what is shown, each source's state and error.
    await page.until(PICTURE, "the wall's picture")
    assert await page.colour(5 / 6, 0.25) == [128, 0, 0]
    assert await page.text("#now-layout") == "One (one)"
    # A yes or no, not the element: the list is redrawn as the status comes, and a node handed back to the
    # test can be gone by the time the browser sends it (a stale element).
    listed = "return document.querySelector('#sources [data-source=inbox] .state') !== null"
    await page.until(listed, "the source")
    await until(lambda: wall.status()["sources"]["inbox"]["state"] == "failing", "the source to fail")
    await page.until(
        "return document.querySelector('#sources [data-source=inbox] .state').textContent === 'failing'",
        "the failing source pushed to the page",
    )
    detail = await page.text("#sources [data-source=inbox] .source-detail")
    assert re.fullmatch(r"\d+ failure\(s\) · last error: file not found", detail), detail
    # Switch by the layout's thumbnail: the wall changes, and the page sees it without asking.
    thumb = ".thumb[data-layout=two] img"
    await page.until(
        f"const i = document.querySelector('{thumb}'); return i && i.complete && i.naturalWidth",
        "two's thumbnail",
    )
    await page.click(".thumb[data-layout=two]")
    await until(lambda: wall.scene.loaded.path.stem == "two", "the wall to show two")
    await page.until("return document.getElementById('now-layout').textContent === 'Two (two)'", "two")
    assert (
        await page.run(
            "return document.querySelector('.thumb[data-layout=two]').getAttribute('aria-current')"
        )
        == "true"
    )
    await page.until("return document.getElementById('picture').dataset.version > 0", "a new picture")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while await page.colour(5 / 6, 0.25) != [0, 80, 0]:
        assert loop.time() < deadline, "the page's picture never showed two"
        await asyncio.sleep(0.05)
    await raise_an_alert(page, wall)


VERDICT = "return document.querySelector(`.post[data-id='${arguments[0]}']`).dataset.verdict"
MODERATED = {
    "name": "Moderated",
    "sources": {"posts": {"kind": "demo", "feed": "posts", "seed": 3, "interval": 30}},
    "widgets": [
        {"id": "wall", "kind": "posts", "source": "posts", "place": {"screen": [0, 1], "span": [3, 1]}}
    ],
}


def moderated(tmp_path: Path, clock: Clock) -> WallDisplay:
    """A wall on one post source (the demo's posts) across the bottom row."""
    (tmp_path / "moderated.json").write_text(json.dumps(MODERATED), encoding="utf-8")
    return open_wall(tmp_path, clock, layout="moderated")


async def hide_a_post_and_approve_a_queued_one(page: Page, wall: WallDisplay, url: str) -> None:
    """On ``moderated``'s wall: a post hidden from the page leaves the wall; in approval mode the wall holds
    every post back until one is approved from the page."""

    def on_the_wall() -> set[str]:
        posts = wall.scene.items_by_id["wall"]
        assert isinstance(posts, PostWallItem)
        return {post.id for post in posts.posts}

    await until(lambda: len(on_the_wall()) >= 3, "posts on the wall")
    await sign_in(page, url, TOKEN)
    await page.until(SIGNED_IN, "the console")
    listed = "return Array.from(document.querySelectorAll('.post-source .post'), p => p.dataset.id)"
    ids = await page.until(listed, "the posts in the page")
    embarrassing = next(i for i in ids if i in on_the_wall())
    await page.click(f'.post[data-id="{embarrassing}"] [data-do=hide]')
    await until(lambda: embarrassing not in on_the_wall(), "the post to leave the wall")
    await page.until(VERDICT + " === 'hidden'", "the post marked hidden in the page", embarrassing)
    hide = "return document.querySelector(`.post[data-id='${arguments[0]}'] [data-do=hide]`) !== null"
    assert await page.run(hide, embarrassing) is False
    # Approval mode: the wall holds every post back until one is approved.
    await page.click(".post-source[data-source=posts] input[type=checkbox]")
    await until(lambda: not on_the_wall(), "the wall to hold back unapproved posts")
    queued = await page.until(
        "const p = document.querySelector('.post[data-verdict=waiting]'); return p && p.dataset.id",
        "a post waiting for approval",
    )
    await page.click(f'.post[data-id="{queued}"] [data-do=approve]')
    await until(lambda: on_the_wall() == {queued}, "the approved post on the wall, alone")
    await page.until(VERDICT + " === 'shown'", "the approved post marked shown", queued)
