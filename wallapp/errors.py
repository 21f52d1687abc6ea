"""The one error tree of wallapp.

Every failure a user can meet is a ``WallError``; third-party exceptions are translated into it where
they happen, carrying what the user needs to act: which file, which JSON path, which source, why.

    WallError
    ├── ConfigError         installation settings (wallapp.toml, WALLAPP_* variables)
    ├── DocumentError       a JSON document: missing, unreadable, not JSON, or invalid
    │   ├── LayoutError     ... a layout
    │   ├── ThemeError      ... a theme
    │   ├── ShowError       ... a show (scenes played in turn)
    │   └── ScheduleError   ... a schedule (what the wall shows when)
    ├── DisplayError        no display, or the display cannot host the wall
    ├── ControlError        the control API of a running wall (``wallapp ctl``)
    ├── ChangedOnDisk       a file the editor opened changed on disk before it was saved
    └── SourceError         a data source (connection, payload, mapping)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


class WallError(Exception):
    """Base of every error wallapp reports to its user."""


class ConfigError(WallError):
    """The installation settings are invalid."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a document, at a JSON path such as ``widgets[2].place.screen``."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class DocumentError(WallError):
    """A JSON document (layout, theme) could not be used. Lists every problem found."""

    kind = "document"

    def __init__(self, source: Path | str, problems: Iterable[Problem]) -> None:
        self.source = str(source)
        self.problems = tuple(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        if len(self.problems) == 1:
            return f"{self.source}: {self.problems[0]}"
        lines = [f"{self.source}: {len(self.problems)} problems in this {self.kind}"]
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)


class LayoutError(DocumentError):
    """A layout is missing, not JSON, or invalid."""

    kind = "layout"


class ThemeError(DocumentError):
    """A theme is unknown, missing, not JSON, or invalid."""

    kind = "theme"


class ShowError(DocumentError):
    """A show is unknown, missing, not JSON, or invalid (or one of its scenes is)."""

    kind = "show"


class ScheduleError(DocumentError):
    """A schedule is unknown, missing, not JSON, or invalid."""

    kind = "schedule"


class DisplayError(WallError):
    """There is no display, or it cannot host the wall."""


class ControlError(WallError):
    """A running wall could not be reached through its control API, or refused the call."""


class SourceError(WallError):
    """A data source failed: names the source and the cause, never a secret.

    ``wait_at_least``: seconds the source itself asks to be left alone (a server's ``Retry-After``, an
    event stream's retry delay); the next attempt waits at least that long. ``detail``: the server's own
    words about the failure (the body of an HTTP 4xx), for the log, not the wall.
    """

    def __init__(
        self, source: str, cause: str, *, wait_at_least: float | None = None, detail: str | None = None
    ) -> None:
        self.source = source
        self.cause = cause
        self.wait_at_least = wait_at_least
        self.detail = detail
        super().__init__(f"source {source!r}: {cause}")


class ChangedOnDisk(WallError):
    """A file changed on disk since the editor opened it: saving now would lose what changed there."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        super().__init__(f"{path}: changed on disk since it was opened (reload it, overwrite it, or save as)")
