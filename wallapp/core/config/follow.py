"""A running wall following its schedule: what to put on at each check, and when the operator has the say.

The wall asks ``check`` every second or so with the time now. Each answer compares the schedule at that
instant with what the schedule last put on the wall, so nothing waits for a far-off edge: a clock set
forward or back, or a machine woken from suspend, is right again at the next check.

- What the schedule shows is put on once, when it changes; an edge where the same show or layout goes on
  (two windows back to back) changes nothing, so a show is not started again.
- An operator who switches the wall by hand (the control API, a presenter) overrides the schedule until the
  next edge, that is until what the schedule showed at that moment ends (a window that goes on with the
  same show is no edge): then the schedule takes over again.
- A show or layout that cannot be opened is tried once; the wall keeps what it shows until the schedule
  moves on, or its file is edited (``retry``).

Pure: no Qt, no timers.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wallapp.core.config.schedule import Entry, Schedule, on_air


@dataclass(frozen=True)
class Following:
    """Where the wall stands with its schedule."""

    put: Entry | None = None
    """The entry the schedule last put on the wall, or tried to (None: nothing yet, or the operator's)."""
    failed: bool = False
    """``put`` could not be shown: the wall kept what it showed."""
    by_hand: Entry | None = None
    """The schedule's entry when the operator took over (None: the schedule is followed)."""


def check(schedule: Schedule, following: Following, instant: datetime) -> tuple[Following, Entry | None]:
    """The wall's new standing at ``instant``, and what to put on the wall now (None: nothing to do)."""
    entry = on_air(schedule, instant)
    if following.by_hand is not None:
        if entry.same_showing(following.by_hand) and entry.until == following.by_hand.until:
            return following, None  # the same span of what the schedule shows: the operator keeps the wall
        following = Following()  # an edge has passed (or the clock jumped, or the schedule changed)
    if following.put is not None and following.put.same_showing(entry):
        return dataclasses.replace(following, put=entry), None
    return Following(put=entry), entry


def by_hand(schedule: Schedule, instant: datetime) -> Following:
    """The operator switched the wall at ``instant``: the schedule waits for its next edge."""
    return Following(by_hand=on_air(schedule, instant))


def failed(following: Following) -> Following:
    """What the schedule put on could not be shown."""
    return dataclasses.replace(following, failed=True)


def retry(following: Following) -> Following:
    """The schedule was edited: an entry that could not be shown is tried again at the next check."""
    return Following() if following.failed else following


def status(name: str, schedule: Schedule, following: Following, instant: datetime) -> dict[str, Any]:
    """The schedule's part of the wall's status: the window in force and until when, and whether the
    operator has overridden it (until the next edge)."""
    entry = on_air(schedule, instant)
    return {
        "name": name,
        "title": schedule.name,
        "window": entry.window,
        "kind": entry.kind,
        "showing": entry.name,
        "until": entry.until.astimezone(schedule.zone()).isoformat() if entry.until else None,
        "overridden": following.by_hand is not None,
        "failed": following.failed,
    }


def describe(entry: Entry, schedule: Schedule) -> str:
    """An entry for the log: ``windows[0] (show lobby) until 2026-12-02 19:00``, in the schedule's zone."""
    where = "otherwise" if entry.window is None else f"windows[{entry.window}]"
    what = "screens off" if entry.kind == "off" else f"{entry.kind} {entry.name}"
    until = f" until {entry.until.astimezone(schedule.zone()):%Y-%m-%d %H:%M}" if entry.until else ""
    return f"{where} ({what}){until}"
