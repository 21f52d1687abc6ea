"""The audit log of the control API: who changed what the wall shows, and when.

An operator asks "who blanked the wall at 3 pm?": every change asked of the API (a switch, an alert, a
blank...) is one JSON line in the installation's state folder, kept across restarts, with the kind of
token that asked (operator, or a watcher refused) and the peer's address. ``wallapp ctl log`` and the
console read it back. A log that cannot be written is said once in the wall's log; the wall goes on.
"""

from __future__ import annotations

import json
import logging
import os
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from wallapp.core.config.settings import Settings
from wallapp.core.timing import Now

log = logging.getLogger("wallapp.control")

KEEP = 200
"""How many of the latest entries are read back at most."""


@dataclass(frozen=True)
class Entry:
    """One change asked of the wall: ``result`` is "ok" or why it was not done."""

    at: str
    who: str
    what: str
    result: str


class AuditLog:
    """Appends entries to ``path`` (JSON lines), tells ``listeners`` of each."""

    def __init__(self, path: Path, now: Now) -> None:
        self.path, self.now = path, now
        self.listeners: list[Callable[[Entry], None]] = []
        self._failed = False

    def record(self, who: str, what: str, result: str = "ok") -> Entry:
        entry = Entry(self.now().isoformat(timespec="seconds"), who, what, result)
        try:
            self._append(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
            self._failed = False
        except OSError as exc:
            if not self._failed:
                self._failed = True
                log.error("audit log %s: cannot write (%s): changes are not recorded", self.path, exc)
        for listener in self.listeners:
            listener(entry)
        return entry

    def _append(self, line: str) -> None:
        """One line at the end, on disk before this returns. A line a crash cut short is ended first, so it
        costs only itself (skipped when read), not the entry written after it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a+b") as file:
            if file.tell() > 0:
                file.seek(-1, os.SEEK_END)
                if file.read(1) != b"\n":
                    line = "\n" + line
            file.write(line.encode())
            file.flush()
            os.fsync(file.fileno())

    def latest(self, count: int = 50) -> list[Entry]:
        """The ``count`` latest entries, oldest first; a line that is not an entry is skipped."""
        try:
            with self.path.open(encoding="utf-8") as file:
                lines = deque(file, maxlen=max(1, min(count, KEEP)))
        except OSError:
            return []
        entries = []
        for line in lines:
            try:
                fields: Any = json.loads(line)
                entries.append(Entry(**{key: str(fields[key]) for key in ("at", "who", "what", "result")}))
            except (ValueError, TypeError, KeyError):
                continue
        return entries


def audit_path(settings: Settings) -> Path:
    """The installation's audit log (the wall writes it, ``wallapp ctl log`` reads it over the API)."""
    return settings.state_dir / "audit.jsonl"
