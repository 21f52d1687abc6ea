"""Assigning wall screens to physical outputs, without Qt."""

from __future__ import annotations

import random
import re

import pytest
from pydantic import ValidationError

from wallapp.core.config.outputs import Output, Plan, free_outputs, plan, row_major
from wallapp.core.view.geometry import SpanSpec, Wall, WallSpec


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


def tiles(result: Plan) -> list[list[tuple[str, tuple[float, float, float, float]]]]:
    return [[(t.cell.name, t.rect.as_tuple()) for t in s.tiles] for s in result.surfaces]


def test_one_screen_the_size_of_the_canvas_is_a_spanned_wall_with_driver_bezel_correction() -> None:
    result = plan(Wall(WallSpec()), [Output("Mosaic", 0, 0, 5772, 2166)])
    assert not result.preview
    assert result.placements == ()
    [surface] = result.surfaces
    assert surface.bezel_corrected
    assert tiles(result) == [
        [(c.name, c.rect.as_tuple()) for c in Wall(WallSpec()).cells()]  # the canvas as it is
    ]


def test_one_screen_the_size_of_the_plain_grid_shows_each_screen_as_a_tile_skipping_mullions() -> None:
    result = plan(Wall(WallSpec()), [Output("Mosaic", 0, 0, 5760, 2160)])
    [surface] = result.surfaces
    assert not surface.bezel_corrected
    assert tiles(result)[0][4] == ("1,1", (1920, 1080, 1920, 1080))
    assert "shows 3x2 screens, each screen a plain tile" in surface.describe()


def test_the_output_with_the_wall_s_size_is_found_among_others() -> None:
    laptop, mosaic = Output("eDP-1", 0, 0, 1920, 1200), Output("DP-0", 1920, 0, 5760, 2160)
    assert [s.output for s in plan(Wall(WallSpec()), [laptop, mosaic]).surfaces] == [mosaic]


def test_a_uniform_scale_of_the_wall_is_detected_too() -> None:
    result = plan(Wall(WallSpec()), [Output("small", 0, 0, 2886, 1083)])
    assert tiles(result)[0][5] == ("2,1", (1926, 543, 960, 540))


def test_a_single_screen_of_another_size_previews_and_says_the_sizes_it_would_take() -> None:
    result = plan(Wall(WallSpec()), [Output("laptop", 0, 0, 1920, 1080)])
    assert result.preview
    assert result.preview_reason == (
        "the 3x2 wall needs 6 screens, 1 found (1920x1080, not the wall's 5772x2166 with mullions or "
        "5760x2160 without, nor a uniform scale of either); showing a preview window"
    )


def test_a_controller_input_of_other_proportions_is_configured_and_scaled() -> None:
    spec = WallSpec(spans=[SpanSpec()])
    result = plan(Wall(spec), [Output("HDMI-1", 0, 0, 3840, 2160)])
    [surface] = result.surfaces
    assert not surface.bezel_corrected
    assert tiles(result)[0][:2] == [("0,0", (0, 0, 1280, 1080)), ("1,0", (1280, 0, 1280, 1080))]


def test_two_spanned_groups_side_by_side_by_name() -> None:
    spec = WallSpec(
        spans=[
            SpanSpec(output="DP-2", row=1, bezel_corrected=True),
            SpanSpec(output="DP-1", rows=1),
        ]
    )
    result = plan(Wall(spec), [Output("DP-1", 0, 0, 5760, 1080), Output("DP-2", 0, 1080, 5772, 1080)])
    assert [s.output.name for s in result.surfaces] == ["DP-2", "DP-1"]
    assert tiles(result) == [
        [("0,1", (0, 0, 1920, 1080)), ("1,1", (1926, 0, 1920, 1080)), ("2,1", (3852, 0, 1920, 1080))],
        [("0,0", (0, 0, 1920, 1080)), ("1,0", (1920, 0, 1920, 1080)), ("2,0", (3840, 0, 1920, 1080))],
    ]


def test_spans_without_names_take_the_outputs_by_position_and_say_when_some_are_missing() -> None:
    spec = WallSpec(spans=[SpanSpec(column=0, columns=2), SpanSpec(column=2)])
    left, right = Output("B", 3840, 0, 1920, 2160), Output("A", 0, 0, 3840, 2160)
    assert [s.output.name for s in plan(Wall(spec), [left, right]).surfaces] == ["A", "B"]
    assert plan(Wall(spec), [right]).preview_reason == (
        "the wall's 2 spans need 2 outputs, 1 found; showing a preview window"
    )
    named = WallSpec(spans=[SpanSpec(output="DP-9")])
    assert plan(Wall(named), [right]).preview_reason.startswith("spanned outputs DP-9 not found (found: A)")


@pytest.mark.parametrize(
    ("spans", "message"),
    [
        ([{"columns": 2}], "no span shows screen [2, 0]"),
        ([{}, {"column": 2}], "spans[1] and spans[0] both show screen [2, 0]"),
        ([{"column": 2, "columns": 2}], "spans[0] reaches outside the 3x2 wall"),
    ],
)
def test_spans_must_tile_the_grid(spans: list[dict[str, int]], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        WallSpec.model_validate({"spans": spans})


def test_spans_and_outputs_do_not_mix() -> None:
    with pytest.raises(ValidationError, match="not both"):
        WallSpec.model_validate({"spans": [{}], "outputs": [f"DP-{i}" for i in range(6)]})


def test_the_outputs_the_wall_leaves_free_are_those_for_a_presenter() -> None:
    wall = Wall(WallSpec())
    laptop = Output("eDP-1", 1920, 2160, 1920, 1200)  # below the wall: after its screens in reading order
    extra = Output("HDMI-1", 0, 2160, 1920, 1080)
    outputs = [laptop, *grid_outputs(), extra]
    assert free_outputs(plan(wall, outputs), outputs) == [extra, laptop]
    assert free_outputs(plan(wall, grid_outputs()), grid_outputs()) == []  # every screen is the wall
    spanned = Output("DP-1", 0, 0, *(int(s) for s in (wall.canvas.width, wall.canvas.height)))
    assert free_outputs(plan(wall, [spanned, laptop]), [spanned, laptop]) == [laptop]
    assert free_outputs(plan(wall, outputs, preview=True), outputs) == []  # a preview may be anywhere
