"""Assigning wall screens to physical outputs, without Qt."""

from __future__ import annotations

import random

from wallapp.core.config.outputs import Output, plan, row_major
from wallapp.core.view.geometry import Wall, WallSpec


def grid_outputs(columns: int = 3, rows: int = 2, prefix: str = "DP-") -> list[Output]:
    return [
        Output(f"{prefix}{r * columns + c}", c * 1920, r * 1080, 1920, 1080)
        for r in range(rows)
        for c in range(columns)
    ]


def test_by_position_left_to_right_top_to_bottom_whatever_the_enumeration_order() -> None:
    outputs = grid_outputs()
    shuffled = outputs[:]
    random.Random(3).shuffle(shuffled)
    result = plan(Wall(WallSpec()), shuffled)
    assert not result.preview
    assert [(p.cell.name, p.output.name) for p in result.placements] == [
        ("0,0", "DP-0"),
        ("1,0", "DP-1"),
        ("2,0", "DP-2"),
        ("0,1", "DP-3"),
        ("1,1", "DP-4"),
        ("2,1", "DP-5"),
    ]


def test_rows_tolerate_slightly_misaligned_tops() -> None:
    outputs = [
        Output("b", 1920, 8, 1920, 1080),
        Output("a", 0, 0, 1920, 1080),
        Output("c", 0, 1090, 1920, 1080),
    ]
    assert [o.name for o in row_major(outputs)] == ["a", "b", "c"]


def test_by_name_from_settings() -> None:
    names = ["DP-5", "DP-4", "DP-3", "DP-2", "DP-1", "DP-0"]
    result = plan(Wall(WallSpec(outputs=names)), grid_outputs())
    assert [p.output.name for p in result.placements] == names


def test_a_missing_named_output_previews_and_says_which() -> None:
    names = ["DP-0", "DP-1", "DP-2", "DP-3", "DP-4", "HDMI-9"]
    result = plan(Wall(WallSpec(outputs=names)), grid_outputs())
    assert result.preview
    assert result.preview_reason.startswith("outputs HDMI-9 not found (found: DP-0, DP-1")


def test_fewer_screens_than_the_wall_previews() -> None:
    result = plan(Wall(WallSpec()), grid_outputs()[:2])
    assert result.preview
    assert result.placements == ()
    assert result.preview_reason == "the 3x2 wall needs 6 screens, 2 found; showing a preview window"


def test_more_screens_than_the_wall_uses_the_first_in_reading_order() -> None:
    outputs = [*grid_outputs(), Output("laptop", 0, 2160, 1366, 768)]
    result = plan(Wall(WallSpec()), outputs)
    assert "laptop" not in [p.output.name for p in result.placements]


def test_preview_when_asked_or_when_the_layout_is_for_another_grid() -> None:
    assert plan(Wall(WallSpec()), grid_outputs(), preview=True).preview
    assert "another grid" in plan(Wall(WallSpec()), grid_outputs(), fits_wall=False).preview_reason
