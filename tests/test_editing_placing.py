"""Placing widgets by hand: guides, snapping, arrow-key steps, the placement written for a rectangle (never
an edge under a mullion), refusals and the marks shown while dragging."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from wallapp.core.config.layout import Layout, mullion_problems, wall_for, widget_rect
from wallapp.core.config.widgets import CellPlacement, Placement
from wallapp.core.editing.placing import (
    MIN_SIZE,
    TOO_SMALL,
    Guides,
    guides,
    marks,
    nudged,
    parts_used,
    placement_for,
    rect_for,
    refusal,
    snap,
)
from wallapp.core.view.geometry import Rect, ScreenSpec, Wall, WallSpec

ROOT = Path(__file__).resolve().parent.parent
HUB = json.loads((ROOT / "layouts" / "hub.json").read_text(encoding="utf-8"))
WALL = Wall(WallSpec())  # 3 x 2 screens of 1920 x 1080, 6 px mullions
PLACEMENT: TypeAdapter[Placement] = TypeAdapter(Placement)


def _rect(place: dict[str, Any], wall: Wall = WALL) -> Rect:
    return widget_rect(PLACEMENT.validate_python(place), wall)


def _close(a: Rect, b: Rect, within: float) -> bool:
    return all(abs(p - q) <= within for p, q in zip(a.as_tuple(), b.as_tuple(), strict=True))


def test_hub_widgets_get_their_own_placement_back() -> None:
    for widget in HUB["widgets"]:
        assert placement_for(_rect(widget["place"]), WALL, widget["place"]) == widget["place"], widget["id"]


@pytest.mark.parametrize("path", sorted(ROOT.glob("layouts/*.json")), ids=lambda path: path.name)
def test_every_shipped_placement_lands_where_it_was(path: Path) -> None:
    if path.name.endswith(".schema.json"):
        return
    layout = Layout.model_validate(json.loads(path.read_text(encoding="utf-8")))
    wall, _ = wall_for(layout, WallSpec())
    for widget in layout.widgets:
        rect = widget_rect(widget.place, wall)
        was = widget.place.model_dump()
        again = _rect(placement_for(rect, wall, was), wall)
        assert _close(again, rect, 1e-6), widget.id


def test_the_placement_leaves_out_a_whole_block_and_a_single_span() -> None:
    assert placement_for(WALL.screen_rect(2, 1), WALL, {}) == {"screen": [2, 1]}
    assert placement_for(WALL.block_rect(0, 0, (3, 2)), WALL, {}) == {"screen": [0, 0], "span": [3, 2]}
    left_half = Rect(0, 0, 960, 1080)
    assert placement_for(left_half, WALL, {"screen": [1, 1]}) == {"screen": [0, 0], "part": [0, 0, 0.5, 1]}


def test_an_edge_in_a_mullion_goes_to_the_edge_of_the_screen_it_faces() -> None:
    # left edge at x = 1923 (inside the 1920..1926 mullion): starts on screen 1; right edge at 3849 (inside
    # 3846..3852): ends at screen 1's right edge
    assert placement_for(Rect(1923, 0, 3849 - 1923, 540), WALL, {}) == {
        "screen": [1, 0],
        "part": [0, 0, 1, 0.5],
    }
    # across a seam: the smallest block covering it, fractions in screen units
    placed = placement_for(Rect(960, 0, 1926, 1080), WALL, {})
    assert placed == {"screen": [0, 0], "span": [2, 1], "part": [0.25, 0, 0.5, 1]}
    assert _rect(placed) == Rect(960, 0, 1926, 1080)


def test_a_rect_placement_stays_a_rect_in_whole_pixels() -> None:
    assert placement_for(Rect(10.4, 20.6, 100.2, 50), WALL, {"rect": [0, 0, 5, 5]}) == {
        "rect": [10, 21, 101, 50]
    }


_walls = st.builds(
    lambda columns, rows, width, height, gap: Wall(
        WallSpec(columns=columns, rows=rows, screen=ScreenSpec(width_px=width, height_px=height, gap_px=gap))
    ),
    st.integers(1, 4),
    st.integers(1, 3),
    st.integers(320, 1920),
    st.integers(240, 1080),
    st.tuples(st.integers(0, 24), st.integers(0, 24)),
)
_fractions = st.sampled_from([0, 1, 2, 3, 4, 5]).flatmap(
    lambda d: st.just(0.0) if d == 0 else st.integers(0, d).map(lambda k: k / d)
)


@st.composite
def _cell_placements(draw: st.DrawFn, wall: Wall) -> dict[str, Any]:
    column, row = draw(st.integers(0, wall.columns - 1)), draw(st.integers(0, wall.rows - 1))
    span = [draw(st.integers(1, wall.columns - column)), draw(st.integers(1, wall.rows - row))]
    x0, x1 = sorted([draw(_fractions), draw(_fractions)])
    y0, y1 = sorted([draw(_fractions), draw(_fractions)])
    if x1 - x0 < 0.2 or y1 - y0 < 0.2:
        x0, x1, y0, y1 = 0.0, 1.0, 0.0, 1.0
    return {"screen": [column, row], "span": span, "part": [x0, y0, x1 - x0, y1 - y0]}


@given(st.data())
def test_screens_and_fractions_round_trip(draws: st.DataObject) -> None:
    wall = draws.draw(_walls)
    place = draws.draw(_cell_placements(wall))
    rect = _rect(place, wall)
    placed = placement_for(rect, wall, place)
    CellPlacement.model_validate(placed)
    again = _rect(placed, wall)
    # four decimals of a third of a span of four 1920 px screens: within half a pixel
    assert _close(again, rect, 0.5)
    assert placement_for(again, wall, placed) == placed  # a placement read back is written the same


@given(st.data())
def test_any_rectangle_gets_a_valid_placement_with_no_edge_under_a_mullion(draws: st.DataObject) -> None:
    wall = draws.draw(_walls)
    canvas = wall.canvas
    x = draws.draw(st.floats(0, canvas.width - MIN_SIZE))
    y = draws.draw(st.floats(0, canvas.height - MIN_SIZE))
    width = draws.draw(st.floats(MIN_SIZE, canvas.width - x))
    height = draws.draw(st.floats(MIN_SIZE, canvas.height - y))
    rect = Rect(x, y, width, height)
    placed = placement_for(rect, wall, {"screen": [0, 0]})
    CellPlacement.model_validate(placed)
    landed = _rect(placed, wall)
    assert mullion_problems(landed, wall) == []
    assert canvas.contains(landed)
    gap = max(wall.mullion) + 1
    assert _close(landed, rect, gap + 1) or rect.width < gap or rect.height < gap


def test_guides_are_screen_edges_fractions_and_other_widgets_edges() -> None:
    lines = guides(WALL, [Rect(100, 200, 300, 400)], fractions=(2, 3))
    assert {0, 640, 960, 1280, 1920, 1926, 3846, 5772, 100, 400} <= set(lines.xs)
    assert 1440 not in lines.xs  # quarters were not asked for
    assert {0, 360, 540, 720, 1080, 1086, 2166, 200, 600} <= set(lines.ys)
    assert list(lines.xs) == sorted(set(lines.xs))


def test_parts_used_are_the_screen_fractions_a_layout_cuts() -> None:
    assert parts_used(HUB) == (2,)
    thirds = {"widgets": [{"place": {"screen": [0, 0], "span": [2, 1], "part": [0, 0, 1 / 3, 1]}}]}
    assert parts_used(thirds) == (3,)  # a third of two screens is two thirds of one
    assert parts_used({"widgets": [{"place": {"screen": [0, 0], "part": [0.2, 0, 0.6, 1]}}]}) == (5,)
    assert parts_used({"widgets": "nonsense"}) == ()


G = Guides(xs=(0.0, 500.0, 1000.0), ys=(0.0, 300.0, 600.0))


def test_moving_snaps_the_nearest_edge_and_keeps_the_size() -> None:
    snapped = snap(Rect(290, 10, 200, 100), "move", G, tolerance=15)
    assert snapped.rect == Rect(300, 0, 200, 100)  # right edge 490 -> 500, top 10 -> 0
    assert snapped.xs == (500.0,)
    assert snapped.ys == (0.0,)
    assert snap(Rect(200, 100, 100, 100), "move", G, tolerance=15).xs == ()


def test_moving_snaps_the_centre_when_no_edge_is_near() -> None:
    snapped = snap(Rect(445, 100, 100, 100), "move", G, tolerance=10)
    assert snapped.rect.x == 450
    assert snapped.xs == (500.0,)


def test_a_resize_handle_snaps_only_the_edges_it_moves() -> None:
    snapped = snap(Rect(5, 5, 490, 290), "e", G, tolerance=15)
    assert snapped.rect == Rect(5, 5, 495, 290)  # left and top stay off their guides
    assert snapped.ys == ()
    snapped = snap(Rect(5, 5, 490, 290), "se", G, tolerance=15)
    assert snapped.rect == Rect(5, 5, 495, 295)


def test_a_resize_never_goes_below_the_minimum_size() -> None:
    assert snap(Rect(100, 100, 10, 10), "se", G, tolerance=5).rect == Rect(100, 100, MIN_SIZE, MIN_SIZE)
    assert snap(Rect(480, 100, 30, 100), "w", G, tolerance=30).rect.width >= MIN_SIZE
    # snapping the left edge to 500 would leave 10 px: the edge stays where the pointer is, widened
    assert snap(Rect(490, 100, 20, 100), "w", G, tolerance=30).rect == Rect(
        510 - MIN_SIZE, 100, MIN_SIZE, 100
    )


def test_arrow_keys_step_to_the_next_guide() -> None:
    rect = Rect(100, 100, 200, 100)
    assert nudged(rect, "move", 1, 0, G) == Rect(300, 100, 200, 100)  # the right edge meets 500
    assert nudged(rect, "move", -1, 0, G) == Rect(0, 100, 200, 100)
    assert nudged(rect, "move", 0, 1, G) == Rect(100, 200, 200, 100)  # the bottom meets 300 first
    assert nudged(rect, "move", 2, 0, G) == Rect(500, 100, 200, 100)  # then the left edge meets 500
    assert nudged(rect, "e", 1, 0, G) == Rect(100, 100, 400, 100)
    assert nudged(rect, "e", -1, 0, G) == rect  # no line left of 300 keeps MIN_SIZE from 100
    assert nudged(Rect(800, 100, 200, 100), "move", 1, 0, G) == Rect(800, 100, 200, 100)  # the last line


def test_refusals_name_what_is_in_the_way() -> None:
    others = {"clock": Rect(0, 0, 500, 300), "logo": Rect(500, 0, 500, 300)}
    assert refusal(Rect(400, 100, 200, 100), WALL, others) == "overlaps 'clock', 'logo'"
    assert refusal(Rect(0, 300, 500, 300), WALL, others) is None  # touching is not overlapping
    assert refusal(Rect(5700, 0, 100, 100), WALL, others) == "leaves the wall"
    # edges from fractions meet within rounding: 0.55 and 0.45 of a screen
    clock = _rect(HUB["widgets"][1]["place"])
    assert refusal(clock, WALL, {"logo": _rect(HUB["widgets"][0]["place"])}) is None


def test_marks_while_dragging() -> None:
    assert marks(WALL.screen_rect(0, 0), WALL, floor_px=32) == ()
    under = marks(Rect(1000, 0, 923, 500), WALL, floor_px=32)
    assert under == ("an edge falls under the mullion at x = 1920..1926",)
    assert marks(Rect(0, 0, 300, 20), WALL, floor_px=32) == (TOO_SMALL,)
    # across a seam, the text goes in the larger side: 30 px above the seam is not room enough
    assert marks(Rect(0, 1050, 400, 66), WALL, floor_px=32) == (TOO_SMALL,)
    assert marks(Rect(0, 1040, 400, 96), WALL, floor_px=32) == ()


def test_rect_for_reads_a_placement_or_says_none() -> None:
    assert rect_for({"screen": [1, 0], "part": [0.5, 0, 0.5, 1]}, WALL) == Rect(2886, 0, 960, 1080)
    assert rect_for({"rect": [1, 2, 3, 4]}, WALL) == Rect(1, 2, 3, 4)
    assert rect_for({"screen": [3, 0]}, WALL) is None  # off the 3 x 2 wall
    assert rect_for({"screen": [0, 0], "part": [0, 0, 2, 1]}, WALL) is None
    assert rect_for("left", WALL) is None


def test_an_arrow_press_from_a_written_fraction_goes_to_the_next_line() -> None:
    """A third written with four decimals lies a hair above its line: the press takes the next one."""
    lines = guides(WALL, [])
    kpi = Rect(0, 0, 960, 1080 * 0.3333)  # its bottom edge 0.036 px short of the third's line
    assert nudged(kpi, "s", 0, 1, lines).bottom == pytest.approx(1080 / 2)
    assert nudged(kpi, "s", 0, -1, lines).bottom == pytest.approx(1080 / 4)
