"""Wall geometry, without Qt."""

from __future__ import annotations

import pytest

from wallapp.core.view.geometry import Bezels, Rect, ScreenSpec, Wall, WallSpec, clear_of, pieces


def hub() -> Wall:
    return Wall(WallSpec())


def test_hub_wall_mullions_come_from_bezels_and_pixel_pitch() -> None:
    wall = hub()
    # 3.5 mm of bezels at 0.63 mm per pixel is 5.6 px, rounded to 6.
    assert wall.mullion == (6, 6)
    assert wall.canvas == Rect(0, 0, 3 * 1920 + 2 * 6, 2 * 1080 + 6)


def test_wider_bezels_give_wider_mullions() -> None:
    screen = ScreenSpec(bezels_mm=Bezels(left=6.3, right=6.3, top=3.15, bottom=3.15))
    assert screen.mullion_px == (20, 10)


def test_gap_in_pixels_overrides_bezels() -> None:
    wall = Wall(WallSpec(columns=2, rows=1, screen=ScreenSpec(gap_px=(40, 0))))
    assert wall.canvas == Rect(0, 0, 3880, 1080)
    assert wall.screen_rect(1, 0) == Rect(1960, 0, 1920, 1080)
    assert wall.seams() == [Rect(1920, 0, 40, 1080)]


def test_screen_rects_step_over_mullions() -> None:
    wall = hub()
    assert wall.screen_rect(0, 0) == Rect(0, 0, 1920, 1080)
    assert wall.screen_rect(2, 1) == Rect(2 * 1926, 1086, 1920, 1080)
    assert [c.name for c in wall.cells()] == ["0,0", "1,0", "2,0", "0,1", "1,1", "2,1"]
    with pytest.raises(IndexError):
        wall.screen_rect(3, 0)


def test_seams_are_the_gaps_between_screens() -> None:
    seams = hub().seams()
    assert seams == [Rect(1920, 0, 6, 2166), Rect(3846, 0, 6, 2166), Rect(0, 1080, 5772, 6)]


def test_block_spanning_screens_includes_the_mullions_inside() -> None:
    assert hub().block_rect(0, 1, (3, 1)) == Rect(0, 1086, 5772, 1080)


def test_fractional_part_edges_land_on_screens_not_in_mullions() -> None:
    wall = hub()
    # Right half of a two-screen span is exactly the second screen.
    assert wall.region(0, 0, (2, 1), (0.5, 0, 0.5, 1)) == wall.screen_rect(1, 0)
    # Left half ends at the first screen's right edge, before the mullion.
    assert wall.region(0, 0, (2, 1), (0, 0, 0.5, 1)) == wall.screen_rect(0, 0)
    # A quarter of one screen.
    assert wall.region(1, 1, (1, 1), (0.5, 0.5, 0.5, 0.5)) == Rect(1926 + 960, 1086 + 540, 960, 540)


def test_outputs_must_name_every_screen_once() -> None:
    with pytest.raises(ValueError, match="names 2 screens"):
        WallSpec(outputs=["DP-1", "DP-2"])
    with pytest.raises(ValueError, match="twice"):
        WallSpec(columns=2, rows=1, outputs=["DP-1", "DP-1"])


def test_another_grid_keeps_the_screens() -> None:
    spec = WallSpec(screen=ScreenSpec(width_px=3840, height_px=2160))
    other = spec.with_grid(1, 1)
    assert (other.columns, other.rows, other.screen.width_px) == (1, 1, 3840)


def test_clear_of_keeps_the_largest_piece_away_from_seams() -> None:
    seams = hub().seams()
    # A block over two screens: the left screen's part, kept 20 px away from the mullion.
    clear = clear_of(Rect(100, 100, 3000, 500), seams, margin=20)
    assert clear == Rect(100, 100, 1920 - 20 - 100, 500)
    # Nothing crossed: unchanged.
    assert clear_of(Rect(10, 10, 50, 50), seams, margin=20) == Rect(10, 10, 50, 50)
    # Crossed by the horizontal seam too: the taller piece wins (below the seam here).
    clear = clear_of(Rect(100, 900, 500, 800), seams, margin=10)
    assert clear == Rect(100, 1096, 500, 1700 - 1096)


def test_pieces_are_the_parts_between_seams_row_by_row() -> None:
    seams = hub().seams()
    found = pieces(Rect(1000, 500, 2000, 1000), seams, margin=10)
    assert found == [
        Rect(1000, 500, 910, 570),
        Rect(1936, 500, 1064, 570),
        Rect(1000, 1096, 910, 404),
        Rect(1936, 1096, 1064, 404),
    ]
    assert pieces(Rect(10, 10, 100, 100), seams) == [Rect(10, 10, 100, 100)]
