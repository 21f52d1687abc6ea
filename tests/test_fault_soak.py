"""The fault soak (``wallapp bench --faults --soak N``): a few seconds of it on a fast schedule, its figures
measured; and the parts it is made of."""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QGraphicsItem
from widget_kit import Bench

from wallapp import cli
from wallapp.bench import fault_soak
from wallapp.bench.fault_soak import Episode, FaultSoak, Schedule
from wallapp.bench.soak_layouts import FLAPPING, KINDS, PER_KIND
from wallapp.bench.soak_wall import Census, blank_widgets, why_blank
from wallapp.core.config.settings import load_settings
from wallapp.core.data.records import Metric
from wallapp.errors import WallError
from wallapp.qt.widgets import WidgetItem

FAST = Schedule(
    seconds=7.0,
    switch_every=1.5,
    flap_up=2.0,
    flap_down=1.5,
    sample_every=1.5,
    file_every=0.5,
    poll_every=0.5,
    memory_every=1.0,
)


def test_a_few_seconds_of_the_soak_give_measured_figures(tmp_path: Path) -> None:
    results = FaultSoak(load_settings(), FAST, tmp_path).run()
    assert results["crashes"] == 0, results["crash_details"]
    assert results["walls_started"] == 1
    assert {kind: len(names) for kind, names in results["sources"].items()} == dict.fromkeys(KINDS, PER_KIND)
    samples = results["samples"]
    assert len(samples) >= 3
    assert samples[-1]["last"]
    # Every sample checked the thirty widgets in the canvas the wall rendered, and read its memory.
    for sample in samples:
        assert sample["widgets"] == 30
        assert sample["blank"] == []
        assert 50 < sample["pss_mb"] <= sample["rss_mb"] < 4000
        assert set(sample["sources"]) == {name for names in results["sources"].values() for name in names}
        inside = sample["memory"]  # where the memory is: the heap, pictures, records in and out of stores
        assert inside["heap_used_mb"] is None or inside["heap_used_mb"] > 0
        assert inside["records_in_stores"] > 0
        assert 0 <= inside["records_elsewhere"] < inside["records_in_stores"] + 10_000
    # The layouts were switched, as the samples saw: more than one layout shown.
    assert results["switches"] >= 3
    assert len({sample["layout"] for sample in samples}) >= 2
    assert results["switch_failures"] == 0
    assert results["blank_widgets"] == 0
    assert results["widgets_checked"] == 30 * len(samples)
    memory = results["memory"]
    assert memory["readings"] >= 5
    assert memory["pss_start_mb"] != memory["pss_end_mb"] or memory["rss_start_mb"] != memory["rss_end_mb"]
    assert results["file_writes"] >= 10
    # Both servers went down and came back, and the wall said so about their sources, and no other.
    for source in FLAPPING:
        episodes = results["episodes"][source]
        assert episodes, source
        for episode in episodes:
            assert episode["up_s"] is None or episode["up_s"] > episode["down_s"]
        assert results["episode_lines"][source]["failure_lines_max"] == 1  # one an outage, however it fails
        assert any(source in line for episode in episodes for line in episode["lines"])
    assert results["unexpected_source_lines"] == {}, results["other_lines"]
    table = fault_soak.markdown(results)
    assert "| crashes | 0 (wall started 1 time(s)) |" in table
    assert f"| widgets found blank | 0 of {30 * len(samples)} checked |" in table


def test_the_folder_for_the_pictures_is_made_at_the_start_or_refused_there(tmp_path: Path) -> None:
    """A folder not there yet made the wall fail at its first sample, and the soak start it again and again
    for its whole length."""
    folder = fault_soak.picture_folder(tmp_path / "soak" / "pictures")
    assert folder.is_dir()
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    with pytest.raises(WallError, match=r"--pictures .*a-file/pictures: "):
        fault_soak.picture_folder(tmp_path / "a-file" / "pictures")


def test_the_flapping_servers_are_down_in_turn_half_a_cycle_apart() -> None:
    schedule = Schedule(seconds=100, flap_up=10, flap_down=5)
    first = [t for t in range(40) if schedule.down(0, t)]
    second = [t for t in range(40) if schedule.down(1, t)]
    assert first == [10, 11, 12, 13, 14, 25, 26, 27, 28, 29]
    assert second == [18, 19, 20, 21, 22, 33, 34, 35, 36, 37]
    with pytest.raises(WallError, match="--soak"):
        Schedule(seconds=0).check()
    with pytest.raises(WallError, match="--flap-down"):
        Schedule(seconds=10, flap_down=0).check()


def test_a_log_line_belongs_to_the_outage_it_follows() -> None:
    episodes = [Episode(10.0, 15.0), Episode(30.0, 35.0)]
    assert fault_soak._episode_at(episodes, 5.0) is None
    assert fault_soak._episode_at(episodes, 16.0) is episodes[0]
    assert fault_soak._episode_at(episodes, 30.0) is episodes[1]


def test_the_memory_of_a_process_is_read_from_linux(tmp_path: Path) -> None:
    found = fault_soak.memory_of(os.getpid())
    assert found is not None
    rss, pss = found
    assert 0 < pss <= rss
    assert fault_soak.memory_of(2**22 + 7) is None  # no such process


@pytest.mark.usefixtures("qapp")
def test_a_widget_showing_nothing_is_found_blank(tmp_path: Path) -> None:
    widget = {"id": "k", "kind": "kpi", "source": "feed", "place": {"screen": [0, 0]}}
    widget["options"] = {"label": "Load", "metric": "load"}
    bench = Bench(tmp_path, widget)
    bench.feed([Metric(id="m", name="load", value=42)])
    assert blank_widgets(bench.scene) == ([], 1)
    bench.item.setVisible(False)  # the canvas shows only its background where the widget is
    assert blank_widgets(bench.scene) == (["k"], 1)
    bench.item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    said = why_blank(bench.scene, "k")  # ready, drawn from its picture, and blank painted afresh too
    assert said == {"state": "ready", "cached": True, "blank_painted_afresh": True}
    assert bench.item.cacheMode() is QGraphicsItem.CacheMode.DeviceCoordinateCache  # left as it was
    bench.close()


def test_the_fault_soak_needs_a_length_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["bench", "--faults", "--switch-every", "5"]) != 0
    assert "--faults needs --soak SECONDS above 0" in capsys.readouterr().err
    assert cli.main(["bench", "--faults", "--soak", "60", "--flap-down", "0"]) != 0
    assert "--flap-down" in capsys.readouterr().err


def test_records_alive_outside_the_stores_are_traced_to_what_holds_them() -> None:
    class Keeper:
        def __init__(self, kept: tuple[Metric, ...]) -> None:
            self.kept = kept

    records = [Metric(id=f"m{i}", name="load", value=i) for i in range(3)]
    keeper = Keeper(tuple(records[:2]))
    assert Census(gc.get_objects()).holders(records) == {"tuple in Keeper.kept": 2}
    del keeper


@pytest.mark.usefixtures("qapp")
def test_a_widget_alive_outside_the_scene_shown_is_traced_to_what_holds_it(tmp_path: Path) -> None:
    widget = {"id": "k", "kind": "kpi", "source": "feed", "place": {"screen": [0, 0]}}
    widget["options"] = {"label": "Load", "metric": "load"}
    bench = Bench(tmp_path, widget)
    everything = gc.get_objects()
    # Widgets of other tests may be alive in this process: they count as shown here. (type(), not
    # isinstance: a weak proxy to a dead object among them raises on isinstance.)
    others = {id(thing) for thing in census_of(WidgetItem, everything) if thing is not bench.item}
    census = Census(everything)
    shown = census.widgets(others | {id(bench.item)})
    assert shown == {"widgets_alive": len(others) + 1, "widgets_elsewhere_held_by": {}}
    held_by = census.widgets(others)["widgets_elsewhere_held_by"]  # as if the scene shown were another
    assert any(where.startswith("dict in WallScene.items_by_id") for where in held_by), held_by
    bench.close()


def census_of(kind: type, everything: list[Any]) -> list[Any]:
    return [thing for thing in everything if issubclass(type(thing), kind)]
