"""Logging: one line per event on stderr for the person at the console, details in a rotating file.

A log file that cannot be written (a full disk, a folder made read-only) is said once on stderr, and the
log goes on there; without this, every line logged would print a traceback of its own.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

_FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class LogFile(logging.handlers.RotatingFileHandler):
    """The rotating log file, which says once when it cannot be written and once when it can again."""

    failing = False
    _failed_now = False

    def emit(self, record: logging.LogRecord) -> None:
        self._failed_now = False
        super().emit(record)  # calls handleError on failure
        if self.failing and not self._failed_now:
            self.failing = False
            sys.stderr.write(f"wallapp: the log file {self.baseFilename} can be written again\n")

    def handleError(self, record: logging.LogRecord) -> None:
        self._failed_now = True
        if not self.failing:
            self.failing = True
            error = sys.exc_info()[1]
            cause = getattr(error, "strerror", None) or error
            sys.stderr.write(
                f"wallapp: the log file {self.baseFilename} cannot be written ({cause}); "
                "the log goes to the console only until it can\n"
            )


class OneLine(logging.Formatter):
    """The message alone, never a traceback: those go to the log file."""

    def format(self, record: logging.LogRecord) -> str:
        return "wallapp: " + " ".join(record.getMessage().split("\n")[:1])


def configure(log_dir: Path | None, verbose: bool = False) -> Path | None:
    """Console at WARNING (INFO with ``verbose``), file at INFO.

    Returns the log file, if one could be opened.
    """
    root = logging.getLogger("wallapp")
    root.setLevel(logging.INFO)
    root.propagate = False
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    console = logging.StreamHandler()
    console.setLevel(logging.INFO if verbose else logging.WARNING)
    console.setFormatter(OneLine())
    root.addHandler(console)
    if log_dir is None:
        return None
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        path = log_dir / "wallapp.log"
        file = LogFile(path, maxBytes=5 * 2**20, backupCount=3, encoding="utf-8")
    except OSError as exc:
        root.warning(
            "the log file in %s cannot be opened (%s): the log goes to the console only",
            log_dir,
            exc.strerror or exc,
        )
        return None
    file.setFormatter(logging.Formatter(_FILE_FORMAT))
    root.addHandler(file)
    return path
