"""Following a schedule as pure decisions: what to put on at each check, an operator's override, clock
jumps."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from wallapp.core.config.follow import Following, by_hand, check, describe, failed, retry, status
from wallapp.core.config.schedule import Entry, Schedule

PARIS = ZoneInfo("Europe/Paris")
SCHEDULE = Schedule.model_validate(
    {
        "name": "Lobby",
        "timezone": "Europe/Paris",
        "windows": [
            {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "19:00", "show": "lobby"},
            {"start": "19:00", "end": "21:00", "show": "lobby"},
            {"start": "22:00", "end": "07:00", "off": True},
        ],
        "otherwise": {"layout": "night"},
    }
)


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=PARIS)  # 2 December 2026 is a Wednesday


def run(times: list[datetime], following: Following | None = None) -> tuple[Following, list[str | None]]:
    """Check at each of ``times``; what was put on each time (kind and name), None when nothing."""
    put: list[str | None] = []
    following = following or Following()
    for instant in times:
        following, entry = check(SCHEDULE, following, instant)
        put.append(None if entry is None else f"{entry.kind} {entry.name}")
    return following, put


def test_what_is_scheduled_is_put_on_once_and_again_at_each_change() -> None:
    _, put = run([paris(2, 10), paris(2, 10, 1), paris(2, 18, 59), paris(2, 21), paris(2, 22), paris(3, 7)])
    assert put == ["show lobby", None, None, "layout night", "off None", "layout night"]


def test_back_to_back_windows_with_the_same_show_do_not_start_it_again() -> None:
    following, put = run([paris(2, 18, 59), paris(2, 19), paris(2, 20, 59)])
    assert put == ["show lobby", None, None]
    assert following.put == Entry("show", "lobby", 1, paris(2, 21))  # the window in force is kept current


def test_a_check_after_a_long_gap_puts_on_what_is_scheduled_now() -> None:
    """Suspended overnight, or the clock set forward: the next check is right, whatever was missed."""
    _, put = run([paris(2, 10), paris(3, 23), paris(3, 10)])  # forward a day and a half, then back
    assert put == ["show lobby", "off None", "show lobby"]


def test_the_operator_keeps_the_wall_until_the_next_edge() -> None:
    following, put = run([paris(2, 10)])
    following = by_hand(SCHEDULE, paris(2, 11))
    assert following.by_hand == Entry("show", "lobby", 0, paris(2, 21))  # the schedule's lobby runs to 21:00
    following, put = run([paris(2, 12), paris(2, 19), paris(2, 20, 59)], following)
    assert put == [None, None, None]  # 19:00 goes on with the same show: not an edge of what is shown
    following, put = run([paris(2, 21)], following)
    assert (put, following.by_hand) == (["layout night"], None)
    _, put = run([paris(2, 21, 30)], following)
    assert put == [None]


def test_an_override_ends_when_the_clock_jumps_out_of_its_window() -> None:
    following = by_hand(SCHEDULE, paris(2, 11))
    _, put = run([paris(1, 11)], following)  # the clock set back a day: another span of the window
    assert put == ["show lobby"]


def test_an_override_in_an_off_window_lasts_until_morning() -> None:
    following = by_hand(SCHEDULE, paris(2, 23))
    following, put = run([paris(3, 6, 59), paris(3, 7)], following)
    assert put == [None, "layout night"]


def test_what_cannot_be_shown_is_not_tried_again_until_the_schedule_changes() -> None:
    following, put = run([paris(2, 10)])
    following = failed(following)
    following, put = run([paris(2, 10, 1), paris(2, 10, 2)], following)
    assert (put, following.failed) == ([None, None], True)
    following, put = run([paris(2, 10, 3)], retry(following))  # the schedule file was edited
    assert (put, following.failed) == (["show lobby"], False)
    assert retry(following) == following  # shown: an edit does not start the show again


def test_status_names_the_window_in_force_and_the_override() -> None:
    following, _ = run([paris(2, 10)])
    assert status("lobby", SCHEDULE, following, paris(2, 10)) == {
        "name": "lobby",
        "title": "Lobby",
        "window": 0,
        "kind": "show",
        "showing": "lobby",
        "until": paris(2, 21).isoformat(),
        "overridden": False,
        "failed": False,
    }
    state: dict[str, Any] = status("lobby", SCHEDULE, by_hand(SCHEDULE, paris(2, 23)), paris(2, 23))
    assert (state["window"], state["kind"], state["showing"], state["overridden"]) == (2, "off", None, True)


def test_entries_are_described_on_the_schedules_clock() -> None:
    entry, _ = check(SCHEDULE, Following(), paris(2, 23) + timedelta(hours=1))
    assert entry.put is not None
    assert describe(entry.put, SCHEDULE) == "windows[2] (screens off) until 2026-12-03 07:00"
    assert describe(Entry("layout", "night", None, None), SCHEDULE) == "otherwise (layout night)"
