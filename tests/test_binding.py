"""Widgets fed by sources: selection, coalesced updates, stale badges, and a real backend end to end."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from servers import serving, until, while_serving
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from widget_kit import state_of

from wallapp.app import WallDisplay, build_scene, open_layout
from wallapp.core.config.settings import load_settings
from wallapp.core.data.freshness import Freshness, SourceState
from wallapp.core.data.records import Metric, Post
from wallapp.core.data.selection import headlines, read_metric
from wallapp.core.data.store import Store
from wallapp.core.view.formatting import freshness_badge
from wallapp.qt.widgets import WidgetState
from wallapp.qt.widgets.ticker import TickerItem

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def metric(name: str, value: float, minutes: int = 0, **dimensions: str) -> Metric:
    return Metric(name=name, value=value, measured_at=NOW + timedelta(minutes=minutes), dimensions=dimensions)


RECORDS = (
    metric("response_rate", 80.0, 1, country="FR", brand="Orbis"),
    metric("response_rate", 90.0, 0, country="DE", brand="Orbis"),
    metric("response_rate", 50.0, 2, country="FR", brand="Veltra"),
    metric("volume", 100, 0, country="FR", brand="Orbis"),
    metric("volume", 250, 0, country="DE", brand="Orbis"),
)


def test_a_metric_is_read_by_name_dimensions_and_aggregate() -> None:
    orbis = {"brand": "Orbis"}
    assert read_metric(RECORDS, "response_rate", orbis, "latest").value == 80.0  # type: ignore[union-attr]
    assert read_metric(RECORDS, "response_rate", orbis, "mean").value == 85.0  # type: ignore[union-attr]
    assert read_metric(RECORDS, "volume", orbis, "sum").value == 350  # type: ignore[union-attr]
    assert read_metric(RECORDS, "response_rate", {}, "max").value == 90.0  # type: ignore[union-attr]
    assert read_metric(RECORDS, "response_rate", {"country": "IT"}) is None
    assert read_metric(RECORDS, "nps", {}) is None


def test_posts_become_one_line_headlines_with_their_text_untouched() -> None:
    posts = [
        Post(id="1", handle="ana", text="Line one\n\n  <b>line</b>   two"),
        Post(id="2", author_name="Bo", text="Hello"),
        Post(id="3", handle="x", text="   "),
    ]
    assert headlines(posts, 10) == ["@ana: Line one <b>line</b> two", "Bo: Hello"]
    assert headlines(posts, 1) == ["@ana: Line one <b>line</b> two"]


def test_badges_tell_the_age_and_whether_the_source_is_failing() -> None:
    live = Freshness(SourceState.LIVE, timedelta(seconds=3), None, 0)
    stale = Freshness(SourceState.STALE, timedelta(seconds=252), None, 0)
    failing = Freshness(SourceState.FAILING, timedelta(hours=2, minutes=5), "HTTP 503", 4)
    assert freshness_badge(live) == ""
    assert freshness_badge(stale) == "Updated 4 min 12 s ago"
    assert freshness_badge(failing) == "Reconnecting · data from 2 h 05 min ago"
    assert freshness_badge(Freshness(SourceState.CONNECTING, None, None, 0)) == ""


KPI_LAYOUT = {
    "name": "Bound",
    "sources": {"care": {"kind": "demo", "feed": "kpis"}, "posts": {"kind": "demo"}},
    "widgets": [
        {
            "id": "rate",
            "kind": "kpi",
            "source": "care",
            "place": {"screen": [0, 0]},
            "options": {
                "label": "Response rate",
                "format": "percent",
                "scale": 0.01,
                "metric": "response_rate",
                "where": {"brand": "Orbis"},
                "aggregate": "mean",
            },
        },
        {
            "id": "crawl",
            "kind": "ticker",
            "source": "posts",
            "place": {"screen": [0, 1], "span": [3, 1]},
            "options": {"items": ["Welcome"]},
        },
    ],
}


def test_a_bound_kpi_without_a_metric_name_is_a_layout_error(write_json: Any) -> None:
    from wallapp.core.config.layout import load_layout
    from wallapp.errors import LayoutError

    broken = json.loads(json.dumps(KPI_LAYOUT))
    del broken["widgets"][0]["options"]["metric"]
    with pytest.raises(LayoutError, match=r"widgets\[0\]: a KPI bound to a source needs options.metric"):
        load_layout(write_json("bad.json", broken), load_settings().wall)


@pytest.mark.usefixtures("qapp")
def test_widgets_follow_their_store_and_mark_stale_data(write_json: Any, qtbot: QtBot) -> None:
    store = Store("care")
    state = {"freshness": Freshness(SourceState.LIVE, timedelta(0), None, 0)}

    def fresh() -> Freshness:
        return state["freshness"]

    sources: dict[str, tuple[Store, Callable[[], Freshness]]] = {
        "care": (store, fresh),
        "posts": (store, fresh),
    }
    scene = build_scene(
        open_layout(load_settings(), str(write_json("bound.json", KPI_LAYOUT))), sources=sources
    )
    rate, crawl = scene.items_by_id["rate"], scene.items_by_id["crawl"]
    assert isinstance(crawl, TickerItem)
    assert rate.state is WidgetState.EMPTY  # nothing yet: waiting, not blank
    assert crawl.tape.items == ("Welcome",)  # the layout's own items until posts arrive

    store.update(RECORDS, as_of=NOW)
    assert rate.value == pytest.approx(0.85)  # type: ignore[attr-defined]
    assert state_of(rate) is WidgetState.READY
    store.update([Post(id="p", handle="ana", text="Fibre is up again")], as_of=NOW)
    assert crawl.tape.items == ("@ana: Fibre is up again",)

    state["freshness"] = Freshness(SourceState.FAILING, timedelta(minutes=7), "HTTP 503", 3)
    scene.refresh_freshness()
    assert rate.badge == "Reconnecting · data from 7 min ago"
    assert rate.value == pytest.approx(0.85)  # type: ignore[attr-defined]  # the last good value stays
    # The badge has its own room: the label shrinks beside it instead of running under it.
    content = rate.content_rect()
    badge = rate.badge_rect(content)
    assert badge.right() <= content.right() + 1
    assert rate.beside_badge(content) < content.width() - badge.width()
    scene.dispose()


# A real backend on 127.0.0.1, in its own thread, whose answers the test changes.


class Backend:
    def __init__(self) -> None:
        self.rate = 87.4
        self.down = False
        self.token: str | None = None
        self.app = Starlette(routes=[Route("/kpis", self.kpis)])

    async def kpis(self, request: Request) -> Response:
        if self.token is not None and request.headers.get("authorization") != f"Bearer {self.token}":
            return Response("who are you?", status_code=401)
        if self.down:
            return Response("maintenance", status_code=503)
        return JSONResponse({"kpis": [{"name": "response_rate", "value": self.rate, "unit": "%"}]})


@pytest.fixture
def backend() -> Iterator[tuple[Backend, str]]:
    state = Backend()
    with serving(state.app) as base:
        yield state, base


def test_a_kpi_fed_by_a_real_backend_survives_its_outage(
    backend: tuple[Backend, str], write_json: Any, run_async: Callable[[Any], Any]
) -> None:
    state, base = backend
    layout = {
        "name": "Live KPI",
        "sources": {
            "care": {
                "kind": "http",
                "url": f"{base}/kpis",
                "interval": 0.1,
                "timeout": 2,
                "stale_after": 3,
                "backoff": {"initial": 0.05, "maximum": 0.2, "jitter": 0},
                "mapping": {"record": "metric", "items": "kpis"},
            }
        },
        "widgets": [
            {
                "id": "rate",
                "kind": "kpi",
                "source": "care",
                "place": {"screen": [0, 0]},
                "options": {
                    "label": "Response rate",
                    "format": "percent",
                    "scale": 0.01,
                    "metric": "response_rate",
                },
            },
        ],
    }
    display = WallDisplay(load_settings(), str(write_json("live.json", layout)))

    async def steps() -> None:
        rate: Any = display.scene.items_by_id["rate"]
        await until(lambda: rate.value == pytest.approx(0.874), "the first value")
        state.down = True
        await until(lambda: rate.badge.startswith("Reconnecting"), "the outage badge")
        assert rate.value == pytest.approx(0.874)
        state.rate, state.down = 91.0, False
        await until(lambda: rate.value == pytest.approx(0.91) and rate.badge == "", "the recovery")

    while_serving(run_async, display, steps)


def test_a_secret_from_the_installation_reaches_the_backend_and_nowhere_else(
    backend: tuple[Backend, str],
    write_json: Any,
    tmp_path: Path,
    run_async: Callable[[Any], Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    state, base = backend
    state.token = "s3cr3t-Token-4711"
    config = tmp_path / "wallapp.toml"
    config.write_text(f'[secrets]\ncare_token = "{state.token}"\n')
    settings = load_settings(config)
    layout = {
        "name": "Secret KPI",
        "sources": {
            "care": {
                "kind": "http",
                "url": f"{base}/kpis",
                "interval": 0.1,
                "headers": {"Authorization": "Bearer ${secret:care_token}"},
                "mapping": {"record": "metric", "items": "kpis"},
            }
        },
        "widgets": [
            {
                "id": "rate",
                "kind": "kpi",
                "source": "care",
                "place": {"screen": [0, 0]},
                "options": {"label": "Response rate", "metric": "response_rate"},
            },
        ],
    }
    path = write_json("secret.json", layout)
    assert state.token not in path.read_text()
    display = WallDisplay(settings, str(path))

    async def steps() -> None:
        rate: Any = display.scene.items_by_id["rate"]
        await until(lambda: rate.value == pytest.approx(87.4), "the value behind the token")
        state.token = "rotated"  # the backend now refuses: a 401 is logged, without the secret
        await until(lambda: bool(display.feeds.freshness()["care"].last_error), "the refusal")

    while_serving(run_async, display, steps)
    assert "401" in (display.feeds.freshness()["care"].last_error or "")
    assert all("s3cr3t" not in record.getMessage() for record in caplog.records)
    assert "s3cr3t" not in repr(settings)


def test_a_restarted_wall_shows_the_last_good_data_at_once_marked_with_its_age(
    write_json: Any, tmp_path: Path, run_async: Callable[[Any], Any]
) -> None:
    from wallapp.live.feeds import Feeds

    layout = json.loads(json.dumps(KPI_LAYOUT))
    layout["sources"]["care"]["seed"] = 1
    layout["widgets"][0]["options"]["where"] = {"brand": "Orbis Telecom"}
    path = write_json("care.json", layout)
    opened = open_layout(load_settings(), str(path))
    first = Feeds(tmp_path / "stores")
    first.use(opened.loaded)
    first.prime(datetime.now(UTC) - timedelta(minutes=20))
    run_async(first.stop())  # a clean exit saves the stores

    restarted = Feeds(tmp_path / "stores")
    scene = build_scene(opened, sources=restarted.use(opened.loaded))
    rate: Any = scene.items_by_id["rate"]
    assert rate.state is WidgetState.READY
    assert 0.2 < rate.value < 1.0
    assert rate.badge.startswith("Updated 20 min")
    scene.dispose()
