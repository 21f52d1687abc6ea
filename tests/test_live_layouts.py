"""The shipped live variants of the hub, against the real demo server over HTTP, SSE and WebSocket."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from servers import serving, until, while_serving

from wallapp.app import WallDisplay
from wallapp.core.config.settings import load_settings
from wallapp.demo_server import create_app
from wallapp.qt.widgets import WidgetState


@pytest.fixture(scope="module")
def demo_backend() -> Iterator[str]:
    with serving(create_app(seed=3, tick=0.2, rate=20), ws="websockets-sansio") as base:
        yield base


@pytest.mark.parametrize("name", ["hub-live", "hub-websocket"])
def test_a_shipped_live_layout_fills_the_wall_from_the_demo_server(
    name: str, demo_backend: str, layouts: Path, tmp_path: Path, run_async: Callable[[Any], Any]
) -> None:
    text = (layouts / f"{name}.json").read_text().replace("http://127.0.0.1:8765", demo_backend)
    text = text.replace("ws://127.0.0.1:8765", demo_backend.replace("http://", "ws://"))
    layout = json.loads(text)
    layout["$schema"] = str(layouts / "layout.schema.json")
    (tmp_path / "assets").symlink_to(layouts / "assets")
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(layout))
    display = WallDisplay(load_settings(), str(path))
    items: Any = display.scene.items_by_id

    async def steps() -> None:
        await until(lambda: items["response-rate"].state is WidgetState.READY, "KPIs over HTTP")
        assert 0.2 < items["response-rate"].value < 1.0
        assert items["mentions"].value > 1000

        # The ticker has no headline until the first posts arrive: the condition is false until then.
        def headline_is_a_post() -> bool:
            headlines = items["headlines"].tape.items
            return bool(headlines) and headlines[0].startswith("@")

        await until(headline_is_a_post, "posts pushed to the ticker")

    while_serving(run_async, display, steps)
