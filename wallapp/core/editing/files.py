"""Opening a layout's file for editing and saving it back: atomically, with one backup of what was there,
and never over a change made on disk since it was opened (another editor, a ``git pull``).

A file is known by its ``Fingerprint``; whether it changed is told by the digest of its bytes, since a
modification time alone lies (a copy keeps it, a quick second write may not move it).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wallapp.core.config.jsondoc import decoded, parse_json, unreadable
from wallapp.core.durable import write_atomically
from wallapp.errors import ChangedOnDisk, LayoutError, Problem

BACKUP_SUFFIX = ".bak"
"""What was on disk before a save is kept beside it as ``NAME.json.bak``."""


@dataclass(frozen=True)
class Fingerprint:
    """What a file held when it was read or written: its size, modification time and SHA-256 digest."""

    size: int
    mtime_ns: int
    digest: str


@dataclass(frozen=True)
class OpenedText:
    """A file's text as it was opened, and what the file was then."""

    path: Path
    text: str
    fingerprint: Fingerprint

    def data(self) -> Any:
        """The text parsed, or ``LayoutError`` naming the file and the line and column of bad JSON."""
        return parse_json(self.text, self.path, LayoutError)


def _fingerprint(path: Path, content: bytes) -> Fingerprint:
    try:
        mtime_ns = path.stat().st_mtime_ns
    except OSError:
        mtime_ns = 0
    return Fingerprint(len(content), mtime_ns, hashlib.sha256(content).hexdigest())


def open_text(path: Path) -> OpenedText:
    """A layout file's text (line endings as written) and fingerprint; ``LayoutError`` with the cause when
    it cannot be read or is not UTF-8."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise unreadable(path, exc, LayoutError) from None
    return OpenedText(path, decoded(content, path, LayoutError), _fingerprint(path, content))


def _on_disk(path: Path) -> bytes | None:
    """What the file holds now; None when there is none."""
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise unreadable(path, exc, LayoutError) from None


def changed_on_disk(opened: OpenedText) -> bool:
    """Whether the file no longer holds what it held when opened (or saved): by digest; a file gone counts
    as changed. ``LayoutError`` when it cannot be read."""
    return _differs(_on_disk(opened.path), opened.fingerprint)


def _differs(content: bytes | None, expected: Fingerprint) -> bool:
    if content is None:
        return True
    return len(content) != expected.size or hashlib.sha256(content).hexdigest() != expected.digest


def save_text(path: Path, text: str, expected: Fingerprint | None) -> Fingerprint:
    """Write ``text`` (UTF-8) to ``path`` atomically, keeping what was there as ``NAME.json.bak`` (one
    backup, replaced by the next save); the new fingerprint. ``ChangedOnDisk`` when ``expected`` is given
    and the file no longer matches it (nothing is written then: the caller asks the operator); ``expected``
    None overwrites whatever is there. ``LayoutError`` with the cause when it cannot be written. The caller
    validates the layout before saving."""
    previous = _on_disk(path)
    if expected is not None and _differs(previous, expected):
        raise ChangedOnDisk(path)
    content = text.encode("utf-8")
    try:
        if previous is not None:
            write_atomically(path.with_name(path.name + BACKUP_SUFFIX), previous)
        write_atomically(path, content)
    except OSError as exc:
        raise LayoutError(path, [Problem("", f"cannot be written: {exc.strerror or exc}")]) from None
    return _fingerprint(path, content)
