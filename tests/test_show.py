"""Shows without Qt: reading them (every problem at its JSON path), scene overrides, and the playhead."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wallapp.core.config.layout import Layout
from wallapp.core.config.playhead import Playhead, Programme
from wallapp.core.config.settings import load_settings
from wallapp.core.config.show import (
    SCHEMA_FILE,
    Override,
    apply_overrides,
    load_show,
    open_show,
    show_json_schema,
)
from wallapp.core.config.widgets import RankingWidget, SpotlightWidget, TextWidget
from wallapp.core.view.geometry import WallSpec
from wallapp.errors import ShowError

SETTINGS = load_settings()
ROOT = Path(__file__).resolve().parents[1]

LAYOUT: dict[str, Any] = {
    "name": "Scene",
    "sources": {
        "posts": {"kind": "demo", "feed": "posts"},
        "people": {"kind": "demo", "feed": "influencers"},
    },
    "widgets": [
        {"id": "title", "kind": "text", "place": {"screen": [0, 0]}, "options": {"text": "Welcome"}},
        {"id": "spot", "kind": "spotlight", "source": "posts", "place": {"screen": [1, 0]}},
        {"id": "people", "kind": "ranking", "source": "people", "place": {"screen": [2, 0]}},
    ],
}


def show(*scenes: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": "Demo", "scenes": list(scenes), **extra}


def scene(layout: str = "scene.json", duration: Any = 10, **extra: Any) -> dict[str, Any]:
    return {"layout": layout, "duration": duration, **extra}


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ShowError) as caught:
        load_show(path, WallSpec(), SETTINGS.layouts(), SETTINGS.themes())
    assert caught.value.source == str(path)
    return [str(p) for p in caught.value.problems]


def test_overrides_change_a_copy_of_the_layout() -> None:
    layout = Layout.model_validate(LAYOUT)
    overrides = {
        "title": Override(text="Welcome, Acme", subtitle="3 December"),
        "spot": Override(pinned=["p-42"], highlight=["Acme"]),
        "people": Override(title="Who speaks about Acme"),
    }
    changed = apply_overrides(layout, overrides)
    title, spot, people = changed.widgets
    assert isinstance(title, TextWidget)
    assert isinstance(spot, SpotlightWidget)
    assert isinstance(people, RankingWidget)
    assert (title.options.text, title.options.subtitle) == ("Welcome, Acme", "3 December")
    assert (spot.options.pinned, spot.options.highlight) == (["p-42"], ["Acme"])
    assert spot.options.every == 12.0  # what is not overridden stays
    assert people.options.title == "Who speaks about Acme"
    assert layout == Layout.model_validate(LAYOUT)  # the layout given is left as it was


def test_an_empty_override_leaves_every_kind_of_widget_as_it_was(layouts: Path) -> None:
    showcase = Layout.model_validate_json((layouts / "showcase.json").read_text())
    assert len({w.kind for w in showcase.widgets}) >= 12
    assert apply_overrides(showcase, {w.id: Override() for w in showcase.widgets}) == showcase


def test_overrides_that_do_not_fit_the_layout_are_each_named() -> None:
    layout = Layout.model_validate(LAYOUT)
    overrides = {"ghost": Override(text="x"), "spot": Override(text="x", title="y"), "title": Override()}
    with pytest.raises(ShowError) as caught:
        apply_overrides(layout, overrides)
    assert [str(p) for p in caught.value.problems] == [
        "ghost: no widget 'ghost' in layout 'Scene'",
        "spot.text: a spotlight widget has no text",
        "spot.title: a spotlight widget has no title",
    ]


def test_every_structural_problem_is_at_its_json_path(write_json: Any) -> None:
    path = write_json(
        "show.json",
        show(
            scene(duration="forever"),
            scene(duration=0, transition={"kind": "wipe"}),
            scene(overrides={"bad id!": {}}),
            {"duration": 5, "extra": 1},
            end="again",
        ),
    )
    assert problems_of(path) == [
        "end: Input should be 'loop' or 'stop'",
        'scenes[0].duration: a duration is a number of seconds, or "hold" (until the host moves on)',
        "scenes[1].duration: a duration is more than 0 and at most 86400 seconds (a day)",
        "scenes[1].transition.kind: Input should be 'cut' or 'crossfade'",
        "scenes[2].overrides.bad id!: String should match pattern '^[A-Za-z][A-Za-z0-9_-]{0,63}$'",
        "scenes[3].layout: required but missing",
        "scenes[3].extra: unknown field",
    ]


def test_a_show_in_a_newer_format_asks_for_a_newer_wallapp(write_json: Any) -> None:
    assert problems_of(write_json("new.json", show(scene(), version=2))) == [
        "version: format 2 is newer than this version of wallapp reads (1): update wallapp"
    ]


def test_a_show_needs_scenes_and_json(write_json: Any) -> None:
    assert problems_of(write_json("empty.json", show())) == [
        "scenes: List should have at least 1 item after validation, not 0"
    ]
    assert problems_of(write_json("broken.json", '{"name": "x",')) == [
        "line 1, column 14: invalid JSON: Expecting property name enclosed in double quotes"
    ]


def test_scenes_whose_layout_cannot_be_shown_are_reported_and_skipped(write_json: Any) -> None:
    write_json("scene.json", LAYOUT)
    broken = write_json("broken-layout.json", {"name": "B", "widgets": [], "theme": "neon"})
    path = write_json(
        "show.json",
        show(
            scene(),
            scene("no-such-layout"),
            scene("broken-layout.json"),
            scene(overrides={"spot": {"text": "x"}}),
            scene("hub", "hold"),
        ),
    )
    assert problems_of(path) == [
        "scenes[1].layout: no-such-layout: unknown layout (known: "
        + ", ".join(SETTINGS.layouts().names())
        + ")",
        f"scenes[2].layout: {broken}: theme: unknown theme 'neon' (known: dark, light)",
        "scenes[3].overrides.spot.text: a spotlight widget has no text",
    ]
    loaded = open_show(path, WallSpec(), SETTINGS.layouts(), SETTINGS.themes())
    assert loaded.playable == (0, 4)
    assert [s.title for s in loaded.scenes] == [
        "Scene",
        "no-such-layout",
        "broken-layout.json",
        "scene.json",
        "Hub — live monitoring",
    ]
    assert loaded.skipped()[0] == (
        f"{path}: scene 2 (no-such-layout) skipped: scenes[1].layout: no-such-layout: unknown layout (known: "
        + ", ".join(SETTINGS.layouts().names())
        + ")"
    )
    assert len(loaded.skipped()) == 3


def test_a_scene_shows_its_layout_with_the_overrides(write_json: Any) -> None:
    write_json("scene.json", LAYOUT)
    path = write_json(
        "show.json",
        show(
            scene(title="Hello", overrides={"title": {"text": "Bonjour"}}, transition={"kind": "crossfade"})
        ),
    )
    loaded = load_show(path, WallSpec(), SETTINGS.layouts(), SETTINGS.themes())
    first = loaded.scenes[0]
    assert first.title == "Hello"
    assert first.layout is not None
    title = first.layout.layout.widgets[0]
    assert isinstance(title, TextWidget)
    assert title.options.text == "Bonjour"
    assert loaded.show.transition_of(0).kind == "crossfade"
    assert loaded.show.transition_of(0).seconds == 1.0


def test_shipped_shows_validate_and_the_schema_is_the_models() -> None:
    shows = SETTINGS.shows()
    assert {"visitor-demo", "lobby"} <= set(shows.names())
    demo = load_show(shows.path("visitor-demo"), WallSpec(), SETTINGS.layouts(), SETTINGS.themes())
    assert 5 <= len(demo.scenes) <= 7
    lobby = load_show(shows.path("lobby"), WallSpec(), SETTINGS.layouts(), SETTINGS.themes())
    assert lobby.show.end == "loop"
    folder = ROOT / "shows"
    assert json.loads((folder / SCHEMA_FILE).read_text()) == show_json_schema()
    for path in folder.glob("*.json"):
        if path.name != SCHEMA_FILE:
            assert json.loads(path.read_text())["$schema"] == SCHEMA_FILE


# The playhead: scenes 0..4 with durations 10, hold, 20, (unplayable), 5.
DURATIONS = (10.0, None, 20.0, 30.0, 5.0)


def programme(loop: bool = True, order: tuple[int, ...] = (0, 1, 2, 4)) -> Programme:
    return Programme("Demo", order, DURATIONS, loop)


def test_timed_scenes_follow_each_other_and_a_hold_scene_waits() -> None:
    p = programme()
    head = p.start(100.0)
    assert (head.scene, p.left(head, 104.0)) == (0, 6.0)
    head = p.tick(head, 109.9)
    assert head.scene == 0
    head = p.tick(head, 110.0)
    assert (head.scene, head.started, p.left(head, 500.0)) == (1, 110.0, None)
    assert p.tick(head, 10_000.0) == head  # holds until the host moves on
    head = p.next(head, 200.0)
    assert (head.scene, p.left(head, 205.0)) == (2, 15.0)


def test_a_late_tick_catches_up_without_shifting_the_show() -> None:
    p = programme(order=(0, 2, 4))
    head = p.tick(p.start(0.0), 33.0)  # 0: 0-10, 2: 10-30, 4: 30-35
    assert (head.scene, head.started) == (4, 30.0)
    head = p.tick(head, 35.0 * 1000 + 12.0)  # a thousand loops later (a suspended machine)
    assert (head.scene, head.started) == (2, 35_010.0)


def test_unplayable_scenes_are_skipped() -> None:
    p = programme(order=(0, 2, 4))
    head = p.tick(p.start(0.0), 30.0)
    assert head.scene == 4
    assert p.previous(head, 31.0).scene == 2
    assert p.upcoming(head) == 0
    with pytest.raises(ShowError, match="scene 4 cannot be shown"):
        p.jump(head, 4, 31.0)
    with pytest.raises(ShowError, match="no scene 6 \\(scenes 1 to 5\\)"):
        p.jump(head, 6, 31.0)
    assert p.jump(head, 3, 31.0) == Playhead(2, 31.0)


def test_a_show_that_stops_keeps_its_last_scene_on() -> None:
    p = programme(loop=False, order=(0, 2, 4))
    head = p.tick(p.start(0.0), 100.0)
    assert (head.scene, head.ended, p.left(head, 100.0)) == (4, True, None)
    assert p.upcoming(head) is None
    assert p.next(head, 101.0).scene == 4
    assert p.previous(p.start(0.0), 1.0).scene == 0
    assert p.first(head, 102.0) == Playhead(0, 102.0)


def test_a_looping_show_goes_round_both_ways() -> None:
    p = programme()
    head = p.start(0.0)
    assert p.previous(head, 1.0).scene == 4
    last = p.jump(head, 5, 1.0)
    assert p.next(last, 2.0).scene == 0
    assert p.tick(last, 6.0) == Playhead(0, 6.0)


def test_hold_stops_the_timer_and_resume_gives_the_time_back() -> None:
    p = programme()
    head = p.hold(p.start(0.0), 4.0)
    assert p.left(head, 50.0) == 6.0
    assert p.tick(head, 50.0) == head
    assert p.hold(head, 60.0) == head  # holding twice changes nothing
    moved = p.next(head, 60.0)  # the host moves on: still held
    assert (moved.scene, moved.held, p.left(moved, 90.0)) == (1, True, None)
    head = p.resume(head, 54.0)
    assert (head.held, p.left(head, 54.0)) == (False, 6.0)
    assert p.tick(head, 60.0).scene == 1
    assert p.resume(head, 70.0) == head  # resuming a running show changes nothing


def test_a_show_with_nothing_playable_has_no_programme(write_json: Any) -> None:
    path = write_json("show.json", show(scene("nowhere")))
    loaded = open_show(path, WallSpec(), SETTINGS.layouts(), SETTINGS.themes())
    with pytest.raises(ShowError) as caught:
        Programme.of(loaded)
    assert str(caught.value.problems[0]) == "scenes: no scene can be shown"


def test_the_coming_playhead_is_the_next_scene_from_the_instant_it_comes_on() -> None:
    p = programme(loop=False, order=(0, 2, 4))
    head = p.start(100.0)
    assert p.coming(head) == Playhead(2, 110.0) == p.tick(head, 110.0)
    assert p.coming(p.hold(head, 101.0)) is None  # held: it waits for the host
    assert p.coming(Playhead(4, 130.0)) is None  # the last scene of a show that stops
    assert p.coming(Playhead(1, 130.0)) is None  # a hold scene
    assert programme().coming(Playhead(4, 130.0)) == Playhead(0, 135.0)  # round again
