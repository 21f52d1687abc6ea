"""Layouts and their errors, without Qt: every problem is listed with its JSON path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wallapp.core.config import migrations
from wallapp.core.config.layout import SCHEMA_FILE, layout_json_schema, load_layout
from wallapp.core.config.settings import load_settings
from wallapp.core.view.geometry import Rect, WallSpec
from wallapp.errors import LayoutError

THEMES = load_settings().themes()


def layout(*widgets: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": "Test", "widgets": list(widgets), **extra}


def text(wid: str, place: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": wid, "kind": "text", "place": place, "options": {"text": "Hello"}, **extra}


def problems(path: Path) -> list[str]:
    with pytest.raises(LayoutError) as caught:
        load_layout(path, WallSpec(), THEMES)
    assert caught.value.source == str(path)
    return [str(p) for p in caught.value.problems]


def test_shipped_layouts_all_validate(layouts: Path) -> None:
    shipped = sorted(layouts.glob("*.json"))
    names = [p.name for p in shipped]
    assert "hub.json" in names
    for path in shipped:
        if path.name != SCHEMA_FILE:
            loaded = load_layout(path, WallSpec(), THEMES)
            assert loaded.layout.widgets, path
            assert json.loads(path.read_text())["$schema"] == SCHEMA_FILE


def test_shipped_schema_is_the_models_schema(layouts: Path) -> None:
    assert json.loads((layouts / SCHEMA_FILE).read_text()) == layout_json_schema()


def test_cell_and_pixel_placements_land_on_the_canvas(write_json: Any) -> None:
    path = write_json(
        "ok.json",
        layout(
            text("a", {"screen": [1, 0], "part": [0.5, 0, 0.5, 0.5]}),
            text("b", {"rect": [10, 20, 300, 200]}),
        ),
    )
    loaded = load_layout(path, WallSpec(), THEMES)
    a, b = loaded.layout.widgets
    assert loaded.rect(a) == Rect(1926 + 960, 0, 960, 540)
    assert loaded.rect(b) == Rect(10, 20, 300, 200)
    assert loaded.fits_installed_wall


def test_missing_file(tmp_path: Path) -> None:
    assert problems(tmp_path / "nope.json") == ["file not found"]


def test_invalid_json_reports_line_and_column(write_json: Any) -> None:
    path = write_json("bad.json", '{\n  "name": "x",\n  "widgets": [\n    {"id": "a",}\n  ]\n}\n')
    [problem] = problems(path)
    assert problem.startswith("line 4, column 16: invalid JSON")


def test_unknown_widget_kind_names_the_known_ones(write_json: Any) -> None:
    path = write_json("kind.json", layout({"id": "a", "kind": "weather", "place": {"screen": [0, 0]}}))
    [problem] = problems(path)
    assert problem.startswith("widgets[0]: unknown kind 'weather'")
    assert "'kpi'" in problem


def test_every_problem_is_listed_with_its_path(write_json: Any) -> None:
    path = write_json(
        "many.json",
        layout(
            text("a", {"screen": [3, 0]}),
            text("a", {"screen": [0, 0], "span": [4, 1]}),
            text("c", {"rect": [5700, 0, 200, 100]}),
            text("d", {"screen": [0, 0]}, source="nowhere"),
            theme="neon",
        ),
    )
    assert problems(path) == [
        "widgets[0].place.screen: screen [3, 0] is outside the 3x2 wall",
        "widgets[1].id: duplicate id 'a' (first used by widgets[0])",
        "widgets[1].place.span: span [4, 1] from [0, 0] leaves the 3x2 wall",
        "widgets[2].place.rect: [5700, 0, 200, 100] leaves the 5772x2166 px canvas",
        "widgets[3].source: no source named 'nowhere' (declared: none)",
        "theme: unknown theme 'neon' (known: dark, light)",
    ]


def test_structure_errors_point_into_the_widget(write_json: Any) -> None:
    path = write_json(
        "structure.json",
        layout(
            {"id": "k", "kind": "kpi", "place": {"screen": [0, 0]}, "options": {"value": 3, "colour": "red"}},
            {"id": "2bad", "kind": "text", "place": {"where": [0, 0]}, "options": {"text": "x"}},
            {
                "id": "c",
                "kind": "clock",
                "place": {"screen": [0, 0], "part": [0.5, 0, 0.75, 1]},
                "options": {"timezone": "Mars/Olympus"},
            },
        ),
    )
    found = problems(path)
    assert "widgets[0].options.label: required but missing" in found
    assert "widgets[0].options.colour: unknown field" in found
    assert any(p.startswith("widgets[1].id: String should match pattern") for p in found)
    assert 'widgets[1].place: a placement needs either "screen" (cells) or "rect" (canvas pixels)' in found
    assert any(p.startswith("widgets[2].place.part: part must stay inside") for p in found)
    assert "widgets[2].options.timezone: unknown time zone 'Mars/Olympus'" in found


def test_a_pixel_edge_under_a_mullion_is_refused(write_json: Any) -> None:
    path = write_json("seam.json", layout(text("a", {"rect": [100, 100, 1822, 500]})))
    assert problems(path) == ["widgets[0].place.rect: an edge falls under the mullion at x = 1920..1926"]


def test_a_layout_for_another_grid_opens_on_a_wall_of_its_grid(write_json: Any) -> None:
    path = write_json("small.json", layout(text("a", {"screen": [1, 0]}), grid=[2, 1]))
    loaded = load_layout(path, WallSpec(), THEMES)
    assert (loaded.wall.columns, loaded.wall.rows) == (2, 1)
    assert not loaded.fits_installed_wall
    assert loaded.rect(loaded.layout.widgets[0]) == Rect(1926, 0, 1920, 1080)


def test_a_layout_without_a_version_is_read_in_the_current_format(write_json: Any) -> None:
    loaded = load_layout(write_json("plain.json", layout(text("a", {"screen": [0, 0]}))), WallSpec(), THEMES)
    assert loaded.layout.version == migrations.CURRENT == 1


def test_a_layout_of_version_1_loads(write_json: Any) -> None:
    path = write_json("one.json", layout(text("a", {"screen": [0, 0]}), version=1))
    assert load_layout(path, WallSpec(), THEMES).layout.version == 1


def test_a_layout_newer_than_this_wallapp_is_refused_at_its_version(write_json: Any) -> None:
    # A field of the newer format is not reported as unknown: the version is what is wrong.
    path = write_json("future.json", layout(text("a", {"screen": [0, 0]}), version=2, hologram=True))
    assert problems(path) == [
        "version: format 2 is newer than this version of wallapp reads (1): update wallapp"
    ]
    with pytest.raises(LayoutError, match=r"future\.json: version: format 2 is newer"):
        load_layout(path, WallSpec(), THEMES)


def test_a_layout_older_than_any_known_format_is_refused_at_its_version(write_json: Any) -> None:
    path = write_json("ancient.json", layout(text("a", {"screen": [0, 0]}), version=0))
    assert problems(path) == ["version: unknown format 0 (this version of wallapp reads 1)"]


def test_an_old_layout_is_migrated_step_by_step_before_validation(
    write_json: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pretend format 0 called the layout's name ``title``; its step renames the field."""

    def title_to_name(data: dict[str, Any]) -> dict[str, Any]:
        old = dict(data)
        old["name"] = old.pop("title")
        return old

    monkeypatch.setattr(migrations, "STEPS", {0: title_to_name})
    old = {"title": "From format 0", "version": 0, "widgets": [text("a", {"screen": [0, 0]})]}
    path = write_json("old.json", old)
    loaded = load_layout(path, WallSpec(), THEMES)
    assert (loaded.layout.name, loaded.layout.version) == ("From format 0", 1)
    assert json.loads(path.read_text()) == old  # the file is left as it is
    current = write_json("current.json", layout(text("a", {"screen": [0, 0]})))
    assert load_layout(current, WallSpec(), THEMES).layout.name == "Test"  # a current layout takes no step
    future = write_json("future.json", {**old, "version": 2})
    assert problems(future) == [
        "version: format 2 is newer than this version of wallapp reads (0 to 1): update wallapp"
    ]


def test_every_format_from_the_oldest_read_has_a_step_to_the_next() -> None:
    oldest = min(migrations.STEPS, default=migrations.CURRENT)
    assert sorted(migrations.STEPS) == list(range(oldest, migrations.CURRENT))


@pytest.mark.parametrize("grid", [[0, 2], [-3, 2], [17, 2], [1000, 1000]])
def test_a_grid_of_no_screens_or_more_than_a_wall_can_have_is_refused(
    write_json: Any, grid: list[int]
) -> None:
    # Found by fuzzing: a grid of [0, 2] was told as "screen [0, 0] is outside the 0x2 wall", and any
    # size loaded, however many screens no wall has.
    layout = {"name": "Grid", "grid": grid, "widgets": []}
    with pytest.raises(LayoutError, match=r"grid\[[01]\]: Input should be"):
        load_layout(write_json("grid.json", layout), WallSpec())


@pytest.mark.parametrize("theme", ["x" * 5000, "x" * 300 + ".json", "nul\x00.json"])
def test_a_theme_name_no_file_can_have_is_refused_at_its_json_path(write_json: Any, theme: str) -> None:
    # Found by fuzzing: a theme of 5,000 characters raised OSError (file name too long) out of the loader.
    layout = {"name": "Named", "theme": theme, "widgets": []}
    with pytest.raises(LayoutError, match="theme: "):
        load_layout(write_json("named.json", layout), WallSpec(), load_settings().themes())
