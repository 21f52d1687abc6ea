"""Logging: one line per event on stderr for the person at the console, details in a rotating file."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

_FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


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
        file = logging.handlers.RotatingFileHandler(path, maxBytes=5 * 2**20, backupCount=3, encoding="utf-8")
    except OSError:
        return None
    file.setFormatter(logging.Formatter(_FILE_FORMAT))
    root.addHandler(file)
    return path
