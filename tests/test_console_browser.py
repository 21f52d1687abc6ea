"""The operator console in a real browser: Debian's headless Chromium, driven by Selenium through
chromedriver, against a wall started in the test on 127.0.0.1. Nothing is downloaded at test time.

Selenium's calls block: each runs in a thread, so the wall's loop (which serves the page, its pictures
and its event stream) goes on meanwhile.

With ``CONSOLE_PICTURE=docs/console.png`` in the environment, the hub test saves its screenshot there
(the README's picture of the console); ``CONSOLE_PHONE_PICTURE=docs/console-phone.png``, the phone's.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from servers import Clock, until, while_serving

from wallapp.app import WallDisplay
from wallapp.core.config.settings import load_settings
from wallapp.qt.widgets.alert import AlertItem
from wallapp.qt.widgets.posts import PostWallItem

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM and DRIVER),
        reason="needs Debian's chromium and chromium-driver (./dev test installs them)",
    ),
]

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "operator-token"
READ = "watcher-token"
RunAsync = Callable[[Coroutine[Any, Any, Any]], Any]


class Page:
    """One headless Chromium tab; every call runs in a thread so the wall keeps serving."""

    def __init__(self, driver: webdriver.Chrome, width: int, height: int, phone: bool) -> None:
        self.driver = driver
        self.size = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": phone}

    def emulate(self, **size: Any) -> None:
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**self.size, **size})

    async def open(self, url: str) -> None:
        await asyncio.to_thread(self.driver.get, url)

    async def run(self, script: str, *args: Any) -> Any:
        return await asyncio.to_thread(self.driver.execute_script, script, *args)

    async def type(self, css: str, text: str) -> None:
        element = await asyncio.to_thread(self.driver.find_element, By.CSS_SELECTOR, css)
        await asyncio.to_thread(element.clear)
        await asyncio.to_thread(element.send_keys, text)

    async def click(self, css: str) -> None:
        element = await asyncio.to_thread(self.driver.find_element, By.CSS_SELECTOR, css)
        await asyncio.to_thread(element.click)

    async def choose(self, css: str, value: str) -> None:
        element = await asyncio.to_thread(self.driver.find_element, By.CSS_SELECTOR, css)
        await asyncio.to_thread(Select(element).select_by_value, value)

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

    async def screenshot(self, path: Path, whole: bool = True) -> None:
        """The whole page, however tall (the window made as tall as the page for the picture), or only
        what the window shows."""
        height = (
            await self.run("return document.documentElement.scrollHeight") if whole else self.size["height"]
        )
        await asyncio.to_thread(self.emulate, height=int(height))
        try:
            shot = await asyncio.to_thread(
                self.driver.execute_cdp_cmd, "Page.captureScreenshot", {"format": "png"}
            )
        finally:
            await asyncio.to_thread(self.emulate)
        path.write_bytes(base64.b64decode(shot["data"]))


def start_browser(width: int, height: int, phone: bool = False) -> Page:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    options.add_argument("--no-proxy-server")  # straight to 127.0.0.1, whatever the environment names
    options.add_argument("--lang=en-GB")
    service = Service(str(DRIVER), env={**os.environ, "TZ": "UTC"})
    driver = webdriver.Chrome(options=options, service=service)
    page = Page(driver, width, height, phone)
    try:
        page.emulate()
        driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "UTC"})
    except BaseException:
        driver.quit()
        raise
    return page


@pytest.fixture
def desk() -> Iterator[Page]:
    page = start_browser(1280, 900)
    try:
        yield page
    finally:
        page.driver.quit()


@pytest.fixture
def phone() -> Iterator[Page]:
    page = start_browser(390, 844, phone=True)
    try:
        yield page
    finally:
        page.driver.quit()


def themed(folder: Path, name: str, background: str) -> None:
    theme = json.loads((ROOT / "themes" / "dark.json").read_text(encoding="utf-8"))
    theme["palette"]["background"] = background
    theme.pop("$schema", None)
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps({**theme, "name": name}), encoding="utf-8")


@pytest.fixture
def clock() -> Clock:
    return Clock()


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
    assert await page.run("return document.querySelector('#alert-preview b')") is None
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
    assert await page.run("return document.querySelector('#audit b, #now-alert b')") is None


def test_an_operator_signs_in_watches_the_wall_and_switches_it_and_raises_an_alert(
    run_async: RunAsync, desk: Page, tmp_path: Path, write_json: Callable[[str, object], Path], clock: Clock
) -> None:
    themed(tmp_path / "themes", "red", "#800000")
    themed(tmp_path / "themes", "green", "#005000")
    missing = {"kind": "file", "path": "missing.json", "mapping": {"record": "post"}}
    text = {"id": "t", "kind": "text", "place": {"screen": [0, 1]}, "options": {"text": "Welcome"}}
    write_json("one.json", {"name": "One", "theme": "red", "sources": {"inbox": missing}, "widgets": [text]})
    write_json("two.json", {"name": "Two", "theme": "green", "widgets": [text]})
    wall = open_wall(tmp_path, clock, layout="one")

    async def steps(url: str) -> None:
        page = desk
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
        await page.until("return document.querySelector('#sources [data-source=inbox] .state')", "the source")
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

    browse(run_async, wall, steps)


def test_a_demo_host_on_a_phone_advances_the_show_and_a_watcher_cannot(
    run_async: RunAsync, phone: Page, tmp_path: Path, clock: Clock
) -> None:
    wall = open_wall(tmp_path, clock, show="visitor-demo")

    async def steps(url: str) -> None:
        page = phone
        await sign_in(page, url, TOKEN)
        assert await page.until(SIGNED_IN, "the console") == "operator"
        await page.until(PICTURE, "the wall's picture")
        await page.until(
            "return document.getElementById('now-show').textContent.includes('scene 1 of')", "scene 1"
        )
        # Nothing wider than the phone: no sideways scrolling, the show's buttons big enough for a thumb.
        assert await page.run("return document.scrollingElement.scrollWidth") <= 390
        sizes = await page.run(
            "const buttons = document.querySelectorAll('.steer .buttons button');"
            "const rects = Array.from(buttons, b => b.getBoundingClientRect());"
            "return rects.map(r => [r.width, r.height, r.right]);"
        )
        assert len(sizes) == 4
        assert all(width >= 44 and height >= 44 and right <= 390 for width, height, right in sizes)
        await page.click("[data-action=next]")
        assert wall.playing is not None
        await until(lambda: wall.playing is not None and wall.playing.head.scene == 1, "the next scene")
        await page.until(
            "return document.getElementById('now-show').textContent.includes('scene 2 of')", "scene 2"
        )
        await page.click("#hold")
        await until(lambda: wall.playing is not None and wall.playing.head.held, "the show held")
        await page.until("return document.getElementById('hold').textContent === 'Resume'", "Resume")
        if target := os.environ.get("CONSOLE_PHONE_PICTURE"):
            await page.screenshot(ROOT / target, whole=False)  # what the phone's screen shows
        # The read token: it watches, its buttons are off, and the wall refuses it anyway.
        await page.click("#signout")
        await page.until("return !document.getElementById('signin').hidden", "the sign-in form again")
        assert await page.run("return sessionStorage.length") == 0
        await page.type("#token", READ)
        await page.click("#signin-button")
        assert await page.until(SIGNED_IN, "the console") == "watch only"
        assert await page.run("return document.querySelector('[data-action=next]').disabled") is True
        answer = await page.run(
            """return fetch('/next', {method: 'POST', headers: {Authorization: 'Bearer ' + arguments[0]}})
            .then(r => r.status)""",
            READ,
        )
        assert answer == 403
        assert wall.playing.head.scene == 1

    browse(run_async, wall, steps)


def test_the_console_of_the_hub_at_a_desk_for_the_readme(
    run_async: RunAsync, desk: Page, tmp_path: Path, clock: Clock
) -> None:
    """The hub's wall as an operator's desk sees it: every source live, every thumbnail drawn, an alert
    raised; the picture is the README's (``CONSOLE_PICTURE``)."""
    wall = open_wall(tmp_path, clock, layout="hub")
    hub = sorted(wall.opened.loaded.layout.sources)

    async def steps(url: str) -> None:
        page = desk
        await sign_in(page, url, TOKEN)
        await page.until(SIGNED_IN, "the console")
        await until(
            lambda: all(s["state"] == "live" for s in wall.status()["sources"].values()), "live sources"
        )
        await page.until(
            "const states = Array.from(document.querySelectorAll('#sources .state'));"
            "return states.length === arguments[0] && states.every(s => s.textContent === 'live')",
            "every source live in the page",
            len(hub),
        )
        shown = await page.run(
            "return Array.from(document.querySelectorAll('#sources li'), li => li.dataset.source)"
        )
        assert shown == list(wall.status()["sources"])
        assert set(shown) == set(hub)
        await page.type("#alert-text", "Press visit at 3 pm: the crisis room is closed to visitors")
        await page.choose("#alert-level", "info")
        await page.click("#alert-raise")
        await page.until(
            "return document.getElementById('now-alert').textContent.startsWith('info: Press')", "the alert"
        )
        await page.until(
            THUMBNAILS,
            "every layout's thumbnail",
            len(wall.layout_names()),
        )
        await page.until(PICTURE + " > 1", "the picture with the alert")
        assert await page.run("return document.scrollingElement.scrollWidth") <= 1280
        await page.screenshot(tmp_path / "console.png")
        if target := os.environ.get("CONSOLE_PICTURE"):
            (ROOT / target).write_bytes((tmp_path / "console.png").read_bytes())

    browse(run_async, wall, steps)


VERDICT = "return document.querySelector(`.post[data-id='${arguments[0]}']`).dataset.verdict"
MODERATED = {
    "name": "Moderated",
    "sources": {"posts": {"kind": "demo", "feed": "posts", "seed": 3, "interval": 30}},
    "widgets": [
        {"id": "wall", "kind": "posts", "source": "posts", "place": {"screen": [0, 1], "span": [3, 1]}}
    ],
}


def test_a_demo_host_on_a_phone_hides_an_embarrassing_post_and_approves_a_queued_one(
    run_async: RunAsync, phone: Page, tmp_path: Path, clock: Clock
) -> None:
    (tmp_path / "moderated.json").write_text(json.dumps(MODERATED), encoding="utf-8")
    wall = open_wall(tmp_path, clock, layout="moderated")

    def on_the_wall() -> set[str]:
        posts = wall.scene.items_by_id["wall"]
        assert isinstance(posts, PostWallItem)
        return {post.id for post in posts.posts}

    async def steps(url: str) -> None:
        page = phone
        await until(lambda: len(on_the_wall()) >= 3, "posts on the wall")
        await sign_in(page, url, TOKEN)
        await page.until(SIGNED_IN, "the console")
        listed = "return Array.from(document.querySelectorAll('.post-source .post'), p => p.dataset.id)"
        ids = await page.until(listed, "the posts in the page")
        embarrassing = next(i for i in ids if i in on_the_wall())
        await page.click(f'.post[data-id="{embarrassing}"] [data-do=hide]')
        await until(lambda: embarrassing not in on_the_wall(), "the post to leave the wall")
        await page.until(VERDICT + " === 'hidden'", "the post marked hidden in the page", embarrassing)
        hide = "return document.querySelector(`.post[data-id='${arguments[0]}'] [data-do=hide]`)"
        assert await page.run(hide, embarrassing) is None
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
        assert await page.run("return document.scrollingElement.scrollWidth") <= 390

    browse(run_async, wall, steps)
