"""Real small and read-only disks for tests: a tmpfs mounted on a test's folder.

A full disk and a read-only folder cannot be faked by permissions when the tests run as root (root writes
through ``chmod 0555``), so the tests mount a real file system of a few kilobytes, or remount it read-only.
Where mounting is not allowed (not root, a container without the capability) the test is skipped, saying so.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)


@contextlib.contextmanager
def tmpfs(folder: Path, size_kb: int) -> Iterator[Path]:
    """A tmpfs of ``size_kb`` KiB mounted on ``folder`` (created) while the block runs."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = _mount("-t", "tmpfs", "-o", f"size={size_kb}k,mode=0755", "tmpfs", str(folder))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def read_only(folder: Path, on: bool = True) -> None:
    """Remount the tmpfs on ``folder`` read-only (or writable again)."""
    done = _mount("-o", f"remount,{'ro' if on else 'rw'}", str(folder))
    assert done.returncode == 0, done.stderr


def fill(folder: Path) -> None:
    """Write into ``folder`` until the disk is full."""
    with contextlib.suppress(OSError), open(folder / "filler", "wb") as filler:
        while True:
            filler.write(b"\0" * 4096)
            filler.flush()
