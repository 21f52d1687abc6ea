"""``wallapp bench``: the statistics it reports, and a short run of the command (no timing is asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from wallapp.app import open_layout
from wallapp.bench import feed, nodes, report, runner, stats
from wallapp.bench.receipts import Receipts, ReceiptTransport
from wallapp.bench.stats import Frame, Repaint, parse_rates
from wallapp.bench.wall import bench_wall
from wallapp.core.config.settings import load_settings
from wallapp.core.view.geometry import Wall, WallSpec
from wallapp.errors import WallError


def test_percentiles_interpolate_between_ranks() -> None:
    samples = [4.0, 1.0, 3.0, 2.0, 5.0]
    assert stats.percentile(samples, 50) == 3.0
    assert stats.percentile(samples, 0) == 1.0
    assert stats.percentile(samples, 100) == 5.0
    assert stats.percentile(samples, 95) == pytest.approx(4.8)
    assert stats.percentile([7.0], 99) == 7.0
    with pytest.raises(ValueError, match="no samples"):
        stats.percentile([], 50)


def test_a_summary_gives_the_median_the_tail_and_the_worst() -> None:
    found = stats.summarize([float(n) for n in range(1, 101)])
    assert found is not None
    assert (found.count, found.p50, found.max) == (100, 50.5, 100.0)
    assert found.p95 == pytest.approx(95.05)
    assert found.p99 == pytest.approx(99.01)
    assert stats.summarize([]) is None
    assert set(found.as_dict()) == {"count", "p50", "p95", "p99", "max"}


def test_repaints_close_together_make_one_frame_and_a_window_repainting_starts_the_next() -> None:
    repaints = [
        Repaint(0.000, 0.002, 0, cpu=1.0),
        Repaint(0.002, 0.005, 1),
        Repaint(0.005, 0.006, 2),
        Repaint(0.0065, 0.0075, 2),  # the same window again: a new frame
        Repaint(0.017, 0.019, 0, cpu=1.02),  # after a pause: a new frame
    ]
    frames = stats.group_frames(repaints)
    assert [sorted(f.screens) for f in frames] == [[0, 1, 2], [2], [0]]
    assert frames[0].cost == pytest.approx(0.006)
    assert (frames[0].start, frames[0].end) == (0.0, 0.006)
    assert stats.intervals(frames) == pytest.approx([0.0065, 0.0105])
    assert stats.work_per_frame([frames[0], frames[2]]) == pytest.approx([0.02])
    assert stats.group_frames([]) == []


def test_latency_runs_from_receipt_to_the_end_of_the_first_frame_after_the_widgets_were_told() -> None:
    frames = [Frame(0.010, 0.012, 0.002, frozenset({0})), Frame(0.030, 0.035, 0.005, frozenset({0}))]
    arrivals = [(0.001, 0.005), (0.011, 0.020), (0.020, 0.040)]  # the last one is never shown
    assert stats.latencies(arrivals, frames) == pytest.approx([0.011, 0.024])


def test_growth_is_the_least_squares_slope_per_hour() -> None:
    samples = [(t, 100 + t / 3600 * 2 + (0.5 if t % 2 else -0.5)) for t in range(0, 601)]
    assert stats.growth_per_hour(samples) == pytest.approx(2.0, abs=0.01)
    assert stats.growth_per_hour([(1.0, 5.0)]) is None
    assert stats.growth_per_hour([(1.0, 5.0), (1.0, 6.0)]) is None


def test_the_ramp_counts_up_to_its_first_failure() -> None:
    assert stats.highest_passing([(500, True), (250, True), (1000, False), (2000, True)]) == 500
    assert stats.highest_passing([(250, False)]) is None


def test_ramp_rates_always_include_the_firehose() -> None:
    assert parse_rates("500, 250") == [250.0, 500.0, 2000.0]
    with pytest.raises(WallError, match="--ramp"):
        parse_rates("fast")
    with pytest.raises(WallError, match="above 0"):
        parse_rates("0")


@pytest.mark.asyncio
async def test_the_transport_notes_when_each_event_arrives_however_the_stream_is_cut() -> None:
    body = [b"retry: 1000\n\nid: a1\nevent: post\ndata: {}\n\nid: a", b"2\ndata: {}\n\n"]

    class Chunks(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            for chunk in body:
                yield chunk

    def chunked(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Chunks())

    receipts = Receipts()
    ticks = iter([1.0, 2.0])
    transport = ReceiptTransport(receipts, clock=lambda: next(ticks), inner=httpx.MockTransport(chunked))
    async with httpx.AsyncClient(transport=transport) as client:
        response = await client.get("http://bench.test/stream")
    assert response.content == b"".join(body)
    assert receipts.times == {"a1": 1.0, "a2": 2.0}
    assert receipts.count == 2


@pytest.mark.asyncio
async def test_the_bench_changes_its_feeds_rate_even_when_the_walls_frames_take_seconds() -> None:
    """The rate request measures nothing: it may wait far longer than httpx's 5 s default, which ran out
    when the wall's frames held the event loop for seconds (OpenGL on llvmpipe, six 4K screens)."""
    timeouts: list[dict[str, float | None]] = []

    class Noting(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            timeouts.append(request.extensions["timeout"])
            return await super().handle_async_request(request)

    with feed.feed_server(10) as server:
        async with httpx.AsyncClient(transport=Noting(), trust_env=False) as client:
            await server.set_rate(client, 25)
    [timeout] = timeouts
    assert min(t for t in timeout.values() if t is not None) >= 60


def test_the_report_marks_what_was_not_measured() -> None:
    results = {
        "layout": "hub.json",
        "screens": 6,
        "canvas": [5772, 2166],
        "machine": {"cpus": 2},
        "scenarios": {"hub": {"fps": 60.0, "cost_ms": {"p50": 1, "p95": 2, "p99": 3, "max": 4}}},
    }
    rows = {t.name: t for t in report.targets(results)}
    assert rows["hub frame cost p95"].met is True
    assert rows["data-to-pixel p95"].met is None
    assert rows["ingest with frame work p95 < 16.7 ms"].met is None  # not run: neither met nor failed
    assert rows["blank frames on switch"].met is None
    assert rows["memory growth at 10 posts/s"].met is None
    assert "not measured" in report.table(results)


def test_scenarios_are_picked_by_name_and_run_in_their_order() -> None:
    assert runner.parse_scenarios(None) == runner.SCENARIOS
    assert runner.parse_scenarios("switching, hub") == ("hub", "switching")
    with pytest.raises(WallError, match="no scenario warp"):
        runner.parse_scenarios("hub,warp")


def test_the_nodes_scenario_is_skipped_saying_why_without_mosquitto(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nodes, "mosquitto", lambda: None)
    settings = load_settings()
    skipped = nodes.measure(open_layout(settings, "hub"), "crisis", tmp_path, 1.0, 1)
    assert skipped == {"skipped": "Mosquitto is not installed (Debian package mosquitto)"}
    results = {
        "layout": "hub.json",
        "screens": 6,
        "canvas": [5772, 2166],
        "machine": {"cpus": 2},
        "scenarios": {"nodes": skipped},
    }
    row = next(t for t in report.targets(results) if t.name.startswith("nodes"))
    assert (row.measured, row.met) == ("skipped: Mosquitto is not installed (Debian package mosquitto)", None)
    assert runner.parse_scenarios("nodes") == ("nodes",)


def test_the_command_runs_offscreen_and_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    command = ["bench", "--seconds", "1", "--switches", "2", "--ramp", "2000", "--soak", "2"]
    command += ["--json", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "wallapp", *command],
        capture_output=True,
        text=True,
        timeout=180,
        env=dict(os.environ),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "frame cost" in done.stdout
    results = json.loads(out.read_text())
    assert (results["canvas"], results["screen"]) == ([5772, 2166], [1920, 1080])
    assert results["screens"] == 6
    scenarios = results["scenarios"]
    every = {"hub", "soak", "firehose", "ingest", "lobby", "switching", "startup", "crossfade", "control"}
    every |= {"editor"}
    assert set(scenarios) >= every
    breakdown = scenarios["soak"]["breakdown"]
    assert breakdown[-1]["rss_mb"] > 0
    assert breakdown[-1]["python_objects"] > 0
    assert scenarios["soak"]["repaints_per_s"] > 0
    assert set(scenarios["hub"]) >= {"cost_ms", "work_ms", "latency_ms", "full_repaint", "memory"}
    assert scenarios["hub"]["cost_ms"]["count"] > 0
    assert scenarios["switching"]["switches"] == 2
    assert scenarios["startup"]["median_s"] > 0
    assert (scenarios["crossfade"]["fades"], scenarios["crossfade"]["cost_ms"]["count"] > 0) == (2, True)
    assert scenarios["control"]["round_trip_ms"]["count"] == 200
    assert scenarios["editor"]["frame_ms"]["count"] == 240  # one frame per pointer move of the drag
    assert len(scenarios["editor"]["open"]["runs_s"]) == 3
    several = scenarios["nodes"]  # three wallapp processes sharing a wall over Mosquitto, or why not
    if nodes.mosquitto() is None:
        assert several["skipped"].startswith("Mosquitto is not installed")
    else:
        assert several["switch_skew_frames"]["count"] == 2
        assert several["switch_ahead_ms"]["p50"] >= 299.9  # never less ahead than on an idle wall
        assert several["ticker_skew_frames"]["count"] > 0
        assert several["broker_messages_per_s"] > 0
        assert 0 < several["failover_s"]["leader_s"] <= several["failover_s"]["live_s"]
    assert {t["name"] for t in results["targets"]} >= {
        "hub frame cost p95",
        "start-up",
        "switch p95",
        "cross-fade frame cost p95",
        "control status round trip p95",
        "editor: drag frame p95",
        "editor: opening the layout",
    }


def test_the_wall_to_measure_is_the_installed_one_4k_panels_or_a_settings_files_wall(tmp_path: Path) -> None:
    installed = WallSpec()
    assert bench_wall(installed, None) is installed
    fourk = Wall(bench_wall(installed, "4K"))
    assert (fourk.columns, fourk.rows, fourk.screen_size) == (3, 2, (3840, 2160))
    assert (round(fourk.canvas.width), round(fourk.canvas.height)) == (11542, 4331)
    assert Wall(bench_wall(bench_wall(installed, "4k"), "1080p")).screen_size == (1920, 1080)
    settings = tmp_path / "wall.toml"
    settings.write_text(
        'layout = "hub"\n[wall]\ncolumns = 2\nrows = 1\nscreen = {width_px = 1280, height_px = 720}\n'
    )
    assert Wall(bench_wall(installed, str(settings))).screen_size == (1280, 720)
    settings.write_text("[wall]\ncolumns = 0\n")
    with pytest.raises(WallError, match=r"wall.toml: \[wall\]: .*columns"):
        bench_wall(installed, str(settings))
    settings.write_text('layout = "hub"\n')
    with pytest.raises(WallError, match=r"wall.toml: no \[wall\] table"):
        bench_wall(installed, str(settings))
    with pytest.raises(WallError, match="--wall 8k: neither 1080p nor 4k nor a settings file"):
        bench_wall(installed, "8k")


def test_the_command_measures_the_wall_it_is_given(tmp_path: Path) -> None:
    settings = tmp_path / "small.toml"
    settings.write_text("[wall]\nscreen = {width_px = 480, height_px = 270, gap_px = [0, 0]}\n")
    out = tmp_path / "bench.json"
    command = ["bench", "--wall", str(settings), "--only", "hub", "--seconds", "0.3", "--json", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "wallapp", *command],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "on 6 screens of 480x270, canvas 1440x540" in done.stdout
    results = json.loads(out.read_text())
    assert (results["canvas"], results["screen"]) == ([1440, 540], [480, 270])
    assert results["scenarios"]["hub"]["full_repaint"]["cost_ms"]["count"] > 0
    bad = subprocess.run(
        [sys.executable, "-m", "wallapp", "bench", "--wall", "8k"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (bad.returncode, bad.stderr.strip()) == (
        1,
        "wallapp: --wall 8k: neither 1080p nor 4k nor a settings file",
    )
