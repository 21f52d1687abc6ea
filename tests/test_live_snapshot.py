"""``wallapp snapshot --live``: the layout's real sources run first, then the canvas is drawn from them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage
from servers import free_port, serving
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from wallapp import app, cli
from wallapp.core.config.settings import load_settings
from wallapp.core.data.freshness import SourceState
from wallapp.qt.scene import WallScene
from wallapp.qt.widgets import WidgetState

pytestmark = pytest.mark.usefixtures("qapp")

POST = '{"id": "p1", "handle": "ada", "author_name": "Ada", "text": "Fibre is up again #Orbis"}'


async def kpis(request: Request) -> Response:
    return JSONResponse({"kpis": [{"name": "response_rate", "value": 0.874}]})


async def posts(request: Request) -> Response:
    """One post, then (or at once, with ``?quiet``) nothing more while the client stays."""

    async def body() -> AsyncIterator[str]:
        if "quiet" not in request.query_params:
            yield f"data: {POST}\n\n"
        while not await request.is_disconnected():
            await asyncio.sleep(0.01)

    return StreamingResponse(body(), media_type="text/event-stream")


@pytest.fixture(scope="module")
def backend() -> Iterator[str]:
    with serving(Starlette(routes=[Route("/kpis", kpis), Route("/posts", posts)])) as base:
        yield base


@pytest.fixture
def live_layout(write_json: Callable[[str, object], Path]) -> Callable[[str, str], Path]:
    """A layout with a KPI fed over HTTP and a ticker fed by an event stream."""

    def write(kpis_url: str, posts_url: str) -> Path:
        layout = {
            "name": "Live",
            "sources": {
                "care": {"kind": "http", "url": kpis_url, "mapping": {"record": "metric", "items": "kpis"}},
                "posts": {"kind": "sse", "url": posts_url, "mapping": {"record": "post"}},
            },
            "widgets": [
                {
                    "id": "rate",
                    "kind": "kpi",
                    "source": "care",
                    "place": {"screen": [0, 0]},
                    "options": {"label": "Response rate", "metric": "response_rate", "format": "percent"},
                },
                {"id": "crawl", "kind": "ticker", "source": "posts", "place": {"screen": [1, 0]}},
            ],
        }
        return write_json("live.json", layout)

    return write


def freshness(scene: WallScene, item: str) -> Any:
    binding = scene.items_by_id[item].binding
    assert binding is not None
    return binding.freshness()


def test_a_live_snapshot_draws_what_the_backends_serve(backend: str, live_layout: Any) -> None:
    # The stream never ends by itself: the snapshot is taken once every source has brought data.
    path = live_layout(f"{backend}/kpis", f"{backend}/posts")
    scene = app.snapshot_scene(load_settings(), str(path), live=3600)
    rate: Any = scene.items_by_id["rate"]
    crawl: Any = scene.items_by_id["crawl"]
    assert rate.state is WidgetState.READY
    assert rate.value == pytest.approx(0.874)
    assert crawl.tape.items[0].startswith("@ada")
    assert freshness(scene, "rate").state is SourceState.LIVE
    scene.dispose()


def test_a_dead_backend_is_drawn_failing_without_waiting(
    live_layout: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A refused connection fails at once: the snapshot does not wait for the hour it was given.
    dead = f"http://127.0.0.1:{free_port()}"
    path = live_layout(f"{dead}/kpis", f"{dead}/posts")
    scene = app.snapshot_scene(load_settings(), str(path), live=3600)
    for item in ("rate", "crawl"):
        state = freshness(scene, item)
        assert (state.state, state.last_error) == (SourceState.FAILING, "connection refused")
    scene.dispose()

    out = tmp_path / "dead.png"
    assert cli.main(["snapshot", str(path), "-o", str(out), "--scale", "0.2", "--live", "3600"]) == 0
    assert QImage(str(out)).size().toTuple() == (1154, 433)
    assert f"{out}: 1154x433 px" in capsys.readouterr().out


def test_a_live_snapshot_waits_for_a_silent_source_no_longer_than_asked(
    backend: str, live_layout: Any
) -> None:
    path = live_layout(f"{backend}/kpis", f"{backend}/posts?quiet")
    scene = app.snapshot_scene(load_settings(), str(path), live=0.2)
    assert scene.items_by_id["rate"].state is WidgetState.READY
    assert freshness(scene, "crawl").state is SourceState.CONNECTING
    scene.dispose()
