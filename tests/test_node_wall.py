"""A node's wall: its part of the canvas on its screens, and the posts its leader relays over Mosquitto."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from brokers import ids, layout, mosquitto, node, write_posts
from relay_node import TOPIC
from servers import free_port, until

from wallapp.app import WallDisplay
from wallapp.core.config.settings import load_settings
from wallapp.core.data.freshness import SourceState
from wallapp.errors import LayoutError
from wallapp.qt.views import ScreenView
from wallapp.qt.widgets import WidgetState


def settings_of(tmp_path: Path, port: int, name: str) -> Any:
    """Two nodes: a drives the top row, b the bottom row."""
    config = tmp_path / "wallapp.toml"
    config.write_text(
        f'node = "{name}"\n'
        f'[broker]\nhost = "127.0.0.1"\nport = {port}\ntopic = "{TOPIC}"\nkeepalive_s = 1\n'
        '[[nodes]]\nname = "a"\nscreens = [[0, 0], [1, 0], [2, 0]]\n'
        '[[nodes]]\nname = "b"\nscreens = [[0, 1], [1, 1], [2, 1]]\n'
    )
    return load_settings(config)


def bottom_row_layout(tmp_path: Path) -> Path:
    path = layout(tmp_path)
    document = json.loads(path.read_text())
    document["widgets"][0]["place"] = {"screen": [0, 1], "span": [3, 1]}
    path.write_text(json.dumps(document))
    return path


@pytest.mark.usefixtures("qapp")
def test_a_follower_shows_its_part_with_the_posts_its_leader_relays(
    tmp_path: Path, run_async: Callable[[Coroutine[Any, Any, Any]], Any]
) -> None:
    write_posts(tmp_path, "p1", "p2")
    path = bottom_row_layout(tmp_path)
    with mosquitto(tmp_path / "broker") as broker:
        display = WallDisplay(settings_of(tmp_path, broker.port, "b"), str(path))
        # Its own screens only, each at the whole wall's canvas coordinates.
        views = [view for view in display.windows.views if isinstance(view, ScreenView)]
        assert len(views) == len(display.windows.views) == 3
        assert [view.cell.name for view in views] == ["0,1", "1,1", "2,1"]
        assert [view.sceneRect().y() for view in views] == [1086.0] * 3

        async def scenario() -> None:
            async with node("a", broker.port, tmp_path) as (a, _):
                await until(lambda: a.leading, "a to lead")
                quitting = asyncio.Event()
                serving = asyncio.ensure_future(display.serve(quitting))
                try:
                    link = display.link
                    assert link is not None
                    await until(lambda: link.status()["role"] == "follower", "b to follow a")
                    store = display.feeds.stores()["posts"]
                    await until(lambda: ids(store) == ["p1", "p2"], "a's posts on b's wall")
                    item = display.scene.items_by_id["wall"]
                    await until(lambda: item.state is WidgetState.READY, "the posts drawn")
                    assert display.feeds.freshness()["posts"].state is SourceState.LIVE
                    status = display.status()["node"]
                    assert (status["name"], status["role"], status["leader"]) == ("b", "follower", "a")
                finally:
                    quitting.set()
                    await serving

        try:
            run_async(scenario())
        finally:
            display.close()


@pytest.mark.usefixtures("qapp")
def test_a_single_pc_has_no_link_and_runs_its_sources(tmp_path: Path) -> None:
    display = WallDisplay(load_settings(), str(layout(tmp_path)))
    try:
        assert display.link is None
        assert display.feeds.leading
        assert display.status()["node"] is None
        assert len(display.windows.views) == 6
    finally:
        display.close()


@pytest.mark.usefixtures("qapp")
def test_a_node_refuses_a_layout_of_another_grid_than_the_walls(tmp_path: Path) -> None:
    path = layout(tmp_path)
    document = json.loads(path.read_text())
    path.write_text(json.dumps({**document, "grid": [2, 1]}))
    with pytest.raises(LayoutError, match=r"grid: 2 x 1 is not the 3 x 2 wall the nodes share"):
        WallDisplay(settings_of(tmp_path, free_port(), "b"), str(path))
