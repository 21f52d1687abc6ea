"""Files the wall keeps between runs, written so that a crash or a power cut never leaves a broken one.

Everything the wall writes for itself (a source's last good data, a fetched picture, state it keeps)
goes through ``write_atomically``: the new content is written to a temporary file in the same folder,
flushed and synced to disk, then renamed over the old file, and the folder is synced so the rename
itself survives a power cut. A reader sees the old file or the new one, whole, never an empty or half
written one. A process killed part way leaves at most a temporary file behind, which ``sweep`` removes.

A file that cannot be read anyway (a disk fault, a copy from elsewhere) is ``set_aside``: renamed out of
the way, kept for a person to look at, so the wall starts without it rather than failing on it again.

``Episode`` keeps a failing disk (full, read-only, gone) to one log line while it lasts, and one when it
works again, however many writes fail in between.

``Writer`` does the writing on a thread of its own, so that the GUI thread never waits for the disk: a
sync takes milliseconds on a quiet disk and far more on a busy or failing one, and the wall writes a
source's data every few seconds and several sources' at each layout switch.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from pathlib import Path

TEMP_SUFFIX = ".tmp"
"""The ending of a temporary file on its way to becoming ``.NAME``: ``.NAME.<random>.tmp``."""
ASIDE = ".corrupt-"
"""A file set aside is renamed ``NAME.corrupt-<UTC time>``."""


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``, whole or not at all, on disk before this returns.

    ``OSError`` (a full disk, a read-only folder) leaves the previous file as it was and no temporary one.
    """
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        with open(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    sync_folder(folder)


def sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders cannot be opened, as on Windows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:  # some file systems cannot sync a folder: the rename is as durable as they allow
        pass
    finally:
        os.close(descriptor)


def sweep(folder: Path, name: str = "*") -> int:
    """Remove the temporary files a killed process left in ``folder`` (those on their way to ``name``);
    how many there were."""
    removed = 0
    with contextlib.suppress(OSError):
        for leftover in folder.glob(f".{name}.*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                leftover.unlink()
                removed += 1
    return removed


def set_aside(path: Path, now: float | None = None) -> Path | None:
    """Rename an unreadable ``path`` to ``NAME.corrupt-<UTC time>`` beside it, replacing an older one set
    aside for the same file (one is enough to look at, and a recurring fault must not fill the disk);
    the new name, or None if it could not be renamed (then it is removed, if it can be)."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now is None else now))
    aside = path.with_name(f"{path.name}{ASIDE}{stamp}")
    with contextlib.suppress(OSError):
        for older in path.parent.glob(f"{path.name}{ASIDE}*"):
            older.unlink()
    try:
        os.replace(path, aside)
    except OSError:
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    return aside


class Episode:
    """One log line when writing starts failing, one when it works again; silence in between."""

    def __init__(self, log: logging.Logger, what: str) -> None:
        """``what``: what is written, for the log lines ("store 'posts': its last good data")."""
        self.log = log
        self.what = what
        self.failing = False

    def failed(self, exc: OSError, where: Path, then: str) -> None:
        """A write failed; ``then``: what the wall does about it ("kept in memory until it can be")."""
        if not self.failing:
            self.failing = True
            self.log.warning(
                "%s cannot be written to %s: %s; %s", self.what, where, exc.strerror or exc, then
            )

    def succeeded(self, where: Path) -> None:
        if self.failing:
            self.failing = False
            self.log.info("%s can be written to %s again", self.what, where)


class Writer:
    """Writes files whole (``write_atomically``) on a thread of its own, one after the other in the order
    asked: the last asked for a path is what it holds. The content is made there too (``make``: encoding
    500 posts takes a few milliseconds)."""

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wallapp-writer")
        self._latest: dict[Path, Future[None]] = {}

    def write(self, path: Path, make: Callable[[], bytes], done: Callable[[OSError | None], None]) -> None:
        """Write ``make()`` to ``path``; ``done`` is told how it went, on the writer's thread."""

        def job() -> None:
            try:
                write_atomically(path, make())
            except OSError as exc:
                done(exc)
            else:
                done(None)

        self._latest[path] = self._thread.submit(job)

    def wait(self, path: Path) -> None:
        """Return once what was asked for ``path`` is written (before it is read, or its folder swept)."""
        if (future := self._latest.get(path)) is not None:
            wait_for([future])

    def drain(self) -> None:
        """Return once everything asked so far is written."""
        wait_for(list(self._latest.values()))
        self._latest.clear()
