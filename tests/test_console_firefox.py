"""The operator console in Firefox: Debian's ``firefox-esr``, headless, driven over its own Marionette
protocol by Mozilla's ``marionette_driver`` (Firefox's WebDriver server, geckodriver, is packaged by
neither Debian nor PyPI, and nothing is downloaded at test time), against a wall started in the test on
127.0.0.1. The scenarios are those Chromium plays (``console_page``): sign in, the wall's picture, a
switch seen on the wall and pushed back through the page's event stream (fetch streaming), an alert; a
post hidden, a queued one approved.

Firefox takes seconds to start: one browser, on a fresh profile, serves the whole module.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from console_page import (
    Element,
    Page,
    RunAsync,
    browse,
    hide_a_post_and_approve_a_queued_one,
    moderated,
    sign_in_watch_switch_and_alert,
    two_layouts,
)
from servers import Clock, free_port, until

from wallapp.qt.loop import WallLoop

with warnings.catch_warnings():
    # mozrunner, under marionette_driver, still asks distro for linux_distribution() and imports telnetlib.
    warnings.simplefilter("ignore", DeprecationWarning)
    from marionette_driver.by import By
    from marionette_driver.marionette import Marionette

FIREFOX = shutil.which("firefox-esr")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not FIREFOX, reason="needs Debian's firefox-esr (./dev test installs it)"),
]

WIDTH, HEIGHT = 1280, 900
START_S = 60  # a cold Firefox on a busy 2-core machine takes ~5 s; a hung one fails the module after this
# The profile's preferences: Marionette on the port the test chose, straight to 127.0.0.1 whatever the
# environment names as proxy, and none of Firefox's first-run pages or calls home.
PREFERENCES = {
    "network.proxy.type": 0,
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "app.update.disabledForTesting": True,
    "intl.locale.requested": "en-GB",
}


class FirefoxPage(Page):
    """The one tab of a headless Firefox, over a Marionette session."""

    def __init__(self, client: Marionette) -> None:
        self.client = client

    def go(self, url: str) -> None:
        self.client.navigate(url)

    def script(self, script: str, *args: Any) -> Any:
        return self.client.execute_script(script, script_args=args)

    def find(self, css: str) -> Element:
        element: Element = self.client.find_element(By.CSS_SELECTOR, css)
        return element


def answers(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:``port``."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def user_js(preferences: dict[str, object]) -> str:
    return "".join(f'user_pref("{name}", {_js(value)});\n' for name, value in preferences.items())


def _js(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, int) else f'"{value}"'


@pytest.fixture(scope="module")
def firefox(tmp_path_factory: pytest.TempPathFactory, wall_loop: WallLoop) -> Iterator[FirefoxPage]:
    """A headless firefox-esr on a fresh profile with Marionette on a free port; stopped at the end.

    The test waits for the port itself: marionette_driver's own wait leaves a socket unclosed at each
    refused try (a ResourceWarning, an error here)."""
    folder = tmp_path_factory.mktemp("firefox")
    profile, log = folder / "profile", folder / "firefox.log"
    profile.mkdir()
    port = free_port()
    (profile / "user.js").write_text(user_js({**PREFERENCES, "marionette.port": port}), encoding="utf-8")
    command = [str(FIREFOX), "--headless", "--marionette", "--no-remote", "--profile", str(profile)]
    command += ["--width", str(WIDTH), "--height", str(HEIGHT)]
    with log.open("wb") as output:
        browser = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "TZ": "UTC", "MOZ_CRASHREPORTER_DISABLE": "1"},
            start_new_session=True,  # its content processes too are stopped with it
        )
    client = Marionette(host="127.0.0.1", port=port, socket_timeout=60)
    try:
        started = until(
            lambda: browser.poll() is not None or answers(port), "Marionette's port", timeout=START_S
        )
        wall_loop.run_until_complete(started)
        if browser.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
            pytest.fail(f"firefox-esr stopped ({browser.returncode}) before Marionette listened:\n{tail}")
        client.start_session()
        yield FirefoxPage(client)
    finally:
        client.cleanup()  # ends the session; the browser is the test's to stop
        with contextlib.suppress(ProcessLookupError):  # all of its processes gone already
            os.killpg(browser.pid, signal.SIGTERM)
        try:
            browser.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(browser.pid, signal.SIGKILL)
            browser.wait()


def test_an_operator_signs_in_watches_the_wall_and_switches_it_and_raises_an_alert_in_firefox(
    run_async: RunAsync, firefox: FirefoxPage, tmp_path: Path
) -> None:
    wall = two_layouts(tmp_path, Clock())
    browse(run_async, wall, lambda url: sign_in_watch_switch_and_alert(firefox, wall, url))


def test_an_operator_hides_a_post_and_approves_a_queued_one_in_firefox(
    run_async: RunAsync, firefox: FirefoxPage, tmp_path: Path
) -> None:
    wall = moderated(tmp_path, Clock())
    browse(run_async, wall, lambda url: hide_a_post_and_approve_a_queued_one(firefox, wall, url))
