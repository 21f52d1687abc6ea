"""Real backends that fail from the start, and layouts that select nothing: what the wall says about them.

A source that never succeeded leaves its widgets in a failing state that names the cause in plain words and
how long it has lasted, distinct from one still connecting and from one that is up with nothing to show.
A widget whose configuration selects nothing in a live source says what is missing, logged once.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from servers import serving, until, while_serving
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from widget_kit import count

from wallapp.app import WallDisplay
from wallapp.core.config.settings import load_settings
from wallapp.qt import snapshot
from wallapp.qt.widgets import WidgetItem, WidgetState

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)

KPIS = {
    "kpis": [
        {"name": "response_rate", "value": 87.4, "dimensions": {"country": "FR", "brand": "Orbis"}},
        {"name": "response_time", "value": 252, "dimensions": {"country": "FR", "brand": "Orbis"}},
        {"name": "volume", "value": 1200, "dimensions": {"country": "DE", "brand": "Orbis"}},
    ]
}


class Clock:
    """The wall's time, moved by the test."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class Misbehaving:
    """A backend with one way of failing per path, and two that work (one with nothing to give)."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.requests: dict[str, int] = {}
        self.app = Starlette(
            routes=[
                Route("/error", lambda _: Response("boom", status_code=500)),
                Route(
                    "/busy", lambda _: Response("slow down", status_code=429, headers={"Retry-After": "30"})
                ),
                Route(
                    "/html", lambda _: HTMLResponse("<!doctype html><html><body>Maintenance</body></html>")
                ),
                Route(
                    "/truncated",
                    lambda _: Response(
                        '{"kpis": [{"name": "response_rate", "val', media_type="application/json"
                    ),
                ),
                Route("/shape", lambda _: JSONResponse({"kpis": 42})),
                Route("/big", lambda _: JSONResponse(KPIS)),
                Route("/hang", self.hang),
                Route("/kpis", self.kpis),
                Route("/quiet", lambda _: JSONResponse({"data": []})),
            ]
        )

    async def hang(self, request: Request) -> Response:
        """Answers only once the test is over."""
        while not self.released.is_set():
            await asyncio.sleep(0.01)
        return JSONResponse({"kpis": []})

    async def kpis(self, request: Request) -> Response:
        self.requests["kpis"] = self.requests.get("kpis", 0) + 1
        return JSONResponse(KPIS)


@pytest.fixture
def backend() -> Iterator[tuple[Misbehaving, str]]:
    state = Misbehaving()
    with serving(state.app) as base:
        try:
            yield state, base
        finally:
            state.released.set()


def source(base: str, path: str, **options: Any) -> dict[str, Any]:
    return {
        "kind": "http",
        "url": f"{base}{path}",
        "interval": 0.05,
        "timeout": 2,
        "backoff": {"initial": 0.05, "maximum": 0.2, "jitter": 0},
        "mapping": {"record": "metric", "items": "kpis"},
    } | options


def kpi(wid: str, slot: int, source_name: str, **options: Any) -> dict[str, Any]:
    column, row, half = slot // 2 % 3, slot // 6, slot % 2
    return {
        "id": wid,
        "kind": "kpi",
        "source": source_name,
        "place": {"screen": [column, row], "part": [0, half * 0.5, 1, 0.5]},
        "options": {"label": "Response rate", "metric": "response_rate"} | options,
    }


FAILING: dict[str, tuple[str, dict[str, Any], str]] = {
    "error": ("/error", {}, "Backend error 500"),
    "busy": ("/busy", {}, "Too many requests (429)"),
    "html": ("/html", {}, "Web page instead of JSON"),
    "truncated": ("/truncated", {}, "Invalid JSON"),
    "shape": ("/shape", {}, "Data does not fit the mapping"),
    "big": ("/big", {"max_bytes": 200}, "Too large: over 200 bytes"),
    "slow": ("/hang", {"timeout": 0.2}, "response within 0.2 s"),
    "secret": (
        "/kpis",
        {"headers": {"Authorization": "Bearer ${secret:search_token}"}},
        "No such secret: search_token",
    ),
}


def failing_layout(base: str) -> dict[str, Any]:
    sources = {name: source(base, path, **options) for name, (path, options, _) in FAILING.items()}
    sources["connecting"] = source(base, "/hang", timeout=60)
    sources["quiet"] = source(base, "/quiet", mapping={"record": "post", "items": "data"})
    widgets = [kpi(name, slot, name) for slot, name in enumerate([*FAILING, "connecting"])]
    widgets.append(
        {
            "id": "quiet",
            "kind": "posts",
            "source": "quiet",
            "place": {"screen": [2, 1], "part": [0, 0.5, 1, 0.5]},
        }
    )
    return {"name": "Failing", "sources": sources, "widgets": widgets}


def says(display: WallDisplay, wid: str, words: str) -> bool:
    """Whether a widget's headline, shown instead of its content, ends with ``words`` (after the
    once-a-second freshness check)."""
    display.scene.refresh_freshness()
    item = display.scene.items_by_id[wid]
    return item.state is not WidgetState.READY and item.state_notice().headline.endswith(words)


def warning_pixels(display: WallDisplay, image: Any, item: WidgetItem) -> int:
    box = item.sceneBoundingRect()
    warning = display.scene.wall_style.colour("warning")
    colour = (warning.red(), warning.green(), warning.blue())
    return count(image, colour, box.left(), box.top(), box.right(), box.bottom())


def test_sources_failing_from_the_start_say_why_and_since_when_on_their_widgets(
    backend: tuple[Misbehaving, str], write_json: Any, run_async: Callable[[Any], Any]
) -> None:
    _, base = backend
    clock = Clock()
    display = WallDisplay(load_settings(), str(write_json("failing.json", failing_layout(base))), now=clock)

    async def steps() -> None:
        for name, (_, _, words) in FAILING.items():
            await until(partial(says, display, name, words), f"{name}: {words}")
        clock.now = T0 + timedelta(minutes=3)  # the backends keep failing, as the wall's clock moves on
        display.scene.refresh_freshness()

    while_serving(run_async, display, steps)
    items = display.scene.items_by_id
    for name in FAILING:
        assert items[name].state is WidgetState.EMPTY
        assert items[name].waiting.warn
        assert items[name].waiting.detail == f"Retrying · failing for 3 min · source '{name}'"
    # Still connecting, or up with nothing yet: said quietly, never as a failure.
    assert (items["connecting"].waiting.headline, items["connecting"].waiting.warn) == ("Connecting…", False)
    assert (items["quiet"].waiting.headline, items["quiet"].waiting.warn) == ("No posts yet", False)
    image = snapshot.render(display.scene)
    assert warning_pixels(display, image, items["error"]) > 100  # the cause is drawn, in the warning colour
    assert warning_pixels(display, image, items["connecting"]) == 0
    assert warning_pixels(display, image, items["quiet"]) == 0


def test_a_configuration_that_selects_nothing_is_said_on_the_widget_and_logged_once(
    backend: tuple[Misbehaving, str],
    write_json: Any,
    run_async: Callable[[Any], Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    state, base = backend
    layout = {
        "name": "Mistakes",
        "sources": {"care": source(base, "/kpis")},
        "widgets": [
            kpi("typo", 0, "care", metric="response_rte"),
            kpi("where", 1, "care", where={"country": "FX"}),
            kpi("dimension", 2, "care", where={"region": "EU"}),
            kpi("fine", 3, "care", where={"country": "FR"}),
            {
                "id": "bars",
                "kind": "bars",
                "source": "care",
                "place": {"screen": [2, 0]},
                "options": {"metric": "response_rate", "by": "network"},
            },
        ],
    }
    display = WallDisplay(load_settings(), str(write_json("mistakes.json", layout)))

    async def steps() -> None:
        await until(lambda: state.requests.get("kpis", 0) >= 4, "several polls of the same records")
        await until(lambda: display.scene.items_by_id["typo"].state is WidgetState.ERROR, "the mistake")

    while_serving(run_async, display, steps)
    items = display.scene.items_by_id
    notices = {wid: (items[wid].notice.headline, items[wid].notice.detail) for wid in items if wid != "fine"}
    assert notices == {
        "typo": ("No metric 'response_rte' in source 'care'", "Known: response_rate, response_time, volume"),
        "where": ("No country 'FX' for metric 'response_rate'", "Known: FR"),
        "dimension": ("No dimension 'region' on metric 'response_rate'", "Known: brand, country"),
        "bars": ("No dimension 'network' on metric 'response_rate'", "Known: brand, country"),
    }
    assert items["fine"].state is WidgetState.READY
    logged = [r.getMessage() for r in caplog.records if r.name == "wallapp.widgets"]
    assert sorted(logged) == sorted(
        f"widget '{wid}': {headline} · known: {detail.removeprefix('Known: ')}"
        for wid, (headline, detail) in notices.items()
    )  # once each, however many polls brought the same records
