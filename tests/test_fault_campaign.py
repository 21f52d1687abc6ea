"""The fault campaign: every way a backend fails, against a running wall, each checked the same way.

The servers run for the whole module, all on 127.0.0.1 (``campaign.Backend``); each test runs a wall on
one layout: a steady source and three victims (an HTTP poll, an SSE stream, a WebSocket). A case makes
one victim fail, then checks, on the wall: it keeps running; the steady widget keeps updating; the
victim's widget keeps its last value and says how old it is (the wall's clock is moved five minutes on
by the test); exactly one log line tells the failure episode, however many attempts failed; and once the
fault ends the widget shows new data within two attempts, with one line saying the source recovered.

Then: a server flapping for an hour of a driven clock, the layout and theme files broken while the wall
runs, the wall's clock jumping, and pictures that are bombs or never end. ``docs/reliability.md`` has
the table of cases and what each showed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import re
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from campaign import (
    DROP,
    Backend,
    dribble,
    gzip_bomb,
    gzip_bomb_bytes,
    held,
    huge,
    kpis,
    png_bomb,
    status,
    text,
    unanswered_port,
)
from pki import make_pki
from pydantic import TypeAdapter
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage
from servers import (
    Clock,
    free_port,
    http_client,
    serving,
    start_source,
    until,
    warnings_of,
    while_serving,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wallapp.app import WallDisplay
from wallapp.core.config.settings import load_settings
from wallapp.core.config.sources import SourceSpec
from wallapp.core.data.freshness import Freshness, SourceState
from wallapp.core.data.store import Store
from wallapp.live.runner import SourceRunner
from wallapp.qt.images import RETRY_FAILED_AFTER, ImageCache
from wallapp.qt.widgets import WidgetState

VICTIM_URL = "CAMPAIGN_VICTIM_URL"
"""The environment variable the HTTP victim's URL is read from at each poll (the test points it away)."""
INTERVAL = 0.1
TIMEOUT = 0.5
PACE = {"timeout": TIMEOUT, "backoff": {"initial": INTERVAL, "maximum": INTERVAL, "jitter": 0}}
METRICS = {"record": "metric", "items": "kpis"}
RunAsync = Callable[[Coroutine[Any, Any, Any]], Any]
AWAY = timedelta(minutes=5)
"""How far the wall's clock moves during each fault: the victim's data is then five minutes old."""


def layout(base: str) -> dict[str, Any]:
    socket_url = base.replace("http://", "ws://") + "/ws"
    sources = {
        "steady": {"kind": "http", "url": f"{base}/steady", "interval": INTERVAL, **PACE},
        "victim": {"kind": "http", "url": f"${{env:{VICTIM_URL}}}", "interval": INTERVAL, **PACE},
        "stream": {"kind": "sse", "url": f"{base}/events", "expect_every": INTERVAL, **PACE},
        "socket": {"kind": "websocket", "url": socket_url, "expect_every": INTERVAL, **PACE},
    }
    metrics = {"steady": "steady", "victim": "victim", "stream": "streamed", "socket": "socket"}
    widgets = [
        {
            "id": name,
            "kind": "kpi",
            "source": name,
            "place": {"screen": [slot % 3, slot // 3]},
            "options": {"label": name.title(), "metric": metrics[name]},
        }
        for slot, name in enumerate(sources)
    ]
    return {
        "name": "Fault campaign",
        "sources": {name: {**spec, "mapping": METRICS} for name, spec in sources.items()},
        "widgets": widgets,
    }


@dataclass
class Campaign:
    """The servers of the module, and the wall of the test running (a new one for each test: a wall's
    tasks run only while the test runs the loop)."""

    backend: Backend
    base: str
    tls_base: str
    folder: Path
    clock: Clock = field(default_factory=Clock)
    display: WallDisplay | None = None

    @property
    def wall(self) -> WallDisplay:
        assert self.display is not None
        return self.display

    def widget(self, name: str) -> Any:
        return self.wall.scene.items_by_id[name]

    def freshness(self, name: str) -> Freshness:
        return self.wall.feeds.freshness()[name]

    def live(self, name: str) -> bool:
        return self.freshness(name).state is SourceState.LIVE and self.widget(name).value is not None

    def point_victim(self, url: str) -> None:
        os.environ[VICTIM_URL] = url

    def run(self, run_async: RunAsync, steps: Callable[[], Awaitable[Any]]) -> Any:
        """Run ``steps`` while a new wall on the campaign's layout serves its sources; their result."""
        self.point_victim(f"{self.base}/victim")
        self.clock = Clock()
        self.display = WallDisplay(
            load_settings(cache_dir=self.folder / "cache"), str(self.folder / "campaign.json"), now=self.clock
        )
        result: list[Any] = []

        async def kept() -> None:
            result.append(await steps())

        try:
            while_serving(run_async, self.display, kept)
        finally:
            self.display = None
        return result[0]


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Campaign]:
    """The campaign's servers (plain, and HTTPS with a certificate the wall does not trust) for the
    whole module."""
    backend = Backend()
    folder = tmp_path_factory.mktemp("campaign")
    pki = make_pki(tmp_path_factory.mktemp("pki"))
    with (
        serving(backend.app, ws="websockets-sansio") as base,
        serving(Backend().app, ssl_certfile=str(pki.other_server)) as tls_base,
    ):
        (folder / "campaign.json").write_text(json.dumps(layout(base)))
        gzip_bomb_bytes()  # made once, now: made on the first request, it would hold up that request
        try:
            yield Campaign(backend, base, tls_base, folder)
        finally:
            backend.released.set()
            os.environ.pop(VICTIM_URL, None)


@pytest.fixture(autouse=True)
def _told(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="wallapp")


def recovered_lines(caplog: pytest.LogCaptureFixture, source: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.getMessage().startswith(f"source {source!r}") and "recovered after" in r.getMessage()
    ]


async def episode(
    c: Campaign,
    source: str,
    fault: contextlib.AbstractContextManager[object],
    caplog: pytest.LogCaptureFixture,
    *,
    failing: bool = True,
    attempts: int = 3,
) -> tuple[str, int]:
    """Run one failure episode of ``source`` (``fault`` on while entered) and check the wall through it;
    returns the one line logged about it and how many attempts the source took to recover."""
    widget, steady = c.widget(source), c.widget("steady")
    await until(lambda: c.live(source) and c.live("steady"), f"{source} and steady live before the fault")
    caplog.clear()
    with fault:
        if failing:
            await until(lambda: c.freshness(source).failures >= attempts, f"{attempts} failed attempts")
        else:  # bad messages on a working stream: skipped, and the data ages
            await until(lambda: c.freshness(source).last_error is not None, "a message skipped")
        kept = widget.value
        c.clock.now += AWAY
        moved_on = steady.value
        await until(lambda: steady.value is not None and steady.value > moved_on + 1, "steady to move on")
        c.wall.scene.refresh_freshness()
        assert widget.state is WidgetState.READY  # never blank
        assert widget.value == kept  # its last data
        says = "Reconnecting · data from 5 min ago" if failing else "Updated 5 min ago"
        assert widget.badge == says
        assert steady.badge == ""  # the others are live
        assert c.wall.status()["sources"]["steady"]["state"] == "live"
        hits_at_end = sum(c.backend.hits.values())
    await until(lambda: c.live(source) and widget.value != kept, f"{source} to recover")
    tries = sum(c.backend.hits.values()) - hits_at_end
    c.wall.scene.refresh_freshness()
    assert widget.badge == ""
    lines = warnings_of(caplog, source)
    assert len(lines) == 1, lines  # one per episode, not one per attempt
    recovered = recovered_lines(caplog, source)
    assert len(recovered) == (1 if failing else 0), recovered
    others = [r for r in _wall_warnings(caplog) if not r.getMessage().startswith(f"source {source!r}")]
    assert not others  # nothing else on the wall complained
    return lines[0], tries


def _wall_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The wall's warnings and errors (the test servers' own complaints left out)."""
    return [r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("wallapp")]


@contextlib.contextmanager
def http_fault(c: Campaign, reply: Any) -> Iterator[None]:
    c.backend.http_fault = reply
    try:
        yield
    finally:
        c.backend.http_fault = None


@contextlib.contextmanager
def pointed(c: Campaign, url: str) -> Iterator[None]:
    c.point_victim(url)
    try:
        yield
    finally:
        c.point_victim(f"{c.base}/victim")


def http_faults(c: Campaign) -> dict[str, tuple[contextlib.AbstractContextManager[object], str]]:
    released = c.backend.released
    cap = "the response is over the cap of 5,000,000 bytes"
    return {
        "connection refused": (pointed(c, f"http://127.0.0.1:{free_port()}/victim"), "connection refused"),
        "DNS failure": (pointed(c, "http://wall-campaign.invalid/victim"), "cannot resolve the host name"),
        "connect timeout": (_unanswered(c), f"within {TIMEOUT:g} s"),
        "first-byte timeout": (http_fault(c, held(released, None)), f"within {TIMEOUT:g} s"),
        "body stalled halfway": (
            http_fault(c, held(released, b'{"kpis": [{"name": "victim", ')),
            f"no complete response within {TIMEOUT:g} s",
        ),
        "TLS: untrusted certificate": (
            pointed(c, f"{c.tls_base}/victim"),
            "the server's certificate is not trusted",
        ),
        "TLS: plain HTTP port": (
            pointed(c, c.base.replace("http://", "https://") + "/victim"),
            "the TLS connection failed",
        ),
        "HTTP 500": (http_fault(c, status(500)), "HTTP 500 Internal Server Error"),
        "HTTP 502": (http_fault(c, status(502)), "HTTP 502 Bad Gateway"),
        "HTTP 503 with Retry-After": (
            http_fault(c, status(503, {"Retry-After": "1"})),
            "HTTP 503 Service Unavailable, the server asks to retry after 1 s; retrying in 1 s",
        ),
        "HTTP 429 with Retry-After": (
            http_fault(c, status(429, {"Retry-After": "1"}, "slow down")),
            "HTTP 429 Too Many Requests, the server asks to retry after 1 s: slow down; retrying in 1 s",
        ),
        "HTML error page with 200": (
            http_fault(c, text("<!doctype html><h1>Maintenance</h1>", "text/html")),
            "the response is HTML, not JSON",
        ),
        "HTML labelled JSON": (
            http_fault(c, text("<html><body>Bad gateway</body></html>", "application/json")),
            "the response is HTML or XML, not JSON",
        ),
        "truncated JSON": (
            http_fault(c, text('{"kpis": [{"name": "victim", "val', "application/json")),
            "the response is not valid JSON",
        ),
        "JSON of the wrong shape": (
            http_fault(c, text('{"kpis": 42}', "application/json")),
            "the payload does not fit the mapping",
        ),
        "200 MB body": (http_fault(c, huge(200 << 20)), cap),
        "gzip bomb (1 GiB inflated)": (http_fault(c, gzip_bomb()), cap),
    }


@contextlib.contextmanager
def _unanswered(c: Campaign) -> Iterator[None]:
    with unanswered_port() as port, pointed(c, f"http://127.0.0.1:{port}/victim"):
        yield


HTTP_CASES = [
    "connection refused",
    "DNS failure",
    "connect timeout",
    "first-byte timeout",
    "body stalled halfway",
    "TLS: untrusted certificate",
    "TLS: plain HTTP port",
    "HTTP 500",
    "HTTP 502",
    "HTTP 503 with Retry-After",
    "HTTP 429 with Retry-After",
    "HTML error page with 200",
    "HTML labelled JSON",
    "truncated JSON",
    "JSON of the wrong shape",
    "200 MB body",
    "gzip bomb (1 GiB inflated)",
]


@pytest.mark.parametrize("case", HTTP_CASES)
def test_an_http_source_failing(
    case: str, campaign: Campaign, run_async: RunAsync, caplog: pytest.LogCaptureFixture
) -> None:
    fault, says = http_faults(campaign)[case]
    attempts = 2 if "Retry" in case else 3
    line, tries = campaign.run(
        run_async, lambda: episode(campaign, "victim", fault, caplog, attempts=attempts)
    )
    assert line.startswith("source 'victim' (${env:CAMPAIGN_VICTIM_URL}): ")
    assert says in line
    assert tries <= 2


SSE_CASES = {
    "garbage": ("an event is not JSON", False),
    "endless": ("an event is over the cap of 5,000,000 bytes; skipped", False),
    "partial": ("the server broke the connection", True),
    "silent": (f"no response within {TIMEOUT:g} s", True),
}


@pytest.mark.parametrize("mode", list(SSE_CASES))
def test_an_sse_stream_failing(
    mode: str, campaign: Campaign, run_async: RunAsync, caplog: pytest.LogCaptureFixture
) -> None:
    says, failing = SSE_CASES[mode]

    @contextlib.contextmanager
    def fault() -> Iterator[None]:
        campaign.backend.sse_mode = mode
        try:
            yield
        finally:
            campaign.backend.sse_mode = "good"

    line, tries = campaign.run(
        run_async, lambda: episode(campaign, "stream", fault(), caplog, failing=failing)
    )
    assert says in line
    assert tries <= 2


CLOSE_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4999]


@pytest.mark.parametrize("code", CLOSE_CODES)
def test_a_websocket_closed_with_each_code(
    code: int, campaign: Campaign, run_async: RunAsync, caplog: pytest.LogCaptureFixture
) -> None:
    @contextlib.contextmanager
    def fault() -> Iterator[None]:
        campaign.backend.ws_close = code
        try:
            yield
        finally:
            campaign.backend.ws_close = None

    line, tries = campaign.run(run_async, lambda: episode(campaign, "socket", fault(), caplog))
    assert f"the server closed the connection (code {code}: " in line  # its meaning or its reason
    assert tries <= 2


def test_a_websocket_dropped_without_a_close_frame(
    campaign: Campaign, run_async: RunAsync, caplog: pytest.LogCaptureFixture
) -> None:
    @contextlib.contextmanager
    def fault() -> Iterator[None]:
        campaign.backend.ws_close = DROP
        try:
            yield
        finally:
            campaign.backend.ws_close = None

    line, tries = campaign.run(run_async, lambda: episode(campaign, "socket", fault(), caplog))
    assert line.endswith("the connection was lost; retrying in 0.1 s")
    assert tries <= 2


# A server flapping for an hour, the hour driven by the wall's clock


FLAP_UP, FLAP_DOWN = 9.0, 6.0
"""Seconds up, then down, over and over (by the wall's clock)."""
POLL = 4.0


class Flapping:
    """Answers 503 for ``FLAP_DOWN`` s after every ``FLAP_UP`` s of good answers, recording each answer
    with the wall's time and how fresh the source said it was then."""

    def __init__(self, clock: Clock) -> None:
        self.clock, self.start = clock, clock.now
        self.answers: list[tuple[float, bool]] = []
        self.runner: SourceRunner | None = None
        self.ages: list[float] = []
        self.app = Starlette(routes=[Route("/kpis", self._kpis)])

    def elapsed(self) -> float:
        return (self.clock.now - self.start).total_seconds()

    async def _kpis(self, request: Request) -> Response:
        at = self.elapsed()
        up = at >= 3600 or at % (FLAP_UP + FLAP_DOWN) < FLAP_UP  # after the hour: up for good
        if self.runner is not None and (age := self.runner.freshness().age) is not None:
            self.ages.append(age.total_seconds())
        self.answers.append((at, up))
        if not up:
            return Response("down", status_code=503)
        return Response(json.dumps(kpis("flapping", len(self.answers))), media_type="application/json")

    def episodes(self) -> list[tuple[float, float | None]]:
        """Runs of failed answers: when each began, and when the first good answer after it came."""
        runs: list[tuple[float, float | None]] = []
        began: float | None = None
        for at, up in self.answers:
            if not up and began is None:
                began = at
            elif up and began is not None:
                runs.append((began, at))
                began = None
        return runs + ([(began, None)] if began is not None else [])


@pytest.mark.asyncio  # a plain asyncio loop: no windows here, and several times faster than Qt's
async def test_a_server_flapping_every_few_seconds_for_an_hour(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    flapping = Flapping(clock)
    store = Store("flapping")

    parked = asyncio.Event()

    async def waited(seconds: float) -> None:
        clock.advance(seconds=seconds)
        if flapping.elapsed() >= 3600 + 3 * POLL:  # the hour is over and the server back: stay put
            parked.set()
            await asyncio.Event().wait()
        await asyncio.sleep(0)

    # Served from a thread: on the test's own loop each answer would wait about 40 ms for nothing.
    with serving(flapping.app) as base:
        async with http_client() as client:
            spec = TypeAdapter(SourceSpec).validate_python(
                {"kind": "http", "url": f"{base}/kpis", "interval": POLL, "timeout": 2, "mapping": METRICS}
            )  # the default backoff: 1 s, doubling, jittered, no longer than the interval
            runner = start_source(
                "flapping", spec, store, client, clock=clock, rng=random.Random(14), sleep=waited
            )
            flapping.runner = runner
            await until(parked.is_set, "an hour of the wall's clock", timeout=120)
            await runner.stop()
    episodes = flapping.episodes()
    assert all(back is not None for _, back in episodes)
    assert len(episodes) >= 200  # 240 outages in the hour; a few fall between two polls
    warnings = warnings_of(caplog, "flapping")
    assert len(warnings) == len(episodes)  # one line per outage, whatever the retries
    assert all("HTTP 503 Service Unavailable" in line for line in warnings)
    assert len(recovered_lines(caplog, "flapping")) == len(episodes)
    period = FLAP_UP + FLAP_DOWN
    late = [(back or 0) - min(began // period * period + period, 3600) for began, back in episodes]
    assert max(late) <= 2 * POLL  # each time back within two intervals of the server's return
    assert max(flapping.ages) <= POLL + FLAP_DOWN + 2 * POLL  # last poll before, outage, return
    assert [getattr(record, "value", None) for record in store.records()] == [len(flapping.answers)]


# The layout and its theme, broken on disk while the wall runs


@pytest.mark.parametrize("damage", ["deleted", "emptied", "replaced by a folder"])
@pytest.mark.parametrize("target", ["layout", "theme"])
def test_a_file_of_the_wall_broken_while_it_runs(
    target: str,
    damage: str,
    campaign: Campaign,
    tmp_path: Path,
    layouts: Path,
    run_async: RunAsync,
    caplog: pytest.LogCaptureFixture,
) -> None:
    theme = (layouts.parent / "themes" / "dark.json").read_text()
    (tmp_path / "brand.json").write_text(theme)
    steady = layout(campaign.base)["sources"]["steady"]
    widget = {"id": "steady", "kind": "kpi", "source": "steady", "place": {"screen": [0, 0]}}
    document = {
        "name": "Files",
        "theme": "brand.json",
        "sources": {"steady": {**steady, "mapping": METRICS}},
        "widgets": [{**widget, "options": {"label": "Steady", "metric": "steady"}}],
    }
    path = tmp_path / "files.json"
    path.write_text(json.dumps(document))
    broken = {"layout": path, "theme": tmp_path / "brand.json"}[target]
    good = broken.read_text()
    display = WallDisplay(load_settings(cache_dir=tmp_path / "cache"), str(path))

    def errors() -> list[str]:
        return [r.getMessage() for r in _wall_warnings(caplog)]

    def value() -> Any:
        kpi: Any = display.scene.items_by_id["steady"]
        return kpi.value

    async def steps() -> None:
        scene = display.scene
        await until(lambda: value() is not None, "the first value")
        if damage == "emptied":
            broken.write_text("")
        else:
            broken.unlink()
            if damage == "replaced by a folder":
                broken.mkdir()
        await until(errors, "the damage to be told")
        moved_on = value()
        await until(lambda: value() > moved_on + 2, "the wall to go on")
        assert display.scene is scene  # the previous version stays, its sources running
        if damage == "replaced by a folder":
            broken.rmdir()
        broken.write_text(good)
        await until(lambda: display.scene is not scene, "the repaired file to be shown")
        assert value() is not None  # its data at once, nothing lost

    while_serving(run_async, display, steps)
    (line,) = errors()  # one line, however many times the watcher looked
    assert str(broken) in line  # which file, and what is wrong with it
    assert line.endswith("(the wall keeps the previous version)")
    if target == "theme" and damage != "emptied":  # the layout names a theme file that is not there
        found = "not found" if damage == "deleted" else "is a directory, not a JSON file"
        assert line.startswith(f"{path}: theme: theme file {found}: {broken} ")
    if target == "layout" and damage == "replaced by a folder":
        assert line.startswith(f"{path}: is a directory, not a JSON file ")
    assert any(r.getMessage() == f"reloaded {path}" for r in caplog.records)


# The system clock jumping


def test_the_wall_clock_jumping_an_hour_forward_and_back(
    campaign: Campaign, run_async: RunAsync, caplog: pytest.LogCaptureFixture
) -> None:
    names = ("steady", "stream", "socket")

    async def moved_on(c: Campaign) -> None:
        for name in names:

            def updated(name: str = name, shown: object = c.widget(name).value) -> bool:
                return c.live(name) and c.widget(name).value != shown

            await until(updated, f"{name} after the jump")

    async def steps() -> list[str]:
        c = campaign
        await until(lambda: all(c.live(name) for name in (*names, "victim")), "every source live")
        c.point_victim(f"http://127.0.0.1:{free_port()}/victim")  # one source failing through the jumps
        await until(lambda: c.freshness("victim").failures >= 2, "the victim failing")
        badges = []
        for jump in (timedelta(hours=1), timedelta(hours=-2), timedelta(hours=1)):
            c.clock.now += jump
            failed = c.freshness("victim").failures + 1
            await until(
                partial(lambda n: c.freshness("victim").failures > n, failed), "the victim failing on"
            )
            await moved_on(c)
            c.wall.scene.refresh_freshness()
            assert [c.widget(name).badge for name in names] == ["", "", ""]  # live, on the clock as it is
            status = c.wall.status()["sources"]
            assert all(0 <= status[name]["age_s"] < 60 for name in names)
            assert status["victim"]["age_s"] >= 0  # never a negative age
            badges.append(c.widget("victim").badge)
        c.point_victim(f"{c.base}/victim")
        await until(lambda: c.live("victim"), "the victim back")
        return badges

    badges = campaign.run(run_async, steps)
    # An hour on: the failing source's data is an hour old; set back before the data was fetched, its
    # age is nought, not negative; back to where the clock started: a few seconds, as it really is.
    assert badges[0] == "Reconnecting · data from 1 h 00 min ago"
    assert badges[1] == "Reconnecting · data from 0 s ago"
    assert re.fullmatch(r"Reconnecting · data from \d+ s ago", badges[2])
    lines = warnings_of(caplog, "victim")
    assert len(lines) == 2  # the episode, and the hourly reminder the jump forward brought
    assert "still failing after" in lines[1]


# Pictures


def png_picture(side: int = 32) -> bytes:
    image = QImage(side, side, QImage.Format.Format_RGB32)
    image.fill(QColor("#3366cc"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stub says bytes; PySide6 takes only str
    return bytes(data.data())


class Pictures:
    """Pictures served as the test says: each path's reply, and how often each was asked for."""

    def __init__(self) -> None:
        self.replies: dict[str, Any] = {}
        self.hits: dict[str, int] = {}
        self.released = threading.Event()
        self.app = Starlette(routes=[Route("/{name}", self._serve)])

    async def _serve(self, request: Request) -> Response:
        name = request.path_params["name"]
        self.hits[name] = self.hits.get(name, 0) + 1
        reply = self.replies.get(name)
        if reply is None:
            return Response(png_picture(), media_type="image/png")
        response: Response = await reply(request)
        return response


PICTURE_FAULTS = {
    "corrupt": ("corrupt", "not a usable image"),
    "wrong type (a web page)": ("page", "not an image (text/html)"),
    "decompression bomb (10,000 x 10,000 pixels)": ("bomb", "not a usable image"),
    "slow (a byte every 20 ms, for ever)": ("slow", "not complete within 0.5 s"),
}


@pytest.mark.qt_log_ignore("Rejecting image as it exceeds the current allocation limit")  # Qt's own line
@pytest.mark.parametrize("case", list(PICTURE_FAULTS))
def test_a_picture_failing(
    case: str, tmp_path: Path, run_async: RunAsync, caplog: pytest.LogCaptureFixture
) -> None:
    kind, says = PICTURE_FAULTS[case]
    pictures = Pictures()
    ticks = [0.0]
    cache = ImageCache(tmp_path / "images", timeout=0.5, whole_within=0.5, ticks=lambda: ticks[0])
    if kind == "corrupt":
        pictures.replies["bad.png"] = text(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 40, "image/png")
    elif kind == "page":
        pictures.replies["bad.png"] = text("<html><body>Not found</body></html>", "text/html")
    elif kind == "bomb":
        pictures.replies["bad.png"] = text(png_bomb(), "image/png")
    else:
        pictures.replies["bad.png"] = dribble(png_picture(256), 0.02, pictures.released)

    async def steps(base: str) -> None:
        async with http_client() as client:
            cache.client = client
            bad, good = f"{base}/bad.png", f"{base}/good.png"
            assert cache.image(bad) is None  # a placeholder meanwhile
            assert cache.image(good) is None
            await until(lambda: cache.image(good) is not None, "a good picture, meanwhile")
            await until(lambda: not cache.fetching(bad), "the bad picture given up")
            assert cache.image(bad) is None
            assert pictures.hits["bad.png"] == 1  # not asked for again at once
            pictures.replies.clear()  # the server mends it
            ticks[0] += RETRY_FAILED_AFTER
            await until(lambda: cache.image(bad) is not None, "the mended picture")
            cache.client = None

    with serving(pictures.app) as base:
        try:
            run_async(steps(base))
        finally:
            pictures.released.set()
    lines = [r.getMessage() for r in caplog.records if r.name == "wallapp.images"]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"image {base}/bad.png: {says}")
    cache.deleteLater()
