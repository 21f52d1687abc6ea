"""The results as the issue states its targets: one table on the console, everything in JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Target:
    name: str
    goal: str
    measured: str
    met: bool | None
    """None: not measured."""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "target": self.goal, "measured": self.measured, "met": self.met}


def _dig(results: dict[str, Any], *path: str) -> Any:
    value: Any = results
    for key in path:
        if not isinstance(value, dict) or value.get(key) is None:
            return None
        value = value[key]
    return value


def _below(value: Any, limit: float, unit: str, digits: int = 1) -> tuple[str, bool | None]:
    if value is None:
        return "not measured", None
    return f"{value:.{digits}f} {unit}", value < limit


def targets(results: dict[str, Any]) -> list[Target]:
    s = results["scenarios"]
    rows: list[Target] = []

    def add(name: str, goal: str, figure: tuple[str, bool | None]) -> None:
        rows.append(Target(name, goal, *figure))

    add("hub frame cost p95", "< 8 ms", _below(_dig(s, "hub", "cost_ms", "p95"), 8, "ms", 2))
    add(
        "full repaint, six screens, p95",
        "< 16.7 ms",
        _below(_dig(s, "hub", "full_repaint", "cost_ms", "p95"), 16.7, "ms"),
    )
    add("data-to-pixel p95", "< 50 ms", _below(_dig(s, "hub", "latency_ms", "p95"), 50, "ms"))
    highest = _dig(s, "ingest", "highest_ok_rate")
    add(
        "ingest with frame work p95 < 16.7 ms",
        ">= 2,000 posts/s",
        (f"{highest:,.0f} posts/s", highest >= 2000)
        if highest is not None
        else ("none of the rates", False)
        if "ingest" in s
        else ("not measured", None),
    )
    add("firehose work per frame p95", "< 16.7 ms", _below(_dig(s, "firehose", "work_ms", "p95"), 16.7, "ms"))
    add("switch p95", "< 300 ms", _below(_dig(s, "switching", "switch_ms", "p95"), 300, "ms"))
    blank = _dig(s, "switching", "blank_frames")
    checked = _dig(s, "switching", "frames_checked")
    add(
        "blank frames on switch",
        "none",
        (f"{blank} of {checked} checked", blank == 0) if blank is not None else ("not measured", None),
    )
    add(
        "cross-fade frame cost p95",
        "< 16.7 ms",
        _below(_dig(s, "crossfade", "cost_ms", "p95"), 16.7, "ms"),
    )
    add("cross-fade switch p95", "< 300 ms", _below(_dig(s, "crossfade", "switch_ms", "p95"), 300, "ms"))
    add(
        "control status round trip p95",
        "< 20 ms",
        _below(_dig(s, "control", "round_trip_ms", "p95"), 20, "ms"),
    )
    add("start-up", "< 3 s", _below(_dig(s, "startup", "median_s"), 3, "s", 2))
    add("editor: drag frame p95", "< 16.7 ms", _below(_dig(s, "editor", "frame_ms", "p95"), 16.7, "ms"))
    add("editor: opening the layout", "< 2 s", _below(_dig(s, "editor", "open", "median_s"), 2, "s", 2))
    several = s.get("nodes")
    if several is not None and "skipped" in several:
        add("nodes: a wall of three PCs", "measured", (f"skipped: {several['skipped']}", None))
    elif several is not None:
        add(
            "nodes: switch skew p95",
            "<= 1 frame",
            _below(_dig(several, "switch_skew_frames", "p95"), 1.0001, "frames", 2),
        )
        add(
            "nodes: ticker skew p95",
            "<= 1 frame",
            _below(_dig(several, "ticker_skew_frames", "p95"), 1.0001, "frames", 2),
        )
        add(
            "nodes: data-to-pixel on a follower p95",
            "figure",
            (f"{_dig(several, 'follower_latency_ms', 'p95'):.0f} ms", None)
            if _dig(several, "follower_latency_ms", "p95") is not None
            else ("not measured", None),
        )
        add(
            "nodes: broker messages at 10 posts/s",
            "figure",
            (f"{several['broker_messages_per_s']:.1f} /s", None),
        )
        add(
            "nodes: failover after kill -9",
            "a few seconds",
            (
                f"{several['failover_s']['leader_s']:.2f} s to lead, "
                f"{several['failover_s']['live_s']:.2f} s to live sources",
                several["failover_s"]["live_s"] < 5,
            ),
        )
    growth = _dig(s, "soak", "memory", "growth_mb_per_hour")
    rss = _dig(s, "soak", "memory")
    add(
        "memory growth at 10 posts/s",
        "< 1 MB/h",
        (
            f"{growth:+.2f} MB/h (RSS {rss['rss_start_mb']:.0f} to {rss['rss_end_mb']:.0f} MB)",
            growth < 1,
        )
        if growth is not None and rss
        else ("not measured: needs --soak 300 or more", None),
    )
    before, after = _dig(s, "switching", "before"), _dig(s, "switching", "after")
    if before and after:
        same = after["scenes"] <= before["scenes"] and after["scene_items"] <= before["scene_items"]
        grown = after["python_objects"] - before["python_objects"]
        # A cancelled timer (a handle and its context) is let go of when it was due: not a leak.
        timers = after.get("cancelled_timers", 0) - before.get("cancelled_timers", 0)
        add(
            "objects after the switches",
            "back to baseline",
            (
                f"{after['scene_items']} items, {grown:+,} objects, {timers:+,} timers due later",
                same and grown - 2 * max(0, timers) <= 0.01 * before["python_objects"],
            ),
        )
    return rows


def _fmt(summary: dict[str, Any] | None) -> str:
    if not summary:
        return "-"
    return f"{summary['p50']:.2f} / {summary['p95']:.2f} / {summary['p99']:.2f} / {summary['max']:.2f}"


def table(results: dict[str, Any]) -> str:
    s = results["scenarios"]
    lines = [
        f"wallapp bench: {results['layout']} on {results['screens']} screens"
        + (f" of {results['screen'][0]}x{results['screen'][1]}" if results.get("screen") else "")
        + ", "
        f"canvas {results['canvas'][0]}x{results['canvas'][1]}, {results['machine']['cpus']} CPUs",
        "",
        f"{'scenario':<26}{'fps':>6}  {'frame cost ms p50/p95/p99/max':<32}"
        f"{'loop work ms p50/p95/p99/max':<32}",
    ]
    rows: list[tuple[str, dict[str, Any] | None]] = [
        ("hub, 10 posts/s", s.get("hub")),
        ("full repaint (6 screens)", _dig(s, "hub", "full_repaint")),
        ("firehose, 2,000 posts/s", s.get("firehose")),
        ("lobby, 10 posts/s", s.get("lobby")),
        ("cross-fades, 10 posts/s", s.get("crossfade")),
    ]
    for step in _dig(s, "ingest", "steps") or []:
        rows.append((f"  ramp {step['rate']:,.0f} posts/s {'ok' if step['ok'] else 'over'}", step))
    for label, row in rows:
        if row is None:
            continue
        fps = f"{row['fps']:.0f}" if row.get("fps") is not None else "-"
        lines.append(f"{label:<26}{fps:>6}  {_fmt(row.get('cost_ms')):<32}{_fmt(row.get('work_ms')):<32}")
    lines += ["", f"{'target':<40}{'goal':<20}{'measured':<50}met"]
    marks: dict[bool | None, str] = {True: "yes", False: "NO", None: "-"}
    lines += [f"{t.name:<40}{t.goal:<20}{t.measured:<50}{marks[t.met]}" for t in targets(results)]
    return "\n".join(lines)


def write_json(results: dict[str, Any], path: Path) -> None:
    document = dict(results, targets=[t.as_dict() for t in targets(results)])
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def present(results: dict[str, Any], json_path: Path | None, say: Callable[[str], None] = print) -> None:
    say(table(results))
    if json_path is not None:
        write_json(results, json_path)
        say(f"\nresults written to {json_path}")
