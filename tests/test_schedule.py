"""Schedules as pure functions of the time: midnight, weeks, both daylight-saving changes, overlaps."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import tzlocal

from wallapp.core.config.schedule import (
    SCHEMA_FILE,
    Entry,
    Schedule,
    load_schedule,
    on_air,
    schedule_json_schema,
)
from wallapp.core.config.settings import load_settings
from wallapp.errors import ScheduleError

SETTINGS = load_settings()
ROOT = Path(__file__).resolve().parents[1]
PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]

LOBBY: dict[str, Any] = {
    "name": "Lobby",
    "timezone": "Europe/Paris",
    "windows": [
        {"days": WEEKDAYS, "start": "08:00", "end": "19:00", "show": "lobby"},
        {"start": "19:00", "end": "23:00", "layout": "night"},
        {"start": "23:00", "end": "06:00", "off": True},
        {"dates": ["2026-12-03"], "start": "07:00", "end": "22:00", "show": "launch", "priority": 10},
    ],
    "otherwise": {"layout": "night"},
}


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=PARIS)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def at(instant: datetime, schedule: dict[str, Any] = LOBBY) -> Entry:
    return on_air(Schedule.model_validate(schedule), instant)


def test_a_weekday_runs_through_its_windows() -> None:  # Wednesday 2 December 2026
    assert at(paris(2026, 12, 2, 10)) == Entry("show", "lobby", 0, paris(2026, 12, 2, 19))
    assert at(paris(2026, 12, 2, 18, 59, 59)).name == "lobby"
    assert at(paris(2026, 12, 2, 19)) == Entry("layout", "night", 1, paris(2026, 12, 2, 23))
    assert at(paris(2026, 12, 2, 23, 30)) == Entry("off", None, 2, paris(2026, 12, 3, 6))


def test_an_overnight_window_crosses_midnight() -> None:
    assert at(paris(2026, 12, 2, 23, 59, 59)).kind == "off"
    assert at(paris(2026, 12, 3, 0, 0)) == Entry("off", None, 2, paris(2026, 12, 3, 6))
    assert at(paris(2026, 12, 3, 5, 59)).kind == "off"
    assert at(paris(2026, 12, 3, 6)) == Entry("layout", "night", None, paris(2026, 12, 3, 7))


def test_a_dated_window_with_priority_wins_over_the_weekly_ones() -> None:  # the launch day
    assert at(paris(2026, 12, 3, 7)) == Entry("show", "launch", 3, paris(2026, 12, 3, 22))
    assert at(paris(2026, 12, 3, 20)).name == "launch"  # over "night" too
    assert at(paris(2026, 12, 3, 22)) == Entry("layout", "night", 1, paris(2026, 12, 3, 23))
    assert at(paris(2026, 12, 10, 10)).name == "lobby"  # a week later: an ordinary Thursday


def test_the_next_change_skips_windows_that_show_the_same() -> None:
    friday_evening = at(paris(2026, 12, 4, 19))
    assert friday_evening.until == paris(2026, 12, 4, 23)
    saturday = at(paris(2026, 12, 5, 10))
    assert saturday == Entry("layout", "night", None, paris(2026, 12, 5, 23))  # 19:00 is "night" again


def test_the_week_boundary() -> None:
    assert at(paris(2026, 12, 6, 23, 30)) == Entry("off", None, 2, paris(2026, 12, 7, 6))  # Sunday night
    assert at(paris(2026, 12, 7, 6)) == Entry("layout", "night", None, paris(2026, 12, 7, 8))  # Monday
    assert at(paris(2026, 12, 7, 8)).name == "lobby"


def test_a_date_far_ahead_is_still_the_next_change() -> None:
    schedule = {**LOBBY, "windows": [LOBBY["windows"][3]], "otherwise": {"off": True}}
    assert at(paris(2026, 6, 1, 12), schedule) == Entry("off", None, None, paris(2026, 12, 3, 7))
    assert at(paris(2026, 12, 4, 12), schedule) == Entry("off", None, None, None)  # never again


def test_spring_forward_the_night_is_an_hour_shorter() -> None:  # Paris, Sunday 29 March 2026
    off = at(paris(2026, 3, 28, 23, 30))
    assert off.until == utc(2026, 3, 29, 4)  # 06:00 CEST: 5 h 30 after, not 6 h 30
    assert off.until is not None
    assert off.until - utc(2026, 3, 28, 22, 30) == timedelta(hours=5, minutes=30)
    assert at(utc(2026, 3, 29, 1, 30)).kind == "off"  # 03:30 CEST, just after the change


def test_spring_forward_a_time_that_does_not_exist_starts_later_by_the_gap() -> None:
    schedule = {
        "name": "Gap",
        "timezone": "Europe/Paris",
        "windows": [{"dates": ["2026-03-29"], "start": "02:30", "end": "04:00", "layout": "hub"}],
        "otherwise": {"off": True},
    }
    assert at(utc(2026, 3, 29, 0, 59), schedule).until == utc(2026, 3, 29, 1, 30)  # 03:30 CEST
    assert at(utc(2026, 3, 29, 1, 15), schedule).kind == "off"  # 03:15 CEST
    assert at(utc(2026, 3, 29, 1, 30), schedule) == Entry("layout", "hub", 0, utc(2026, 3, 29, 2))


def test_fall_back_the_night_is_an_hour_longer() -> None:  # Paris, Sunday 25 October 2026
    off = at(paris(2026, 10, 24, 23, 30))
    assert off.until == utc(2026, 10, 25, 5)  # 06:00 CET
    assert off.until is not None
    assert off.until - utc(2026, 10, 24, 21, 30) == timedelta(hours=7, minutes=30)
    assert at(utc(2026, 10, 25, 1, 30)).kind == "off"  # 02:30 CET, the second time the clock reads it


def test_fall_back_a_time_that_happens_twice_is_its_first() -> None:
    schedule = {
        "name": "Twice",
        "timezone": "Europe/Paris",
        "windows": [{"dates": ["2026-10-25"], "start": "01:00", "end": "02:30", "layout": "hub"}],
        "otherwise": {"off": True},
    }
    assert at(utc(2026, 10, 24, 23, 30), schedule) == Entry("layout", "hub", 0, utc(2026, 10, 25, 0, 30))
    assert at(utc(2026, 10, 25, 0, 45), schedule).kind == "off"  # 02:45 CEST
    assert at(utc(2026, 10, 25, 1, 15), schedule).kind == "off"  # 02:15 CET: not on again


def test_equal_priorities_go_to_the_window_listed_first() -> None:
    schedule = {
        "name": "Ties",
        "timezone": "Europe/Paris",
        "windows": [
            {"start": "09:00", "end": "12:00", "layout": "hub"},
            {"start": "10:00", "end": "11:00", "layout": "crisis"},
            {"start": "10:30", "end": "10:45", "layout": "launch", "priority": 1},
        ],
        "otherwise": {"off": True},
    }
    assert at(paris(2026, 12, 2, 10, 15), schedule) == Entry("layout", "hub", 0, paris(2026, 12, 2, 10, 30))
    assert at(paris(2026, 12, 2, 10, 30), schedule).name == "launch"
    assert at(paris(2026, 12, 2, 10, 45), schedule).name == "hub"


def test_a_whole_day_window_and_the_instants_zone_does_not_matter() -> None:
    schedule = {
        "name": "All day",
        "timezone": "Europe/Paris",
        "windows": [{"days": ["sun"], "layout": "hub"}],
        "otherwise": {"off": True},
    }
    sunday = at(datetime(2026, 12, 6, 8, tzinfo=ZoneInfo("America/New_York")), schedule)  # 14:00 in Paris
    assert sunday == Entry("layout", "hub", 0, paris(2026, 12, 7, 0))
    assert at(paris(2026, 12, 5, 23, 59), schedule).until == paris(2026, 12, 6, 0)


def test_no_time_zone_means_the_systems(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tzlocal, "get_localzone", lambda: ZoneInfo("Asia/Tokyo"))
    schedule = Schedule.model_validate({**LOBBY, "timezone": None})
    assert on_air(schedule, utc(2026, 12, 2, 1)).name == "lobby"  # 10:00 in Tokyo


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ScheduleError) as caught:
        load_schedule(path, SETTINGS.shows(), SETTINGS.layouts())
    assert caught.value.source == str(path)
    return [str(p) for p in caught.value.problems]


def test_every_problem_is_at_its_json_path(write_json: Any) -> None:
    path = write_json(
        "bad.json",
        {
            "name": "Bad",
            "timezone": "Europe/Lutetia",
            "windows": [
                {"start": "25:00", "layout": "hub"},
                {"show": "lobby", "layout": "hub"},
                {"days": ["monday"], "layout": "hub", "priority": 1.5},
            ],
        },
    )
    assert problems_of(path) == [
        "timezone: unknown time zone 'Europe/Lutetia'",
        "windows[0].start: Input should be in a valid time format, "
        "hour value is outside expected range of 0-23",
        'windows[1]: give exactly one of "show", "layout" or "off": true',
        "windows[2].days[0]: Input should be 'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun'",
        "windows[2].priority: Input should be a valid integer, got a number with a fractional part",
        "otherwise: required but missing",
    ]


def test_a_schedule_in_a_newer_format_asks_for_a_newer_wallapp(write_json: Any) -> None:
    path = write_json("new.json", {**LOBBY, "version": 3})
    assert problems_of(path) == [
        "version: format 3 is newer than this version of wallapp reads (1): update wallapp"
    ]


def test_shows_and_layouts_it_names_must_exist(write_json: Any) -> None:
    write_json("mine.json", {"name": "Mine", "widgets": []})
    path = write_json(
        "names.json",
        {
            "name": "Names",
            "windows": [{"show": "nowhere"}, {"layout": "mine.json"}, {"layout": "gone"}],
            "otherwise": {"off": True},
        },
    )
    shows = ", ".join(SETTINGS.shows().names())
    layouts = ", ".join(SETTINGS.layouts().names())
    assert problems_of(path) == [
        f"windows[0].show: unknown show 'nowhere' (known: {shows})",
        f"windows[2].layout: unknown layout 'gone' (known: {layouts})",
    ]


def test_the_shipped_schedules_validate_and_the_schema_is_the_models() -> None:
    schedules = SETTINGS.schedules()
    assert "lobby" in schedules.names()
    lobby = load_schedule(schedules.path("lobby"), SETTINGS.shows(), SETTINGS.layouts())
    assert {at.kind for at in (on_air(lobby, paris(2026, 12, 2, h)) for h in (3, 10, 21))} == {
        "off",
        "show",
        "layout",
    }
    folder = ROOT / "schedules"
    assert json.loads((folder / SCHEMA_FILE).read_text()) == schedule_json_schema()
    for path in folder.glob("*.json"):
        if path.name != SCHEMA_FILE:
            assert json.loads(path.read_text())["$schema"] == SCHEMA_FILE
