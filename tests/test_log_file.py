"""The log file on a disk that fills up or turns read-only: one line on the console, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from disks import fill, read_only, tmpfs

from wallapp import logs


@pytest.fixture
def wallapp_logger() -> Iterator[logging.Logger]:
    """The wallapp logger as the test found it, afterwards (``logs.configure`` replaces its handlers)."""
    logger = logging.getLogger("wallapp")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield logger
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    for handler in saved[0]:
        logger.addHandler(handler)
    logger.setLevel(saved[1])
    logger.propagate = saved[2]


def test_a_full_disk_under_the_log_file_is_said_once_and_logging_goes_on(
    tmp_path: Path, wallapp_logger: logging.Logger, capfd: pytest.CaptureFixture[str]
) -> None:
    with tmpfs(tmp_path / "state", size_kb=64) as folder:
        path = logs.configure(folder / "logs")
        assert path == folder / "logs" / "wallapp.log"
        wallapp_logger.warning("before")
        fill(folder)
        for n in range(5):
            wallapp_logger.warning("while full %d %s", n, "x" * 2000)
        (folder / "filler").unlink()
        wallapp_logger.warning("after")
        err = capfd.readouterr().err.splitlines()
        failed = f"wallapp: the log file {path} cannot be written (No space left on device); "
        failed += "the log goes to the console only until it can"
        # Every line on the console; the file's failure once (where the last free bytes ran out), then its
        # recovery once, and no traceback.
        assert [line for line in err if line != failed][:7] == [
            "wallapp: before",
            *[f"wallapp: while full {n} {'x' * 2000}" for n in range(5)],
            "wallapp: after",
        ]
        assert err.count(failed) == 1
        assert err.index(failed) < err.index("wallapp: after")
        assert err[-1] == f"wallapp: the log file {path} can be written again"
        assert len(err) == 9
        assert "after" in path.read_text()
        assert not [line for line in err if "Traceback" in line or "Logging error" in line]


def test_a_read_only_log_folder_at_start_is_said_once(
    tmp_path: Path, wallapp_logger: logging.Logger, capfd: pytest.CaptureFixture[str]
) -> None:
    with tmpfs(tmp_path / "state", size_kb=64) as folder:
        read_only(folder)
        assert logs.configure(folder / "logs") is None
        wallapp_logger.warning("still said")
        assert capfd.readouterr().err.splitlines() == [
            f"wallapp: the log file in {folder / 'logs'} cannot be opened (Read-only file system): "
            "the log goes to the console only",
            "wallapp: still said",
        ]
