"""The bench's surroundings: six offscreen screens at the wall's resolution, and the layout fed locally.

The layout is measured as written, except its post feeds: every ``demo`` source of posts and every
``sse`` source reads the bench's local stream instead, so posts arrive at a rate the bench sets, over a
real SSE connection. The copy is written in a folder of its own beside links to the files next to the
original, so images and themes named relative to the layout are found as before.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from wallapp.core.config.jsondoc import problems_from_validation
from wallapp.core.config.layout import LoadedLayout
from wallapp.core.config.sources import DemoSource, SseSource
from wallapp.core.view.geometry import Wall, WallSpec
from wallapp.errors import ConfigError

PANELS = {"1080p": (1920, 1080), "4k": (3840, 2160)}
"""``--wall`` names: the installed grid with its screens at this resolution (same size in millimetres)."""


def bench_wall(installed: WallSpec, wall: str | None) -> WallSpec:
    """The wall ``--wall`` asks for: the installed one (None), a panel resolution of ``PANELS`` on the
    installed grid, or the ``[wall]`` table of a settings file (``wallapp.toml``)."""
    if wall is None:
        return installed
    if (size := PANELS.get(wall.casefold())) is not None:
        screen = installed.screen.model_copy(update={"width_px": size[0], "height_px": size[1]})
        return installed.model_copy(update={"screen": screen})
    path = Path(wall)
    if not path.is_file():
        raise ConfigError(f"--wall {wall}: neither {' nor '.join(PANELS)} nor a settings file")
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("wall")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: no [wall] table to measure")
    try:
        return WallSpec.model_validate(table)
    except ValidationError as exc:
        problems = "; ".join(str(p) for p in problems_from_validation(exc))
        raise ConfigError(f"{path}: [wall]: {problems}") from None


def offscreen_platform(spec: WallSpec, folder: Path) -> str:
    """``QT_QPA_PLATFORM`` for Qt's offscreen platform with one screen per wall screen, named as the
    installation names its outputs (or WALL-0, WALL-1, ...), laid out as the wall; or one screen per
    configured span, the size of its screens with mullions (bezel_corrected) or without."""
    wall = Wall(spec)
    width, height = wall.screen_size
    names = spec.outputs or [f"WALL-{n}" for n in range(wall.columns * wall.rows)]
    placed = [
        (names[cell.row * wall.columns + cell.column], cell.column * width, cell.row * height, width, height)
        for cell in wall.cells()
    ]
    if spec.spans is not None:
        placed = []
        for index, span in enumerate(spec.spans):
            column, row, columns, rows = spec.span_cells(span)
            block = wall.block_rect(column, row, (columns, rows))
            w, h = (block.width, block.height) if span.bezel_corrected else (columns * width, rows * height)
            placed.append((span.output or f"SPAN-{index}", int(block.x), int(block.y), int(w), int(h)))
    return offscreen_screens(placed, folder)


def offscreen_screens(placed: list[tuple[str, int, int, int, int]], folder: Path) -> str:
    """``QT_QPA_PLATFORM`` for Qt's offscreen platform with these screens: ``name, x, y, width, height``."""
    screens = [
        {
            "name": n,
            "x": x,
            "y": y,
            "width": w,
            "height": h,
            "logicalDpi": 96,
            "logicalBaseDpi": 96,
            "dpr": 1.0,
        }
        for n, x, y, w, h in placed
    ]
    config = folder / "screens.json"
    config.write_text(json.dumps({"windowFrameMargins": False, "screens": screens}), encoding="utf-8")
    return f"offscreen:configfile={config}"


def post_feeds(loaded: LoadedLayout) -> list[str]:
    """The layout's sources the bench feeds: demo posts and server-sent events."""
    return [
        name
        for name, spec in loaded.layout.sources.items()
        if (isinstance(spec, DemoSource) and spec.feed == "posts") or isinstance(spec, SseSource)
    ]


def stream_source(url: str) -> dict[str, Any]:
    return {"kind": "sse", "url": url, "events": ["post"], "expect_every": 10, "mapping": {"record": "post"}}


def fed_copy(loaded: LoadedLayout, stream_url: str, folder: Path) -> Path:
    """A copy of the layout whose post feeds read ``stream_url``, in ``folder`` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    original = loaded.path.resolve()
    for sibling in original.parent.iterdir():
        link = folder / sibling.name
        if sibling != original and not link.exists():
            link.symlink_to(sibling)
    document = json.loads(original.read_text(encoding="utf-8"))
    for name in post_feeds(loaded):
        document["sources"][name] = stream_source(stream_url)
    copy = folder / original.name
    copy.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return copy
