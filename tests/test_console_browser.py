"""The operator console in a real browser: Debian's headless Chromium, driven by Selenium through
chromedriver, against a wall started in the test on 127.0.0.1. Nothing is downloaded at test time.
What every browser plays is in ``console_page``; the phone, the posts and the README's pictures here.

With ``CONSOLE_PICTURE=docs/console.png`` in the environment, the hub test saves its screenshot there
(the README's picture of the console); ``CONSOLE_PHONE_PICTURE=docs/console-phone.png``, the phone's.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from brokers import mosquitto, write_posts
from console_page import (
    PICTURE,
    READ,
    ROOT,
    SIGNED_IN,
    THUMBNAILS,
    TOKEN,
    Element,
    Page,
    RunAsync,
    browse,
    hide_a_post_and_approve_a_queued_one,
    moderated,
    open_wall,
    sign_in,
    sign_in_watch_switch_and_alert,
    two_layouts,
)
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from servers import Clock, until
from test_node_control import LAYOUT, display_of, following, served

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM and DRIVER),
        reason="needs Debian's chromium and chromium-driver (./dev test installs them)",
    ),
]


class ChromiumPage(Page):
    """One headless Chromium tab, driven by Selenium; the window's size set through the DevTools protocol."""

    def __init__(self, driver: webdriver.Chrome, width: int, height: int, phone: bool) -> None:
        self.driver = driver
        self.size = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": phone}

    def emulate(self, **size: Any) -> None:
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**self.size, **size})

    def go(self, url: str) -> None:
        self.driver.get(url)

    def script(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def find(self, css: str) -> Element:
        return self.driver.find_element(By.CSS_SELECTOR, css)

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


def start_browser(width: int, height: int, phone: bool = False) -> ChromiumPage:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    options.add_argument("--no-proxy-server")  # straight to 127.0.0.1, whatever the environment names
    options.add_argument("--lang=en-GB")
    service = Service(str(DRIVER), env={**os.environ, "TZ": "UTC"})
    driver = webdriver.Chrome(options=options, service=service)
    page = ChromiumPage(driver, width, height, phone)
    try:
        page.emulate()
        driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "UTC"})
    except BaseException:
        driver.quit()
        raise
    return page


@pytest.fixture
def desk() -> Iterator[ChromiumPage]:
    page = start_browser(1280, 900)
    try:
        yield page
    finally:
        page.driver.quit()


@pytest.fixture
def phone() -> Iterator[ChromiumPage]:
    page = start_browser(390, 844, phone=True)
    try:
        yield page
    finally:
        page.driver.quit()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_an_operator_signs_in_watches_the_wall_and_switches_it_and_raises_an_alert(
    run_async: RunAsync, desk: ChromiumPage, tmp_path: Path, clock: Clock
) -> None:
    wall = two_layouts(tmp_path, clock)
    browse(run_async, wall, lambda url: sign_in_watch_switch_and_alert(desk, wall, url))


def test_a_demo_host_on_a_phone_advances_the_show_and_a_watcher_cannot(
    run_async: RunAsync, phone: ChromiumPage, tmp_path: Path, clock: Clock
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
    run_async: RunAsync, desk: ChromiumPage, tmp_path: Path, clock: Clock
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


def test_a_demo_host_on_a_phone_hides_an_embarrassing_post_and_approves_a_queued_one(
    run_async: RunAsync, phone: ChromiumPage, tmp_path: Path, clock: Clock
) -> None:
    wall = moderated(tmp_path, clock)

    async def steps(url: str) -> None:
        await hide_a_post_and_approve_a_queued_one(phone, wall, url)
        assert await phone.run("return document.scrollingElement.scrollWidth") <= 390

    browse(run_async, wall, steps)


def test_the_console_of_any_node_shows_every_pc_of_the_wall_and_which_applied_a_change(
    run_async: RunAsync, desk: ChromiumPage, tmp_path: Path
) -> None:
    """Two of the three nodes running: a's console lists the three, the leader marked, c offline; an
    alert raised there says it reached a and b, not c. The picture is the README's
    (``CONSOLE_NODES_PICTURE``)."""
    (tmp_path / "moderated.json").write_text(json.dumps(LAYOUT))
    write_posts(tmp_path, "p1", "p2", "p3")
    rows = (
        "return Array.from(document.querySelectorAll('#nodes tr'),"
        " r => [r.dataset.node, r.cells[3].textContent])"
    )
    with mosquitto(tmp_path / "broker") as broker:
        # The page's thumbnails and pictures are drawn on the wall's loop, for a second or more on a
        # loaded machine: a keepalive that outlasts them.
        displays = [display_of(tmp_path, broker.port, name, keepalive_s=10) for name in "ab"]
        a, b = displays

        async def scenario() -> None:
            async with served(a), served(b):
                await until(lambda: following(a) and following(b), "a and b to lead and follow")
                await sign_in(desk, str(a.control_url), TOKEN)
                await desk.until(SIGNED_IN, "the console")
                await desk.until(
                    f"{rows}.map(r => r.join(': ')).join(', ') === 'a: ok, b: ok, c: offline'",
                    "a and b well, c offline",
                )
                await desk.type("#alert-text", "Lyon is down: answers delayed")
                await desk.click("#alert-raise")
                await desk.until(
                    "return document.getElementById('message').textContent"
                    " === 'Alert raised (applied on a, b; c: not reached)'",
                    "the alert said applied on a and b",
                )
                assert b.control.alert is not None
                leader = a.link.view.leader() if a.link is not None else None
                marked = await desk.run(
                    "return Array.from(document.querySelectorAll('#nodes td[data-leader=true]'),"
                    " td => td.parentElement.dataset.node)"
                )
                assert marked == [leader]
                if target := os.environ.get("CONSOLE_NODES_PICTURE"):
                    await desk.screenshot(ROOT / target)

        try:
            run_async(scenario())
        finally:
            for display in displays:
                display.close()
