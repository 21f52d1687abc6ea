"""Schedules: what a kiosk wall shows when, as a pure function of the schedule and the time.

A schedule is a file of its own (``schedules/NAME.json``, found by name like layouts), not a part of a show:
it names shows *and* layouts and turns the screens off, a show is played by hand as well (a demo), and a
schedule belongs to one installation while shows and layouts travel between walls.

Windows are read on the wall clock of the schedule's time zone: on the days a window applies, from
``start`` to ``end`` (an ``end`` at or before ``start`` runs past midnight into the next day; equal ones
cover the whole day). Where windows overlap, the highest ``priority`` wins, then the one listed first; where
none applies, ``otherwise``. A wall-clock time that does not exist on the spring-forward day is moved later
by the gap (02:30 is 03:30), one that happens twice in autumn is its first occurrence (as ``java.time``).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any, Literal, Self

import tzlocal
from pydantic import ConfigDict, Field, model_validator

from wallapp.core.config.catalog import Catalog
from wallapp.core.config.jsondoc import document_schema, read_json, validate_document
from wallapp.core.config.migrations import Step, migrate
from wallapp.core.config.zones import ZoneName
from wallapp.core.strict import Strict
from wallapp.errors import Problem, ScheduleError

SCHEMA_FILE = "schedule.schema.json"
CURRENT = 1
"""The schedule format this version of wallapp reads."""
STEPS: dict[int, Step] = {}
"""Migrations from older formats, as for layouts (``migrations``)."""

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEK = timedelta(days=7)


class Showing(Strict):
    """What the wall shows: exactly one of a show, a layout, or the screens off."""

    show: str | None = Field(None, min_length=1, description="A show name (shows/NAME.json) or path.")
    layout: str | None = Field(None, min_length=1, description="A layout name (layouts/NAME.json) or path.")
    off: Literal[True] | None = Field(None, description="true: the screens are off (asleep where they can).")

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [name for name in ("show", "layout", "off") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError('give exactly one of "show", "layout" or "off": true')
        return self


class Window(Showing):
    """What the wall shows at a time of day, on some weekdays and/or dates."""

    days: list[Weekday] | None = Field(
        None, description='Weekdays it applies on ("mon".."sun"); with neither days nor dates, every day.'
    )
    dates: list[date] | None = Field(None, description='Dates it applies on, e.g. a launch day "2026-12-03".')
    start: time = Field(time(0), description='Wall-clock time it starts, "HH:MM".')
    end: time = Field(
        time(0), description="Time it ends; at or before start: the next day (equal: the whole day)."
    )
    priority: int = Field(0, description="Where windows overlap, the highest wins (then the first listed).")

    def applies_on(self, day: date) -> bool:
        if self.days is None and self.dates is None:
            return True
        return WEEKDAYS[day.weekday()] in (self.days or ()) or day in (self.dates or ())

    def span(self, day: date, zone: tzinfo) -> tuple[datetime, datetime]:
        """The instants (UTC) it starts and ends when it starts on ``day`` (whether or not it applies)."""
        ends_on = day if self.end > self.start else day + timedelta(days=1)
        start, end = datetime.combine(day, self.start, zone), datetime.combine(ends_on, self.end, zone)
        return start.astimezone(UTC), end.astimezone(UTC)  # compared as instants, whatever the clock says


class Schedule(Strict):
    model_config = ConfigDict(populate_by_name=True)

    schema_: str | None = Field(None, alias="$schema", description="The schedule JSON Schema, for editors.")
    version: int = Field(CURRENT, ge=1, le=CURRENT, description="The schedule format it is written in.")
    name: str = Field(min_length=1)
    description: str = ""
    timezone: ZoneName | None = Field(
        None, description="IANA zone (Europe/Paris); the machine's zone if absent."
    )
    windows: list[Window] = Field(default_factory=list, max_length=200)
    otherwise: Showing = Field(description="What the wall shows when no window applies.")

    def zone(self) -> tzinfo:
        if self.timezone is not None:
            return zoneinfo.ZoneInfo(self.timezone)
        return tzlocal.get_localzone()  # the system's zone by name, so its daylight-saving rules apply


def schedule_json_schema() -> dict[str, Any]:
    return document_schema(Schedule, SCHEMA_FILE, "wallapp schedule")


@dataclass(frozen=True)
class Entry:
    """What the wall shows at an instant, from which window, and until when."""

    kind: Literal["show", "layout", "off"]
    name: str | None
    """The show or layout (None when off)."""
    window: int | None
    """Index of the window in force (None: ``otherwise``)."""
    until: datetime | None
    """When what is shown next changes (None: never, as the schedule stands)."""

    def same_showing(self, other: Entry) -> bool:
        return (self.kind, self.name) == (other.kind, other.name)


def _showing(showing: Showing) -> tuple[Literal["show", "layout", "off"], str | None]:
    if showing.show is not None:
        return "show", showing.show
    if showing.layout is not None:
        return "layout", showing.layout
    return "off", None


def _winner(schedule: Schedule, instant: datetime, zone: tzinfo) -> int | None:
    today = instant.astimezone(zone).date()
    best: int | None = None
    for index, window in enumerate(schedule.windows):
        for day in (today - timedelta(days=1), today):
            start, end = window.span(day, zone)
            if window.applies_on(day) and start <= instant < end:
                if best is None or window.priority > schedule.windows[best].priority:
                    best = index
                break
    return best


def _edges(schedule: Schedule, instant: datetime, zone: tzinfo) -> list[datetime]:
    """Every instant after ``instant`` where a window starts or ends, over a week (the weekly pattern
    then repeats) and on every later date a window names."""
    today = instant.astimezone(zone).date()
    days = {today + timedelta(days=n) for n in range(-1, 9)}
    edges: set[datetime] = set()
    for window in schedule.windows:
        for day in days | {d for d in window.dates or () if d > today}:
            if window.applies_on(day):
                edges.update(edge for edge in window.span(day, zone) if edge > instant)
    return sorted(edges)


def on_air(schedule: Schedule, instant: datetime) -> Entry:
    """What the wall shows at ``instant`` (an aware datetime) and when that next changes."""
    zone = schedule.zone()
    now = _entry(schedule, instant, zone)
    for edge in _edges(schedule, instant, zone):
        later = _entry(schedule, edge, zone)
        if not later.same_showing(now):
            return Entry(now.kind, now.name, now.window, edge)
    return now


def _entry(schedule: Schedule, instant: datetime, zone: tzinfo) -> Entry:
    index = _winner(schedule, instant, zone)
    showing = schedule.otherwise if index is None else schedule.windows[index]
    kind, name = _showing(showing)
    return Entry(kind, name, index, None)


def schedule_problems(schedule: Schedule, folder: Path, shows: Catalog, layouts: Catalog) -> list[Problem]:
    """The shows and layouts a structurally valid schedule names that cannot be found."""
    problems = []
    named: list[tuple[str, Showing]] = [("otherwise", schedule.otherwise)]
    named += [(f"windows[{index}]", window) for index, window in enumerate(schedule.windows)]
    for where, showing in named:
        kind, name = _showing(showing)
        catalog = shows if kind == "show" else layouts
        if name is not None and not catalog.has(name, folder):
            problems.append(
                Problem(f"{where}.{kind}", f"unknown {kind} {name!r} (known: {', '.join(catalog.names())})")
            )
    return problems


def load_schedule(path: Path, shows: Catalog, layouts: Catalog) -> Schedule:
    """Read and check a schedule, or raise ``ScheduleError`` listing every problem."""
    data = migrate(read_json(path, ScheduleError), path, ScheduleError, CURRENT, STEPS)
    schedule = validate_document(Schedule, data, path, ScheduleError)
    if problems := schedule_problems(schedule, path.parent, shows, layouts):
        raise ScheduleError(path, problems)
    return schedule
