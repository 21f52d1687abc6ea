"""The editor's document: checked as ``wallapp validate`` checks it, and every operation a pure function of
the data (the input is never changed, the result is the layout the operator asked for)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from wallapp.core.config.catalog import Catalog
from wallapp.core.config.layout import load_layout, widget_rect
from wallapp.core.editing.document import (
    added,
    check,
    duplicated,
    moved,
    new_widget,
    removed,
    restacked,
    widget_index,
    widget_kinds,
    with_source,
    with_widget,
)
from wallapp.core.editing.jsontext import rewrite
from wallapp.core.editing.placing import refusal
from wallapp.core.view.geometry import Wall, WallSpec
from wallapp.errors import LayoutError, ThemeError

ROOT = Path(__file__).resolve().parent.parent
HUB_TEXT = (ROOT / "layouts" / "hub.json").read_text(encoding="utf-8")
INSTALLED = WallSpec()
WALL = Wall(INSTALLED)
THEMES = Catalog([ROOT / "themes"], ThemeError)


def _hub() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(HUB_TEXT)
    return data


def _ids(data: dict[str, Any]) -> list[str]:
    return [widget["id"] for widget in data["widgets"]]


def test_the_hub_checks_clean() -> None:
    checked = check(_hub(), INSTALLED, THEMES, ROOT / "layouts")
    assert checked.valid
    assert checked.layout is not None
    assert [widget.id for widget in checked.layout.widgets] == _ids(_hub())


def test_problems_are_those_wallapp_validate_gives(tmp_path: Path) -> None:
    data = _hub()
    data["widgets"][0]["place"]["screen"] = [0, "top"]
    data["widgets"][1]["kind"] = "gauge"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(LayoutError) as raised:
        load_layout(path, INSTALLED, THEMES)
    checked = check(data, INSTALLED, THEMES, tmp_path)
    assert checked.layout is None
    assert not checked.valid
    assert checked.problems == raised.value.problems
    assert [p.location for p in checked.problems] == ["widgets[0].place.screen[1]", "widgets[1]"]


def test_a_structurally_valid_layout_with_problems_is_still_drawn() -> None:
    data = _hub()
    data["widgets"][1]["id"] = "logo"
    data["widgets"][2]["source"] = "people"
    data["theme"] = "neon"
    checked = check(data, INSTALLED, THEMES, ROOT / "layouts")
    assert checked.layout is not None
    assert not checked.valid
    assert [(p.location, p.message) for p in checked.problems] == [
        ("widgets[1].id", "duplicate id 'logo' (first used by widgets[0])"),
        ("widgets[2].source", "a bars widget shows metrics, but source 'people' yields people"),
        ("theme", "unknown theme 'neon' (known: dark, light)"),
    ]


@pytest.mark.parametrize("data", [None, [], "hub", {"version": 99, "name": "x"}, {"widgets": {}}])
def test_check_never_raises(data: Any) -> None:
    checked = check(data, INSTALLED, None, None)
    assert checked.layout is None
    assert checked.problems


def test_operations_leave_their_input_alone() -> None:
    data = _hub()
    before = copy.deepcopy(data)
    moved(data, 0, {"screen": [2, 1]})
    with_widget(data, 0, {"id": "x"})
    added(data, {"id": "x"})
    removed(data, [0, 1])
    restacked(data, [0], 1)
    with_source(data, "posts", None)
    duplicated(data, [0], WALL)
    assert data == before


def test_moving_a_widget_saves_as_its_one_line() -> None:
    data = moved(_hub(), widget_index(_hub(), "post-wall"), {"screen": [1, 1], "span": [2, 1]})
    after = rewrite(HUB_TEXT, data)
    changed = [
        pair for pair in zip(HUB_TEXT.splitlines(), after.splitlines(), strict=True) if pair[0] != pair[1]
    ]
    assert len(changed) == 1
    assert '"place": {"screen": [1, 1], "span": [2, 1]}, "options"' in changed[0][1]


def test_widget_index() -> None:
    assert widget_index(_hub(), "headlines") == 11
    with pytest.raises(KeyError):
        widget_index(_hub(), "nope")


def test_adding_and_removing() -> None:
    data = added(_hub(), {"id": "a"})
    assert _ids(data)[-1] == "a"
    assert _ids(added(_hub(), {"id": "a"}, at=0))[:2] == ["a", "logo"]
    assert _ids(added({"name": "empty"}, {"id": "a"})) == ["a"]
    assert _ids(removed(_hub(), [0, 11, 5])) == _ids(_hub())[1:5] + _ids(_hub())[6:11]
    assert with_widget(_hub(), 2, {"id": "b"})["widgets"][2] == {"id": "b"}


def test_raising_and_lowering_keep_the_selection_in_order() -> None:
    ids = _ids(_hub())
    assert _ids(restacked(_hub(), [0, 1], 1)) == [ids[2], ids[0], ids[1], *ids[3:]]
    assert _ids(restacked(_hub(), [0, 1], len(ids))) == [*ids[2:], ids[0], ids[1]]
    assert _ids(restacked(_hub(), [3, 10], -1)) == [
        *ids[:2],
        ids[3],
        ids[2],
        *ids[4:9],
        ids[10],
        ids[9],
        ids[11],
    ]
    assert _ids(restacked(_hub(), [11], 1)) == ids  # already on top
    assert _ids(restacked(_hub(), [5], -len(ids))) == [ids[5], *ids[:5], *ids[6:]]


def test_sources_are_added_replaced_where_they_stand_and_removed() -> None:
    names = list(_hub()["sources"])
    spec = {"kind": "http", "url": "https://example.org/x.json", "mapping": {"record": "metric"}}
    assert list(with_source(_hub(), "news", spec)["sources"]) == [*names, "news"]
    replaced = with_source(_hub(), "care", spec)
    assert list(replaced["sources"]) == names
    assert replaced["sources"]["care"] == spec
    assert list(with_source(_hub(), "care", None)["sources"]) == [n for n in names if n != "care"]
    assert with_source({"name": "x"}, "a", {"kind": "demo"})["sources"] == {"a": {"kind": "demo"}}


def _two_widgets() -> dict[str, Any]:
    return {
        "name": "Room",
        "widgets": [
            {"id": "clock", "kind": "clock", "place": {"screen": [0, 0], "part": [0, 0, 0.5, 0.5]}},
            {"id": "clock-2", "kind": "clock", "place": {"screen": [1, 0]}},
        ],
    }


def test_duplicates_get_fresh_ids_and_free_room_near_the_original() -> None:
    data, made = duplicated(_two_widgets(), [0, 1], WALL)
    assert made == [2, 3]
    assert _ids(data) == ["clock", "clock-2", "clock-3", "clock-4"]
    checked = check(data, INSTALLED, None, None)
    assert checked.valid, checked.problems
    assert checked.layout is not None
    rects = {widget.id: widget_rect(widget.place, WALL) for widget in checked.layout.widgets}
    for name, rect in rects.items():
        assert refusal(rect, WALL, {other: r for other, r in rects.items() if other != name}) is None
    assert rects["clock-3"].width == rects["clock"].width
    assert rects["clock-3"].height == rects["clock"].height
    # the nearest free room of the same size: the quarter below (540 px away), not the one beside (960)
    assert data["widgets"][2]["place"] == {"screen": [0, 0], "part": [0, 0.5, 0.5, 0.5]}


def test_a_duplicate_with_no_room_left_stays_where_the_original_is() -> None:
    data, made = duplicated(_hub(), [9], WALL)
    assert data["widgets"][made[0]]["id"] == "post-wall-2"
    assert data["widgets"][made[0]]["place"] == _hub()["widgets"][9]["place"]


@pytest.mark.parametrize("kind", list(widget_kinds()))
def test_a_new_widget_of_every_kind_validates(kind: str) -> None:
    for data in (_hub(), {"name": "Empty"}):
        widget = new_widget(kind, data, {"screen": [2, 1], "part": [0, 0, 0.5, 0.5]})
        assert widget["kind"] == kind
        assert widget["id"] not in _ids(data) if "widgets" in data else widget["id"] == kind
        checked = check(added(data, widget), INSTALLED, THEMES, ROOT / "layouts")
        assert checked.valid, checked.problems


def test_a_new_widget_reads_from_a_source_that_yields_its_records() -> None:
    hub = _hub()
    assert new_widget("ticker", hub, {"screen": [0, 0]})["source"] == "posts"
    assert new_widget("ranking", hub, {"screen": [0, 0]})["source"] == "people"
    assert new_widget("topics", hub, {"screen": [0, 0]})["source"] == "trends"
    kpi = new_widget("kpi", hub, {"screen": [0, 0]})
    assert kpi["source"] == "care"
    assert kpi["options"]["metric"] == "response_rate"  # as the layout's other KPIs on that source
    assert "source" not in new_widget("clock", hub, {"screen": [0, 0]})
    assert "source" not in new_widget("ticker", {"name": "x"}, {"screen": [0, 0]})
    assert list(new_widget("ticker", hub, {"screen": [0, 0]})) == ["id", "kind", "source", "place", "options"]


def test_new_ids_count_on() -> None:
    hub = _hub()
    assert new_widget("ticker", hub, {"screen": [0, 0]})["id"] == "ticker"
    assert new_widget("clock", hub, {"screen": [0, 0]})["id"] == "clock-2"
    with_two = added(hub, new_widget("clock", hub, {"screen": [0, 0]}))
    assert new_widget("clock", with_two, {"screen": [0, 0]})["id"] == "clock-3"
    with pytest.raises(KeyError):
        new_widget("gauge", hub, {"screen": [0, 0]})
